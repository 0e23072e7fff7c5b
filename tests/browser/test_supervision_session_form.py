"""The supervision session form in the browser, under the Content-Security-Policy: the
sergeant picks the officer and htmx brings that officer's cases (checkboxes and each
action's case list), adds a fourth action row in place without losing what was typed,
and saves; the officer reads the record and acknowledges it. Every page passes axe."""

from __future__ import annotations

from typing import Any

import pytest

from supervision.models import SupervisionSession
from tests.browser.test_arms_journey import assert_accessible, new_page, no_problem, sign_in
from tests.conftest import Personas
from tests.factories import OfficerFactory, RSOFactory, SergeantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sergeant_records_a_session_with_htmx_and_the_officer_acknowledges_it(
    strict_page: Any, browser: Any, live_server: Any, personas: Personas
) -> None:
    base, page = live_server.url, strict_page
    case = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a, family_name="Marchbank")
    other = OfficerFactory.create(team=personas.team_a, last_name="Zephyr")
    theirs = RSOFactory.create(team=personas.team_a, allocated_officer=other, family_name="Quillfeather")

    sign_in(page, base, personas.sergeant_a)
    page.goto(f"{base}/supervision/sessions/")
    page.get_by_role("button", name="Record a supervision session").click()
    page.get_by_label("Officer").select_option(str(other.pk))
    page.get_by_label(f"QUILLFEATHER, {theirs.given_names} ({theirs.visor_reference})").wait_for()
    page.get_by_label("Officer").select_option(str(personas.officer_a.pk))
    checkbox = page.get_by_label(f"MARCHBANK, {case.given_names} ({case.visor_reference})")
    checkbox.wait_for()
    assert page.locator("#cases-status").inner_text().startswith("Showing 1 open case")
    assert page.get_by_text("QUILLFEATHER").count() == 0
    # The action rows' case lists followed the officer too.
    assert page.locator("#id_actions-0-rso option", has_text="MARCHBANK").count() == 1
    checkbox.check()
    page.get_by_label("Wellbeing check done").check()
    page.get_by_label("Wellbeing notes (private)").fill("Coping well.")
    page.locator("#id_actions-0-description").fill("Add a support action to the plan")
    page.locator("#id_actions-0-due_on_0").fill("28")
    page.locator("#id_actions-0-due_on_1").fill("12")
    page.locator("#id_actions-0-due_on_2").fill("2099")
    page.locator("#id_actions-0-rso").select_option(str(case.pk))

    page.get_by_role("button", name="Add another action").click()
    page.locator("#id_actions-3-description").wait_for()
    assert page.locator("#id_actions-0-description").input_value() == "Add a support action to the plan"
    assert page.locator("#id_actions-0-rso").input_value() == str(case.pk)
    assert page.get_by_label("Wellbeing notes (private)").input_value() == "Coping well."
    page.locator("#id_actions-3-description").fill("Book the ARMS refresher")
    page.locator("#id_actions-3-due_on_0").fill("1")
    page.locator("#id_actions-3-due_on_1").fill("1")
    page.locator("#id_actions-3-due_on_2").fill("2099")

    page.get_by_role("button", name="Save the session").click()
    page.get_by_role("heading", name="Agreed actions").wait_for()
    no_problem(page)
    session = SupervisionSession.objects.get()
    assert [a.description for a in session.actions.order_by("position")] == [
        "Add a support action to the plan",
        "Book the ARMS refresher",
    ]
    assert "Coping well." in page.inner_text("main")

    # The form with every error shown, and the record, pass axe (a page that runs it).
    checker = new_page(browser)
    sign_in(checker, base, SergeantFactory.create(team=personas.team_a))  # a second sign-in needs a new code
    checker.goto(f"{base}/supervision/sessions/new/?officer={personas.officer_a.pk}")
    checker.locator("#id_held_on_0").fill("")
    checker.locator("#id_actions-1-description").fill("No due date")
    checker.get_by_role("button", name="Save the session").click()
    checker.get_by_text("There is a problem").wait_for()
    assert_accessible(checker)
    checker.goto(f"{base}/supervision/sessions/{session.pk}/")
    assert_accessible(checker)

    officer = new_page(browser)
    sign_in(officer, base, personas.officer_a)
    officer.get_by_role("link", name=f"Session of {session.held_on:%-d %B %Y}").click()
    officer.get_by_role("button", name="I have read this record").click()
    officer.get_by_text("Acknowledged on").wait_for()
    assert_accessible(officer)
