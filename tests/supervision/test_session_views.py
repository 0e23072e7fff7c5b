"""The supervision session pages: a sergeant records a session, the officer reads and
acknowledges it and works through the agreed actions from their task inbox; the
wellbeing check stays private to the sergeant who held it, the officer and the inspector."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from caseload.choices import OPEN_DEADLINE_STATES, DeadlineKind, DeadlineState, RSOStatus
from caseload.models import RSO, Deadline
from mosovo.accounts.models import User
from mosovo.audit.choices import Action
from mosovo.audit.models import AuditEvent
from supervision import services
from supervision.models import AgreedAction, SupervisionSession
from tests.conftest import CANARY, Casework, Personas, verified_login
from tests.factories import OfficerFactory, RSOFactory, SergeantFactory

pytestmark = pytest.mark.django_db

LIST = reverse("supervision:session_list")
CREATE = reverse("supervision:session_create")
CASES = reverse("supervision:session_cases")
TASKS = reverse("caseload:tasks")
PRIVATE = "Wellbeing notes are private to the sergeant who held the session, the officer and their inspector"
NOTES = "Finding the caseload heavy after the Harris case; sleeping badly."


def signed_in(user: User) -> Client:
    return verified_login(Client(), user)


def today() -> dt.date:
    return timezone.localdate()


def detail_url(session: SupervisionSession) -> str:
    return reverse("supervision:session_detail", args=[session.pk])


def date_boxes(name: str, value: dt.date | None) -> dict[str, str]:
    if value is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    return {f"{name}_0": str(value.day), f"{name}_1": str(value.month), f"{name}_2": str(value.year)}


def session_form(
    officer: User,
    *,
    held_on: dt.date | None = None,
    cases: list[int] = (),  # type: ignore[assignment]
    actions: list[dict[str, Any]] = (),  # type: ignore[assignment]
    rows: int = 3,
    **extra: Any,
) -> dict[str, Any]:
    """The POST data of the session form, as a browser sends it (empty rows included)."""
    data: dict[str, Any] = {
        "officer": str(officer.pk),
        **date_boxes("held_on", held_on or today()),
        "cases": [str(pk) for pk in cases],
        "wellbeing_checked": "on",
        "wellbeing_notes": NOTES,
        "reflective_notes": "Plans are control heavy; try a SUPPORT action for each case.",
        "actions-TOTAL_FORMS": str(max(rows, len(actions))),
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "50",
    }
    for index in range(max(rows, len(actions))):
        action = actions[index] if index < len(actions) else {}
        prefix = f"actions-{index}"
        data[f"{prefix}-description"] = action.get("description", "")
        data.update(date_boxes(f"{prefix}-due_on", action.get("due_on")))
        data[f"{prefix}-rso"] = str(action.get("rso", ""))
    data.update(extra)
    return data


def record(personas: Personas, casework: Casework, **kwargs: Any) -> SupervisionSession:
    """A session sergeant A held with officer A, through the service."""
    defaults: dict[str, Any] = {
        "sergeant": personas.sergeant_a,
        "officer": personas.officer_a,
        "held_on": today() - dt.timedelta(days=2),
        "case_ids": [casework.rso_a.pk],
        "wellbeing_checked": True,
        "wellbeing_notes": NOTES,
        "reflective_notes": "Reflect on the visit pattern.",
        "actions": [{"description": "Update the plan contingencies", "due_on": today() + dt.timedelta(days=5)}],
    }
    defaults.update(kwargs)
    return services.session_record(**defaults)


# --- Recording a session -----------------------------------------------------------------


def test_sergeant_records_a_session_with_cases_and_two_actions_and_the_officer_has_both_in_my_tasks(
    personas: Personas, casework: Casework
) -> None:
    second = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a, family_name="Brightwell")
    sergeant = signed_in(personas.sergeant_a)
    due_one, due_two = today() + dt.timedelta(days=3), today() + dt.timedelta(days=20)
    data = session_form(
        personas.officer_a,
        held_on=today() - dt.timedelta(days=1),
        cases=[casework.rso_a.pk, second.pk],
        actions=[
            {"description": "Add a SUPPORT action to the plan", "due_on": due_one, "rso": casework.rso_a.pk},
            {},  # a blank row in the middle is ignored
            {"description": "Book the ARMS refresher", "due_on": due_two},
        ],
    )
    response = sergeant.post(CREATE, data)

    session = SupervisionSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(session)
    assert set(session.cases.values_list("pk", flat=True)) == {casework.rso_a.pk, second.pk}
    first, last = session.actions.order_by("position")
    assert (first.description, first.due_on, first.rso_id) == (
        "Add a SUPPORT action to the plan",
        due_one,
        casework.rso_a.pk,
    )
    assert (last.description, last.due_on, last.rso_id) == ("Book the ARMS refresher", due_two, None)

    page = sergeant.get(detail_url(session)).content.decode()
    assert reverse("caseload:rso_detail", args=[casework.rso_a.pk]) in page
    assert reverse("caseload:rso_detail", args=[second.pk]) in page
    assert f'id="action-{first.pk}"' in page
    assert f'id="action-{last.pk}"' in page
    assert escape(NOTES) in page

    # Both actions are in the officer's inbox at once, each linking to its row.
    tasks = signed_in(personas.officer_a).get(TASKS).content.decode()
    for action in (first, last):
        assert f"{detail_url(session)}#action-{action.pk}" in tasks
    deadlines = Deadline.objects.filter(kind=DeadlineKind.SUPERVISION_ACTION, state__in=OPEN_DEADLINE_STATES)
    assert sorted((d.owner_id, d.due_on) for d in deadlines) == [
        (personas.officer_a.pk, due_one),
        (personas.officer_a.pk, due_two),
    ]


def test_the_create_page_lists_the_chosen_officers_open_cases_by_name_and_visor_reference(
    personas: Personas, casework: Casework
) -> None:
    closed = RSOFactory.create(
        team=personas.team_a, allocated_officer=personas.officer_a, status=RSOStatus.DECEASED, family_name="Gone"
    )
    other = OfficerFactory.create(team=personas.team_a)
    theirs = RSOFactory.create(team=personas.team_a, allocated_officer=other, family_name="Elsewhere")
    sergeant = signed_in(personas.sergeant_a)

    page = sergeant.get(CREATE, {"officer": personas.officer_a.pk}).content.decode()
    assert f"{casework.rso_a.display_name} ({casework.rso_a.visor_reference})" in page
    assert closed.visor_reference not in page
    assert theirs.visor_reference not in page
    assert CANARY not in page
    assert "Only you, the officer and their inspector can read these notes." in page
    assert page.count('name="actions-') > 0
    assert 'id="id_actions-2-description"' in page

    # htmx: choosing another officer reloads the checkboxes (and the rows' case lists).
    partial = sergeant.get(CASES, {"officer": str(other.pk), "actions-TOTAL_FORMS": "3"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert partial.status_code == 200
    assert theirs.visor_reference in body
    assert casework.rso_a.visor_reference not in body
    assert body.count('hx-swap-oob="true"') == 4  # three rows' case selects and the status message


def test_show_cases_without_javascript_re_renders_the_form_as_typed_and_saves_nothing(
    personas: Personas, casework: Casework
) -> None:
    sergeant = signed_in(personas.sergeant_a)
    data = session_form(personas.officer_a, actions=[{"description": "Half-typed action"}], show_cases="1")
    response = sergeant.post(CREATE, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert SupervisionSession.objects.count() == 0
    assert casework.rso_a.visor_reference in page
    assert "Half-typed action" in page
    assert "There is a problem" not in page


def test_add_another_action_re_renders_with_one_more_row_and_keeps_what_was_typed(personas: Personas) -> None:
    sergeant = signed_in(personas.sergeant_a)
    data = session_form(personas.officer_a, actions=[{"description": "Keep me"}], add_action="1")
    response = sergeant.post(CREATE, data, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_actions-3-description"' in page  # a fourth row
    assert 'name="actions-TOTAL_FORMS" value="4"' in page
    assert "Keep me" in page
    assert escape(NOTES) in page
    assert SupervisionSession.objects.count() == 0


def test_every_error_is_shown_at_once_linked_to_its_field_and_nothing_is_saved(
    personas: Personas, casework: Casework
) -> None:
    sergeant = signed_in(personas.sergeant_a)
    data = session_form(
        personas.officer_a,
        held_on=today() + dt.timedelta(days=1),
        cases=[casework.rso_a.pk],
        actions=[{}, {"description": "Read the new ARMS guidance"}],
    )
    response = sergeant.post(CREATE, data)
    page = response.content.decode()

    assert response.status_code == 400
    summary = page[page.index("govuk-error-summary") : page.index("</ul>", page.index("govuk-error-summary"))]
    assert '<a href="#id_held_on_0">The date the session was held cannot be in the future.</a>' in summary
    assert '<a href="#id_actions-1-due_on_0">Enter a due date for action 2.</a>' in summary
    assert SupervisionSession.objects.count() == 0
    assert AgreedAction.objects.count() == 0
    assert not Deadline.objects.filter(kind=DeadlineKind.SUPERVISION_ACTION).exists()
    # What was typed comes back.
    assert "Read the new ARMS guidance" in page
    assert escape(NOTES) in page
    assert re.search(rf'value="{casework.rso_a.pk}"\s+checked', page)


@pytest.mark.parametrize("where", ["cases", "action"])
def test_a_case_of_another_team_is_refused_and_nothing_is_saved(
    personas: Personas, casework: Casework, where: str
) -> None:
    sergeant = signed_in(personas.sergeant_a)
    if where == "cases":
        data = session_form(personas.officer_a, cases=[casework.rso_b.pk])
        message = "Choose cases from the officer&#x27;s open caseload"
    else:
        action = {
            "description": "Check the address",
            "due_on": today() + dt.timedelta(days=3),
            "rso": casework.rso_b.pk,
        }
        data = session_form(personas.officer_a, actions=[action])
        message = "Choose a case from the officer&#x27;s open caseload, or none"
    response = sergeant.post(CREATE, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert CANARY not in page
    assert SupervisionSession.objects.count() == 0


def test_the_officer_select_only_takes_the_sergeants_own_officers(personas: Personas, casework: Casework) -> None:
    response = signed_in(personas.sergeant_a).post(CREATE, session_form(personas.officer_b))
    assert response.status_code == 400
    assert "Choose an officer of your team" in response.content.decode()
    assert SupervisionSession.objects.count() == 0


def test_only_sergeants_may_record_and_the_cases_partial_is_scoped_to_the_team(
    personas: Personas, casework: Casework
) -> None:
    for user in (personas.officer_a, personas.inspector, personas.admin):
        assert signed_in(user).get(CREATE).status_code == 404
        assert signed_in(user).get(CASES, {"officer": personas.officer_a.pk}).status_code == 404
    sergeant = signed_in(personas.sergeant_a)
    response = sergeant.get(CASES, {"officer": personas.officer_b.pk})
    assert response.status_code == 404
    assert CANARY not in response.content.decode()


# --- Reading the record: who sees the wellbeing check --------------------------------------


def test_wellbeing_notes_are_seen_by_the_sergeant_who_held_it_the_officer_and_the_inspector_only(
    personas: Personas, casework: Casework
) -> None:
    session = record(personas, casework)
    url = detail_url(session)
    for user in (personas.sergeant_a, personas.officer_a, personas.inspector):
        page = signed_in(user).get(url).content.decode()
        assert escape(NOTES) in page, user.username
        assert PRIVATE not in page

    other_sergeant = SergeantFactory.create(team=personas.team_a)
    response = signed_in(other_sergeant).get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert escape(NOTES) not in page
    assert NOTES[:20] not in page
    assert PRIVATE in page
    assert "Reflect on the visit pattern." in page

    other_officer = OfficerFactory.create(team=personas.team_a)
    sergeant_b = SergeantFactory.create(team=personas.team_b)
    for user in (other_officer, personas.officer_b, sergeant_b):
        response = signed_in(user).get(url)
        assert response.status_code == 404, user.username
        assert NOTES[:20] not in response.content.decode()
    for user in (personas.admin, personas.auditor):
        assert signed_in(user).get(url).status_code == 404


def test_opening_a_session_records_one_consultation_with_the_cases_shown(
    personas: Personas, casework: Casework
) -> None:
    second = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a)
    session = record(
        personas,
        casework,
        case_ids=[casework.rso_a.pk],
        actions=[{"description": "Visit", "due_on": today() + dt.timedelta(days=9), "rso_id": second.pk}],
    )
    url = detail_url(session)
    signed_in(personas.sergeant_a).get(url)
    (event,) = AuditEvent.objects.filter(action=Action.CONSULTATION, path=url)
    assert sorted(event.rso_ids) == sorted([casework.rso_a.pk, second.pk])
    assert str(session.pk) in event.object_ids


def test_a_case_moved_to_another_team_is_counted_not_named(personas: Personas, casework: Casework) -> None:
    session = record(personas, casework)
    RSO.objects.filter(pk=casework.rso_a.pk).update(team=personas.team_b)
    page = signed_in(personas.officer_a).get(detail_url(session)).content.decode()
    assert casework.rso_a.visor_reference not in page
    assert "1 case now outside your team" in page


# --- Acknowledging and marking actions done ----------------------------------------------


def test_the_officer_acknowledges_the_record_once(personas: Personas, casework: Casework) -> None:
    session = record(personas, casework)
    officer = signed_in(personas.officer_a)
    acknowledge = reverse("supervision:session_acknowledge", args=[session.pk])
    assert "I have read this record" in officer.get(detail_url(session)).content.decode()
    assert "I have read this record" not in signed_in(personas.sergeant_a).get(detail_url(session)).content.decode()

    assert officer.get(acknowledge).status_code == 405  # no state change on GET
    response = officer.post(acknowledge)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.acknowledged_at is not None
    page = officer.get(detail_url(session)).content.decode()
    assert "I have read this record" not in page
    assert f"Acknowledged on {timezone.localtime(session.acknowledged_at):%-d %B %Y}" in page


def test_nobody_else_can_acknowledge_for_the_officer(personas: Personas, casework: Casework) -> None:
    session = record(personas, casework)
    acknowledge = reverse("supervision:session_acknowledge", args=[session.pk])
    for user in (
        personas.sergeant_a,
        personas.officer_b,
        personas.inspector,
        OfficerFactory.create(team=personas.team_a),
    ):
        assert signed_in(user).post(acknowledge).status_code == 404, user.username
    session.refresh_from_db()
    assert session.acknowledged_at is None


def test_marking_an_action_done_removes_it_from_my_tasks_at_once(personas: Personas, casework: Casework) -> None:
    session = record(
        personas,
        casework,
        actions=[
            {"description": "Update the plan contingencies", "due_on": today() + dt.timedelta(days=5)},
            {"description": "Shadow a MAPPA meeting", "due_on": today() + dt.timedelta(days=6)},
        ],
    )
    first, second = session.actions.order_by("position")
    officer = signed_in(personas.officer_a)
    page = officer.get(detail_url(session)).content.decode()
    assert reverse("supervision:action_complete", args=[first.pk]) in page
    assert f"#action-{second.pk}" in officer.get(TASKS).content.decode()

    response = officer.post(reverse("supervision:action_complete", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(session)}#action-{first.pk}"
    tasks = officer.get(TASKS).content.decode()
    assert f"#action-{first.pk}" not in tasks
    assert f"#action-{second.pk}" in tasks
    done = Deadline.objects.get(key=services.action_key(session.pk, first.pk))
    assert (done.state, done.closed_by_id) == (DeadlineState.DONE, personas.officer_a.pk)

    # A sergeant of the team may mark one done too; a second time says it is done already.
    sergeant = signed_in(personas.sergeant_a)
    assert sergeant.post(reverse("supervision:action_complete", args=[second.pk])).status_code == 302
    second.refresh_from_db()
    assert second.completed_by_id == personas.sergeant_a.pk
    again = officer.post(reverse("supervision:action_complete", args=[second.pk]), follow=True)
    assert "This action is already done." in again.content.decode()
    assert "Done" in again.content.decode()


def test_out_of_scope_users_cannot_mark_actions_done(personas: Personas, casework: Casework) -> None:
    session = record(personas, casework)
    (action,) = session.actions.all()
    url = reverse("supervision:action_complete", args=[action.pk])
    sergeant_b = SergeantFactory.create(team=personas.team_b)
    for user in (personas.officer_b, sergeant_b, personas.inspector, OfficerFactory.create(team=personas.team_a)):
        assert signed_in(user).post(url).status_code == 404, user.username
    assert signed_in(personas.officer_a).get(url).status_code == 405
    action.refresh_from_db()
    assert action.completed_at is None


# --- The list ----------------------------------------------------------------------------


def held(officer: User, sergeant: User, day: dt.date, cases: list[RSO] = ()) -> SupervisionSession:  # type: ignore[assignment]
    """A session as stored (not through the service): one open and one done action."""
    assert officer.team is not None
    session = SupervisionSession.objects.create(
        team=officer.team, sergeant=sergeant, officer=officer, held_on=day, reflective_notes="Notes"
    )
    session.cases.set(cases)
    AgreedAction.objects.create(session=session, description="Open one", due_on=day + dt.timedelta(days=30))
    AgreedAction.objects.create(
        session=session, description="Done one", due_on=day, completed_at=timezone.now(), completed_by=officer
    )
    return session


def rows_of(page: str) -> list[str]:
    return re.findall(r'<tr class="govuk-table__row" id="session-(\d+)">', page)


def test_a_sergeant_filters_the_list_by_officer_newest_first(personas: Personas, casework: Casework) -> None:
    other = OfficerFactory.create(team=personas.team_a)
    older = held(personas.officer_a, personas.sergeant_a, today() - dt.timedelta(days=60), [casework.rso_a])
    newer = held(personas.officer_a, personas.sergeant_a, today() - dt.timedelta(days=3))
    theirs = held(other, personas.sergeant_a, today() - dt.timedelta(days=1))
    held(personas.officer_b, SergeantFactory.create(team=personas.team_b), today())
    sergeant = signed_in(personas.sergeant_a)

    page = sergeant.get(LIST, {"officer": personas.officer_a.pk}).content.decode()
    assert rows_of(page) == [str(newer.pk), str(older.pk)]
    assert "Record a supervision session" in page
    assert f"{CREATE}?officer={personas.officer_a.pk}" in page
    assert "1 open, 1 done" in page

    assert rows_of(sergeant.get(LIST).content.decode()) == [str(theirs.pk), str(newer.pk), str(older.pk)]


def test_an_officer_sees_only_their_own_sessions_and_an_inspector_the_forces(
    personas: Personas, casework: Casework
) -> None:
    mine = held(personas.officer_a, personas.sergeant_a, today() - dt.timedelta(days=3))
    held(OfficerFactory.create(team=personas.team_a), personas.sergeant_a, today())
    team_b = held(personas.officer_b, SergeantFactory.create(team=personas.team_b), today() - dt.timedelta(days=1))

    officer_page = signed_in(personas.officer_a).get(LIST, {"officer": personas.officer_b.pk}).content.decode()
    assert rows_of(officer_page) == [str(mine.pk)]
    assert "Record a supervision session" not in officer_page

    inspector = signed_in(personas.inspector)
    assert len(rows_of(inspector.get(LIST).content.decode())) == 3
    assert rows_of(inspector.get(LIST, {"team": personas.team_b.pk}).content.decode()) == [str(team_b.pk)]
    assert rows_of(inspector.get(LIST, {"officer": personas.officer_a.pk}).content.decode()) == [str(mine.pk)]
    for user in (personas.admin, personas.auditor):
        assert signed_in(user).get(LIST).status_code == 404


def test_the_list_is_paginated_by_25(personas: Personas) -> None:
    for days in range(27):
        held(personas.officer_a, personas.sergeant_a, today() - dt.timedelta(days=days))
    sergeant = signed_in(personas.sergeant_a)
    assert len(rows_of(sergeant.get(LIST).content.decode())) == 25
    assert len(rows_of(sergeant.get(LIST, {"page": 2}).content.decode())) == 2


@pytest.mark.parametrize("role", ["sergeant", "inspector"])
def test_the_list_runs_the_same_queries_for_2_and_20_sessions(
    personas: Personas, casework: Casework, role: str
) -> None:
    user = personas.sergeant_a if role == "sergeant" else personas.inspector
    client = signed_in(user)
    client.get(LIST)  # warm the session and the per-process caches

    def count_for(sessions: int) -> int:
        SupervisionSession.objects.all().delete()
        for days in range(sessions):
            held(personas.officer_a, personas.sergeant_a, today() - dt.timedelta(days=days), [casework.rso_a])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST)
        assert len(rows_of(response.content.decode())) == sessions
        return len(queries)

    # Session and user, the navigation's task counts, the filter's officers (and teams for
    # an inspector), the page count, the page's rows with their counts, the audit event.
    assert count_for(2) == count_for(20)


def test_the_detail_runs_the_same_queries_for_1_and_10_actions(personas: Personas, casework: Casework) -> None:
    def count_for(actions: int) -> int:
        session = record(
            personas,
            casework,
            actions=[
                {"description": f"Action {n}", "due_on": today() + dt.timedelta(days=n), "rso_id": casework.rso_a.pk}
                for n in range(actions)
            ],
        )
        client = signed_in(personas.sergeant_a)
        client.get(LIST)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(detail_url(session)).status_code == 200
        return len(queries)

    assert count_for(1) == count_for(10)


# --- Home and navigation -----------------------------------------------------------------


def test_the_officers_home_lists_records_to_acknowledge_and_open_actions(
    personas: Personas, casework: Casework
) -> None:
    session = record(personas, casework)
    (action,) = session.actions.all()
    officer = signed_in(personas.officer_a)
    home = officer.get(reverse("home")).content.decode()
    assert 'id="supervision-home"' in home
    assert detail_url(session) in home
    assert f"{detail_url(session)}#action-{action.pk}" in home
    assert f'href="{LIST}"' in home  # the navigation's "Supervision"

    services.session_acknowledge(session=session, by=personas.officer_a)
    services.agreed_action_complete(action=action, by=personas.officer_a)
    assert 'id="supervision-home"' not in officer.get(reverse("home")).content.decode()
    assert f'href="{LIST}"' in signed_in(personas.sergeant_a).get(reverse("home")).content.decode()
