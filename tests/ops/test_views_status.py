"""The task status page: an administrator sees when each periodic task last ran, what
it did, and which are late; nobody else sees the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from mosovo.accounts.models import User
from mosovo.ops.models import Alert, PeriodicTaskStatus
from mosovo.ops.selectors import task_is_late
from mosovo.ops.services import task_run_record
from tests.conftest import Personas, verified_login

pytestmark = pytest.mark.django_db

STATUS = reverse("ops_status")


def signed_in(user: User) -> Client:
    return verified_login(Client(), user)


def ran(name: str, *, ago: dt.timedelta, duration_ms: int = 250, **kwargs: Any) -> PeriodicTaskStatus:
    """Record a run of ``name`` that finished ``ago`` and took ``duration_ms``."""
    status = task_run_record(name=name, started_at=timezone.now(), **kwargs)
    finished = timezone.now() - ago
    PeriodicTaskStatus.objects.filter(pk=status.pk).update(
        last_started_at=finished - dt.timedelta(milliseconds=duration_ms),
        last_finished_at=finished,
        last_duration_ms=duration_ms,
    )
    return status


def row(html: str, name: str) -> str:
    """Return the HTML of the task's row in the table."""
    start = html.index(f'id="task-{name.replace(".", "")}"')
    return html[start : html.index("</tr>", start)]


def test_admin_sees_each_tasks_last_run_what_it_did_and_which_are_late(personas: Personas) -> None:
    ran("caseload.deadlines_sweep", ago=dt.timedelta(hours=51), counts={"opened": 40, "now_escalated": 3})
    ran("caseload.deadlines_sweep", ago=dt.timedelta(hours=27), duration_ms=4321, counts={"opened": 12})
    ran("heartbeat", ago=dt.timedelta(seconds=20))
    ran("mosovo.audit.verify_chain", ago=dt.timedelta(hours=3), error="Chain broken at seq 41")

    response = signed_in(personas.admin).get(STATUS)

    assert response.status_code == 200
    page = response.content.decode()
    sweep = row(page, "caseload.deadlines_sweep")
    assert "Late" in sweep
    assert "4.321 s" in sweep
    assert ">2<" in sweep  # runs
    assert '<dt class="govuk-summary-list__key' in sweep
    assert ">opened</dt>" in sweep
    assert ">12</dd>" in sweep
    assert "Late after 26 hours" in sweep
    assert "now_escalated" not in sweep  # what the last run did, not an earlier one
    heartbeat = row(page, "heartbeat")
    assert "Late</strong>" not in heartbeat
    assert "0.250 s" in heartbeat
    chain = row(page, "mosovo.audit.verify_chain")
    assert "Late</strong>" not in chain
    assert "Chain broken at seq 41" in chain
    # A daily task that has not run yet is listed, not flagged late.
    digests = row(page, "caseload.digests_send")
    assert "Not run yet" in digests
    assert "Late</strong>" not in digests


def test_admin_sees_open_alerts_but_not_resolved_ones(personas: Personas) -> None:
    Alert.objects.create(kind="audit_chain", message="The audit chain is broken at seq 41")
    Alert.objects.create(kind="old", message="Dealt with last week", resolved_at=timezone.now())

    page = signed_in(personas.admin).get(STATUS).content.decode()

    assert "The audit chain is broken at seq 41" in page
    assert "Dealt with last week" not in page


def test_the_admin_navigation_links_to_the_page(personas: Personas) -> None:
    page = signed_in(personas.admin).get(reverse("home")).content.decode()

    assert f'href="{STATUS}"' in page
    assert "Task status" in page


def test_nobody_but_an_admin_sees_the_page(personas: Personas) -> None:
    for user in (personas.officer_a, personas.sergeant_a, personas.inspector, personas.auditor):
        response = signed_in(user).get(STATUS)
        assert response.status_code == 404, user.role  # as every page refused by role


@override_settings(HEARTBEAT_INTERVAL_SECONDS=60)
def test_a_task_is_late_once_its_last_finish_is_older_than_its_schedule_allows() -> None:
    now = timezone.now()

    def late(name: str, ago: dt.timedelta) -> bool:
        return task_is_late(name=name, last_finished_at=now - ago, now=now)

    assert not late("heartbeat", dt.timedelta(seconds=179))
    assert late("heartbeat", dt.timedelta(seconds=181))  # three beats missed
    for daily in ("caseload.deadlines_sweep", "caseload.digests_send", "caseload.reconcile_caseload_counts"):
        assert not late(daily, dt.timedelta(hours=25, minutes=59))
        assert late(daily, dt.timedelta(hours=26, minutes=1))
    assert late("mosovo.audit.verify_chain", dt.timedelta(days=2))
    assert not late("some.adhoc_task", dt.timedelta(days=300))  # no schedule: never late
    assert task_is_late(name="heartbeat", last_finished_at=None, now=now)


def test_the_page_costs_the_same_queries_for_2_and_10_tasks(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(personas.admin)
    for name in ("heartbeat", "caseload.deadlines_sweep"):
        ran(name, ago=dt.timedelta(minutes=1), counts={"opened": 1})
    client.get(STATUS)  # warm the session

    def count() -> int:
        # Session, user, second factor, the task statuses, the open alerts: none per task.
        with django_assert_max_num_queries(6) as queries:
            assert client.get(STATUS).status_code == 200
        return len(queries)

    two = count()
    for n in range(8):
        ran(f"extra.task_{n}", ago=dt.timedelta(minutes=1), counts={"done": n})
    ten = count()
    assert ten == two
