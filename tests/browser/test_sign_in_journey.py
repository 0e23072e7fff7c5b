"""A newcomer signs in as an officer and sees the shell; the pages pass axe."""

from __future__ import annotations

from typing import Any

import pytest

from mosovo.accounts.mfa import current_code, demo_device_ensure
from tests.browser.conftest import AXE, axe_violations, describe
from tests.conftest import Personas
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_signs_in_and_the_pages_pass_axe(page: Any, live_server: Any, personas: Personas) -> None:
    device_a = demo_device_ensure(user=personas.officer_a)
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/accounts/sign-in/")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in to mosovo"
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.get_by_label("Username").fill("officer_a")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().count("Enter a correct username and password") >= 1
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # The second factor: the demo-style authenticator's current code.
    page.wait_for_url(f"{live_server.url}/accounts/security-code/")
    assert page.get_by_role("heading", level=1).inner_text() == "Enter your security code"
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.get_by_label("Security code").fill(current_code(device_a))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your caseload"
    assert personas.officer_a.display_name in page.inner_text("header")
    assert "OFFICIAL-SENSITIVE" in page.inner_text("body")
    # The GOV.UK Frontend JavaScript ran (it marks the body as supported).
    assert "govuk-frontend-supported" in (page.get_attribute("body", "class") or "")
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/accounts/signed-out/")
    assert page.get_by_role("heading", level=1).inner_text() == "You have signed out"
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/accounts/sign-in/")


def test_home_page_is_usable_on_a_tablet(browser: Any, live_server: Any, personas: Personas) -> None:
    context = browser.new_context(bypass_csp=True, viewport={"width": 768, "height": 1024})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/sign-in/")
    device = demo_device_ensure(user=personas.sergeant_a)
    page.get_by_label("Username").fill("sergeant_a")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/accounts/security-code/")
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your team"
    # Nothing scrolls sideways at tablet width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    context.close()


def test_pages_work_under_the_content_security_policy(strict_page: Any, live_server: Any, personas: Personas) -> None:
    page = strict_page
    device = demo_device_ensure(user=personas.inspector)
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("Username").fill("inspector")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/accounts/security-code/")
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/")
    # Our scripts ran (GOV.UK Frontend marks the body; htmx is loaded) and nothing was blocked.
    assert "govuk-frontend-supported" in (page.get_attribute("body", "class") or "")
    assert page.evaluate("typeof htmx") == "object"
    page.goto(f"{live_server.url}/caseload/")
    assert page.get_by_role("heading", level=1).inner_text() == "Caseload"
