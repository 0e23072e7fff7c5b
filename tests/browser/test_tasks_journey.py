"""The deadline engine in the browser (issue 7), on a tablet (768 px wide).

An officer sees the count of late work beside "My tasks", finds a home visit overdue
for ten days (escalated to the sergeant), follows its link to plan the visit and
records it through the visit pages: back on "My tasks" the task has gone at once (no
sweep in between) and the next visit is listed as upcoming. The officer marks an
order prohibition ending in 30 days as dealt with (an empty note is refused first).
The sergeant sees another officer's escalated visit and a colleague over the 20% rule
under an override on "Team tasks", opens the breach and applies the suggested
transfer in one step. The administrator finds the night's sweep on the task status
page. Every page passes axe (WCAG 2.2 AA) and none scrolls sideways at 768 px.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from caseload import services
from caseload import tasks as caseload_tasks
from caseload.choices import DeadlineKind, DeadlineState, OrderType, ProhibitionKind, RiskLevel
from caseload.models import RSO, Deadline
from mosovo.accounts.models import User
from mosovo.ops.models import PeriodicTaskStatus
from tests.browser.test_arms_journey import assert_accessible, new_page, no_problem, sign_in
from tests.conftest import Personas
from tests.factories import OfficerFactory, RSOFactory
from tests.visits.kit import recorded_visit, second_officer_for
from visits.choices import VisitStatus
from visits.models import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTEFACTS = Path(os.environ["BROWSER_ARTEFACTS"]) if os.environ.get("BROWSER_ARTEFACTS") else None
TABLET = 768
OPEN = [DeadlineState.UPCOMING, DeadlineState.DUE_SOON, DeadlineState.OVERDUE, DeadlineState.ESCALATED]
NOTE = "The court renewed the prohibition for five more years; the new order is on the record."


def screenshot(page: Any, name: str) -> None:
    if ARTEFACTS is not None:
        page.screenshot(path=str(ARTEFACTS / f"tasks-{name}.png"), full_page=True)


def fits(page: Any, width: int = TABLET) -> None:
    """Accessible, and nothing wider than the viewport (no horizontal scroll)."""
    page.wait_for_load_state()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def section(page: Any, heading_id: str) -> Any:
    """The page's <section> headed by the heading with this id."""
    return page.locator("section", has=page.locator(f"#{heading_id}"))


def row_of(page: Any, heading_id: str, text: str) -> Any:
    """The row of a section's table that mentions ``text`` (a VISOR reference, a name)."""
    return section(page, heading_id).locator("tbody tr", has_text=text)


def nav_link(page: Any, label: str) -> Any:
    return page.get_by_role("navigation", name="Menu").get_by_role("link", name=re.compile(rf"^{label}"))


def badge(page: Any, label: str) -> str:
    """The count beside a navigation item ("" when there is none)."""
    counts = nav_link(page, label).locator(".moj-notification-badge")
    return str(counts.text_content()).strip() if counts.count() else ""


def short(day: dt.date) -> str:
    return f"{day:%-d %b %Y}"


def open_task(rso: RSO, kind: str) -> Deadline:
    return Deadline.objects.get(rso=rso, kind=kind, state__in=OPEN)


@dataclass
class Scene:
    """What the journey finds: officer A's overdue visit and ending prohibition, another
    officer's escalated visit, and a colleague over the 20% rule."""

    visit_case: RSO
    order_case: RSO
    other_case: RSO
    other_officer: User
    over: User
    high_case: RSO
    receiver: User


def caseload_with_recent_visits(officer: User, count: int, **fields: Any) -> list[RSO]:
    """Low-risk cases of the officer's team, each seen an hour ago (next visit in a year)."""
    rsos = []
    for _ in range(count):
        rso = RSOFactory.create(team=officer.team, allocated_officer=officer, risk_level=RiskLevel.LOW, **fields)
        recorded_visit(rso, officer=officer)
        rsos.append(rso)
    return rsos


def scene(personas: Personas) -> Scene:
    today = timezone.localdate()
    officer, sergeant = personas.officer_a, personas.sergeant_a

    # Officer A: five cases, one very high risk (within the 20% rule) whose monthly visit
    # is ten days overdue, and one under an order whose prohibition ends in 30 days.
    caseload_with_recent_visits(officer, 3)
    (order_case,) = caseload_with_recent_visits(officer, 1, family_name="Pengelly", given_names="Jory")
    order = services.order_add(
        rso=order_case,
        order_type=OrderType.SHPO,
        court="Truro Crown Court",
        made_on=today - dt.timedelta(days=6 * 365),
        by=officer,
    )
    services.prohibition_add(
        order=order,
        kind=ProhibitionKind.GENERAL,
        text="Not to use any device that can reach the internet without telling the police",
        starts_on=order.made_on,
        ends_on=today + dt.timedelta(days=30),
        by=officer,
    )
    visit_case = RSOFactory.create(
        team=personas.team_a, allocated_officer=officer, family_name="Tregenza", given_names="Mark"
    )
    services.rso_change_risk_level(
        rso=visit_case, risk_level=RiskLevel.VERY_HIGH, reason="Breach of his order", by=officer
    )
    RSO.objects.filter(pk=visit_case.pk).update(next_visit_due_on=today - dt.timedelta(days=10))

    # Another officer of the team, whose case's visit is overdue too (still escalated
    # after officer A has done hers).
    other_officer = second_officer_for(officer)
    other_case = RSOFactory.create(team=personas.team_a, allocated_officer=other_officer, family_name="Rowe")
    RSO.objects.filter(pk=other_case.pk).update(next_visit_due_on=today - dt.timedelta(days=12))

    # A colleague pushed over the 20% rule by the sergeant's override, and one with room.
    receiver = OfficerFactory.create(team=personas.team_a)
    for _ in range(8):
        RSOFactory.create(team=personas.team_a, allocated_officer=receiver, risk_level=RiskLevel.LOW)
    over = OfficerFactory.create(team=personas.team_a)
    high_case, _ = (
        RSOFactory.create(team=personas.team_a, allocated_officer=over, risk_level=RiskLevel.LOW) for _ in range(2)
    )
    services.rso_change_risk_level(
        rso=high_case,
        risk_level=RiskLevel.HIGH,
        reason="Arrested for a breach",
        by=sergeant,
        override_reason="No one else can take it tonight",
    )

    # The night's sweep, run as the worker runs it (it records its status for the admin).
    caseload_tasks.deadlines_sweep()
    assert open_task(visit_case, DeadlineKind.VISIT).state == DeadlineState.ESCALATED
    assert open_task(other_case, DeadlineKind.VISIT).state == DeadlineState.ESCALATED
    assert open_task(order_case, DeadlineKind.ORDER_EXPIRY).state == DeadlineState.DUE_SOON
    return Scene(
        visit_case=RSO.objects.get(pk=visit_case.pk),
        order_case=RSO.objects.get(pk=order_case.pk),
        other_case=other_case,
        other_officer=other_officer,
        over=over,
        high_case=high_case,
        receiver=receiver,
    )


def record_the_visit(page: Any, base: str, rso: RSO, partner: User) -> Visit:
    """Plan a visit for today, record the safety assessment, start it and complete the
    record (seen, every check complied), through the visit pages."""
    today = timezone.localdate()
    page.wait_for_url(f"{base}/visits/rso/{rso.pk}/visits/plan/")
    fits(page)
    page.get_by_label("Scheduled visit").check()
    page.get_by_label("Date", exact=True).fill(today.isoformat())
    page.get_by_label("Time", exact=True).fill("00:00")
    page.get_by_label("Second officer").select_option(label=partner.display_name)
    page.get_by_role("button", name="Plan the visit").click()
    no_problem(page)
    visit = Visit.objects.get(rso=rso, status=VisitStatus.PLANNED)
    page.wait_for_url(f"{base}/visits/visits/{visit.pk}/")
    fits(page)

    page.get_by_role("link", name="Record the safety assessment").click()
    page.wait_for_url(f"{base}/visits/visits/{visit.pk}/safety/")
    fits(page)
    page.get_by_label("Violence or warning markers").fill("None known")
    page.get_by_label("I have read and reviewed the known hazards for this visit").check()
    page.get_by_role("button", name="Save the safety assessment").click()
    no_problem(page)
    page.wait_for_url(f"{base}/visits/visits/{visit.pk}/")
    fits(page)

    page.get_by_role("button", name="Start the visit").click()
    page.wait_for_url(f"{base}/visits/visits/{visit.pk}/record/")
    no_problem(page)
    fits(page)
    # This minute: today, not in the future, not before the plan's 00:00.
    when = timezone.localtime().replace(second=0, microsecond=0)
    page.get_by_role("group", name="Outcome").get_by_label("Seen", exact=True).check()
    page.get_by_label("Date of the visit").fill(when.date().isoformat())
    page.get_by_label("Time of the visit").fill(f"{when:%H:%M}")
    page.get_by_label("People present").fill("Mark Tregenza only.")
    for check in Visit.objects.get(pk=visit.pk).compliance.order_by("position"):
        page.get_by_role("group", name=check.label, exact=True).get_by_label("Complied", exact=True).check()
    page.get_by_role("button", name="Complete the record").click()
    page.wait_for_url(f"{base}/visits/visits/{visit.pk}/")
    no_problem(page)
    fits(page)
    return visit


def test_officer_and_sergeant_clear_their_tasks_on_a_tablet_and_the_admin_sees_the_sweep(
    browser: Any, live_server: Any, personas: Personas
) -> None:
    base = live_server.url
    s = scene(personas)
    visit_task = open_task(s.visit_case, DeadlineKind.VISIT)
    order_task = open_task(s.order_case, DeadlineKind.ORDER_EXPIRY)
    officer = new_page(browser, width=TABLET)

    # --- The officer sees the count of late work and opens "My tasks" -----------------------
    sign_in(officer, base, personas.officer_a)
    fits(officer)
    assert badge(officer, "My tasks") == "1 late or due this week"
    nav_link(officer, "My tasks").click()
    officer.wait_for_url(f"{base}/caseload/tasks/")
    fits(officer)
    screenshot(officer, "my-tasks")
    overdue = row_of(officer, "tasks-overdue", s.visit_case.visor_reference)
    assert overdue.count() == 1
    text = overdue.inner_text()
    assert "Home visit" in text
    assert s.visit_case.display_name in text
    assert short(visit_task.due_on) in text
    assert "Escalated to sergeant" in text
    upcoming = row_of(officer, "tasks-upcoming", s.order_case.visor_reference)
    assert "Order prohibition ends" in upcoming.inner_text()
    assert short(order_task.due_on) in upcoming.inner_text()

    # --- It links to the place to act: plan the visit, then record it -----------------------
    overdue.get_by_role("link", name=re.compile(r"^Plan a visit")).click()
    record_the_visit(officer, base, s.visit_case, s.other_officer)

    # --- Back on "My tasks", at once: the visit is done and the next one is upcoming --------
    nav_link(officer, "My tasks").click()
    officer.wait_for_url(f"{base}/caseload/tasks/")
    fits(officer)
    visit_task.refresh_from_db()
    assert visit_task.state == DeadlineState.DONE
    assert "Nothing is overdue." in section(officer, "tasks-overdue").inner_text()
    assert badge(officer, "My tasks") == ""
    s.visit_case.refresh_from_db()
    next_due = s.visit_case.next_visit_due_on
    assert next_due is not None
    assert next_due > timezone.localdate() + dt.timedelta(days=7)  # a month on: upcoming
    upcoming_visit = row_of(officer, "tasks-upcoming", s.visit_case.visor_reference)
    assert "Home visit" in upcoming_visit.inner_text()
    assert short(next_due) in upcoming_visit.inner_text()
    screenshot(officer, "my-tasks-after-visit")

    # --- Marking the ending prohibition as dealt with: a note is required --------------------
    row_of(officer, "tasks-upcoming", s.order_case.visor_reference).get_by_role(
        "link", name=re.compile(r"^Mark as dealt with")
    ).click()
    officer.wait_for_url(f"{base}/caseload/tasks/{order_task.pk}/close/")
    fits(officer)
    officer.get_by_role("button", name="Mark as dealt with").click()
    officer.wait_for_url(f"{base}/caseload/tasks/{order_task.pk}/close/")
    summary = officer.locator(".govuk-error-summary")
    summary.wait_for()
    assert "There is a problem" in summary.inner_text()
    assert "Say what was decided or done" in summary.inner_text()
    fits(officer)
    screenshot(officer, "close-error")
    summary.get_by_role("link", name="Say what was decided or done").click()
    officer.get_by_label("What was decided or done").fill(NOTE)
    officer.get_by_role("button", name="Mark as dealt with").click()
    officer.wait_for_url(f"{base}/caseload/tasks/")
    no_problem(officer)
    assert f"Order prohibition ends for {s.order_case.visor_reference} marked as dealt with." in officer.inner_text(
        "main"
    )
    assert row_of(officer, "tasks-upcoming", s.order_case.visor_reference).count() == 0
    fits(officer)
    order_task.refresh_from_db()
    assert (order_task.state, order_task.closed_note, order_task.closed_by) == (
        DeadlineState.DONE,
        NOTE,
        personas.officer_a,
    )
    officer.context.close()

    # --- The sergeant: an escalation and a cap breach on "Team tasks" -----------------------
    sergeant = new_page(browser, width=TABLET)
    sign_in(sergeant, base, personas.sergeant_a)
    fits(sergeant)
    assert badge(sergeant, "Team tasks") == "2 escalated or over the 20% rule"
    nav_link(sergeant, "Team tasks").click()
    sergeant.wait_for_url(f"{base}/caseload/tasks/team/")
    fits(sergeant)
    screenshot(sergeant, "team-tasks")
    escalated = section(sergeant, "tasks-escalated").inner_text()
    assert s.other_case.visor_reference in escalated
    assert s.other_officer.display_name in escalated
    assert s.visit_case.visor_reference not in sergeant.inner_text("main")  # recorded: gone
    breach_row = row_of(sergeant, "tasks-cap-breaches", s.over.display_name)
    assert "1 of 2 high risk (50%)" in breach_row.inner_text()

    breach = Deadline.objects.get(kind=DeadlineKind.CAP_BREACH, subject_user=s.over, state__in=OPEN)
    breach_row.get_by_role("link", name=re.compile(r"^Rebalance")).click()
    sergeant.wait_for_url(f"{base}/caseload/cap-breaches/{breach.pk}/")
    fits(sergeant)
    screenshot(sergeant, "cap-breach")
    assert s.over.display_name in sergeant.get_by_role("heading", level=1).inner_text()
    transfers = sergeant.locator("section", has=sergeant.locator("#suggestion")).locator("tbody tr")
    assert transfers.count() == 1
    move = transfers.first.inner_text()
    assert s.high_case.visor_reference in move
    assert "High" in move
    assert s.over.display_name in move
    assert s.receiver.display_name in move

    sergeant.get_by_role("button", name="Apply these transfers").click()
    sergeant.wait_for_url(f"{base}/caseload/tasks/team/")
    no_problem(sergeant)
    assert "1 case moved; everyone is within the 20% rule." in sergeant.inner_text("main")
    assert "Every officer is within the 20% rule." in section(sergeant, "tasks-cap-breaches").inner_text()
    assert badge(sergeant, "Team tasks") == "1 escalated or over the 20% rule"
    fits(sergeant)
    assert RSO.objects.get(pk=s.high_case.pk).allocated_officer == s.receiver
    breach.refresh_from_db()
    assert breach.state == DeadlineState.DONE
    sergeant.context.close()

    # --- The administrator finds the night's sweep on the task status page -----------------
    status = PeriodicTaskStatus.objects.get(name="caseload.deadlines_sweep")
    assert status.last_counts
    admin = new_page(browser, width=TABLET)
    sign_in(admin, base, personas.admin)
    fits(admin)
    nav_link(admin, "Task status").click()
    admin.wait_for_url(f"{base}/ops/status/")
    fits(admin)
    screenshot(admin, "ops-status")
    sweep_row = admin.locator(
        "#task-status tbody tr", has=admin.get_by_role("rowheader", name=re.compile(r"^caseload\.deadlines_sweep"))
    )
    assert sweep_row.count() == 1
    cells = sweep_row.locator("td")
    assert cells.nth(3).inner_text().strip() == "1"  # runs
    assert cells.nth(4).inner_text().strip() == "None"  # last error
    counts = sweep_row.locator("dl .govuk-summary-list__row")
    shown = {
        counts.nth(i).locator("dt").inner_text().strip(): counts.nth(i).locator("dd").inner_text().strip()
        for i in range(counts.count())
    }
    assert shown == {key: str(value) for key, value in status.last_counts.items()}
    admin.context.close()
