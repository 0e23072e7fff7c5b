"""The task pages: "My tasks", the team's tasks, closing a task by hand, a cap breach and
applying its rebalancing in one step, and the counts in the navigation."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from caseload import services
from caseload.choices import DeadlineKind, DeadlineState, OrderType, RiskLevel
from caseload.deadlines import recompute_people, recompute_rso
from caseload.models import RSO, CapOverride, CivilOrder, Deadline, Prohibition
from mosovo.accounts.models import User
from tests.conftest import CANARY, CANARY_OTHER_FORCE, Casework, Personas, verified_login
from tests.factories import OfficerFactory, RSOFactory, SergeantFactory
from tests.visits.kit import recorded_visit

pytestmark = pytest.mark.django_db

TASKS = reverse("caseload:tasks")
TEAM_TASKS = reverse("caseload:team_tasks")


def signed_in(user: User) -> Client:
    return verified_login(Client(), user)


def today() -> dt.date:
    return timezone.localdate()


def due(rso: RSO, **dates: dt.date) -> None:
    """Store due dates on the RSO and recompute its deadlines, as the writers do."""
    RSO.objects.filter(pk=rso.pk).update(**dates)
    recompute_rso(rso_id=rso.pk, today=today(), now=timezone.now())


def open_task(rso: RSO, kind: str) -> Deadline:
    return Deadline.objects.get(rso=rso, kind=kind, state__in=["UPCOMING", "DUE_SOON", "OVERDUE", "ESCALATED"])


def order_ending(rso: RSO, *, in_days: int) -> Deadline:
    """Give the RSO an order whose prohibition ends ``in_days`` from today; return its task."""
    order = CivilOrder.objects.create(
        rso=rso, order_type=OrderType.SHPO, court="Leeds Crown Court", made_on=today() - dt.timedelta(days=700)
    )
    Prohibition.objects.create(
        order=order,
        text="Not to contact the victim",
        starts_on=order.made_on,
        ends_on=today() + dt.timedelta(days=in_days),
    )
    recompute_rso(rso_id=rso.pk, today=today(), now=timezone.now())
    return open_task(rso, DeadlineKind.ORDER_EXPIRY)


def section(html: str, heading_id: str) -> str:
    """Return the HTML of one <section> of the page, found by its heading's id."""
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def over_the_limit(team: Any, sergeant: User, *, cases: int = 2, high: int = 1) -> tuple[User, list[RSO]]:
    """Return a new officer of the team with ``high`` of ``cases`` high risk, let through by
    the sergeant's override (as the risk page does), so a cap breach is open for them."""
    officer = OfficerFactory.create(team=team)
    rsos = [RSOFactory.create(team=team, allocated_officer=officer) for _ in range(cases)]
    for rso in rsos[:high]:
        services.rso_change_risk_level(
            rso=rso,
            risk_level=RiskLevel.HIGH,
            reason="New intelligence",
            by=sergeant,
            override_reason="Nobody else can take this case this week",
        )
    return officer, rsos


def open_breach(officer: User) -> Deadline:
    return Deadline.objects.get(
        kind=DeadlineKind.CAP_BREACH, subject_user=officer, state__in=["UPCOMING", "DUE_SOON", "OVERDUE", "ESCALATED"]
    )


def low_risk_caseload(officer: User, count: int) -> list[RSO]:
    return [RSOFactory.create(team=officer.team, allocated_officer=officer) for _ in range(count)]


def posted_moves(html: str) -> list[str]:
    return re.findall(r'name="move" value="([0-9:]+)"', html)


# --- My tasks ----------------------------------------------------------------------------


def test_officer_sees_an_overdue_visit_in_my_tasks_with_a_link_to_plan_it(
    personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    due(rso, next_visit_due_on=today() - dt.timedelta(days=3))
    due(casework.rso_b, next_visit_due_on=today() - dt.timedelta(days=3))  # team B's: never shown
    client = signed_in(personas.officer_a)

    page = client.get(TASKS)

    assert page.status_code == 200
    overdue = section(page.content.decode(), "tasks-overdue")
    assert "Home visit" in overdue
    assert rso.visor_reference in overdue
    assert escape(rso.display_name) in overdue
    plan_url = reverse("visits:visit_plan", args=[rso.pk])
    assert f'href="{plan_url}"' in overdue
    assert client.get(plan_url).status_code == 200
    assert CANARY not in page.content.decode()


def test_recording_the_visit_takes_it_off_my_tasks_at_once(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    due(rso, next_visit_due_on=today() - dt.timedelta(days=3))
    visit_task = open_task(rso, DeadlineKind.VISIT)

    recorded_visit(rso, officer=personas.officer_a)

    page = signed_in(personas.officer_a).get(TASKS).content.decode()
    assert "Nothing is overdue." in page
    assert reverse("visits:visit_plan", args=[rso.pk]) not in section(page, "tasks-overdue")
    visit_task.refresh_from_db()
    assert visit_task.state == DeadlineState.DONE


def test_an_escalated_task_is_marked_as_escalated_to_the_sergeant(personas: Personas, casework: Casework) -> None:
    due(casework.rso_a, next_visit_due_on=today() - dt.timedelta(days=10))

    page = signed_in(personas.officer_a).get(TASKS).content.decode()

    assert "Escalated to sergeant" in section(page, "tasks-overdue")


def test_my_tasks_groups_this_week_and_upcoming_and_counts_the_later_ones(
    personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    due(
        rso,
        next_annual_notification_due=today() + dt.timedelta(days=3),
        next_visit_due_on=today() + dt.timedelta(days=40),
        arms_review_due_on=today() + dt.timedelta(days=200),
    )

    page = signed_in(personas.officer_a).get(TASKS).content.decode()

    this_week = section(page, "tasks-this-week")
    assert "Annual notification" in this_week
    assert reverse("caseload:rso_notifications", args=[rso.pk]) in this_week
    upcoming = section(page, "tasks-upcoming")
    assert "Home visit" in upcoming
    assert "ARMS review" not in upcoming
    assert "1 more task later than 90 days from now." in page
    assert "Nothing is overdue." in page


def test_an_officer_with_no_tasks_is_told_so_in_plain_words(personas: Personas) -> None:
    page = signed_in(personas.officer_a).get(TASKS).content.decode()

    assert "Nothing is overdue." in page
    assert "Nothing is due in the next 7 days." in page
    assert "Nothing else is due in the next 90 days." in page


def test_officer_of_team_b_does_not_see_team_a_tasks_and_cannot_close_them(
    personas: Personas, casework: Casework
) -> None:
    task = order_ending(casework.rso_a, in_days=5)
    due(casework.rso_a, next_visit_due_on=today() - dt.timedelta(days=3))
    client = signed_in(personas.officer_b)

    page = client.get(TASKS)

    assert page.status_code == 200
    assert casework.rso_a.visor_reference not in page.content.decode()
    close_url = reverse("caseload:deadline_close", args=[task.pk])
    assert client.get(close_url).status_code == 404
    assert client.post(close_url, {"note": "Renewed"}).status_code == 404
    task.refresh_from_db()
    assert task.state != DeadlineState.DONE


def test_an_officer_sees_their_own_vetting_expiring(personas: Personas) -> None:
    User.objects.filter(pk=personas.officer_a.pk).update(vetting_expires_on=today() + dt.timedelta(days=5))
    recompute_people(today=today(), now=timezone.now())

    page = signed_in(personas.officer_a).get(TASKS).content.decode()

    this_week = section(page, "tasks-this-week")
    assert "Vetting expires" in this_week
    assert "Your vetting" in this_week


def test_an_inspector_opens_my_tasks_and_the_forces_team_tasks(personas: Personas, casework: Casework) -> None:
    for rso in (casework.rso_a, casework.rso_b, casework.rso_other_force):
        due(rso, next_visit_due_on=today() - dt.timedelta(days=3))
    client = signed_in(personas.inspector)

    assert client.get(TASKS).status_code == 200
    team = client.get(TEAM_TASKS).content.decode()
    overdue = section(team, "tasks-overdue")
    assert casework.rso_a.visor_reference in overdue
    assert casework.rso_b.visor_reference in overdue  # team B is in the inspector's force
    assert CANARY_OTHER_FORCE not in team


@pytest.mark.parametrize("persona", ["admin", "auditor"])
def test_people_without_casework_cannot_open_my_tasks(personas: Personas, persona: str) -> None:
    assert signed_in(getattr(personas, persona)).get(TASKS).status_code == 404


# --- Closing a task by hand --------------------------------------------------------------


def test_closing_an_order_task_needs_a_note_then_marks_it_done(personas: Personas, casework: Casework) -> None:
    task = order_ending(casework.rso_a, in_days=5)
    client = signed_in(personas.officer_a)
    close_url = reverse("caseload:deadline_close", args=[task.pk])
    assert close_url in client.get(TASKS).content.decode()  # "Mark as dealt with"
    form = client.get(close_url)
    assert form.status_code == 200
    assert "What was decided or done" in form.content.decode()

    empty = client.post(close_url, {"note": "  "})

    assert empty.status_code == 400
    assert "govuk-error-summary" in empty.content.decode()
    assert "Say what was decided or done" in empty.content.decode()
    task.refresh_from_db()
    assert task.state != DeadlineState.DONE

    done = client.post(close_url, {"note": "Court renewed the order for 5 years."}, follow=True)

    assert done.redirect_chain[-1][0] == TASKS
    assert "marked as dealt with" in done.content.decode()
    task.refresh_from_db()
    assert task.state == DeadlineState.DONE
    assert task.closed_note == "Court renewed the order for 5 years."
    assert task.closed_by == personas.officer_a


def test_a_visit_task_has_no_close_page(personas: Personas, casework: Casework) -> None:
    due(casework.rso_a, next_visit_due_on=today() - dt.timedelta(days=3))
    task = open_task(casework.rso_a, DeadlineKind.VISIT)

    response = signed_in(personas.officer_a).get(reverse("caseload:deadline_close", args=[task.pk]))

    assert response.status_code == 404


def test_the_team_sergeant_can_close_an_officers_order_task(personas: Personas, casework: Casework) -> None:
    task = order_ending(casework.rso_a, in_days=5)

    response = signed_in(personas.sergeant_a).post(
        reverse("caseload:deadline_close", args=[task.pk]), {"note": "Discussed with the officer."}
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == DeadlineState.DONE


# --- Team tasks --------------------------------------------------------------------------


def test_sergeant_sees_an_escalated_task_and_a_cap_breach(personas: Personas, casework: Casework) -> None:
    due(casework.rso_a, next_visit_due_on=today() - dt.timedelta(days=10))
    due(casework.rso_b, next_visit_due_on=today() - dt.timedelta(days=10))  # team B: never shown
    officer, _ = over_the_limit(personas.team_a, personas.sergeant_a)
    breach = open_breach(officer)

    page = signed_in(personas.sergeant_a).get(TEAM_TASKS)

    assert page.status_code == 200
    html = page.content.decode()
    escalated = section(html, "tasks-escalated")
    assert casework.rso_a.visor_reference in escalated
    assert escape(personas.officer_a.display_name) in escalated  # who owns it
    assert "Escalated to sergeant" in escalated
    breaches = section(html, "tasks-cap-breaches")
    assert escape(officer.display_name) in breaches
    assert "1 of 2 high risk (50%)" in breaches
    assert reverse("caseload:cap_breach", args=[breach.pk]) in breaches
    assert CANARY not in html


def test_officers_cannot_open_the_team_tasks(personas: Personas) -> None:
    assert signed_in(personas.officer_a).get(TEAM_TASKS).status_code == 404


def test_an_inspector_sees_the_forces_cap_breaches(personas: Personas) -> None:
    officer, _ = over_the_limit(personas.team_a, personas.sergeant_a)

    page = signed_in(personas.inspector).get(TEAM_TASKS).content.decode()

    assert escape(officer.display_name) in section(page, "tasks-cap-breaches")
    assert "Team A" in section(page, "tasks-cap-breaches")


# --- Cap breaches ------------------------------------------------------------------------


def test_applying_the_suggestion_moves_the_cases_clears_the_breach_and_resolves_the_override(
    personas: Personas,
) -> None:
    low_risk_caseload(personas.officer_a, 10)
    officer, rsos = over_the_limit(personas.team_a, personas.sergeant_a)
    high_case = rsos[0]
    breach = open_breach(officer)
    client = signed_in(personas.sergeant_a)

    page = client.get(reverse("caseload:cap_breach", args=[breach.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "1 of 2 cases high risk (50%)" in html
    assert "Apply these transfers" in html
    assert high_case.visor_reference in html
    moves = posted_moves(html)
    assert moves == [f"{high_case.pk}:{officer.pk}:{personas.officer_a.pk}"]

    applied = client.post(reverse("caseload:cap_breach_apply", args=[breach.pk]), {"move": moves}, follow=True)

    assert applied.redirect_chain[-1][0] == TEAM_TASKS
    assert "1 case moved; everyone is within the 20% rule." in applied.content.decode()
    high_case.refresh_from_db()
    assert high_case.allocated_officer == personas.officer_a
    breach.refresh_from_db()
    assert breach.state == DeadlineState.DONE
    assert not CapOverride.objects.filter(officer=officer, resolved_at__isnull=True).exists()
    resolved = client.get(reverse("caseload:cap_breach", args=[breach.pk])).content.decode()
    assert f"Resolved on {date_text(breach.closed_at)}" in resolved
    assert "Apply these transfers" not in resolved


def date_text(moment: Any) -> str:
    return f"{timezone.localtime(moment).day} {timezone.localtime(moment):%B %Y}"


def test_applying_several_transfers_from_one_officer_moves_them_all(personas: Personas) -> None:
    # Taking the first high-risk case out leaves the officer still over (1 of 2): the
    # guard lets a move that lowers an over officer's ratio through, so the next can follow.
    low_risk_caseload(personas.officer_a, 10)
    officer, rsos = over_the_limit(personas.team_a, personas.sergeant_a, cases=3, high=2)
    breach = open_breach(officer)
    client = signed_in(personas.sergeant_a)
    moves = posted_moves(client.get(reverse("caseload:cap_breach", args=[breach.pk])).content.decode())
    assert len(moves) == 2

    applied = client.post(reverse("caseload:cap_breach_apply", args=[breach.pk]), {"move": moves}, follow=True)

    assert "2 cases moved; everyone is within the 20% rule." in applied.content.decode()
    assert RSO.objects.filter(pk__in=[r.pk for r in rsos[:2]], allocated_officer=personas.officer_a).count() == 2
    breach.refresh_from_db()
    assert breach.state == DeadlineState.DONE
    assert not CapOverride.objects.filter(officer=officer, resolved_at__isnull=True).exists()


def test_a_stale_suggestion_shows_a_clear_message_and_moves_nothing(personas: Personas) -> None:
    low_risk_caseload(personas.officer_a, 10)
    officer, rsos = over_the_limit(personas.team_a, personas.sergeant_a, cases=3, high=2)
    breach = open_breach(officer)
    client = signed_in(personas.sergeant_a)
    moves = posted_moves(client.get(reverse("caseload:cap_breach", args=[breach.pk])).content.decode())
    assert len(moves) == 2
    # Meanwhile one of the high-risk cases is moved by hand.
    moved_meanwhile, still_there = rsos[0], rsos[1]
    services.case_allocate(rso=moved_meanwhile, officer=personas.officer_a, by=personas.sergeant_a)

    response = client.post(reverse("caseload:cap_breach_apply", args=[breach.pk]), {"move": moves})

    assert response.status_code == 409
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Nothing was moved." in html
    assert "changed since this suggestion was made" in html
    still_there.refresh_from_db()
    assert still_there.allocated_officer == officer
    breach.refresh_from_db()
    assert breach.is_open
    assert posted_moves(html) == [f"{still_there.pk}:{officer.pk}:{personas.officer_a.pk}"]  # the fresh suggestion


@pytest.mark.parametrize(
    "moves",
    [[], ["1:2"], ["a:b:c"], ["1:2:3; DROP TABLE"], ["0:1:2"], ["5:1:2", "5:1:3"]],
    ids=["none", "short", "letters", "junk", "zero", "repeated"],
)
def test_transfers_that_cannot_be_read_get_a_400_and_move_nothing(personas: Personas, moves: list[str]) -> None:
    low_risk_caseload(personas.officer_a, 10)
    officer, rsos = over_the_limit(personas.team_a, personas.sergeant_a)
    breach = open_breach(officer)

    response = signed_in(personas.sergeant_a).post(
        reverse("caseload:cap_breach_apply", args=[breach.pk]), {"move": moves}
    )

    assert response.status_code == 400
    assert "The transfers could not be read" in response.content.decode()
    rsos[0].refresh_from_db()
    assert rsos[0].allocated_officer == officer


def test_a_breach_no_transfer_can_fix_shows_why(personas: Personas) -> None:
    officer, _ = over_the_limit(personas.team_a, personas.sergeant_a)  # nobody else has cases

    page = signed_in(personas.sergeant_a).get(reverse("caseload:cap_breach", args=[open_breach(officer).pk]))

    html = page.content.decode()
    assert "no transfer within the team can bring every officer within 20%" in html
    assert "Apply these transfers" not in html


def test_another_teams_sergeant_and_officers_cannot_open_a_cap_breach(personas: Personas) -> None:
    officer, _ = over_the_limit(personas.team_a, personas.sergeant_a)
    breach = Deadline.objects.get(kind=DeadlineKind.CAP_BREACH, subject_user=officer)
    other_sergeant = SergeantFactory.create(team=personas.team_b)

    for user in (other_sergeant, personas.officer_a):
        client = signed_in(user)
        assert client.get(reverse("caseload:cap_breach", args=[breach.pk])).status_code == 404
        assert (
            client.post(reverse("caseload:cap_breach_apply", args=[breach.pk]), {"move": ["1:2:3"]}).status_code == 404
        )


# --- The navigation ----------------------------------------------------------------------


def test_the_navigation_shows_how_many_tasks_need_attention(personas: Personas, casework: Casework) -> None:
    due(
        casework.rso_a,
        next_visit_due_on=today() - dt.timedelta(days=10),  # escalated
        next_annual_notification_due=today() + dt.timedelta(days=2),  # this week
        arms_review_due_on=today() + dt.timedelta(days=60),  # upcoming: not counted
    )
    over_the_limit(personas.team_a, personas.sergeant_a)

    officer_page = signed_in(personas.officer_a).get(reverse("home")).content.decode()
    sergeant_page = signed_in(personas.sergeant_a).get(reverse("home")).content.decode()

    badge = '<span class="moj-notification-badge">{}<span class="govuk-visually-hidden"> {}</span></span>'
    assert badge.format(2, "late or due this week") in officer_page
    assert "Team tasks" not in officer_page
    assert badge.format(2, "escalated or over the 20% rule") in sergeant_page  # one escalation, one breach
    assert f'href="{TASKS}"' in sergeant_page


def test_the_navigation_shows_no_count_when_nothing_needs_attention(personas: Personas) -> None:
    page = signed_in(personas.officer_a).get(reverse("home")).content.decode()

    assert "My tasks" in page
    assert "moj-notification-badge" not in page


# --- Query counts ------------------------------------------------------------------------


def overdue_cases(personas: Personas, count: int) -> None:
    for _ in range(count):
        rso = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a)
        due(
            rso,
            next_visit_due_on=today() - dt.timedelta(days=10),  # escalated
            next_annual_notification_due=today() + dt.timedelta(days=3),  # this week
        )


def page_queries(client: Client, url: str, django_assert_max_num_queries: Any, most: int) -> int:
    with django_assert_max_num_queries(most) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_my_tasks_costs_the_same_queries_for_2_and_12_rows(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(personas.officer_a)
    overdue_cases(personas, 1)
    client.get(TASKS)  # warm the session
    # 10: session, user, second factor, the tasks (RSO, owner, team and subject joined),
    # the count of later tasks, the navigation counts (one aggregate for the badge), the
    # user's team (page header), the consultation audit event (savepoint, insert,
    # release): none of them per row.
    two = page_queries(client, TASKS, django_assert_max_num_queries, 10)
    overdue_cases(personas, 5)
    twelve = page_queries(client, TASKS, django_assert_max_num_queries, 10)
    assert twelve == two


def test_team_tasks_costs_the_same_queries_for_2_and_12_rows(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(personas.sergeant_a)
    overdue_cases(personas, 2)
    client.get(TEAM_TASKS)  # warm the session
    # 10: session, user, second factor, the team's tasks (one query: RSO, owner, team and
    # subject joined), the navigation counts (one aggregate for both task badges, one for
    # the sergeant's approvals queue), the user's team (page header), the consultation
    # audit event (savepoint, insert, release), and nothing per row.
    two = page_queries(client, TEAM_TASKS, django_assert_max_num_queries, 10)
    overdue_cases(personas, 10)
    twelve = page_queries(client, TEAM_TASKS, django_assert_max_num_queries, 10)
    assert twelve == two
