"""The supervision journey in the browser (issue 8 item 7), on a tablet (768 px wide).

The sergeant of team A opens the team dashboard: plan quality comes first, one officer
is over the 20% line under an override, another has two overdue home visits (one of them
escalated). The overdue-visits figure opens "Team tasks" filtered to exactly those two.
In the approvals queue the sergeant approves a submitted ARMS assessment in place (htmx:
the row turns into the outcome without a page load, and is gone on reload) and returns a
plan with comments (an empty comment is refused first). The sergeant records a
supervision session with the officer (a case discussed, wellbeing, reflection, one agreed
action); the officer finds the action in "My tasks", the record on their home page, and
acknowledges it. The sergeant samples plans for audit, submits the rubric with a criterion
missing (refused, nothing saved), then completes it with feedback; the officer reads the
score and the feedback and marks it read. Last, the sergeant exports the team caseload as
CSV from the dashboard, after saying who receives it and why. Every page passes axe
(WCAG 2.2 AA) and none scrolls sideways at 768 px.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from arms.choices import Status as ArmsStatus
from arms.models import Assessment, Plan
from caseload import services as caseload_services
from caseload.choices import DeadlineKind, DeadlineState, RiskLevel
from caseload.models import RSO, Deadline
from mosovo.accounts.models import User
from supervision.choices import RUBRIC, AuditState
from supervision.models import PlanAudit, SupervisionSession
from supervision.selectors import CASELOAD_CSV_COLUMNS
from tests.browser.test_arms_journey import new_page, no_problem, sign_in
from tests.browser.test_tasks_journey import TABLET, fits, nav_link, section, short
from tests.conftest import Personas
from tests.factories import OfficerFactory, RSOFactory
from tests.supervision.audit_kit import plan_for
from tests.supervision.dashboard_kit import over_the_line, submitted_assessment, submitted_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WELLBEING = "Sleeping badly after the Pengelly case; offered the welfare service, which she will call this week."
REFLECTION = "The plan for Tregenza leans on control; she will add a support action for his employment."
ACTION = "Add a SUPPORT action for employment to the Tregenza plan"
RETURN_COMMENTS = "Tie the support action to a protective factor and give it a due date."
FEEDBACK = "Evidence is clear for every factor. Contingencies are thin: say who to call out of hours."
MISSING = "Contingencies are present"  # the criterion left out on the first try


@dataclass
class Scene:
    """Team A as the sergeant finds it (see ``scene``)."""

    officer: User
    over: User
    late_visits: list[RSO]
    assessment: Assessment
    plan: Plan
    audited: RSO


def scene(personas: Personas) -> Scene:
    team, officer, sergeant = personas.team_a, personas.officer_a, personas.sergeant_a
    today = timezone.localdate()

    # Officer A: two cases whose home visits are late (3 days: overdue; 10: escalated), a
    # case with an ARMS assessment waiting for approval, one with a plan waiting, and one
    # with an approved plan nobody has audited (the only plan the audit draw can pick).
    late_visits = [
        RSOFactory.create(team=team, allocated_officer=officer, family_name="Tregenza", given_names="Mark"),
        RSOFactory.create(team=team, allocated_officer=officer, family_name="Pengelly", given_names="Jory"),
    ]
    RSO.objects.filter(pk=late_visits[0].pk).update(next_visit_due_on=today - dt.timedelta(days=3))
    RSO.objects.filter(pk=late_visits[1].pk).update(next_visit_due_on=today - dt.timedelta(days=10))
    assessed = RSOFactory.create(
        team=team, allocated_officer=officer, family_name="Trelawny", given_names="Ned", risk_level=RiskLevel.MEDIUM
    )
    assessment = submitted_assessment(assessed, officer=officer)
    planned = RSOFactory.create(
        team=team, allocated_officer=officer, family_name="Polglase", given_names="Tom", risk_level=RiskLevel.MEDIUM
    )
    plan = submitted_plan(planned, officer=officer, sergeant=sergeant)
    audited = RSOFactory.create(
        team=team, allocated_officer=officer, family_name="Chenoweth", given_names="Alan", risk_level=RiskLevel.HIGH
    )
    plan_for(audited, by=officer)

    # Another officer, put over the 20% line by the sergeant's override: 1 of 2 high.
    over = OfficerFactory.create(team=team, first_name="Kerensa", last_name="Overton")
    over_cases = [RSOFactory.create(team=team, allocated_officer=over, risk_level=RiskLevel.LOW) for _ in range(2)]
    over_the_line(over, over_cases[0], sergeant=sergeant)

    # The night's sweep makes the late visits overdue tasks.
    caseload_services.deadlines_sweep()
    states = set(Deadline.objects.filter(rso__in=late_visits, kind=DeadlineKind.VISIT).values_list("state", flat=True))
    assert states == {DeadlineState.OVERDUE, DeadlineState.ESCALATED}
    return Scene(officer=officer, over=over, late_visits=late_visits, assessment=assessment, plan=plan, audited=audited)


def htmx_swap(page: Any, click: Any, url_part: str) -> None:
    """Click something that posts with htmx, wait for the answer, and check the browser
    stayed on the same page (a full load would lose the marker)."""
    page.evaluate("window.stillTheSamePage = true")
    url = page.url
    with page.expect_response(lambda r: url_part in r.url and r.request.method == "POST") as answer:
        click()
    assert answer.value.status == 200
    assert answer.value.request.headers.get("hx-request") == "true"
    page.wait_for_load_state()
    assert page.url == url
    assert page.evaluate("window.stillTheSamePage === true")


def date_boxes(group: Any, day: dt.date) -> None:
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def link_name(visible: str, hidden: str) -> re.Pattern[str]:
    """A link's accessible name: its text and the visually hidden context after it
    (Chromium puts a space between the two, the hidden text being positioned)."""
    return re.compile(rf"^{re.escape(visible)}\s?{re.escape(hidden)}$")


def criterion(page: Any, question: str) -> Any:
    """The rubric's radio group for one criterion (its legend is "<n>. <question>")."""
    return page.get_by_role("group", name=re.compile(rf"^\d\. {re.escape(question)}$"))


def test_sergeant_supervises_a_team_from_the_dashboard_on_a_tablet(
    browser: Any, live_server: Any, personas: Personas, tmp_path: Path
) -> None:
    base = live_server.url
    s = scene(personas)
    today = timezone.localdate()
    team = personas.team_a
    name = s.officer.display_name
    sergeant = new_page(browser, width=TABLET)

    # --- 1. The dashboard: plan quality first, who is over the line, who is behind --------
    sign_in(sergeant, base, personas.sergeant_a)
    fits(sergeant)
    nav_link(sergeant, "Dashboard").click()
    sergeant.wait_for_url(f"{base}/supervision/")
    fits(sergeant)
    assert sergeant.get_by_role("heading", level=1).inner_text() == f"Team dashboard: {team.name}"
    assert sergeant.locator("main h2").first.inner_text() == "Plan quality"
    assert sergeant.locator("#team-plan-quality").inner_text() == "No audits yet"
    over_row = sergeant.locator(f"#officer-{s.over.pk}")
    assert "Over 20%" in over_row.inner_text()
    assert f"{s.over.display_name}: 1 of 2 cases high risk (50%)" in sergeant.inner_text("#glance-over-line")
    assert "Over 20%" not in sergeant.locator(f"#officer-{s.officer.pk}").inner_text()
    assert f"{name}: 2 visits" in sergeant.inner_text("#glance-behind")

    # --- 2. The overdue-visits figure opens the team's tasks, filtered to exactly those -----
    figure = sergeant.locator(f"#officer-{s.officer.pk}").get_by_role(
        "link", name=f"2 overdue home visits for {name}", exact=True
    )
    assert figure.get_attribute("data-count") == "2"
    figure.click()
    sergeant.wait_for_url(re.compile(rf"^{re.escape(base)}/caseload/tasks/team/\?"))
    fits(sergeant)
    assert f"tasks of {name}" in sergeant.inner_text("#tasks-filters")
    rows = sergeant.locator("main tbody tr")
    assert rows.count() == 2
    listed = sergeant.inner_text("main")
    for rso in s.late_visits:
        assert rso.visor_reference in listed
    assert s.late_visits[1].visor_reference in section(sergeant, "tasks-escalated").inner_text()
    assert s.late_visits[0].visor_reference in section(sergeant, "tasks-overdue").inner_text()

    # --- 3. The approvals queue: approve an assessment in place, return a plan -------------
    nav_link(sergeant, "Approvals").click()
    sergeant.wait_for_url(f"{base}/supervision/approvals/")
    fits(sergeant)
    assessment_row = sergeant.locator(f"#approval-assessment-{s.assessment.pk}")
    assert "TRELAWNY, Ned" in assessment_row.inner_text()
    htmx_swap(
        sergeant,
        lambda: assessment_row.get_by_role("button", name=re.compile(r"^Approve")).click(),
        f"/approvals/assessments/{s.assessment.pk}/",
    )
    assessment_row.get_by_text("Approved: the risk level is medium").wait_for()
    assert assessment_row.get_by_role("button").count() == 0
    assert sergeant.text_content("#approvals-announcement") == (
        "ARMS assessment, TRELAWNY, Ned: Approved: the risk level is medium"
    )
    fits(sergeant)
    s.assessment.refresh_from_db()
    assert s.assessment.status == ArmsStatus.APPROVED

    plan_row = sergeant.locator(f"#approval-plan-{s.plan.pk}")
    plan_row.get_by_text("Return with comments").click()
    htmx_swap(
        sergeant,
        lambda: plan_row.get_by_role("button", name=re.compile(r"^Return")).click(),
        f"/approvals/plans/{s.plan.pk}/",
    )
    plan_row.locator(f"#comments-plan-{s.plan.pk}-error").wait_for()
    assert "Say what needs to change" in plan_row.inner_text()
    assert plan_row.get_by_label("What needs to change").get_attribute("aria-describedby") == (
        f"comments-plan-{s.plan.pk}-error"
    )
    fits(sergeant)
    s.plan.refresh_from_db()
    assert s.plan.status == ArmsStatus.SUBMITTED
    plan_row.get_by_label("What needs to change").fill(RETURN_COMMENTS)
    htmx_swap(
        sergeant,
        lambda: plan_row.get_by_role("button", name=re.compile(r"^Return")).click(),
        f"/approvals/plans/{s.plan.pk}/",
    )
    plan_row.get_by_text(f"Returned to {name} with your comments").wait_for()
    fits(sergeant)
    s.plan.refresh_from_db()
    assert s.plan.status == ArmsStatus.RETURNED

    sergeant.reload()
    fits(sergeant)
    assert sergeant.locator(f"#approval-assessment-{s.assessment.pk}").count() == 0
    assert sergeant.locator(f"#approval-plan-{s.plan.pk}").count() == 0
    assert s.over.display_name in sergeant.inner_text("#approvals")  # the override still waits

    # --- 4. A supervision session with the officer ------------------------------------------
    nav_link(sergeant, "Supervision").click()
    sergeant.wait_for_url(f"{base}/supervision/sessions/")
    fits(sergeant)
    sergeant.get_by_role("button", name="Record a supervision session").click()
    sergeant.wait_for_url(f"{base}/supervision/sessions/new/")
    fits(sergeant)
    sergeant.get_by_label("Officer").select_option(label=name)
    case = sergeant.get_by_label(f"TREGENZA, Mark ({s.late_visits[0].visor_reference})")
    case.wait_for()
    date_boxes(sergeant.get_by_role("group", name="Date held"), today)
    case.check()
    sergeant.get_by_label("Wellbeing check done").check()
    sergeant.get_by_label("Wellbeing notes (private)").fill(WELLBEING)
    sergeant.get_by_label("Reflective notes").fill(REFLECTION)
    first_action = sergeant.get_by_role("group", name="Action 1", exact=True)
    first_action.get_by_label("Action", exact=True).fill(ACTION)
    due = today + dt.timedelta(days=21)
    date_boxes(first_action.get_by_role("group", name="Due date"), due)
    first_action.get_by_label("Case (optional)").select_option(str(s.late_visits[0].pk))
    fits(sergeant)
    sergeant.get_by_role("button", name="Save the session").click()
    session = SupervisionSession.objects.get()
    sergeant.wait_for_url(f"{base}/supervision/sessions/{session.pk}/")
    no_problem(sergeant)
    fits(sergeant)
    page_text = sergeant.inner_text("main")
    assert f"Supervision session with {name} recorded, with 1 agreed action in their tasks." in page_text
    assert sergeant.get_by_role("heading", level=1).inner_text() == f"{name}, {today:%-d %B %Y}"
    assert "TREGENZA, Mark" in page_text
    assert WELLBEING in sergeant.inner_text("#wellbeing-notes")
    assert REFLECTION in page_text
    (action,) = session.actions.all()
    action_row = sergeant.locator(f"#action-{action.pk}").inner_text()
    assert ACTION in action_row
    assert short(due) in action_row
    assert "Open" in action_row
    assert "Not yet acknowledged" in sergeant.inner_text("#acknowledged")

    # The officer: the action is in "My tasks", the record on the home page to acknowledge.
    officer = new_page(browser, width=TABLET)
    sign_in(officer, base, s.officer)
    fits(officer)
    nav_link(officer, "My tasks").click()
    officer.wait_for_url(f"{base}/caseload/tasks/")
    fits(officer)
    task = section(officer, "tasks-upcoming").locator("tbody tr", has_text="Action agreed in supervision")
    assert task.count() == 1
    assert short(due) in task.inner_text()
    assert task.get_by_role("link", name=re.compile(r"^Open the supervision record")).get_attribute("href") == (
        f"/supervision/sessions/{session.pk}/#action-{action.pk}"
    )
    nav_link(officer, "Home").click()
    officer.wait_for_url(f"{base}/")
    fits(officer)
    home = officer.locator("#supervision-home")
    assert ACTION in home.inner_text()
    home.get_by_role("link", name=f"Session of {today:%-d %B %Y}").click()
    officer.wait_for_url(f"{base}/supervision/sessions/{session.pk}/")
    fits(officer)
    assert WELLBEING in officer.inner_text("#wellbeing-notes")  # the officer may read it
    officer.get_by_role("button", name="I have read this record").click()
    officer.wait_for_url(f"{base}/supervision/sessions/{session.pk}/")
    officer.get_by_text("You have acknowledged the supervision record.").wait_for()
    fits(officer)
    assert officer.inner_text("#acknowledged").startswith("Acknowledged on")
    assert officer.get_by_role("button", name="I have read this record").count() == 0
    session.refresh_from_db()
    assert session.acknowledged_at is not None

    # --- 5. Sample plans for audit, score one (a criterion missing first) ------------------
    nav_link(sergeant, "Dashboard").click()
    sergeant.wait_for_url(f"{base}/supervision/")
    fits(sergeant)
    sergeant.locator("#dashboard-actions").get_by_role("link", name="Plan audits").click()
    sergeant.wait_for_url(re.compile(rf"^{re.escape(base)}/supervision/audits/"))
    fits(sergeant)
    assert "No plans are waiting for an audit." in sergeant.inner_text("#waiting-empty")
    sergeant.get_by_role("button", name="Sample plans for audit").click()
    sergeant.wait_for_url(f"{base}/supervision/audits/")
    sergeant.get_by_text("Sampled 1 plan").wait_for()
    fits(sergeant)
    audit = PlanAudit.objects.get()
    assert audit.rso_id == s.audited.pk
    waiting = sergeant.locator("#waiting tbody tr")
    assert waiting.count() == 1
    waiting.get_by_role("link", name=link_name("CHENOWETH, Alan", ": audit the plan")).click()
    sergeant.wait_for_url(f"{base}/supervision/audits/{audit.pk}/")
    fits(sergeant)
    for _, question, _ in RUBRIC:
        if question != MISSING:
            criterion(sergeant, question).get_by_label("Met", exact=True).check()
    sergeant.get_by_label("Feedback for the officer").fill(FEEDBACK)
    sergeant.get_by_role("button", name="Complete the audit").click()
    summary = sergeant.locator(".govuk-error-summary")
    summary.wait_for()
    assert "There is a problem" in summary.inner_text()
    assert f"Choose whether “{MISSING}” is met, partly met or not met" in summary.inner_text()
    fits(sergeant)
    audit.refresh_from_db()
    assert (audit.state, audit.score, audit.feedback) == (AuditState.SAMPLED, None, "")
    # What was typed is kept: only the missing criterion needs an answer.
    assert sergeant.get_by_label("Feedback for the officer").input_value() == FEEDBACK
    assert criterion(sergeant, RUBRIC[0][1]).get_by_label("Met", exact=True).is_checked()
    summary.get_by_role("link", name=re.compile(re.escape(MISSING))).click()
    criterion(sergeant, MISSING).get_by_label("Partly met", exact=True).check()
    sergeant.get_by_role("button", name="Complete the audit").click()
    sergeant.get_by_text("Audit completed: the officer can now read the score and your feedback").wait_for()
    no_problem(sergeant)
    fits(sergeant)
    audit.refresh_from_db()
    assert (audit.state, audit.score, audit.feedback) == (AuditState.COMPLETED, 92, FEEDBACK)  # 11 of 12 points
    assert sergeant.inner_text("#audit-score").startswith("92%")
    assert "The officer has not yet marked this feedback as read." in sergeant.inner_text("#audit-read")

    # The officer reads the score and the feedback from the home page and marks it read.
    nav_link(officer, "Home").click()
    officer.wait_for_url(f"{base}/")
    fits(officer)
    feedback_section = officer.locator("#audit-feedback")
    assert "92%" in feedback_section.inner_text()
    feedback_section.get_by_role("link", name=link_name("CHENOWETH, Alan", ": plan audit feedback")).click()
    officer.wait_for_url(f"{base}/supervision/audits/{audit.pk}/")
    fits(officer)
    assert officer.inner_text("#audit-score").startswith("92%")
    assert FEEDBACK in officer.inner_text("#audit-feedback")
    assert "Partly met" in officer.inner_text("#score-contingencies_score")
    officer.get_by_role("button", name="I have read this feedback").click()
    officer.wait_for_url(f"{base}/supervision/audits/{audit.pk}/")
    officer.get_by_text("Marked as read").wait_for()
    fits(officer)
    assert officer.inner_text("#audit-read").startswith("You marked this feedback as read on")
    audit.refresh_from_db()
    assert audit.seen_by_officer_at is not None
    officer.context.close()

    # --- 6. The team caseload as CSV, after saying who receives it and why -----------------
    nav_link(sergeant, "Dashboard").click()
    sergeant.wait_for_url(f"{base}/supervision/")
    fits(sergeant)
    assert sergeant.inner_text("#team-plan-quality") == "92%"  # the audit just completed
    sergeant.get_by_role("link", name="Export the team caseload (CSV)").click()
    sergeant.wait_for_url(re.compile(rf"^{re.escape(base)}/supervision/export/\?"))
    fits(sergeant)
    sergeant.get_by_label("Who will receive it").fill("Inspector Helen Marsh")
    sergeant.get_by_label("Why are you exporting the team's figures?").fill("Monthly caseload review.")
    with sergeant.expect_download() as download_info:
        sergeant.get_by_role("button", name="Download").click()
    download = download_info.value
    assert re.fullmatch(r"team-caseload-team-a-\d{8}-\d{4}\.csv", download.suggested_filename)
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    with target.open(encoding="utf-8", newline="") as handle:
        rows_read = list(csv.reader(handle))
    assert rows_read[0] == list(CASELOAD_CSV_COLUMNS)
    references = {row[0] for row in rows_read[1:]}
    assert s.late_visits[0].visor_reference in references
    assert s.audited.visor_reference in references
    sergeant.context.close()
