"""The plan-quality audit pages: a sergeant samples plans and scores one beside the plan
and what the system can see in it; the officer reads the score and the feedback; the
list under the dashboard's filters shows exactly what the dashboard counts."""

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

from arms.choices import ActionType
from caseload.models import RSO
from mosovo.accounts.models import User
from mosovo.audit.choices import Action
from mosovo.audit.models import AuditEvent
from supervision import selectors
from supervision.choices import RUBRIC_FIELDS, AuditState
from supervision.models import PlanAudit
from tests.conftest import CANARY, CANARY_OTHER_FORCE, Casework, Personas, verified_login
from tests.factories import OfficerFactory, RSOFactory, SergeantFactory
from tests.supervision.audit_kit import audit_of, plan_for

pytestmark = pytest.mark.django_db

LIST = reverse("supervision:audit_list")
SAMPLE = reverse("supervision:audit_sample")
HOME = reverse("home")


def signed_in(user: User) -> Client:
    return verified_login(Client(), user)


def detail(audit: PlanAudit) -> str:
    return reverse("supervision:audit_detail", args=[audit.pk])


def seen(audit: PlanAudit) -> str:
    return reverse("supervision:audit_seen", args=[audit.pk])


def listed(body: str, table: str) -> list[int]:
    """Return the audit ids of one table of the list page, in order."""
    match = re.search(rf'<table[^>]*id="{table}".*?</table>', body, re.S)
    return [int(pk) for pk in re.findall(r'id="audit-(\d+)"', match.group(0))] if match else []


def case_plan(personas: Personas, *, team: Any = None, officer: Any = None, **plan: Any) -> Any:
    team = team or personas.team_a
    officer = officer or (personas.officer_a if team == personas.team_a else personas.officer_b)
    rso = RSOFactory.create(team=team, allocated_officer=officer)
    return plan_for(rso, by=personas.sergeant_a, **plan)


def ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def rubric(**scores: int) -> dict[str, Any]:
    data: dict[str, Any] = dict.fromkeys(RUBRIC_FIELDS, "2")
    data.update({k: str(v) for k, v in scores.items()})
    data["feedback"] = "Strong evidence. Add a SUPPORT action for employment."
    return data


# --- The list -----------------------------------------------------------------------------


def test_sergeant_sees_audits_waiting_oldest_first_and_completed_newest_first(personas: Personas) -> None:
    older = audit_of(case_plan(personas), sergeant=personas.sergeant_a)
    newer = audit_of(case_plan(personas), sergeant=personas.sergeant_a)
    PlanAudit.objects.filter(pk=older.pk).update(sampled_at=ago(5))
    done_long_ago = audit_of(case_plan(personas), sergeant=personas.sergeant_a, completed=True, completed_at=ago(90))
    done_lately = audit_of(case_plan(personas), sergeant=personas.sergeant_a, completed=True, score=1)

    response = signed_in(personas.sergeant_a).get(LIST)

    body = response.content.decode()
    assert "Waiting for your audit" in body
    assert "Sample plans for audit" in body
    assert listed(body, "waiting") == [older.pk, newer.pk]
    assert listed(body, "completed") == [done_lately.pk, done_long_ago.pk]
    assert "50%" in body
    assert personas.officer_a.display_name in body


def test_sampling_from_the_list_says_how_many_then_that_none_are_left(personas: Personas) -> None:
    case_plan(personas)
    case_plan(personas)
    client = signed_in(personas.sergeant_a)

    first = client.post(SAMPLE, follow=True)
    second = client.post(SAMPLE, follow=True)

    assert "Sampled 2 plans" in first.content.decode()
    assert len(listed(first.content.decode(), "waiting")) == 2
    assert "No plans left to sample" in second.content.decode()
    assert PlanAudit.objects.count() == 2


def test_only_sergeants_sample_and_sampling_is_never_a_get(personas: Personas) -> None:
    case_plan(personas)
    for user in (personas.officer_a, personas.inspector, personas.admin, personas.auditor):
        assert signed_in(user).post(SAMPLE).status_code == 404
    assert signed_in(personas.sergeant_a).get(SAMPLE).status_code == 405
    assert not PlanAudit.objects.exists()


def test_the_dashboards_filter_lists_exactly_the_officers_audits_completed_in_the_last_12_months(
    personas: Personas,
) -> None:
    colleague = OfficerFactory.create(team=personas.team_a)
    officer = personas.officer_a
    recent = audit_of(case_plan(personas), sergeant=personas.sergeant_a, completed=True, completed_at=ago(10))
    in_window = audit_of(case_plan(personas), sergeant=personas.sergeant_a, completed=True, completed_at=ago(300))
    audit_of(case_plan(personas), sergeant=personas.sergeant_a, completed=True, completed_at=ago(400))
    audit_of(case_plan(personas), sergeant=personas.sergeant_a)
    audit_of(case_plan(personas, officer=colleague), sergeant=personas.sergeant_a, completed=True)
    client = signed_in(personas.sergeant_a)

    body = client.get(f"{LIST}?officer={officer.pk}&state=COMPLETED").content.decode()
    with_months = client.get(f"{LIST}?officer={officer.pk}&state=COMPLETED&months=12").content.decode()
    everything = client.get(f"{LIST}?officer={officer.pk}&state=COMPLETED&months=all").content.decode()

    since = selectors.audit_completed_since(today=timezone.localdate())
    counted = PlanAudit.objects.filter(officer=officer, state=AuditState.COMPLETED, completed_at__gte=since).count()
    assert listed(body, "completed") == listed(with_months, "completed") == [recent.pk, in_window.pk]
    assert counted == 2
    assert "2 completed audits" in body
    assert "Completed in the last 12 months" in body
    assert 'id="waiting"' not in body
    assert len(listed(everything, "completed")) == 3


def test_the_window_starts_on_the_same_day_twelve_months_back() -> None:
    assert selectors.months_before(dt.date(2026, 1, 15), 12) == dt.date(2025, 1, 15)
    assert selectors.months_before(dt.date(2024, 2, 29), 12) == dt.date(2023, 2, 28)
    assert selectors.months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    since = selectors.audit_completed_since(today=dt.date(2026, 6, 15))
    assert timezone.localtime(since).date() == dt.date(2025, 6, 15)
    assert timezone.localtime(since).time() == dt.time(0, 0)


def test_the_waiting_filter_shows_only_audits_waiting(personas: Personas) -> None:
    waiting = audit_of(case_plan(personas), sergeant=personas.sergeant_a)
    audit_of(case_plan(personas), sergeant=personas.sergeant_a, completed=True)

    body = signed_in(personas.sergeant_a).get(f"{LIST}?state=SAMPLED").content.decode()

    assert listed(body, "waiting") == [waiting.pk]
    assert 'id="completed"' not in body


def test_officer_sees_only_their_own_completed_audits_and_whether_they_read_them(personas: Personas) -> None:
    colleague = OfficerFactory.create(team=personas.team_a)
    read = audit_of(case_plan(personas), sergeant=personas.sergeant_a, completed=True, seen_by_officer_at=ago(1))
    unread = audit_of(case_plan(personas), sergeant=personas.sergeant_a, completed=True, completed_at=ago(2))
    audit_of(case_plan(personas), sergeant=personas.sergeant_a)
    audit_of(case_plan(personas, officer=colleague), sergeant=personas.sergeant_a, completed=True)

    body = signed_in(personas.officer_a).get(LIST).content.decode()

    assert listed(body, "completed") == [read.pk, unread.pk]
    assert 'id="waiting"' not in body
    assert "Sample plans for audit" not in body
    assert body.count("Not read</strong>") == 1
    assert body.count(">Read</strong>") == 1


def test_inspector_sees_the_forces_audits_and_filters_by_team(personas: Personas, casework: Casework) -> None:
    a = audit_of(case_plan(personas), sergeant=personas.sergeant_a, completed=True)
    sergeant_b = SergeantFactory.create(team=personas.team_b)
    b = audit_of(plan_for(casework.rso_b, by=sergeant_b), sergeant=sergeant_b, completed=True)
    other = audit_of(plan_for(casework.rso_other_force, by=sergeant_b), sergeant=sergeant_b, completed=True)
    client = signed_in(personas.inspector)

    everything = client.get(LIST).content.decode()
    team_b = client.get(f"{LIST}?team={personas.team_b.pk}").content.decode()

    assert set(listed(everything, "completed")) == {a.pk, b.pk}
    assert other.pk not in listed(everything, "completed")
    assert CANARY_OTHER_FORCE not in everything
    assert listed(team_b, "completed") == [b.pk]
    assert "Sample plans for audit" not in everything


def test_team_a_never_sees_team_bs_audits_or_its_canary(personas: Personas, casework: Casework) -> None:
    sergeant_b = SergeantFactory.create(team=personas.team_b)
    b_waiting = audit_of(plan_for(casework.rso_b, by=sergeant_b), sergeant=sergeant_b)
    b_rso = RSOFactory.create(team=personas.team_b, allocated_officer=personas.officer_b)
    b_done = audit_of(plan_for(b_rso, by=sergeant_b), sergeant=sergeant_b, completed=True)

    for user in (personas.sergeant_a, personas.officer_a):
        body = signed_in(user).get(LIST).content.decode()
        assert CANARY not in body
        assert listed(body, "waiting") == []
        assert listed(body, "completed") == []
        assert signed_in(user).get(detail(b_waiting)).status_code == 404
        assert signed_in(user).get(detail(b_done)).status_code == 404
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, object_ids=[str(b_done.pk)]).exists()


def test_admins_and_auditors_have_no_audit_pages(personas: Personas) -> None:
    audit = audit_of(case_plan(personas), sergeant=personas.sergeant_a, completed=True)
    for user in (personas.admin, personas.auditor):
        client = signed_in(user)
        assert client.get(LIST).status_code == 404
        assert client.get(detail(audit)).status_code == 404


def test_the_list_is_recorded_as_one_consultation_of_the_cases_shown(personas: Personas) -> None:
    audits = [audit_of(case_plan(personas), sergeant=personas.sergeant_a) for _ in range(3)]

    signed_in(personas.sergeant_a).get(LIST)

    event = AuditEvent.objects.get(action=Action.CONSULTATION, path=LIST)
    assert sorted(event.rso_ids) == sorted(a.rso_id for a in audits)


def list_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", ["", "?state=COMPLETED", "?months=all"])
def test_the_list_takes_the_same_number_of_queries_for_2_and_20_audits(personas: Personas, query: str) -> None:
    colleague = OfficerFactory.create(team=personas.team_a)

    def add(count: int) -> None:
        for n in range(count):
            plan = case_plan(personas, officer=colleague if n % 2 else personas.officer_a)
            audit_of(plan, sergeant=personas.sergeant_a, completed=n % 3 != 1)

    add(2)
    sergeant, inspector = signed_in(personas.sergeant_a), signed_in(personas.inspector)
    officer = signed_in(personas.officer_a)
    few = [list_queries(c, LIST + query) for c in (sergeant, inspector, officer)]
    add(18)
    many = [list_queries(c, LIST + query) for c in (sergeant, inspector, officer)]
    # Queries (besides the session, the user and the audit event): the filter's officers
    # (and teams, for an inspector), the audits with case, officer, auditor and team, the
    # cases still in scope.
    assert few == many


# --- Scoring a plan -----------------------------------------------------------------------


def weak_plan(personas: Personas) -> Any:
    return case_plan(
        personas,
        ratings={"opportunity": ("HIGH", ""), "hostile_orientation": ("HIGH", "Threatened staff at the hostel.")},
        actions=[
            {"factor": "hostile_orientation", "action_type": ActionType.CONTROL, "due_on": None, "shareable": False},
            {"factor": "opportunity", "action_type": ActionType.MONITOR, "description": "Check the school route."},
        ],
        contingencies="",
    )


def test_sergeant_sees_the_plan_beside_the_rubric_with_what_the_system_can_see(personas: Personas) -> None:
    audit = audit_of(weak_plan(personas), sergeant=personas.sergeant_a)

    response = signed_in(personas.sergeant_a).get(detail(audit))

    body = response.content.decode()
    assert response.status_code == 200
    # The plan as the sergeant judges it.
    assert "Threatened staff at the hostel." in body
    assert "No evidence written" in body
    assert "Check the school route." in body
    assert "No due date" in body
    assert 'id="risk-factors"' in body
    assert 'id="protective-factors"' in body
    assert "Every 6 months" in body
    # The rubric, each criterion a radio group of met / partly met / not met, with help.
    for field in RUBRIC_FIELDS:
        assert f'name="{field}" type="radio" value="2"' in body
    assert "Partly met" in body
    assert "Each risk factor rated HIGH has at least one plan action tied to it." in body
    # What the system can see, per criterion.
    assert "HIGH risk factor &#x27;Opportunity&#x27; has no action." not in body
    assert "1 of 12 rated factors has no evidence" in body
    assert "No SUPPORT actions." in body
    assert "Contingencies empty." in body
    assert "1 action has no due date." in body
    assert "1 of 2 actions marked shareable." in body
    event = AuditEvent.objects.get(action=Action.CONSULTATION, path=detail(audit))
    assert event.rso_ids == [audit.rso_id]


def test_a_high_risk_factor_without_an_action_is_named(personas: Personas) -> None:
    plan = case_plan(personas, ratings={"opportunity": ("HIGH", "Lives by a school.")}, actions=[])
    audit = audit_of(plan, sergeant=personas.sergeant_a)

    body = signed_in(personas.sergeant_a).get(detail(audit)).content.decode()

    assert "HIGH risk factor &#x27;Opportunity&#x27; has no action." in body
    assert "The plan has no actions." in body


def test_scoring_with_a_criterion_missing_shows_the_errors_and_saves_nothing(personas: Personas) -> None:
    audit = audit_of(weak_plan(personas), sergeant=personas.sergeant_a)
    data = rubric()
    del data["support_actions_score"]
    data["feedback"] = ""

    response = signed_in(personas.sergeant_a).post(detail(audit), data)

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Choose whether “Protective factors have SUPPORT actions” is met, partly met or not met" in body
    assert 'href="#id_support_actions_score_0"' in body
    assert "Write feedback for the officer" in body
    audit.refresh_from_db()
    assert (audit.state, audit.score, audit.evidence_score) == (AuditState.SAMPLED, None, None)


def test_completing_the_audit_shows_the_scores_the_percentage_and_the_feedback(personas: Personas) -> None:
    audit = audit_of(weak_plan(personas), sergeant=personas.sergeant_a)
    client = signed_in(personas.sergeant_a)

    response = client.post(detail(audit), rubric(high_risk_actions_score=0, contingencies_score=0, evidence_score=1))

    assert response.status_code == 302
    audit.refresh_from_db()
    assert (audit.state, audit.score, audit.high_risk_actions_score) == (AuditState.COMPLETED, 58, 0)
    body = client.get(detail(audit)).content.decode()
    assert "58%" in body
    assert "7 of 12 points" in body
    assert "Add a SUPPORT action for employment." in body
    assert body.count("Not met</strong>") == 2
    assert body.count("Partly met</strong>") == 1
    assert 'type="radio"' not in body
    # Scoring again is refused, and changes nothing.
    client.post(detail(audit), rubric(evidence_score=0))
    audit.refresh_from_db()
    assert audit.score == 58


def test_only_the_teams_sergeant_may_score_and_only_by_post(personas: Personas) -> None:
    audit = audit_of(case_plan(personas), sergeant=personas.sergeant_a)
    assert signed_in(personas.inspector).post(detail(audit), rubric()).status_code == 404
    assert signed_in(SergeantFactory.create(team=personas.team_b)).post(detail(audit), rubric()).status_code == 404
    assert signed_in(personas.officer_a).post(detail(audit), rubric()).status_code == 404
    audit.refresh_from_db()
    assert audit.state == AuditState.SAMPLED
    inspector_body = signed_in(personas.inspector).get(detail(audit)).content.decode()
    assert "waiting for the team sergeant" in inspector_body
    assert 'type="radio"' not in inspector_body


def test_a_case_moved_to_another_team_is_not_shown_or_audited_by_the_old_team(personas: Personas) -> None:
    audit = audit_of(weak_plan(personas), sergeant=personas.sergeant_a)
    RSO.objects.filter(pk=audit.rso_id).update(team=personas.team_b, allocated_officer=None)
    client = signed_in(personas.sergeant_a)

    body = client.get(detail(audit)).content.decode()

    assert "moved to another team" in body
    assert "Threatened staff at the hostel." not in body
    assert audit.rso.family_name not in body
    assert client.post(detail(audit), rubric()).status_code == 404


# --- The officer reads the feedback -------------------------------------------------------


def test_officer_reads_their_feedback_and_marks_it_read_which_clears_their_home_page(personas: Personas) -> None:
    audit = audit_of(case_plan(personas), sergeant=personas.sergeant_a, completed=True)
    client = signed_in(personas.officer_a)

    home = client.get(HOME).content.decode()
    page = client.get(detail(audit)).content.decode()
    audit.refresh_from_db()

    assert "Plan audit feedback" in home
    assert detail(audit) in home
    assert "Add a SUPPORT action for employment." not in home
    assert "100%" in page
    assert "Good evidence; add support for employment." in page
    assert "I have read this feedback" in page
    assert audit.seen_by_officer_at is None  # reading is not a GET's side effect

    response = client.post(seen(audit), follow=True)

    audit.refresh_from_db()
    assert audit.seen_by_officer_at is not None
    assert "You marked this feedback as read" in response.content.decode()
    assert "Plan audit feedback" not in client.get(HOME).content.decode()


def test_officer_cannot_open_a_waiting_audit_or_a_colleagues(personas: Personas) -> None:
    colleague = OfficerFactory.create(team=personas.team_a)
    waiting = audit_of(case_plan(personas), sergeant=personas.sergeant_a)
    theirs = audit_of(case_plan(personas, officer=colleague), sergeant=personas.sergeant_a, completed=True)
    client = signed_in(personas.officer_a)

    assert client.get(detail(waiting)).status_code == 404
    assert client.get(detail(theirs)).status_code == 404
    assert client.post(seen(theirs)).status_code == 404
    assert signed_in(personas.officer_b).get(detail(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.seen_by_officer_at is None


def test_the_sergeant_sees_whether_the_officer_has_read_it_but_cannot_mark_it(personas: Personas) -> None:
    audit = audit_of(case_plan(personas), sergeant=personas.sergeant_a, completed=True)
    client = signed_in(personas.sergeant_a)

    assert "has not yet marked this feedback as read" in client.get(detail(audit)).content.decode()
    assert client.post(seen(audit)).status_code == 404
    assert signed_in(personas.inspector).post(seen(audit)).status_code == 404
    audit.refresh_from_db()
    assert audit.seen_by_officer_at is None


def test_a_filter_outside_the_team_is_refused_with_a_message_not_an_error(personas: Personas) -> None:
    audit_of(case_plan(personas), sergeant=personas.sergeant_a, completed=True)

    response = signed_in(personas.sergeant_a).get(f"{LIST}?officer={personas.officer_b.pk}&months=7")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose an officer from the list" in body
    assert "Choose a period from the list" in body
