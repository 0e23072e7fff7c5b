"""The audit log's hash chain proves no row was changed or removed."""

from __future__ import annotations

import itertools
import threading

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from mosovo.audit.choices import Action
from mosovo.audit.models import AuditEvent
from mosovo.audit.services import audit_chain_verify, audit_record
from mosovo.audit.tasks import verify_chain
from mosovo.ops.models import Alert, PeriodicTaskStatus
from tests.conftest import Personas


def write_events(personas: Personas, count: int) -> None:
    for i in range(count):
        audit_record(action=Action.CONSULTATION, actor=personas.officer_a, rso_ids=[i + 1], reason=f"event {i}")


def without_append_only_trigger(sql: str) -> None:
    """Change the table as an attacker with the table owner's rights would."""
    with connection.cursor() as cursor:
        # Run the test transaction's deferred foreign-key checks now: PostgreSQL will not
        # alter a table with trigger events pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute(sql)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def test_events_are_chained_in_order(personas: Personas) -> None:
    write_events(personas, 5)
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == "0" * 64
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    report = audit_chain_verify()
    assert report.intact
    assert report.checked == 5


def test_hash_chain_detects_a_tampered_row(personas: Personas) -> None:
    write_events(personas, 5)
    without_append_only_trigger("UPDATE audit_auditevent SET reason = 'nothing to see' WHERE seq = 3")
    report = audit_chain_verify()
    assert not report.intact
    assert report.breaks[0].seq == 3
    assert "does not match" in report.breaks[0].problem


def test_hash_chain_detects_a_removed_row(personas: Personas) -> None:
    write_events(personas, 5)
    without_append_only_trigger("DELETE FROM audit_auditevent WHERE seq = 2")
    report = audit_chain_verify()
    assert [b.seq for b in report.breaks] == [3]
    assert "missing" in report.breaks[0].problem


def test_hash_chain_detects_the_newest_rows_removed(personas: Personas) -> None:
    write_events(personas, 5)
    without_append_only_trigger("DELETE FROM audit_auditevent WHERE seq >= 4")
    report = audit_chain_verify()
    assert not report.intact
    assert "newest rows were removed" in report.breaks[-1].problem


def test_nightly_check_raises_an_alert_that_admins_and_auditors_see(client: Client, personas: Personas) -> None:
    write_events(personas, 3)
    verify_chain.run()
    assert not Alert.objects.exists()
    assert PeriodicTaskStatus.objects.get(name="mosovo.audit.verify_chain").last_error == ""

    without_append_only_trigger("UPDATE audit_auditevent SET actor_label = 'someone else' WHERE seq = 2")
    verify_chain.run()
    verify_chain.run()  # a second run does not raise a second alert
    alert = Alert.objects.get()
    assert alert.kind == "audit_chain_broken"
    assert "event 2" in alert.message
    assert "broken" in PeriodicTaskStatus.objects.get(name="mosovo.audit.verify_chain").last_error

    from tests.conftest import verified_login

    for user in (personas.auditor, personas.admin):
        verified_login(client, user)
        assert "hash chain is broken" in client.get(reverse("home")).content.decode()
    verified_login(client, personas.officer_a)
    assert "hash chain is broken" not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_each_take_their_own_place_in_the_chain(personas: Personas) -> None:
    # Real threads on real PostgreSQL: the insert trigger's lock on the chain head puts
    # concurrent events one after another, never two on one place.
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(15):
                with transaction.atomic():
                    audit_record(action=Action.CONSULTATION, actor=personas.officer_a, reason=f"w{n}-{i}")
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(seq or 0 for seq in AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 121))
    report = audit_chain_verify()
    assert report.intact, report.breaks
