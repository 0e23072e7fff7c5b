"""The supervision session services: recording a session (every error at once, nothing
saved on error), the audit events, the agreed actions as deadlines owned by the officer,
the officer's acknowledgement and completing an action (once, even when two try at once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from caseload.choices import OPEN_DEADLINE_STATES, DeadlineKind, DeadlineState
from caseload.models import Deadline
from mosovo.audit.choices import Action
from mosovo.audit.models import AuditEvent
from supervision import services
from supervision.models import AgreedAction, SupervisionSession
from tests.caseload.test_services_allocation import run_in_threads
from tests.conftest import Casework, Personas
from tests.factories import OfficerFactory, SergeantFactory

pytestmark = pytest.mark.django_db

SESSION_TYPE = "supervision.supervisionsession"
ACTION_TYPE = "supervision.agreedaction"


def today() -> dt.date:
    return timezone.localdate()


def record(personas: Personas, **kwargs: Any) -> SupervisionSession:
    values: dict[str, Any] = {
        "sergeant": personas.sergeant_a,
        "officer": personas.officer_a,
        "held_on": today() - dt.timedelta(days=1),
    }
    values.update(kwargs)
    return services.session_record(**values)


def errors_of(call: Callable[[], Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict


def open_actions(officer_id: int) -> list[Deadline]:
    return list(
        Deadline.objects.filter(
            kind=DeadlineKind.SUPERVISION_ACTION, subject_user_id=officer_id, state__in=OPEN_DEADLINE_STATES
        ).order_by("due_on")
    )


# --- session_record ------------------------------------------------------------------------


def test_a_session_records_its_cases_notes_and_actions_with_one_collection_event(
    personas: Personas, casework: Casework
) -> None:
    due = today() + dt.timedelta(days=10)
    session = record(
        personas,
        case_ids=[casework.rso_a.pk, casework.rso_a.pk],
        wellbeing_checked=True,
        wellbeing_notes="  Tired after a difficult visit.  ",
        reflective_notes=" Good plans. ",
        actions=[
            {"description": " Add a support action ", "due_on": due, "rso_id": casework.rso_a.pk},
            {"description": "", "due_on": None, "rso_id": None},  # an empty row
        ],
    )
    assert (session.team_id, session.wellbeing_notes, session.reflective_notes) == (
        personas.team_a.pk,
        "Tired after a difficult visit.",
        "Good plans.",
    )
    assert list(session.cases.values_list("pk", flat=True)) == [casework.rso_a.pk]
    (action,) = session.actions.all()
    assert (action.description, action.due_on, action.rso_id) == ("Add a support action", due, casework.rso_a.pk)

    (event,) = AuditEvent.objects.filter(object_type=SESSION_TYPE, action=Action.COLLECTION)
    assert event.actor_id == personas.sergeant_a.pk
    assert event.rso_ids == [casework.rso_a.pk]
    assert event.object_ids == [str(session.pk)]
    assert "wellbeing_notes" in event.fields  # the field's name, never its text
    assert "Tired" not in " ".join([event.reason, *event.fields])


def test_each_agreed_action_opens_a_deadline_owned_by_the_officer(personas: Personas) -> None:
    soon, later = today() + dt.timedelta(days=3), today() + dt.timedelta(days=40)
    session = record(
        personas,
        actions=[{"description": "Read the guidance", "due_on": later}, {"description": "Book ARMS", "due_on": soon}],
    )
    book, read = sorted(session.actions.all(), key=lambda a: a.due_on)
    first, second = open_actions(personas.officer_a.pk)
    assert (first.key, first.owner_id, first.subject_user_id, first.rso_id, first.team_id, first.due_on) == (
        services.action_key(session.pk, book.pk),
        personas.officer_a.pk,
        personas.officer_a.pk,
        None,
        personas.team_a.pk,
        soon,
    )
    assert first.state == DeadlineState.DUE_SOON
    assert (second.key, second.state) == (services.action_key(session.pk, read.pk), DeadlineState.UPCOMING)


def test_every_problem_is_reported_at_once_and_nothing_is_saved(personas: Personas, casework: Casework) -> None:
    errors = errors_of(
        lambda: record(
            personas,
            held_on=today() + dt.timedelta(days=1),
            case_ids=[casework.rso_b.pk],
            wellbeing_notes="Notes without the check",
            actions=[
                {"description": "", "due_on": today() + dt.timedelta(days=5), "rso_id": None},
                {"description": "No date", "due_on": None, "rso_id": None},
                {"description": "Other team", "due_on": today() + dt.timedelta(days=5), "rso_id": casework.rso_b.pk},
            ],
        )
    )
    assert errors == {
        "held_on": ["The date the session was held cannot be in the future."],
        "cases": ["Choose cases of your team only."],
        "wellbeing_checked": ["Tick the wellbeing check if you recorded notes about it."],
        "actions-1-description": ["Say what action 1 is."],
        "actions-2-due_on": ["Enter a due date for action 2."],
        "actions-3-rso": ["The case of action 3 must be one of your team's."],
    }
    assert not SupervisionSession.objects.exists()
    assert not AgreedAction.objects.exists()
    assert not AuditEvent.objects.filter(object_type=SESSION_TYPE).exists()
    assert open_actions(personas.officer_a.pk) == []


def test_an_action_cannot_fall_due_before_the_session(personas: Personas) -> None:
    held_on = today() - dt.timedelta(days=10)
    errors = errors_of(
        lambda: record(
            personas,
            held_on=held_on,
            actions=[{"description": "Late", "due_on": held_on - dt.timedelta(days=1)}],
        )
    )
    assert errors == {"actions-1-due_on": ["Action 1 cannot be due before the session was held."]}


@pytest.mark.parametrize("who", ["officer", "sergeant_of_team_b", "inspector"])
def test_only_a_sergeant_of_the_officers_team_can_record(personas: Personas, who: str) -> None:
    by = {
        "officer": personas.officer_a,
        "sergeant_of_team_b": SergeantFactory.create(team=personas.team_b),
        "inspector": personas.inspector,
    }[who]
    with pytest.raises(ValidationError, match="Only a sergeant of the officer's team"):
        record(personas, sergeant=by)
    assert not SupervisionSession.objects.exists()


def test_the_officer_must_be_an_active_member_of_the_team(personas: Personas) -> None:
    leaver = OfficerFactory.create(team=personas.team_a, is_active=False)
    assert errors_of(lambda: record(personas, officer=leaver)) == {"officer": ["Choose an officer of your team."]}


# --- session_acknowledge -----------------------------------------------------------------


def test_the_officer_acknowledges_once_and_again_changes_nothing(personas: Personas) -> None:
    session = record(personas)
    acknowledged = services.session_acknowledge(session=session, by=personas.officer_a)
    first = acknowledged.acknowledged_at
    assert first is not None
    again = services.session_acknowledge(session=session, by=personas.officer_a)
    assert again.acknowledged_at == first
    (event,) = AuditEvent.objects.filter(object_type=SESSION_TYPE, action=Action.ALTERATION)
    assert (event.actor_id, event.fields) == (personas.officer_a.pk, ["acknowledged_at"])


def test_nobody_but_the_officer_can_acknowledge(personas: Personas) -> None:
    session = record(personas)
    for by in (personas.sergeant_a, OfficerFactory.create(team=personas.team_a), personas.inspector):
        with pytest.raises(ValidationError, match="Only the officer who was supervised"):
            services.session_acknowledge(session=session, by=by)
    session.refresh_from_db()
    assert session.acknowledged_at is None


# --- agreed_action_complete ----------------------------------------------------------------


def one_action(personas: Personas) -> AgreedAction:
    session = record(personas, actions=[{"description": "Shadow a MAPPA meeting", "due_on": today()}])
    return session.actions.get()


def test_completing_an_action_closes_its_deadline_as_done(personas: Personas) -> None:
    action = one_action(personas)
    (deadline,) = open_actions(personas.officer_a.pk)
    services.agreed_action_complete(action=action, by=personas.officer_a, note=" went on Tuesday ")

    action.refresh_from_db()
    deadline.refresh_from_db()
    assert action.completed_at is not None
    assert action.completed_by_id == personas.officer_a.pk
    assert (deadline.state, deadline.closed_by_id, deadline.closed_note) == (
        DeadlineState.DONE,
        personas.officer_a.pk,
        "went on Tuesday",
    )
    assert open_actions(personas.officer_a.pk) == []
    (event,) = AuditEvent.objects.filter(object_type=ACTION_TYPE, action=Action.ALTERATION)
    assert event.object_ids == [str(action.pk)]
    assert event.fields == ["completed_at", "completed_by"]


def test_a_sergeant_of_the_team_may_complete_an_action_but_nobody_else(personas: Personas) -> None:
    action = one_action(personas)
    for by in (
        OfficerFactory.create(team=personas.team_a),
        SergeantFactory.create(team=personas.team_b),
        personas.officer_b,
        personas.inspector,
    ):
        with pytest.raises(ValidationError, match="Only the officer, or a sergeant of the team"):
            services.agreed_action_complete(action=action, by=by)
    services.agreed_action_complete(action=action, by=personas.sergeant_a)
    action.refresh_from_db()
    assert action.completed_by_id == personas.sergeant_a.pk


def test_completing_twice_is_refused(personas: Personas) -> None:
    action = one_action(personas)
    services.agreed_action_complete(action=action, by=personas.officer_a)
    with pytest.raises(ValidationError, match="already done"):
        services.agreed_action_complete(action=action, by=personas.sergeant_a)
    action.refresh_from_db()
    assert action.completed_by_id == personas.officer_a.pk


@pytest.mark.django_db(transaction=True)
def test_two_people_completing_the_same_action_at_once_complete_it_once(personas: Personas) -> None:
    action = one_action(personas)

    def complete(by: Any) -> Callable[[], Any]:
        return lambda: services.agreed_action_complete(action=action, by=by)

    succeeded, errors = run_in_threads([complete(personas.officer_a), complete(personas.sergeant_a)])
    assert succeeded == 1
    assert len(errors) == 1, errors
    assert isinstance(errors[0], ValidationError), errors
    assert "already done" in str(errors[0])
    assert AuditEvent.objects.filter(object_type=ACTION_TYPE, action=Action.ALTERATION).count() == 1
    (deadline,) = Deadline.objects.filter(kind=DeadlineKind.SUPERVISION_ACTION)
    assert deadline.state == DeadlineState.DONE


def test_the_private_wellbeing_notes_are_kept_out_of_the_history_table(personas: Personas) -> None:
    session = services.session_record(
        sergeant=personas.sergeant_a,
        officer=personas.officer_a,
        held_on=dt.date.today(),
        wellbeing_checked=True,
        wellbeing_notes="Private: struggling after a difficult case",
        reflective_notes="Reflected on the plan",
    )
    (row,) = SupervisionSession.pgh_event_model.objects.filter(pgh_obj=session)  # type: ignore[attr-defined]
    assert row.reflective_notes == "Reflected on the plan"
    assert not hasattr(row, "wellbeing_notes")
