"""The ARMS journey in the browser (issue 5): an offender manager writes a new ARMS
assessment of an RSO, prefilled from the last approved one, section by section (a factor
saved in place with htmx); the sergeant compares it with the previous one and returns it; the
officer puts it right and resubmits; the sergeant approves it and the risk level moves.
Then a new version of the risk management plan is written, approved and exported as a
PDF. Every page passes axe (WCAG 2.2 AA, no serious or critical violations)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from arms import services
from arms.choices import Status
from arms.models import Assessment, Plan
from caseload.choices import RiskLevel
from caseload.models import RSO
from caseload.services import static_score_add
from mosovo.accounts.mfa import current_code, demo_device_ensure
from mosovo.accounts.models import User
from tests.arms.kit import approved_assessment, approved_plan
from tests.browser.conftest import AXE, axe_violations, describe
from tests.conftest import Personas
from tests.factories import PASSWORD, RSOFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where to leave screenshots, the PDF and its first page as an image, for a person to look
# at (BROWSER_ARTEFACTS=<a directory>); nothing is kept when it is unset.
ARTEFACTS = Path(os.environ["BROWSER_ARTEFACTS"]) if os.environ.get("BROWSER_ARTEFACTS") else None


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


def new_page(browser: Any, width: int = 1280) -> Any:
    """A second signed-out browser (its own cookies), set up as the ``page`` fixture is."""
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    context.add_init_script(path=str(AXE))
    return context.new_page()


def screenshot(page: Any, name: str) -> None:
    if ARTEFACTS is not None:
        page.screenshot(path=str(ARTEFACTS / f"arms-{name}.png"), full_page=True)


def no_problem(page: Any) -> None:
    """Fail with the page's text if a form came back with an error summary."""
    page.wait_for_load_state()
    assert "There is a problem" not in page.inner_text("main"), page.inner_text("main")[:2000]


def rso_with_history(personas: Personas) -> RSO:
    """An RSO of team A, allocated to officer_a (his only case), with a medium static band,
    an approved assessment (medium) and an approved first plan version."""
    rso = RSOFactory.create(
        team=personas.team_a, allocated_officer=personas.officer_a, family_name="Marchbank", given_names="Edwin"
    )
    static_score_add(
        rso=rso,
        tool="OSP_C",
        band=RiskLevel.MEDIUM,
        assessed_on=timezone.localdate() - dt.timedelta(days=40),
        by=personas.officer_a,
    )
    approved_plan(rso, officer=personas.officer_a, sergeant=personas.sergeant_a, actions=2)
    rso.refresh_from_db()
    assert rso.risk_level == RiskLevel.MEDIUM
    return rso


def save_factor(page: Any, code: str, *, rating: str, evidence: str) -> None:
    """Change one factor on the factors page and save it on its own, in place (htmx)."""
    block = page.locator(f"#factor-{code}")
    block.get_by_label(rating, exact=True).check()
    block.get_by_label("Evidence").fill(evidence)
    page.evaluate("window.stillTheSamePage = true")  # gone if the browser navigates
    url = page.url
    with page.expect_response(lambda r: "/factors/" in r.url and r.request.method == "POST") as answer:
        block.get_by_role("button", name="Save").click()
    assert answer.value.status == 200
    status = page.locator(f"#factor-{code}-status")
    status.wait_for()
    assert status.inner_text().startswith("Saved: ")
    # Said to screen readers through the page's live region, which stays in place.
    assert page.text_content("#factor-announcement") == status.inner_text()
    assert page.url == url
    assert page.evaluate("window.stillTheSamePage === true")


def test_officer_and_sergeant_take_an_assessment_and_a_plan_through_approval(
    page: Any, browser: Any, live_server: Any, personas: Personas, tmp_path: Path
) -> None:
    base = live_server.url
    rso = rso_with_history(personas)
    # One browser each, side by side, each signed in once (a security code is used once).
    officer, sergeant = page, new_page(browser)
    today = timezone.localdate()

    # --- The officer opens the record's ARMS tab and starts a new assessment -----------------
    sign_in(officer, base, personas.officer_a)
    assert_accessible(officer)
    officer.get_by_role("link", name="Your team's RSOs").click()
    assert_accessible(officer)
    officer.get_by_role("link", name=rso.display_name).click()
    assert_accessible(officer)
    officer.get_by_role("navigation", name="Record sections").get_by_role("link", name="ARMS").click()
    officer.wait_for_url(f"{base}/arms/rso/{rso.pk}/assessments/")
    assert "1 assessment, newest first" in officer.inner_text("#assessments")
    assert_accessible(officer)
    officer.get_by_role("button", name="Start a new assessment").click()

    # Section 1: sources, prefilled from the approved assessment (but not its interviews).
    assessment = Assessment.objects.get(rso=rso, status=Status.DRAFT)
    officer.wait_for_url(f"{base}/arms/assessments/{assessment.pk}/sources/")
    assert "Prefilled from the assessment approved on" in officer.inner_text("#prefilled")
    assert officer.get_by_label("Interview with the person").is_checked()
    assert_accessible(officer)
    officer.get_by_label("Probation records").check()
    officer.get_by_label("Interview 1").fill((today - dt.timedelta(days=2)).isoformat())
    officer.get_by_role("button", name="Save and continue").click()
    no_problem(officer)

    # Section 2: the factors; one changed and saved in place.
    officer.wait_for_url(f"{base}/arms/assessments/{assessment.pk}/factors/")
    assert_accessible(officer)
    save_factor(
        officer,
        "opportunity",
        rating="Low",
        evidence="He has moved to a flat away from the school and works nights; no contact with children seen.",
    )
    assert_accessible(officer)
    screenshot(officer, "factors")
    officer.get_by_role("link", name="Continue to the summary").click()

    # Section 3: the summary; a lower level than the static band needs a reason.
    officer.wait_for_url(f"{base}/arms/assessments/{assessment.pk}/summary/")
    assert "Static band: Medium" in officer.inner_text("#static-band")
    assert_accessible(officer)
    officer.get_by_role("group", name="Proposed risk level").get_by_label("Low", exact=True).check()
    officer.get_by_label("Reason for the level").fill(
        "Opportunity has fallen since the move, and he keeps to the plan: low despite the medium static band."
    )
    officer.get_by_role("button", name="Save and continue").click()
    no_problem(officer)

    # Check and submit.
    officer.wait_for_url(f"{base}/arms/assessments/{assessment.pk}/submit/")
    assert "Every section is complete" in officer.inner_text("#problems")
    assert_accessible(officer)
    officer.get_by_role("button", name="Submit for approval").click()
    officer.wait_for_url(f"{base}/arms/rso/{rso.pk}/assessments/")
    assert "Assessment submitted" in officer.inner_text("main")
    assert "Awaiting approval" in officer.inner_text("#open-assessment")
    assert_accessible(officer)

    # --- The sergeant finds it on the home page, compares and returns it ------------------------
    sign_in(sergeant, base, personas.sergeant_a)
    approvals = sergeant.locator("#arms-approvals")
    assert rso.display_name in approvals.inner_text()
    assert_accessible(sergeant)
    approvals.get_by_role("link", name=f"ARMS assessment for {rso.display_name}").click()
    sergeant.wait_for_url(f"{base}/arms/assessments/{assessment.pk}/review/")
    opportunity = sergeant.locator("#risk-comparison").get_by_role("row", name=re.compile(r"^Opportunity"))
    assert "Rating changed" in opportunity.inner_text()
    preoccupation = sergeant.locator("#risk-comparison").get_by_role("row", name=re.compile(r"^Sexual preoccupation"))
    assert "changed" not in preoccupation.inner_text()
    level = sergeant.locator("#summary-comparison").get_by_role("row", name=re.compile(r"^Proposed risk level"))
    assert "Changed" in level.inner_text()
    assert "Approving lowers the risk level" in sergeant.inner_text("#level-change")
    assert_accessible(sergeant)
    screenshot(sergeant, "review")
    comment = "Say how the flat's distance from the school was checked, under commitment to desist."
    sergeant.get_by_label("What needs to change").fill(comment)
    sergeant.get_by_role("button", name="Return to the assessor").click()
    sergeant.wait_for_url(f"{base}/arms/rso/{rso.pk}/assessments/")
    assert "Assessment returned to" in sergeant.inner_text("main")
    assert_accessible(sergeant)

    # --- The officer reads the comments, puts it right and resubmits ----------------------------
    officer.reload()
    assert "Returned for changes" in officer.inner_text("#open-assessment")
    assert_accessible(officer)
    officer.get_by_role("link", name="Continue the assessment").click()
    officer.wait_for_url(f"{base}/arms/assessments/{assessment.pk}/sources/")
    assert comment in officer.inner_text("#returned-comments")
    assert_accessible(officer)
    officer.get_by_role("navigation", name="Assessment sections").get_by_role("link", name="Factor ratings").click()
    officer.wait_for_url(f"{base}/arms/assessments/{assessment.pk}/factors/")
    assert_accessible(officer)
    save_factor(
        officer,
        "commitment_to_desist",
        rating="High",
        evidence="Visited the new flat on 3 occasions; 1.4 miles from the nearest school (checked on the map).",
    )
    assert_accessible(officer)
    officer.get_by_role("navigation", name="Assessment sections").get_by_role("link", name="Check and submit").click()
    officer.wait_for_url(f"{base}/arms/assessments/{assessment.pk}/submit/")
    assert "Every section is complete" in officer.inner_text("#problems")
    assert_accessible(officer)
    officer.get_by_role("button", name="Submit for approval").click()
    officer.wait_for_url(f"{base}/arms/rso/{rso.pk}/assessments/")
    assert_accessible(officer)

    # --- The sergeant approves: the level falls to low ------------------------------------------
    sergeant.goto(f"{base}/")
    assert_accessible(sergeant)
    sergeant.locator("#arms-approvals").get_by_role("link", name=f"ARMS assessment for {rso.display_name}").click()
    sergeant.wait_for_url(f"{base}/arms/assessments/{assessment.pk}/review/")
    desist = sergeant.locator("#protective-comparison").get_by_role("row", name=re.compile(r"^Commitment to desist"))
    assert "changed" in desist.inner_text().lower()
    assert_accessible(sergeant)
    sergeant.get_by_role("button", name="Approve the assessment").click()
    sergeant.wait_for_url(f"{base}/arms/rso/{rso.pk}/assessments/")
    no_problem(sergeant)
    body = sergeant.inner_text("main")
    assert "Assessment approved. The risk level is low." in body
    assert "Low risk" in sergeant.inner_text(".moj-identity-bar")
    assert f"by {personas.sergeant_a.display_name}: low risk" in sergeant.inner_text("#current-assessment")
    newest = sergeant.locator("#assessments tbody tr").first
    assert "Approved" in newest.inner_text()
    assert "Low" in newest.inner_text()
    assert "2 assessments, newest first" in sergeant.inner_text("#assessments")
    assert_accessible(sergeant)

    # --- The officer writes version 2 of the plan ------------------------------------------------
    officer.goto(f"{base}/arms/rso/{rso.pk}/assessments/")
    officer.get_by_role("navigation", name="Record sections").get_by_role("link", name="Plan").click()
    officer.wait_for_url(f"{base}/arms/rso/{rso.pk}/plan/")
    assert "Current plan: version 1" in officer.inner_text("main")
    assert_accessible(officer)
    officer.get_by_role("button", name="Start a new version of the plan").click()
    plan = Plan.objects.get(rso=rso, number=2)
    officer.wait_for_url(f"{base}/arms/plans/{plan.pk}/")
    assert "2 actions" in officer.inner_text("#action-counts")  # copied from version 1
    assert_accessible(officer)

    officer.get_by_role("link", name="Add an action").click()
    officer.wait_for_url(f"{base}/arms/plans/{plan.pk}/actions/add/")
    assert_accessible(officer)
    support = "Introduce him to the allotment society and check he goes each week."
    officer.get_by_label("Factor this action addresses").select_option(label="Commitment to desist")
    officer.get_by_label("Support (build a protective factor)").check()
    officer.get_by_label("What will be done").fill(support)
    officer.get_by_label("Owning agency").select_option(label="Probation")
    officer.get_by_label("Who is responsible").fill("Probation practitioner")
    due = today + dt.timedelta(days=60)
    officer.get_by_label("Day").fill(str(due.day))
    officer.get_by_label("Month").fill(str(due.month))
    officer.get_by_label("Year").fill(str(due.year))
    officer.get_by_label("Not started").check()
    officer.get_by_label("This action may be shared with the person").check()
    officer.get_by_role("button", name="Add the action").click()
    no_problem(officer)
    officer.wait_for_url(re.compile(rf"{re.escape(base)}/arms/plans/{plan.pk}/#action-\d+$"))
    assert support in officer.inner_text("#type-support + table")
    assert "3 actions" in officer.inner_text("#action-counts")
    assert_accessible(officer)

    officer.get_by_role("link", name="Change visits, contingencies and what is shared").click()
    officer.wait_for_url(f"{base}/arms/plans/{plan.pk}/edit/")
    assert_accessible(officer)
    officer.get_by_label("What changed in this version").fill(
        "Rests on the new assessment (low risk); a support action for his commitment to desist."
    )
    officer.get_by_role("button", name="Save").click()
    officer.wait_for_url(f"{base}/arms/plans/{plan.pk}/")
    no_problem(officer)
    assert "Rests on the new assessment" in officer.inner_text("#plan-summary")
    assert_accessible(officer)
    screenshot(officer, "plan")
    officer.get_by_role("button", name="Submit version 2 for approval").click()
    officer.wait_for_url(f"{base}/arms/plans/{plan.pk}/")
    no_problem(officer)
    assert "sent to the sergeant for approval" in officer.inner_text("main")
    assert_accessible(officer)

    # --- The sergeant approves it; the history shows both versions -------------------------------
    sergeant.goto(f"{base}/")
    link = f"Risk management plan, version 2 for {rso.display_name}"
    sergeant.locator("#arms-approvals").get_by_role("link", name=link).click()
    sergeant.wait_for_url(f"{base}/arms/plans/{plan.pk}/review/")
    assert support in sergeant.inner_text("#plan")
    assert_accessible(sergeant)
    screenshot(sergeant, "plan-review")
    sergeant.get_by_role("button", name="Approve version 2").click()
    sergeant.wait_for_url(f"{base}/arms/rso/{rso.pk}/plan/")
    assert "Version 2 of the plan approved" in sergeant.inner_text("main")
    assert "Current plan: version 2" in sergeant.inner_text("main")
    assert_accessible(sergeant)
    sergeant.get_by_role("link", name="All versions (2)").click()
    sergeant.wait_for_url(f"{base}/arms/rso/{rso.pk}/plan/history/")
    rows = sergeant.locator("#versions tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).inner_text().startswith("Version 2")
    assert "Approved" in rows.nth(0).inner_text()
    assert "Rests on the new assessment" in rows.nth(0).inner_text()
    assert rows.nth(1).inner_text().startswith("Version 1")
    assert_accessible(sergeant)

    # --- The sergeant exports version 2 as a PDF for probation -----------------------------------
    sergeant.get_by_role("link", name="Back to the current plan").click()
    sergeant.get_by_role("link", name="Download as PDF").click()
    sergeant.wait_for_url(f"{base}/arms/plans/{plan.pk}/pdf/")
    assert_accessible(sergeant)
    sergeant.get_by_label("Who will receive it").fill("Probation Service, Jo Bloggs (probation practitioner)")
    sergeant.get_by_label("Why are you disclosing the plan?").fill("For the MAPPA level 1 review next week.")
    with sergeant.expect_download() as info:
        sergeant.get_by_role("button", name="Download the PDF").click()
    download = info.value
    assert download.suggested_filename == f"plan-{rso.visor_reference}-v2.pdf"
    target = (ARTEFACTS or tmp_path) / "arms-journey-plan.pdf"
    download.save_as(str(target))
    check_pdf(target, support)
    sergeant.context.close()


def check_pdf(path: Path, action: str) -> None:
    """Every page is marked and numbered; the new support action is in it. Render page 1."""
    reader = PdfReader(str(path))
    pages = [page.extract_text() for page in reader.pages]
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in text, number
        assert f"Page {number} of {total}" in text, number
    # Text extraction breaks lines where the PDF does: compare without the whitespace.
    assert re.sub(r"\s+", "", action) in re.sub(r"\s+", "", "".join(pages))
    if ARTEFACTS is not None and shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(ARTEFACTS / "journey")], check=True
        )


def test_factors_page_is_usable_on_a_tablet(browser: Any, live_server: Any, personas: Personas) -> None:
    base = live_server.url
    rso = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a, family_name="Penhallow")
    approved_assessment(rso, officer=personas.officer_a, sergeant=personas.sergeant_a)
    draft = services.assessment_start(rso=rso, by=personas.officer_a)
    page = new_page(browser, width=768)

    sign_in(page, base, personas.officer_a)
    page.goto(f"{base}/arms/assessments/{draft.pk}/factors/")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    blocks = page.locator("form[hx-post]")
    assert blocks.count() == 12  # 7 risk and 5 protective factors
    for n in range(blocks.count()):
        block = blocks.nth(n)
        # The last choice, the last box and the button: the widest parts of a factor's form.
        for control in (
            block.locator(".govuk-radios__item").last,
            block.locator("textarea").last,
            block.locator("button"),
        ):
            control.scroll_into_view_if_needed()
            box = control.bounding_box()
            assert box is not None, n
            assert box["x"] >= 0, (n, box)
            assert box["x"] + box["width"] <= 768, (n, box)
    save_factor(page, "social_investment", rating="Medium", evidence="Volunteers at the food bank on Saturdays.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    assert_accessible(page)
    screenshot(page, "factors-tablet")
    page.context.close()


def test_in_place_saves_work_under_the_content_security_policy(
    strict_page: Any, live_server: Any, personas: Personas
) -> None:
    """The two htmx forms of ARMS (a factor, an action's progress) with the policy enforced:
    nothing is blocked (``strict_page`` fails the test otherwise) and both save in place."""
    base, page = live_server.url, strict_page
    rso = rso_with_history(personas)
    draft = services.assessment_start(rso=rso, by=personas.officer_a)
    action = Plan.objects.get(rso=rso, number=1).actions.order_by("position", "pk").first()
    assert action is not None

    sign_in(page, base, personas.officer_a)
    assert page.evaluate("typeof htmx") == "object"
    page.goto(f"{base}/arms/assessments/{draft.pk}/factors/")
    assert "govuk-frontend-supported" in (page.get_attribute("body", "class") or "")
    save_factor(page, "hostile_orientation", rating="Low", evidence="Calm and polite at the last three visits.")

    page.goto(f"{base}/arms/rso/{rso.pk}/plan/")
    row = page.locator(f"#action-{action.pk}")
    row.get_by_label(re.compile(r"^Status of the action")).select_option(label="In progress")
    page.evaluate("window.stillTheSamePage = true")
    with page.expect_response(lambda r: r.url.endswith("/status/") and r.request.method == "POST") as answer:
        row.get_by_role("button", name="Update").click()
    assert answer.value.status == 200
    row.get_by_text("Saved: in progress").wait_for()
    assert page.evaluate("window.stillTheSamePage === true")
