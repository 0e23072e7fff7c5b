"""Person deadlines in the engine: training expiry and actions agreed in supervision
reach the officer's task inbox, follow them to a new team, and close when met."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from caseload import services as caseload_services
from caseload.choices import OPEN_DEADLINE_STATES, DeadlineKind, DeadlineState
from caseload.models import Deadline
from caseload.selectors import my_tasks
from mosovo.accounts.choices import TrainingCourse
from mosovo.accounts.models import TrainingRecord, User
from supervision import services
from tests.conftest import Casework, Personas

TODAY = dt.date(2026, 6, 15)


def open_of(user: User, kind: str) -> list[Deadline]:
    return list(Deadline.objects.filter(subject_user=user, kind=kind, state__in=OPEN_DEADLINE_STATES).order_by("id"))


def train(user: User, course: str, completed: dt.date, expires: dt.date | None) -> None:
    TrainingRecord.objects.create(user=user, course=course, completed_on=completed, expires_on=expires)


def test_training_that_lapses_within_90_days_is_due_soon_and_a_renewal_closes_it_as_done(
    personas: Personas,
) -> None:
    officer = personas.officer_a
    train(officer, TrainingCourse.ARMS, dt.date(2023, 7, 1), TODAY + dt.timedelta(days=60))
    train(officer, TrainingCourse.MAPPA, dt.date(2025, 1, 1), TODAY + dt.timedelta(days=400))
    train(officer, TrainingCourse.PIP1, dt.date(2020, 1, 1), None)
    caseload_services.deadlines_sweep(today=TODAY)

    arms, mappa = open_of(officer, DeadlineKind.TRAINING_EXPIRY)
    assert (arms.key, arms.state, arms.owner_id) == (
        f"TRAINING_EXPIRY:user:{officer.pk}:ARMS",
        DeadlineState.DUE_SOON,
        officer.pk,
    )
    assert (mappa.state, mappa.team_id, mappa.detail) == (DeadlineState.UPCOMING, officer.team_id, {"course": "MAPPA"})

    # Renewed: the latest completion decides, the old row is met and a new one opens.
    train(officer, TrainingCourse.ARMS, TODAY, TODAY + dt.timedelta(days=3 * 365))
    caseload_services.deadlines_sweep(today=TODAY)
    arms.refresh_from_db()
    assert arms.state == DeadlineState.DONE
    assert sorted(d.due_on for d in open_of(officer, DeadlineKind.TRAINING_EXPIRY)) == [
        TODAY + dt.timedelta(days=400),
        TODAY + dt.timedelta(days=3 * 365),
    ]


def test_a_lapsed_course_is_overdue_then_escalated_and_shows_in_my_tasks(personas: Personas) -> None:
    officer = personas.officer_a
    train(officer, TrainingCourse.OSP, dt.date(2023, 1, 1), TODAY - dt.timedelta(days=8))
    caseload_services.deadlines_sweep(today=TODAY)
    (row,) = open_of(officer, DeadlineKind.TRAINING_EXPIRY)
    assert row.state == DeadlineState.ESCALATED
    assert row.pk in {task.pk for task in my_tasks(user=officer, today=TODAY).overdue}


def test_recording_training_through_the_service_opens_the_task_at_once(personas: Personas) -> None:
    soon = dt.date.today() + dt.timedelta(days=30)
    services.officer_training_record(
        officer=personas.officer_a,
        course=TrainingCourse.VISOR,
        completed_on=dt.date.today() - dt.timedelta(days=700),
        expires_on=soon,
        by=personas.sergeant_a,
    )
    (row,) = open_of(personas.officer_a, DeadlineKind.TRAINING_EXPIRY)
    assert (row.due_on, row.state) == (soon, DeadlineState.DUE_SOON)


def test_a_sergeant_of_another_team_cannot_record_training(personas: Personas) -> None:
    with pytest.raises(ValidationError, match="sergeant of the officer's team"):
        services.officer_training_record(
            officer=personas.officer_b,
            course=TrainingCourse.VISOR,
            completed_on=dt.date.today(),
            by=personas.sergeant_a,
        )
    assert not TrainingRecord.objects.exists()


def test_agreed_actions_are_the_officers_tasks_until_done(personas: Personas, casework: Casework) -> None:
    today = dt.date.today()
    session = services.session_record(
        sergeant=personas.sergeant_a,
        officer=personas.officer_a,
        held_on=today,
        case_ids=[casework.rso_a.pk],
        actions=[
            {"description": "Update the plan's contingencies", "due_on": today + dt.timedelta(days=10)},
            {"description": "", "due_on": None},
            {"description": "Book the ARMS course", "due_on": today + dt.timedelta(days=40)},
        ],
    )
    first, second = session.actions.order_by("position")
    rows = open_of(personas.officer_a, DeadlineKind.SUPERVISION_ACTION)
    assert [(r.key, r.owner_id, r.rso_id, r.state) for r in rows] == [
        (f"SUPERVISION_ACTION:session:{session.pk}:action:{first.pk}", personas.officer_a.pk, None, "DUE_SOON"),
        (f"SUPERVISION_ACTION:session:{session.pk}:action:{second.pk}", personas.officer_a.pk, None, "UPCOMING"),
    ]

    assert rows[0].detail == {"what": "Update the plan's contingencies"}

    services.agreed_action_complete(action=first, by=personas.officer_a, note="Done with the plan")
    done = Deadline.objects.get(pk=rows[0].pk)
    assert (done.state, done.closed_by_id) == (DeadlineState.DONE, personas.officer_a.pk)
    assert [r.pk for r in open_of(personas.officer_a, DeadlineKind.SUPERVISION_ACTION)] == [rows[1].pk]
    # The nightly sweep agrees: nothing reopens, nothing else closes.
    caseload_services.deadlines_sweep()
    assert [r.pk for r in open_of(personas.officer_a, DeadlineKind.SUPERVISION_ACTION)] == [rows[1].pk]


def test_person_tasks_follow_the_officer_to_a_new_team(personas: Personas) -> None:
    officer = personas.officer_a
    train(officer, TrainingCourse.MOSOVO, dt.date(2024, 1, 1), TODAY + dt.timedelta(days=30))
    caseload_services.deadlines_sweep(today=TODAY)
    User.objects.filter(pk=officer.pk).update(team=personas.team_b)
    caseload_services.deadlines_sweep(today=TODAY)
    (row,) = open_of(officer, DeadlineKind.TRAINING_EXPIRY)
    assert row.team_id == personas.team_b.pk


def test_recomputing_one_person_leaves_others_alone(personas: Personas) -> None:
    train(personas.officer_a, TrainingCourse.OSP, dt.date(2024, 1, 1), TODAY + dt.timedelta(days=30))
    train(personas.officer_b, TrainingCourse.OSP, dt.date(2024, 1, 1), TODAY + dt.timedelta(days=30))
    caseload_services.person_deadlines_recompute(user_ids=[personas.officer_a.pk])
    assert len(open_of(personas.officer_a, DeadlineKind.TRAINING_EXPIRY)) == 1
    assert open_of(personas.officer_b, DeadlineKind.TRAINING_EXPIRY) == []
