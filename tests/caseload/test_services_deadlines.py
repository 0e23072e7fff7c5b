"""The deadline engine: one row per obligation, states that move forward once, met
obligations closed as done, replaced ones cancelled, the 20% watch, and concurrency."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from caseload import deadlines, services
from caseload.choices import DeadlineKind, DeadlineState, OrderType, ProhibitionKind, RiskLevel, RSOStatus
from caseload.models import RSO, CapOverride, Deadline
from caseload.selectors import digest_items, my_tasks, task_counts, team_tasks
from mosovo.accounts.models import User
from tests.caseload.test_services_allocation import run_in_threads
from tests.conftest import Casework, Personas
from tests.factories import OfficerFactory, RSOFactory

TODAY = dt.date(2026, 6, 15)


def sweep(today: dt.date = TODAY) -> dict[str, int]:
    return services.deadlines_sweep(today=today)


def open_rows(rso: RSO, kind: str = DeadlineKind.VISIT) -> list[Deadline]:
    return list(Deadline.objects.filter(rso=rso, kind=kind, state__in=_open()).order_by("id"))


def _open() -> list[str]:
    return [DeadlineState.UPCOMING, DeadlineState.DUE_SOON, DeadlineState.OVERDUE, DeadlineState.ESCALATED]


def due_visit(rso: RSO, on: dt.date) -> None:
    RSO.objects.filter(pk=rso.pk).update(next_visit_due_on=on)


def no_two_open_rows_per_key() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT key FROM caseload_deadline WHERE state = ANY(%s) "
            "GROUP BY key HAVING count(*) > 1) dup",
            [_open()],
        )
        return bool(cursor.fetchone()[0] == 0)


# --- States ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_to_due", "state"),
    [
        (15, DeadlineState.UPCOMING),
        (14, DeadlineState.DUE_SOON),
        (0, DeadlineState.DUE_SOON),
        (-1, DeadlineState.OVERDUE),
        (-6, DeadlineState.OVERDUE),
        (-7, DeadlineState.ESCALATED),
    ],
)
def test_a_visit_is_due_soon_14_days_ahead_overdue_the_day_after_and_escalated_at_7_days(
    casework: Casework, days_to_due: int, state: str
) -> None:
    due_visit(casework.rso_a, TODAY + dt.timedelta(days=days_to_due))
    sweep()
    (row,) = open_rows(casework.rso_a)
    assert row.state == state
    assert row.owner == casework.rso_a.allocated_officer
    assert row.team_id == casework.rso_a.team_id


def test_each_transition_is_stamped_once_and_a_second_run_changes_nothing(casework: Casework) -> None:
    due_visit(casework.rso_a, TODAY - dt.timedelta(days=10))
    first = sweep()
    (row,) = open_rows(casework.rso_a)
    assert row.state == DeadlineState.ESCALATED
    assert row.due_soon_at
    assert row.overdue_at
    assert row.escalated_at
    second = sweep()
    assert not {k: v for k, v in second.items() if v and k not in ("ranges", "rsos")}, second
    (again,) = open_rows(casework.rso_a)
    assert (again.pk, again.escalated_at) == (row.pk, row.escalated_at)
    assert first.get("opened", 0) >= 1


def test_the_state_walks_forward_day_by_day_and_never_back(casework: Casework) -> None:
    due = TODAY + dt.timedelta(days=20)
    due_visit(casework.rso_a, due)
    seen: list[str] = []
    for offset in range(0, 30):
        sweep(TODAY + dt.timedelta(days=offset))
        (row,) = open_rows(casework.rso_a)
        if not seen or seen[-1] != row.state:
            seen.append(row.state)
    assert seen == [DeadlineState.UPCOMING, DeadlineState.DUE_SOON, DeadlineState.OVERDUE, DeadlineState.ESCALATED]
    assert open_rows(casework.rso_a)[0].overdue_at is not None


@override_settings(MOSOVO_POLICY={"DEADLINE_WARN_DAYS": {"VISIT": 30}, "ESCALATE_AFTER_DAYS_OVERDUE": 3})
def test_a_force_can_set_its_own_warning_and_escalation_periods(casework: Casework, personas: Personas) -> None:
    rso_b = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a)
    due_visit(casework.rso_a, TODAY + dt.timedelta(days=30))
    due_visit(rso_b, TODAY - dt.timedelta(days=3))
    sweep()
    assert open_rows(casework.rso_a)[0].state == DeadlineState.DUE_SOON
    assert open_rows(rso_b)[0].state == DeadlineState.ESCALATED


# --- Met, replaced, gone -------------------------------------------------------------------


def test_a_later_due_date_closes_the_old_deadline_as_done_and_opens_the_next(casework: Casework) -> None:
    due_visit(casework.rso_a, TODAY - dt.timedelta(days=3))
    sweep()
    (old,) = open_rows(casework.rso_a)
    due_visit(casework.rso_a, TODAY + dt.timedelta(days=90))  # a visit was recorded
    deadlines.recompute_rso(rso_id=casework.rso_a.pk, today=TODAY, now=timezone.now())
    old.refresh_from_db()
    assert old.state == DeadlineState.DONE
    assert old.closed_at is not None
    (new,) = open_rows(casework.rso_a)
    assert new.due_on == TODAY + dt.timedelta(days=90)
    assert new.state == DeadlineState.UPCOMING


def test_an_earlier_due_date_cancels_the_old_deadline(casework: Casework) -> None:
    due_visit(casework.rso_a, TODAY + dt.timedelta(days=150))
    sweep()
    (old,) = open_rows(casework.rso_a)
    due_visit(casework.rso_a, TODAY + dt.timedelta(days=60))  # risk rose: visits more often
    sweep()
    old.refresh_from_db()
    assert old.state == DeadlineState.CANCELLED
    assert [r.due_on for r in open_rows(casework.rso_a)] == [TODAY + dt.timedelta(days=60)]


def test_raising_the_risk_level_recomputes_the_visit_deadline_in_the_same_transaction(
    casework: Casework, personas: Personas
) -> None:
    for _ in range(4):  # room under the 20% rule for one high-risk case
        RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a)
    services.rso_change_risk_level(
        rso=casework.rso_a, risk_level=RiskLevel.MEDIUM, reason="Initial", by=personas.officer_a
    )
    before = open_rows(casework.rso_a)
    services.rso_change_risk_level(
        rso=RSO.objects.get(pk=casework.rso_a.pk),
        risk_level=RiskLevel.HIGH,
        reason="New intelligence",
        by=personas.officer_a,
    )
    rso = RSO.objects.get(pk=casework.rso_a.pk)
    after = open_rows(casework.rso_a)
    assert [r.due_on for r in after] == [rso.next_visit_due_on]
    assert before  # a case in the community has a visit deadline from the start


def test_closing_a_case_cancels_its_open_deadlines(casework: Casework, personas: Personas) -> None:
    due_visit(casework.rso_a, TODAY - dt.timedelta(days=2))
    sweep()
    services.case_close(
        rso=RSO.objects.get(pk=casework.rso_a.pk), status=RSOStatus.DECEASED, reason="Died", by=personas.sergeant_a
    )
    assert Deadline.objects.filter(rso=casework.rso_a, state__in=_open()).count() == 0
    assert Deadline.objects.filter(rso=casework.rso_a, kind=DeadlineKind.VISIT, state=DeadlineState.CANCELLED).exists()


def test_a_reallocated_case_takes_its_deadlines_to_the_new_officer(casework: Casework, personas: Personas) -> None:
    colleague = OfficerFactory.create(team=personas.team_a)
    due_visit(casework.rso_a, TODAY - dt.timedelta(days=2))
    sweep()
    services.case_allocate(rso=RSO.objects.get(pk=casework.rso_a.pk), officer=colleague, by=personas.sergeant_a)
    assert {r.owner_id for r in Deadline.objects.filter(rso=casework.rso_a, state__in=_open())} == {colleague.pk}


def test_a_case_in_custody_has_no_visit_or_notification_deadline_but_keeps_its_review(
    casework: Casework, personas: Personas
) -> None:
    RSO.objects.filter(pk=casework.rso_a.pk).update(
        next_visit_due_on=TODAY, next_annual_notification_due=TODAY, arms_review_due_on=TODAY
    )
    sweep()
    RSO.objects.filter(pk=casework.rso_a.pk).update(status=RSOStatus.IN_CUSTODY)
    sweep()
    kinds = set(Deadline.objects.filter(rso=casework.rso_a, state__in=_open()).values_list("kind", flat=True))
    assert kinds == {DeadlineKind.ARMS_REVIEW}


# --- Orders, vetting, hand-closed tasks -----------------------------------------------------


def test_an_order_prohibition_warns_90_days_before_it_ends_and_a_closed_one_stays_closed(
    casework: Casework, personas: Personas
) -> None:
    today = timezone.localdate()
    order = services.order_add(
        rso=casework.rso_a,
        order_type=OrderType.SHPO,
        court="Leeds Crown Court",
        made_on=today - dt.timedelta(days=5 * 365),
        by=personas.officer_a,
    )
    prohibition = services.prohibition_add(
        order=order,
        kind=ProhibitionKind.GENERAL,
        text="Not to enter Roundhay Park.",
        starts_on=today - dt.timedelta(days=5 * 365),
        ends_on=today + dt.timedelta(days=60),
        by=personas.officer_a,
    )
    (row,) = Deadline.objects.filter(prohibition=prohibition, state__in=_open())
    assert (row.kind, row.state, row.due_on) == (DeadlineKind.ORDER_EXPIRY, DeadlineState.DUE_SOON, prohibition.ends_on)
    with pytest.raises(Exception, match="Say what was decided"):
        services.deadline_close(deadline=row, note="  ", by=personas.officer_a)
    services.deadline_close(deadline=row, note="Applied to the court to renew.", by=personas.officer_a)
    services.deadlines_sweep()
    assert not Deadline.objects.filter(prohibition=prohibition, state__in=_open()).exists()
    row.refresh_from_db()
    assert (row.state, row.closed_by, row.closed_note) == (
        DeadlineState.DONE,
        personas.officer_a,
        "Applied to the court to renew.",
    )


def test_a_visit_deadline_cannot_be_closed_by_hand(casework: Casework, personas: Personas) -> None:
    due_visit(casework.rso_a, TODAY)
    sweep()
    with pytest.raises(Exception, match="closes itself"):
        services.deadline_close(deadline=open_rows(casework.rso_a)[0], note="Done", by=personas.officer_a)


def test_an_officer_of_another_team_cannot_close_a_task(casework: Casework, personas: Personas) -> None:
    RSO.objects.filter(pk=casework.rso_a.pk).update(notification_ends_on=TODAY + dt.timedelta(days=10))
    sweep()
    (row,) = Deadline.objects.filter(rso=casework.rso_a, kind=DeadlineKind.NOTIFICATION_END)
    with pytest.raises(Exception, match="Only the officer"):
        services.deadline_close(deadline=row, note="Done", by=personas.officer_b)


def test_vetting_expiry_warns_the_officer_90_days_ahead_and_renewal_closes_it(personas: Personas) -> None:
    User.objects.filter(pk=personas.officer_a.pk).update(vetting_expires_on=TODAY + dt.timedelta(days=80))
    sweep()
    (row,) = Deadline.objects.filter(kind=DeadlineKind.VETTING_EXPIRY, state__in=_open())
    assert (row.owner, row.subject_user, row.state) == (personas.officer_a, personas.officer_a, DeadlineState.DUE_SOON)
    User.objects.filter(pk=personas.officer_a.pk).update(vetting_expires_on=TODAY + dt.timedelta(days=5 * 365))
    sweep()
    row.refresh_from_db()
    assert row.state == DeadlineState.DONE


# --- The 20% watch ---------------------------------------------------------------------------


def over_the_cap(personas: Personas) -> tuple[User, User, list[RSO]]:
    """Officer A: 2 cases, one raised to HIGH under a sergeant's override (over 20%);
    a colleague with 8 low-risk cases (room for one more high-risk case)."""
    colleague = OfficerFactory.create(team=personas.team_a)
    for _ in range(8):
        RSOFactory.create(team=personas.team_a, allocated_officer=colleague, risk_level=RiskLevel.LOW)
    cases = [
        RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a, risk_level=RiskLevel.LOW)
        for _ in range(2)
    ]
    services.rso_change_risk_level(
        rso=cases[0],
        risk_level=RiskLevel.HIGH,
        reason="Arrested for breach",
        by=personas.sergeant_a,
        override_reason="No one else can take it tonight",
    )
    return personas.officer_a, colleague, cases


def test_an_officer_over_the_rule_raises_a_cap_breach_for_the_sergeant_at_once(personas: Personas) -> None:
    officer, _, _ = over_the_cap(personas)
    (breach,) = Deadline.objects.filter(kind=DeadlineKind.CAP_BREACH, state__in=_open())
    assert (breach.subject_user, breach.owner, breach.team) == (officer, None, personas.team_a)
    assert breach.detail == {"high": 1, "total": 2}
    assert team_tasks(user=personas.sergeant_a, today=timezone.localdate()).cap_breaches == [breach]
    assert task_counts(user=personas.sergeant_a, today=timezone.localdate()).cap_breaches == 1
    assert task_counts(user=personas.officer_a, today=timezone.localdate()).cap_breaches == 0


def test_applying_the_suggestion_moves_the_fewest_cases_clears_the_breach_and_resolves_the_override(
    personas: Personas,
) -> None:
    from caseload.selectors import rebalance_suggestion

    officer, colleague, cases = over_the_cap(personas)
    suggestion = rebalance_suggestion(team_id=personas.team_a.pk)
    assert suggestion.feasible
    assert [(m.rso_id, m.to_officer_id) for m in suggestion.moves] == [(cases[0].pk, colleague.pk)]
    services.cap_rebalance_apply(
        team=personas.team_a,
        moves=[(m.rso_id, m.from_officer_id, m.to_officer_id) for m in suggestion.moves],
        by=personas.sergeant_a,
    )
    assert RSO.objects.get(pk=cases[0].pk).allocated_officer == colleague
    assert not Deadline.objects.filter(kind=DeadlineKind.CAP_BREACH, state__in=_open()).exists()
    assert not CapOverride.objects.filter(officer=officer, resolved_at__isnull=True).exists()


def test_a_stale_suggestion_is_refused_and_changes_nothing(personas: Personas) -> None:
    from caseload.selectors import rebalance_suggestion

    _officer, _colleague, cases = over_the_cap(personas)
    moves = [
        (m.rso_id, m.from_officer_id, m.to_officer_id) for m in rebalance_suggestion(team_id=personas.team_a.pk).moves
    ]
    other = OfficerFactory.create(team=personas.team_a)
    for _ in range(9):
        RSOFactory.create(team=personas.team_a, allocated_officer=other, risk_level=RiskLevel.LOW)
    services.case_allocate(rso=RSO.objects.get(pk=cases[0].pk), officer=other, by=personas.sergeant_a)
    with pytest.raises(Exception, match="changed since this suggestion"):
        services.cap_rebalance_apply(team=personas.team_a, moves=moves, by=personas.sergeant_a)
    assert RSO.objects.get(pk=cases[0].pk).allocated_officer == other


def test_an_officer_cannot_apply_a_rebalancing(personas: Personas) -> None:
    over_the_cap(personas)
    with pytest.raises(Exception, match="sergeant"):
        services.cap_rebalance_apply(team=personas.team_a, moves=[(1, 2, 3)], by=personas.officer_a)


# --- Inboxes and digest ----------------------------------------------------------------------


def test_my_tasks_groups_overdue_this_week_and_upcoming(casework: Casework, personas: Personas) -> None:
    today = timezone.localdate()
    more = [RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a) for _ in range(3)]
    for rso, days in zip([casework.rso_a, *more], [-3, 2, 40, 200], strict=True):
        due_visit(rso, today + dt.timedelta(days=days))
    services.deadlines_sweep()
    inbox = my_tasks(user=personas.officer_a, today=today)
    visits = lambda rows: [r.rso_id for r in rows if r.kind == DeadlineKind.VISIT]  # noqa: E731
    assert visits(inbox.overdue) == [casework.rso_a.pk]
    assert visits(inbox.this_week) == [more[0].pk]
    assert visits(inbox.upcoming) == [more[1].pk]
    assert inbox.later >= 1
    assert my_tasks(user=personas.officer_b, today=today).overdue == []


def test_the_digest_lists_references_and_dates_only_and_goes_once_a_day(
    casework: Casework, personas: Personas, mailoutbox: list[Any]
) -> None:
    User.objects.filter(pk=personas.officer_a.pk).update(email="officer.a@police.example")
    due_visit(casework.rso_a, timezone.localdate() - dt.timedelta(days=3))
    services.deadlines_sweep()
    today = timezone.localdate()
    assert [r.rso_id for r in digest_items(user=personas.officer_a, today=today)] == [casework.rso_a.pk]
    assert services.digest_send(user_id=personas.officer_a.pk, day=today) is True
    assert services.digest_send(user_id=personas.officer_a.pk, day=today) is False
    (message,) = mailoutbox
    assert casework.rso_a.visor_reference in message.body
    assert casework.rso_a.family_name not in message.body
    assert casework.rso_a.given_names not in message.body


# --- Concurrency ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_and_writers_at_the_same_time_leave_one_row_per_obligation(personas: Personas) -> None:
    rsos = [RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a) for _ in range(30)]
    for i, rso in enumerate(rsos):
        RSO.objects.filter(pk=rso.pk).update(
            next_visit_due_on=TODAY - dt.timedelta(days=i), arms_review_due_on=TODAY + dt.timedelta(days=i)
        )

    def writer(rso: RSO) -> Any:
        def run() -> None:
            from django.db import transaction

            with transaction.atomic():
                RSO.objects.select_for_update().filter(pk=rso.pk).update(
                    next_visit_due_on=TODAY + dt.timedelta(days=60)
                )
                deadlines.recompute_rso(rso_id=rso.pk, today=TODAY, now=timezone.now())

        return run

    jobs = [lambda: services.deadlines_sweep(today=TODAY, chunk_size=7) for _ in range(3)]
    jobs += [writer(rso) for rso in rsos[:5]]
    succeeded, errors = run_in_threads(jobs)
    assert errors == []
    assert succeeded == len(jobs)
    assert no_two_open_rows_per_key()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM caseload_deadline GROUP BY key, due_on HAVING count(*) > 1")
        assert cursor.fetchall() == []
    assert Deadline.objects.filter(kind=DeadlineKind.VISIT, state__in=_open()).count() == 30
    for rso in rsos[:5]:
        assert [r.due_on for r in open_rows(rso)] == [TODAY + dt.timedelta(days=60)]


def test_a_year_of_deadlines_for_one_case_walks_through_review_visit_and_notification(
    casework: Casework, personas: Personas
) -> None:
    start = dt.date(2026, 1, 5)
    RSO.objects.filter(pk=casework.rso_a.pk).update(
        next_visit_due_on=start + dt.timedelta(days=30),
        arms_review_due_on=start + dt.timedelta(days=180),
        next_annual_notification_due=start + dt.timedelta(days=300),
    )
    escalated_on: dict[str, dt.date] = {}
    for offset in range(0, 366):
        day = start + dt.timedelta(days=offset)
        with time_machine.travel(dt.datetime(day.year, day.month, day.day, 1, 0, tzinfo=dt.UTC), tick=False):
            services.deadlines_sweep(today=day)
        for row in Deadline.objects.filter(rso=casework.rso_a, state=DeadlineState.ESCALATED):
            escalated_on.setdefault(row.kind, day)
    assert escalated_on == {
        DeadlineKind.VISIT: start + dt.timedelta(days=37),
        DeadlineKind.ARMS_REVIEW: start + dt.timedelta(days=187),
        DeadlineKind.ANNUAL_NOTIFICATION: start + dt.timedelta(days=307),
    }
    assert no_two_open_rows_per_key()
