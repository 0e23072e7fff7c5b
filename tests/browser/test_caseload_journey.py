"""The caseload journey in the browser: find an RSO, see what is owed, record a notification
and watch the due date move; a sergeant allocates, meets the 20% limit and overrides it.
Every page passes axe (WCAG 2.2 AA, no serious or critical violations)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format

from caseload.choices import Disposal, NotificationType, RiskLevel
from caseload.models import Conviction, NotificationEvent
from caseload.policy import annual_notification_due
from caseload.services import rso_recompute
from mosovo.accounts.mfa import current_code, demo_device_ensure
from mosovo.accounts.models import User
from tests.browser.conftest import AXE, axe_violations, describe
from tests.conftest import Personas
from tests.factories import PASSWORD, RSOFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, base: str, user: User) -> None:
    device = demo_device_ensure(user=user)
    page.goto(f"{base}/accounts/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/accounts/security-code/")
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/")


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_officer_finds_an_rso_and_records_a_notification(page: Any, live_server: Any, personas: Personas) -> None:
    base = live_server.url
    rso = RSOFactory.create(
        team=personas.team_a, allocated_officer=personas.officer_a, family_name="Quarrington", given_names="Silas"
    )
    Conviction.objects.create(
        rso=rso,
        offence="Voyeurism (s.67 SOA 2003)",
        relevant_date=dt.date(2020, 3, 2),
        disposal=Disposal.CUSTODY,
        custody_months=18,
        age_on_relevant_date=40,
    )
    NotificationEvent.objects.create(
        rso=rso,
        notification_type=NotificationType.INITIAL,
        occurred_at=timezone.make_aware(dt.datetime(2025, 1, 10, 10, 0)),
        police_station="Eastmere Police Station",
        trigger_date=dt.date(2025, 1, 9),
        recorded_by=personas.officer_a,
    )
    rso_recompute(rso=rso)

    sign_in(page, base, personas.officer_a)
    page.get_by_role("link", name="Search").click()
    assert_accessible(page)
    page.get_by_label("Name or alias").fill("Quarington")  # misspelt on purpose
    page.get_by_role("button", name="Search").click()
    assert "search" not in page.url.split("?")[-1] or "?" not in page.url  # the terms are not in the URL
    assert_accessible(page)
    page.get_by_role("link", name="QUARRINGTON, Silas").click()
    assert page.get_by_role("heading", level=1).inner_text() == "QUARRINGTON, Silas"
    assert_accessible(page)

    page.get_by_role("link", name="Convictions").click()
    assert "10 years" in page.inner_text("main")
    assert_accessible(page)

    page.get_by_role("link", name="Notifications").click()
    body = page.inner_text("main")
    assert "9 January 2026" in body  # one year from 10 January 2025
    assert "Overdue" in body
    assert_accessible(page)

    page.get_by_role("link", name="Record a notification").click()
    assert_accessible(page)
    moment = timezone.localtime() - dt.timedelta(minutes=2)  # a notification made just now
    today = moment.date()
    page.get_by_label("Type of notification").select_option(NotificationType.ANNUAL.value)
    page.get_by_label("Date of the notification").fill(today.isoformat())
    page.get_by_label("Time", exact=True).fill(moment.strftime("%H:%M"))
    page.get_by_label("Police station").fill("Eastmere Police Station")
    page.get_by_role("button", name="Record notification").click()
    page.wait_for_load_state()
    assert "There is a problem" not in page.inner_text("main"), page.inner_text("main")[:1500]
    page.wait_for_url(f"{base}/caseload/rso/{rso.pk}/notifications/")
    body = page.inner_text("main")
    assert date_format(annual_notification_due(today), "j F Y") in body
    assert "9 January 2026" not in body.split("Notifications made")[0]
    assert_accessible(page)


def test_sergeant_allocates_meets_the_limit_and_overrides(browser: Any, live_server: Any, personas: Personas) -> None:
    base = live_server.url
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    officer = personas.officer_a
    for _ in range(4):
        RSOFactory.create(team=personas.team_a, allocated_officer=officer)
    RSOFactory.create(team=personas.team_a, allocated_officer=officer, risk_level=RiskLevel.HIGH)
    case = RSOFactory.create(team=personas.team_a, risk_level=RiskLevel.HIGH, family_name="Nettlebank")

    sign_in(page, base, personas.sergeant_a)
    page.goto(f"{base}/caseload/rso/{case.pk}/allocate/")
    assert_accessible(page)
    page.get_by_label("Offender manager").select_option(str(officer.pk))
    page.get_by_role("button", name="Preview").click()
    body = page.inner_text("main")
    assert "2 of 6 high risk, 33%" in body
    assert "Over the limit" in body
    assert_accessible(page)
    page.get_by_role("button", name=f"Confirm allocation to {officer.display_name}").click()
    assert "This would make 2 of 6" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_label("Reason for going over the 20% limit").fill("Only officer with the specialist training.")
    page.get_by_role("button", name=f"Confirm allocation to {officer.display_name}").click()
    page.wait_for_url(f"{base}/caseload/rso/{case.pk}/")
    assert f"Managed by {officer.display_name}" in page.inner_text("main")
    page.goto(f"{base}/")
    assert "Only officer with the specialist training." in page.inner_text("main")
    assert_accessible(page)
    context.close()
