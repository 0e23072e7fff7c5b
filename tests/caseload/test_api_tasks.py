"""The task API: an officer's own open tasks and a sergeant's team tasks, as flat lists
with their group, scoped as the task pages are."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from caseload import services
from caseload.choices import DeadlineKind, DeadlineState, RiskLevel
from caseload.deadlines import recompute_rso
from caseload.models import RSO
from mosovo.accounts.models import User
from mosovo.audit.choices import Action
from mosovo.audit.models import AuditEvent
from tests.conftest import CANARY, Casework, Personas, verified_login
from tests.factories import OfficerFactory, RSOFactory, SergeantFactory

pytestmark = pytest.mark.django_db

TASKS = reverse("api:tasks")
TEAM_TASKS = reverse("api:team_tasks")
FIELDS = {"id", "group", "kind", "kind_label", "state", "due_on", "rso_id", "rso_reference"}


def signed_in(user: User) -> Client:
    return verified_login(Client(), user)


def today() -> dt.date:
    return timezone.localdate()


def due(rso: RSO, **dates: dt.date) -> None:
    """Store due dates on the RSO and recompute its deadlines, as the writers do."""
    RSO.objects.filter(pk=rso.pk).update(**dates)
    recompute_rso(rso_id=rso.pk, today=today(), now=timezone.now())


def days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def over_the_limit(team: Any, sergeant: User) -> User:
    """Return a new officer of the team with 1 of 2 cases high risk, let through by the
    sergeant's override, so a cap breach is open for them."""
    officer = OfficerFactory.create(team=team)
    rsos = [RSOFactory.create(team=team, allocated_officer=officer) for _ in range(2)]
    services.rso_change_risk_level(
        rso=rsos[0],
        risk_level=RiskLevel.HIGH,
        reason="New intelligence",
        by=sergeant,
        override_reason="Nobody else can take this case this week",
    )
    return officer


def by_kind(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["kind"]: row for row in rows}


# --- My tasks ----------------------------------------------------------------------------


def test_officer_gets_their_open_tasks_as_one_list_overdue_first(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    due(
        rso,
        next_visit_due_on=days(-10),  # escalated
        next_annual_notification_due=days(3),  # this week
        arms_review_due_on=days(40),  # upcoming
        notification_ends_on=days(400),  # later than 90 days: not listed
    )

    response = signed_in(personas.officer_a).get(TASKS)

    assert response.status_code == 200
    rows = response.json()
    assert [row["group"] for row in rows] == ["overdue", "this_week", "upcoming"]
    assert all(set(row) == FIELDS for row in rows)
    tasks = by_kind(rows)
    assert tasks[DeadlineKind.VISIT] == {
        "id": tasks[DeadlineKind.VISIT]["id"],
        "group": "overdue",
        "kind": "VISIT",
        "kind_label": "Home visit",
        "state": DeadlineState.ESCALATED,
        "due_on": days(-10).isoformat(),
        "rso_id": rso.pk,
        "rso_reference": rso.visor_reference,
    }
    assert tasks[DeadlineKind.ANNUAL_NOTIFICATION]["state"] == DeadlineState.DUE_SOON
    assert tasks[DeadlineKind.ARMS_REVIEW]["group"] == "upcoming"
    assert DeadlineKind.NOTIFICATION_END not in tasks


def test_listing_tasks_is_recorded_as_a_consultation_of_the_rsos_shown(personas: Personas, casework: Casework) -> None:
    due(casework.rso_a, next_visit_due_on=days(-2))

    signed_in(personas.officer_a).get(TASKS)

    assert AuditEvent.objects.filter(action=Action.CONSULTATION, rso_ids=[casework.rso_a.pk]).exists()


def test_a_colleagues_tasks_are_not_in_my_list(personas: Personas, casework: Casework) -> None:
    colleague = OfficerFactory.create(team=personas.team_a)
    theirs = RSOFactory.create(team=personas.team_a, allocated_officer=colleague)
    due(theirs, next_visit_due_on=days(-3))

    assert signed_in(personas.officer_a).get(TASKS).json() == []


def test_officer_of_team_b_sees_none_of_team_as_tasks(personas: Personas, casework: Casework) -> None:
    due(casework.rso_a, next_visit_due_on=days(-10), arms_review_due_on=days(2))
    due(casework.rso_b, next_visit_due_on=days(-1))

    b_rows = signed_in(personas.officer_b).get(TASKS).json()
    a_body = signed_in(personas.officer_a).get(TASKS).content.decode()

    assert {row["rso_id"] for row in b_rows} == {casework.rso_b.pk}
    assert CANARY not in a_body
    assert casework.rso_b.visor_reference not in a_body


def test_administrators_and_auditors_have_no_task_list(personas: Personas) -> None:
    for user in (personas.admin, personas.auditor):
        assert signed_in(user).get(TASKS).status_code == 404


# --- Team tasks --------------------------------------------------------------------------


def test_sergeant_gets_escalations_overdue_tasks_a_cap_breach_and_unallocated_work(
    personas: Personas, casework: Casework
) -> None:
    due(casework.rso_a, next_visit_due_on=days(-10), arms_review_due_on=days(-2))
    unallocated = RSOFactory.create(team=personas.team_a)
    due(unallocated, next_visit_due_on=days(4))
    officer = over_the_limit(personas.team_a, personas.sergeant_a)

    response = signed_in(personas.sergeant_a).get(TEAM_TASKS)

    assert response.status_code == 200
    rows = response.json()
    groups = [(row["group"], row["kind"]) for row in rows]
    assert groups == [
        ("escalated", DeadlineKind.VISIT),
        ("overdue", DeadlineKind.ARMS_REVIEW),
        ("cap_breaches", DeadlineKind.CAP_BREACH),
        ("unallocated", DeadlineKind.VISIT),
    ]
    escalated, overdue, breach, unowned = rows
    assert escalated["owner_id"] == personas.officer_a.pk
    assert escalated["owner_name"] == personas.officer_a.display_name
    assert escalated["rso_reference"] == casework.rso_a.visor_reference
    assert escalated["high"] is None
    assert escalated["subject_officer_id"] is None
    assert overdue["state"] == DeadlineState.OVERDUE
    assert breach["subject_officer_id"] == officer.pk
    assert (breach["high"], breach["total"]) == (1, 2)
    assert breach["rso_id"] is None
    assert breach["owner_id"] is None
    assert unowned["rso_id"] == unallocated.pk
    assert unowned["owner_id"] is None


def test_sergeant_of_team_b_sees_none_of_team_as_tasks(personas: Personas, casework: Casework) -> None:
    due(casework.rso_a, next_visit_due_on=days(-10))
    over_the_limit(personas.team_a, personas.sergeant_a)
    sergeant_b = SergeantFactory.create(team=personas.team_b)
    due(casework.rso_b, next_visit_due_on=days(-10))

    rows = signed_in(sergeant_b).get(TEAM_TASKS).json()

    assert [(row["group"], row["rso_id"]) for row in rows] == [("escalated", casework.rso_b.pk)]


def test_inspector_sees_the_teams_of_the_force(personas: Personas, casework: Casework) -> None:
    due(casework.rso_a, next_visit_due_on=days(-10))
    due(casework.rso_b, next_visit_due_on=days(-10))
    due(casework.rso_other_force, next_visit_due_on=days(-10))

    rows = signed_in(personas.inspector).get(TEAM_TASKS).json()

    assert {row["rso_id"] for row in rows} == {casework.rso_a.pk, casework.rso_b.pk}


def test_only_sergeants_and_inspectors_get_team_tasks(personas: Personas) -> None:
    for user in (personas.officer_a, personas.admin, personas.auditor):
        assert signed_in(user).get(TEAM_TASKS).status_code == 404


# --- Query counts ------------------------------------------------------------------------


def overdue_cases(personas: Personas, count: int) -> None:
    for _ in range(count):
        rso = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a)
        due(rso, next_visit_due_on=days(-10), next_annual_notification_due=days(3))


def queries(client: Client, url: str, django_assert_max_num_queries: Any) -> tuple[int, int]:
    # Session, user, second factor, the tasks (RSO, owner, team and subject joined), for
    # my tasks the count of later ones, the consultation audit event: none per row.
    with django_assert_max_num_queries(8) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), len(response.json())


@pytest.mark.parametrize(("user", "url"), [("officer_a", TASKS), ("sergeant_a", TEAM_TASKS)])
def test_task_lists_cost_the_same_queries_for_2_and_12_rows(
    personas: Personas, django_assert_max_num_queries: Any, user: str, url: str
) -> None:
    client = signed_in(getattr(personas, user))
    overdue_cases(personas, 1)
    client.get(url)  # warm the session
    few, few_rows = queries(client, url, django_assert_max_num_queries)
    overdue_cases(personas, 5)
    many, many_rows = queries(client, url, django_assert_max_num_queries)

    assert (few_rows, many_rows) in ((2, 12), (1, 6))  # the team list has the escalations only
    assert many == few
