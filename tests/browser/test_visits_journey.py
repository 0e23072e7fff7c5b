"""The home visit journey in the browser (issue 6), on a tablet (768 px wide): the officer
sees when the next visit is due, plans a visit with a second officer, reviews the safety
assessment carried forward from the last visit, starts the visit and records it (a draft
first, then completed with one compliance check failed); the next due date moves and a
significant change is raised. The sergeant then finds the visit on the team calendar and
switches between the week and month views (htmx). Every page passes axe (WCAG 2.2 AA)
and none scrolls sideways at 768 px."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from caseload.choices import OrderType, ProhibitionKind, RiskLevel
from caseload.models import RSO
from caseload.services import order_add, prohibition_add
from mosovo.accounts.models import User
from tests.browser.test_arms_journey import assert_accessible, new_page, no_problem, sign_in
from tests.conftest import Personas
from tests.factories import RSOFactory
from tests.visits.kit import planned_visit, recorded_visit, second_officer_for
from visits.choices import VisitStatus
from visits.models import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTEFACTS = Path(os.environ["BROWSER_ARTEFACTS"]) if os.environ.get("BROWSER_ARTEFACTS") else None
TABLET = 768
PROHIBITION = "Not to enter any park or playground"


def screenshot(page: Any, name: str) -> None:
    if ARTEFACTS is not None:
        page.screenshot(path=str(ARTEFACTS / f"visits-{name}.png"), full_page=True)


def fits(page: Any, width: int = TABLET) -> None:
    """Accessible, and nothing wider than the viewport (no horizontal scroll)."""
    page.wait_for_load_state()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def rso_due_a_visit(personas: Personas) -> RSO:
    """A low-risk RSO of team A, allocated to officer_a, under a SHPO with a prohibition in
    force, last seen at a visit nearly a year ago (so the next one is due soon)."""
    officer = personas.officer_a
    rso = RSOFactory.create(
        team=personas.team_a,
        allocated_officer=officer,
        family_name="Treloar",
        given_names="Morris",
        risk_level=RiskLevel.LOW,
    )
    order = order_add(
        rso=rso,
        order_type=OrderType.SHPO,
        court="Truro Crown Court",
        made_on=timezone.localdate() - dt.timedelta(days=800),
        by=officer,
    )
    prohibition_add(
        order=order,
        kind=ProhibitionKind.GENERAL,
        text=PROHIBITION,
        starts_on=order.made_on,
        by=officer,
    )
    recorded_visit(rso, officer=officer, occurred_at=timezone.now() - dt.timedelta(days=355))
    rso.refresh_from_db()
    assert rso.risk_level == RiskLevel.LOW
    assert rso.next_visit_due_on is not None
    return rso


def test_officer_plans_and_records_a_visit_on_a_tablet_and_the_sergeant_sees_it(
    browser: Any, live_server: Any, personas: Personas
) -> None:
    base = live_server.url
    rso = rso_due_a_visit(personas)
    due_before = rso.next_visit_due_on
    assert due_before is not None
    partner = second_officer_for(personas.officer_a)
    officer = new_page(browser, width=TABLET)

    # --- The officer opens the record and sees when the next visit is due --------------------
    sign_in(officer, base, personas.officer_a)
    fits(officer)
    officer.get_by_role("link", name="Your team's RSOs").click()
    # The caseload list's wide table scrolls inside its own region; the page does not widen.
    fits(officer)
    assert_accessible(officer)
    officer.get_by_role("link", name=rso.display_name).click()
    fits(officer)
    officer.get_by_role("navigation", name="Record sections").get_by_role("link", name="Visits").click()
    officer.wait_for_url(f"{base}/visits/rso/{rso.pk}/visits/")
    due = officer.inner_text("#next-visit-due")
    assert f"{due_before:%-d %B %Y}" in due
    assert "Due soon" in due
    assert "Every 12 months (the policy for low risk)" in officer.inner_text("main")
    fits(officer)

    # --- Plan a visit today, with a second officer of the team -------------------------------
    officer.get_by_role("link", name="Plan a visit").click()
    officer.wait_for_url(f"{base}/visits/rso/{rso.pk}/visits/plan/")
    fits(officer)
    today = timezone.localdate()
    officer.get_by_label("Scheduled visit").check()
    officer.get_by_label("Date", exact=True).fill(today.isoformat())
    officer.get_by_label("Time", exact=True).fill("00:01")
    officer.get_by_label("Second officer").select_option(label=partner.display_name)
    officer.get_by_role("button", name="Plan the visit").click()
    no_problem(officer)
    visit = Visit.objects.get(rso=rso, status=VisitStatus.PLANNED)
    officer.wait_for_url(f"{base}/visits/visits/{visit.pk}/")
    assert "Scheduled visit planned for" in officer.inner_text("main")
    assert partner.display_name in officer.inner_text("main")
    fits(officer)

    # --- The safety assessment, carried forward from the last visit --------------------------
    officer.get_by_role("link", name="Record the safety assessment").click()
    officer.wait_for_url(f"{base}/visits/visits/{visit.pk}/safety/")
    carried = officer.inner_text("#safety-last-updated")
    assert "Carried forward from the last visit" in carried
    assert personas.officer_a.display_name in carried
    assert officer.get_by_label("Dogs or other animals").input_value() == "Small dog, friendly"
    assert officer.get_by_label("Violence or warning markers").input_value() == "None known"
    fits(officer)
    officer.get_by_label("Other people at the address").fill("His brother stays at weekends.")
    officer.get_by_label("I have read and reviewed the known hazards for this visit").check()
    officer.get_by_role("button", name="Save the safety assessment").click()
    no_problem(officer)
    officer.wait_for_url(f"{base}/visits/visits/{visit.pk}/")
    assert "Safety assessment recorded" in officer.inner_text("main")
    assert "His brother stays at weekends." in officer.inner_text("main")
    fits(officer)

    # --- Start the visit and fill in the record ------------------------------------------------
    officer.get_by_role("button", name="Start the visit").click()
    officer.wait_for_url(f"{base}/visits/visits/{visit.pk}/record/")
    no_problem(officer)
    fits(officer)
    checks = list(Visit.objects.get(pk=visit.pk).compliance.order_by("position"))
    labels = [c.label for c in checks]
    assert f"Sexual harm prevention order: {PROHIBITION}" in labels
    when = timezone.localtime(timezone.now() - dt.timedelta(hours=1))
    people = "Morris Treloar and his brother."
    observation = "Spoke openly about his new job; no sign of contact with children."
    officer.get_by_role("group", name="Outcome").get_by_label("Seen", exact=True).check()
    officer.get_by_label("Date of the visit").fill(when.date().isoformat())
    officer.get_by_label("Time of the visit").fill(f"{when:%H:%M}")
    officer.get_by_label("People present").fill(people)
    officer.get_by_label("Opportunity", exact=True).fill(observation)
    for label in labels:
        group = officer.get_by_role("group", name=label, exact=True)
        answer = "Not complied" if label.endswith(PROHIBITION) else "Complied"
        group.get_by_label(answer, exact=True).check()
    officer.get_by_label(re.compile(rf"^Note on: .*{PROHIBITION}")).fill("Seen in the park by a neighbour.")
    screenshot(officer, "record-tablet")

    officer.get_by_role("button", name="Save draft").click()
    officer.wait_for_url(f"{base}/visits/visits/{visit.pk}/record/")
    no_problem(officer)
    assert "Draft saved" in officer.inner_text("main")
    # Everything typed is still there.
    assert officer.get_by_role("group", name="Outcome").get_by_label("Seen", exact=True).is_checked()
    assert officer.get_by_label("Date of the visit").input_value() == when.date().isoformat()
    assert officer.get_by_label("Time of the visit").input_value() == f"{when:%H:%M}"
    assert officer.get_by_label("People present").input_value() == people
    assert officer.get_by_label("Opportunity", exact=True).input_value() == observation
    for label in labels:
        group = officer.get_by_role("group", name=label, exact=True)
        answer = "Not complied" if label.endswith(PROHIBITION) else "Complied"
        assert group.get_by_label(answer, exact=True).is_checked(), label
    fits(officer)

    officer.get_by_role("button", name="Complete the record").click()
    officer.wait_for_url(f"{base}/visits/visits/{visit.pk}/")
    no_problem(officer)
    rso.refresh_from_db()
    assert rso.next_visit_due_on is not None
    assert rso.next_visit_due_on > due_before
    assert rso.arms_change_review_due_on is not None
    body = officer.inner_text("main")
    assert f"The next visit is due by {rso.next_visit_due_on:%-d %B %Y}." in body
    assert f"an ARMS review is due by {rso.arms_change_review_due_on:%-d %B %Y}" in body
    assert "Significant change raised by this visit" in body
    fits(officer)
    screenshot(officer, "detail-tablet")

    # The record's Changes tab lists the breach.
    officer.get_by_role("navigation", name="Record sections").get_by_role("link", name="Changes").click()
    officer.wait_for_url(f"{base}/caseload/rso/{rso.pk}/changes/")
    changes = officer.inner_text("main")
    assert "Breach of an order or requirement" in changes
    assert f"Home visit on {when:%-d %B %Y}" in changes
    assert PROHIBITION in changes
    assert f"ARMS review due by {rso.arms_change_review_due_on:%-d %B %Y}" in changes
    fits(officer)
    officer.context.close()

    # --- The sergeant finds the visit on the team calendar ------------------------------------
    sergeant = new_page(browser)
    sign_in(sergeant, base, personas.sergeant_a)
    sergeant.get_by_role("navigation", name="Menu").get_by_role("link", name="Visits").click()
    sergeant.wait_for_url(f"{base}/visits/calendar/")
    in_week = sergeant.locator("#calendar-region")
    assert f"Week of {today - dt.timedelta(days=today.weekday()):%-d %B %Y}" in in_week.inner_text()
    row = visit_row(sergeant, today)
    assert rso.display_name in row
    assert "Recorded" in row
    assert partner.display_name in row
    assert_accessible(sergeant)
    screenshot(sergeant, "calendar-week")

    switch_view(sergeant, "Month")
    assert f"{today:%B %Y}" in sergeant.inner_text("#calendar-heading")
    assert rso.display_name in visit_row(sergeant, today)
    assert_accessible(sergeant)
    screenshot(sergeant, "calendar-month")
    switch_view(sergeant, "Week")
    assert rso.display_name in visit_row(sergeant, today)
    assert_accessible(sergeant)
    sergeant.get_by_role("link", name=rso.display_name).first.click()
    sergeant.wait_for_url(f"{base}/visits/visits/{visit.pk}/")
    assert_accessible(sergeant)
    sergeant.context.close()


def visit_row(page: Any, day: dt.date) -> str:
    """The text of the calendar's row for a day."""
    return str(
        page.locator(
            "#calendar-region tr", has=page.get_by_role("rowheader", name=f"{day:%A %-d %B}")
        ).first.inner_text()
    )


def switch_view(page: Any, name: str) -> None:
    """Switch the calendar's view in place (htmx): the URL changes, the page stays."""
    page.evaluate("window.stillTheSamePage = true")
    with page.expect_response(lambda r: "/visits/calendar/" in r.url and r.request.method == "GET") as answer:
        page.get_by_role("navigation", name="Calendar view").get_by_role("link", name=name).click()
    assert answer.value.status == 200
    assert answer.value.request.headers.get("hx-request") == "true"
    page.wait_for_url(re.compile(rf"view={name.lower()}"))
    link = page.get_by_role("navigation", name="Calendar view").get_by_role("link", name=name)
    link.and_(page.locator("[aria-current=page]")).wait_for()
    assert page.evaluate("window.stillTheSamePage === true")
    status = page.locator("#calendar-status")
    assert status.get_attribute("role") == "status"
    assert status.inner_text().startswith("Showing Team A")


def test_the_calendar_switches_view_under_the_content_security_policy(
    strict_page: Any, live_server: Any, personas: Personas
) -> None:
    """The calendar's htmx switch with the policy enforced: nothing blocked, swapped in place,
    and the back button returns to the week."""
    base, page = live_server.url, strict_page
    rso = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a, family_name="Quiller")
    planned_visit(rso, officer=personas.officer_a, when=timezone.now() + dt.timedelta(minutes=5))
    sergeant: User = personas.sergeant_a

    sign_in(page, base, sergeant)
    page.goto(f"{base}/visits/calendar/")
    assert page.evaluate("typeof htmx") == "object"
    assert rso.display_name in page.inner_text("#calendar-region")
    switch_view(page, "Month")
    assert rso.display_name in page.inner_text("#calendar-region")
    switch_view(page, "Week")
    assert rso.display_name in page.inner_text("#calendar-region")
    page.go_back()
    page.wait_for_url(re.compile(r"view=month"))
    page.locator("[aria-current=page]", has_text="Month").wait_for()
