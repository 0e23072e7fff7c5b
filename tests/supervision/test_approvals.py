"""The sergeant's approvals queue (issue 8 item 2): everything waiting for the team's
sergeant in one list, oldest first, each item actionable in place (htmx swaps the row;
without JavaScript the same POST redirects back to the queue with a message)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from arms import services as arms
from arms.models import Assessment, Plan
from caseload.models import RSO, CapOverride, ReactiveRequest
from caseload.services import reactive_request_create, reactive_request_decide, rso_change_risk_level
from mosovo.accounts.models import BreakGlassGrant, User
from mosovo.audit.choices import Action
from mosovo.audit.models import AuditEvent
from supervision.selectors import approvals_count, approvals_queue
from tests.arms.kit import approved_assessment, fill_assessment
from tests.caseload.test_services_reactive_request import backdate_low_history
from tests.conftest import CANARY, Casework, Personas, verified_login
from tests.factories import OfficerFactory, RSOFactory, SergeantFactory
from visits import services as visit_services
from visits.models import Visit

pytestmark = pytest.mark.django_db

QUEUE = reverse("supervision:approvals")
HTMX = {"HX-Request": "true"}


# --- Making things that wait for the sergeant ---------------------------------------------


def submitted_assessment(rso: RSO, officer: User, level: str = "MEDIUM") -> Assessment:
    assessment = fill_assessment(arms.assessment_start(rso=rso, by=officer), by=officer, level=level)
    return arms.assessment_submit(assessment=assessment, version=assessment.version, by=officer)


def submitted_plan(rso: RSO, officer: User, sergeant: User, months: int | None = None, reason: str = "") -> Plan:
    if not Assessment.objects.filter(rso=rso, status="APPROVED").exists():
        approved_assessment(rso, officer=officer, sergeant=sergeant)
    plan = arms.plan_start(rso=rso, by=officer)
    factor = plan.assessment.catalogue.factors.first()
    assert factor is not None
    arms.plan_action_add(
        plan=plan,
        factor_id=factor.pk,
        action_type="SUPPORT",
        description="Weekly contact with the employment adviser.",
        agency="PROBATION",
        owner="PO Test",
        by=officer,
    )
    plan.refresh_from_db()
    plan = arms.plan_update(
        plan=plan,
        visit_interval_months=months or plan.visit_interval_months,
        visit_interval_reason=reason,
        contingencies="If he is seen near a school, call the duty sergeant.",
        version=plan.version,
        by=officer,
    )
    return arms.plan_submit(plan=plan, version=plan.version, by=officer)


def reactive_request(rso: RSO, officer: User) -> ReactiveRequest:
    backdate_low_history(rso)
    return reactive_request_create(rso=rso, reason="Low risk and settled for years.", by=officer)


def single_officer_visit(rso: RSO, officer: User) -> Visit:
    return visit_services.visit_plan(
        rso=rso,
        visit_type="SCHEDULED",
        planned_for=timezone.now() + dt.timedelta(days=3),
        lead_officer=officer,
        single_officer_reason="Partner on leave; the address has no known hazards.",
        by=officer,
    )


def override_for(officer: User, sergeant: User) -> CapOverride:
    """Raise a new case of the officer to HIGH over the 20% limit, with the sergeant's override."""
    rso = RSOFactory.create(team=officer.team, allocated_officer=officer, family_name="Overton")
    rso_change_risk_level(
        rso=rso, risk_level="HIGH", reason="New intelligence.", by=sergeant, override_reason="Nobody else can take it."
    )
    return CapOverride.objects.get(rso=rso)


def grant(user: User, rso: RSO) -> BreakGlassGrant:
    """Record a break-glass access by ``user`` to ``rso`` (as caseload's break-glass page does)."""
    return BreakGlassGrant.objects.create(
        user=user,
        object_type="caseload.rso",
        object_id=rso.pk,
        object_label=rso.visor_reference,
        team=rso.team,
        reason_code="COVERING",
        reason_text="Covering a colleague's caseload this week.",
        session_key_hash="0" * 64,
    )


@dataclass
class Queue:
    assessment: Assessment  # a risk level decrease, HIGH to MEDIUM
    plan: Plan  # a longer visit interval
    reactive: ReactiveRequest
    visit: Visit
    override: CapOverride
    grant: BreakGlassGrant

    def keys(self) -> list[str]:
        return [
            f"assessment-{self.assessment.pk}",
            f"plan-{self.plan.pk}",
            f"reactive-{self.reactive.pk}",
            f"visit-{self.visit.pk}",
            f"override-{self.override.pk}",
            f"break_glass-{self.grant.pk}",
        ]


@pytest.fixture
def queue(personas: Personas, casework: Casework) -> Queue:
    """One item of every kind for team A, each submitted at a known time."""
    officer, sergeant = personas.officer_a, personas.sergeant_a
    high = RSOFactory.create(team=personas.team_a, risk_level="HIGH", family_name="Highfield")
    settled = RSOFactory.create(team=personas.team_a, allocated_officer=officer, family_name="Settle")
    items = Queue(
        assessment=submitted_assessment(high, officer, level="MEDIUM"),
        plan=submitted_plan(casework.rso_a, officer, sergeant, months=12, reason="Stable, working full time."),
        reactive=reactive_request(settled, officer),
        visit=single_officer_visit(casework.rso_a, officer),
        override=override_for(officer, sergeant),
        grant=grant(personas.officer_b, casework.rso_a),
    )
    # Submitted in this order, oldest first (not the order they were made in).
    now = timezone.now()
    at = {key: now - dt.timedelta(hours=10 - n) for n, key in enumerate(["plan", "grant", "visit", "assessment"])}
    at |= {"override": now - dt.timedelta(hours=3), "reactive": now - dt.timedelta(hours=1)}
    Assessment.objects.filter(pk=items.assessment.pk).update(submitted_at=at["assessment"])
    Plan.objects.filter(pk=items.plan.pk).update(submitted_at=at["plan"])
    ReactiveRequest.objects.filter(pk=items.reactive.pk).update(requested_at=at["reactive"])
    Visit.objects.filter(pk=items.visit.pk).update(created_at=at["visit"])
    CapOverride.objects.filter(pk=items.override.pk).update(created_at=at["override"])
    BreakGlassGrant.objects.filter(pk=items.grant.pk).update(created_at=at["grant"])
    return items


def row_keys(page: str) -> list[str]:
    return re.findall(r'<tr class="govuk-table__row" id="approval-([a-z_]+-\d+)"', page)


def sergeant(client_for: Any, personas: Personas) -> Client:
    return client_for(personas.sergeant_a)  # type: ignore[no-any-return]


def page_of(client: Client, query: str = "") -> str:
    response = client.get(QUEUE + query)
    assert response.status_code == 200
    return response.content.decode()


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- The list -----------------------------------------------------------------------------


def test_every_kind_waits_in_one_list_oldest_first(personas: Personas, queue: Queue, client_for: Any) -> None:
    page = page_of(sergeant(client_for, personas))
    assert row_keys(page) == [
        f"plan-{queue.plan.pk}",
        f"break_glass-{queue.grant.pk}",
        f"visit-{queue.visit.pk}",
        f"assessment-{queue.assessment.pk}",
        f"override-{queue.override.pk}",
        f"reactive-{queue.reactive.pk}",
    ]
    assert "6 items waiting, oldest first" in page
    assert "Risk level decrease: High to Medium" in page
    assert "Longer visit interval: every 12 months (policy 6)" in page
    assert "Stable, working full time." in page  # the reason for the longer interval
    assert "Move to reactive management" in page
    assert "Single-officer visit: " in page
    assert "20% override: " in page
    assert f"Record opened from outside the team by {personas.officer_b.display_name}" in page
    assert reverse("arms:assessment_review", args=[queue.assessment.pk]) in page
    assert reverse("arms:plan_review", args=[queue.plan.pk]) in page
    assert reverse("visits:visit_detail", args=[queue.visit.pk]) in page
    assert "csrfmiddlewaretoken" in page


def test_a_plan_at_the_policy_interval_and_a_rise_are_labelled_plainly(
    personas: Personas, casework: Casework, client_for: Any
) -> None:
    plan = submitted_plan(casework.rso_a, personas.officer_a, personas.sergeant_a)
    other = RSOFactory.create(team=personas.team_a, family_name="Rise")
    assessment = submitted_assessment(other, personas.officer_a, level="MEDIUM")  # LOW to MEDIUM
    page = page_of(sergeant(client_for, personas))
    assert f"Risk management plan, version {plan.number}" in page
    assert "Longer visit interval" not in page
    assert "Risk level decrease" not in page
    assert "Proposed risk level medium (now low)." in page
    assert f"assessment-{assessment.pk}" in row_keys(page)


def test_nothing_waiting_says_so(personas: Personas, casework: Casework, client_for: Any) -> None:
    page = page_of(sergeant(client_for, personas))
    assert "Nothing is waiting." in page
    assert row_keys(page) == []


def test_the_page_records_one_consultation_with_every_rso_shown(
    personas: Personas, queue: Queue, casework: Casework, client_for: Any
) -> None:
    client = sergeant(client_for, personas)
    before = AuditEvent.objects.filter(action=Action.CONSULTATION).count()
    page_of(client)
    events = AuditEvent.objects.filter(action=Action.CONSULTATION).order_by("-id")
    assert events.count() == before + 1
    event = events.first()
    assert event is not None
    shown = {queue.assessment.rso_id, queue.plan.rso_id, queue.reactive.rso_id, queue.visit.rso_id}
    shown |= {queue.override.rso_id, queue.grant.object_id}  # type: ignore[arg-type]
    assert set(event.rso_ids) == shown
    assert set(event.object_ids) == set(queue.keys())


# --- Filters --------------------------------------------------------------------------------


def test_the_dashboards_drafts_link_shows_exactly_that_officers_submissions(
    personas: Personas, queue: Queue, client_for: Any
) -> None:
    colleague = OfficerFactory.create(team=personas.team_a, username="colleague_a")
    theirs = submitted_assessment(RSOFactory.create(team=personas.team_a), colleague, level="LOW")
    keys = row_keys(page_of(sergeant(client_for, personas), f"?officer={personas.officer_a.pk}&kind=arms"))
    assert keys == [f"plan-{queue.plan.pk}", f"assessment-{queue.assessment.pk}"]
    keys = row_keys(page_of(sergeant(client_for, personas), f"?officer={colleague.pk}&kind=arms"))
    assert keys == [f"assessment-{theirs.pk}"]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("arms", ["plan", "assessment"]),
        ("reactive", ["reactive"]),
        ("visit", ["visit"]),
        ("override", ["override"]),
        ("break_glass", ["grant"]),
    ],
)
def test_the_kind_filter_keeps_one_kind(
    personas: Personas, queue: Queue, client_for: Any, kind: str, expected: list[str]
) -> None:
    keys = row_keys(page_of(sergeant(client_for, personas), f"?kind={kind}"))
    wanted = {
        "plan": f"plan-{queue.plan.pk}",
        "assessment": f"assessment-{queue.assessment.pk}",
        "reactive": f"reactive-{queue.reactive.pk}",
        "visit": f"visit-{queue.visit.pk}",
        "override": f"override-{queue.override.pk}",
        "grant": f"break_glass-{queue.grant.pk}",
    }
    assert keys == [wanted[name] for name in expected]


def test_the_officer_filter_keeps_what_is_by_or_about_them(personas: Personas, queue: Queue, client_for: Any) -> None:
    client = sergeant(client_for, personas)
    # officer_a submitted, asked, leads the visit and is over the rule; officer_b opened the record.
    assert set(row_keys(page_of(client, f"?officer={personas.officer_a.pk}"))) == set(queue.keys()) - {
        f"break_glass-{queue.grant.pk}"
    }
    assert row_keys(page_of(client, f"?officer={personas.officer_b.pk}")) == [f"break_glass-{queue.grant.pk}"]
    page = page_of(client, f"?officer={personas.sergeant_a.pk}")
    assert "Nothing is waiting that matches the filters." in page


def test_nonsense_filters_are_ignored(personas: Personas, queue: Queue, client_for: Any) -> None:
    assert len(row_keys(page_of(sergeant(client_for, personas), "?officer=abc&kind=everything"))) == 6


# --- Scope and roles --------------------------------------------------------------------------


@pytest.fixture
def team_b_queue(personas: Personas, casework: Casework) -> list[str]:
    """One item of every kind for team B (whose records carry the canary)."""
    sergeant_b = SergeantFactory.create(team=personas.team_b, username="sergeant_b")
    rso_b = casework.rso_b
    other_b = RSOFactory.create(team=personas.team_b, family_name=f"Lowe{CANARY}", allocated_officer=personas.officer_b)
    plan_rso = RSOFactory.create(team=personas.team_b, family_name=f"Planner{CANARY}")
    return [
        f"assessment-{submitted_assessment(rso_b, personas.officer_b).pk}",
        f"plan-{submitted_plan(plan_rso, personas.officer_b, sergeant_b).pk}",
        f"reactive-{reactive_request(other_b, personas.officer_b).pk}",
        f"visit-{single_officer_visit(rso_b, personas.officer_b).pk}",
        f"override-{override_for(personas.officer_b, sergeant_b).pk}",
        f"break_glass-{grant(personas.officer_a, rso_b).pk}",
    ]


def test_another_teams_items_never_appear(
    personas: Personas, queue: Queue, team_b_queue: list[str], client_for: Any
) -> None:
    page = page_of(sergeant(client_for, personas))
    assert set(row_keys(page)) == set(queue.keys())
    assert CANARY not in page
    assert "VS-CANARY-B" not in page
    # Not even through the officer filter: officer_a opened team B's record.
    page = page_of(sergeant(client_for, personas), f"?officer={personas.officer_a.pk}&kind=break_glass")
    assert row_keys(page) == []
    assert "VS-CANARY-B" not in page


ACTION_URLS = {
    "assessment": "supervision:approval_assessment",
    "plan": "supervision:approval_plan",
    "reactive": "supervision:approval_reactive",
    "visit": "supervision:approval_visit",
    "override": "supervision:approval_override",
    "break_glass": "supervision:approval_break_glass",
}


def action_url(key: str) -> str:
    kind, pk = key.rsplit("-", 1)
    return reverse(ACTION_URLS[kind], args=[int(pk)])


def test_acting_on_another_teams_item_is_not_found(
    personas: Personas, team_b_queue: list[str], client_for: Any
) -> None:
    client = sergeant(client_for, personas)
    for key in team_b_queue:
        response = client.post(action_url(key), {"decision": "approve", "comments": "x"}, headers=HTMX)
        assert response.status_code == 404, key
        assert CANARY not in response.content.decode()
    assert Assessment.objects.filter(status="SUBMITTED").count() == 1
    assert ReactiveRequest.objects.filter(decision="").count() == 1
    assert BreakGlassGrant.objects.filter(acknowledged_at__isnull=True).count() == 1


@pytest.mark.parametrize("who", ["officer_a", "admin", "auditor"])
def test_other_roles_get_not_found(personas: Personas, queue: Queue, client_for: Any, who: str) -> None:
    client = client_for(getattr(personas, who))
    assert client.get(QUEUE).status_code == 404
    assert client.post(action_url(f"visit-{queue.visit.pk}"), {"decision": "approve"}).status_code == 404
    queue.visit.refresh_from_db()
    assert queue.visit.single_officer_approved_by_id is None


def test_an_inspector_reads_a_teams_queue_without_the_actions(
    personas: Personas, queue: Queue, team_b_queue: list[str], client_for: Any
) -> None:
    client = client_for(personas.inspector)
    page = page_of(client, f"?team={personas.team_a.pk}")
    assert set(row_keys(page)) == set(queue.keys())
    assert "the team's sergeant decides each item" in page
    assert '<form method="post"' not in page.split('id="approvals"')[1]  # no actions in the rows
    assert CANARY not in page
    assert set(row_keys(page_of(client, f"?team={personas.team_b.pk}"))) == set(team_b_queue)
    # The actions are the sergeant's.
    response = client.post(action_url(f"visit-{queue.visit.pk}"), {"decision": "approve"})
    assert response.status_code == 404


def test_an_inspector_cannot_pick_another_forces_team(personas: Personas, casework: Casework, client_for: Any) -> None:
    other_team = casework.rso_other_force.team
    assert client_for(personas.inspector).get(QUEUE + f"?team={other_team.pk}").status_code == 404


def test_a_sergeant_sees_only_their_own_team_whatever_the_team_parameter(
    personas: Personas, queue: Queue, team_b_queue: list[str], client_for: Any
) -> None:
    page = page_of(sergeant(client_for, personas), f"?team={personas.team_b.pk}")
    assert set(row_keys(page)) == set(queue.keys())
    assert CANARY not in page


# --- In-place actions -----------------------------------------------------------------------


def test_approving_an_assessment_in_place_replaces_the_row_and_it_leaves_the_list(
    personas: Personas, queue: Queue, client_for: Any
) -> None:
    client = sergeant(client_for, personas)
    key = f"assessment-{queue.assessment.pk}"
    response = client.post(action_url(key), {"decision": "approve"}, headers=HTMX)
    assert response.status_code == 200
    row = response.content.decode()
    assert row.lstrip().startswith(f'<tr class="govuk-table__row" id="approval-{key}"')
    assert "Approved: the risk level is medium" in row
    assert 'hx-swap-oob="innerHTML"' in row  # said aloud by the page's live region
    queue.assessment.refresh_from_db()
    assert queue.assessment.status == "APPROVED"
    assert RSO.objects.get(pk=queue.assessment.rso_id).risk_level == "MEDIUM"
    assert key not in row_keys(page_of(client))


def test_approving_a_plan_without_javascript_redirects_back_with_a_message(
    personas: Personas, queue: Queue, client_for: Any
) -> None:
    client = sergeant(client_for, personas)
    response = client.post(
        action_url(f"plan-{queue.plan.pk}"), {"decision": "approve", "officer": personas.officer_a.pk, "kind": "arms"}
    )
    assert response.status_code == 302
    assert response["Location"] == QUEUE + f"?officer={personas.officer_a.pk}&kind=arms"
    assert any("Approved: it is now the current plan" in m for m in messages_of(response))
    queue.plan.refresh_from_db()
    assert queue.plan.status == "APPROVED"
    assert f"plan-{queue.plan.pk}" not in row_keys(page_of(client))


def test_returning_without_comments_shows_the_error_and_the_row_stays_actionable(
    personas: Personas, queue: Queue, client_for: Any
) -> None:
    client = sergeant(client_for, personas)
    key = f"assessment-{queue.assessment.pk}"
    row = client.post(action_url(key), {"decision": "return", "comments": "  "}, headers=HTMX).content.decode()
    assert "Say what needs to change" in row
    assert "govuk-textarea--error" in row
    assert ">Approve<" in row  # still actionable
    plain = client.post(action_url(key), {"decision": "return", "comments": ""})
    assert plain.status_code == 302
    assert any("not done" in m and "Say what needs to change" in m for m in messages_of(plain))
    queue.assessment.refresh_from_db()
    assert queue.assessment.status == "SUBMITTED"
    assert key in row_keys(page_of(client))


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_returning_with_comments_sends_it_back(personas: Personas, queue: Queue, client_for: Any, htmx: bool) -> None:
    client = sergeant(client_for, personas)
    key = f"plan-{queue.plan.pk}"
    extra = HTMX if htmx else {}
    response = client.post(action_url(key), {"decision": "return", "comments": "Six months, please."}, headers=extra)
    assert response.status_code == (200 if htmx else 302)
    queue.plan.refresh_from_db()
    assert queue.plan.status == "RETURNED"
    assert queue.plan.reviews.get(decision="RETURNED").comments == "Six months, please."
    assert key not in row_keys(page_of(client))


def test_approving_a_reactive_move_puts_the_case_under_reactive_management(
    personas: Personas, queue: Queue, client_for: Any
) -> None:
    client = sergeant(client_for, personas)
    key = f"reactive-{queue.reactive.pk}"
    row = client.post(action_url(key), {"decision": "approve"}, headers=HTMX).content.decode()
    assert "Approved: the case is now under reactive management" in row
    assert RSO.objects.get(pk=queue.reactive.rso_id).management_model == "REACTIVE"
    assert key not in row_keys(page_of(client))


def test_declining_a_reactive_move_needs_a_note(personas: Personas, queue: Queue, client_for: Any) -> None:
    client = sergeant(client_for, personas)
    key = f"reactive-{queue.reactive.pk}"
    row = client.post(action_url(key), {"decision": "decline"}, headers=HTMX).content.decode()
    assert "Say why the request is declined" in row
    queue.reactive.refresh_from_db()
    assert queue.reactive.is_open
    response = client.post(action_url(key), {"decision": "decline", "comments": "Wait for the ARMS review."})
    assert response.status_code == 302
    queue.reactive.refresh_from_db()
    assert (queue.reactive.decision, queue.reactive.decision_note) == ("DECLINED", "Wait for the ARMS review.")
    assert RSO.objects.get(pk=queue.reactive.rso_id).management_model == "ACTIVE"
    assert key not in row_keys(page_of(client))


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_approving_a_single_officer_visit(personas: Personas, queue: Queue, client_for: Any, htmx: bool) -> None:
    client = sergeant(client_for, personas)
    key = f"visit-{queue.visit.pk}"
    response = client.post(action_url(key), {"decision": "approve"}, headers=HTMX if htmx else {})
    assert response.status_code == (200 if htmx else 302)
    queue.visit.refresh_from_db()
    assert queue.visit.single_officer_approved_by == personas.sergeant_a
    assert key not in row_keys(page_of(client))


def test_an_override_still_needed_is_not_resolved_and_says_why(
    personas: Personas, queue: Queue, client_for: Any
) -> None:
    client = sergeant(client_for, personas)
    key = f"override-{queue.override.pk}"
    row = client.post(action_url(key), {"decision": "resolve"}, headers=HTMX).content.decode()
    assert "still has 1 of 3 cases high risk" in row
    assert ">Resolve<" in row
    queue.override.refresh_from_db()
    assert queue.override.resolved_at is None

    # The case goes back down: the override is no longer needed.
    assert queue.override.rso is not None
    rso_change_risk_level(rso=queue.override.rso, risk_level="MEDIUM", reason="Reviewed.", by=personas.sergeant_a)
    response = client.post(action_url(key), {"decision": "resolve"})
    assert response.status_code == 302
    assert any("Resolved" in m for m in messages_of(response))
    queue.override.refresh_from_db()
    assert queue.override.resolved_by == personas.sergeant_a
    assert key not in row_keys(page_of(client))


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_acknowledging_a_break_glass_access(personas: Personas, queue: Queue, client_for: Any, htmx: bool) -> None:
    client = sergeant(client_for, personas)
    key = f"break_glass-{queue.grant.pk}"
    response = client.post(action_url(key), {"decision": "acknowledge"}, headers=HTMX if htmx else {})
    assert response.status_code == (200 if htmx else 302)
    queue.grant.refresh_from_db()
    assert queue.grant.acknowledged_by == personas.sergeant_a
    assert AuditEvent.objects.filter(
        object_type="accounts.breakglassgrant", action=Action.ALTERATION, object_ids=[str(queue.grant.pk)]
    ).exists()
    assert key not in row_keys(page_of(client))


def test_an_approval_over_the_20_percent_rule_is_refused_with_a_link_to_the_full_review(
    personas: Personas, casework: Casework, client_for: Any
) -> None:
    # officer_a's only case would go HIGH: 1 of 1 high risk.
    assessment = submitted_assessment(casework.rso_a, personas.officer_a, level="HIGH")
    client = sergeant(client_for, personas)
    row = client.post(action_url(f"assessment-{assessment.pk}"), {"decision": "approve"}, headers=HTMX).content.decode()
    assert "the limit is 20%" in row
    assert reverse("arms:assessment_review", args=[assessment.pk]) in row
    assert ">Approve<" in row
    assessment.refresh_from_db()
    assert assessment.status == "SUBMITTED"
    assert RSO.objects.get(pk=casework.rso_a.pk).risk_level == "LOW"


def test_an_item_someone_else_already_dealt_with_gets_a_clear_message(
    personas: Personas, queue: Queue, client_for: Any
) -> None:
    other_sergeant = SergeantFactory.create(team=personas.team_a, username="sergeant_a2")
    arms.assessment_approve(assessment=queue.assessment, by=other_sergeant)
    reactive_request_decide(request=queue.reactive, decision="DECLINED", note="Not yet.", by=other_sergeant)
    visit_services.visit_single_officer_approve(visit=queue.visit, by=other_sergeant)

    client = sergeant(client_for, personas)
    row = client.post(action_url(f"assessment-{queue.assessment.pk}"), {"decision": "approve"}, headers=HTMX)
    assert row.status_code == 200
    assert "Already dealt with: this assessment is approved." in row.content.decode()
    row = client.post(action_url(f"reactive-{queue.reactive.pk}"), {"decision": "approve"}, headers=HTMX)
    assert f"already declined by {other_sergeant.display_name}" in row.content.decode()
    plain = client.post(action_url(f"visit-{queue.visit.pk}"), {"decision": "approve"})
    assert plain.status_code == 302
    assert any(f"Already approved by {other_sergeant.display_name}" in m for m in messages_of(plain))
    assert RSO.objects.get(pk=queue.reactive.rso_id).management_model == "ACTIVE"


def test_the_sergeant_who_submitted_may_return_but_not_approve(
    personas: Personas, casework: Casework, client_for: Any
) -> None:
    assessment = submitted_assessment(casework.rso_a, personas.sergeant_a, level="LOW")
    page = page_of(sergeant(client_for, personas))
    assert "You submitted this assessment: another sergeant of the team approves it." in page
    row = sergeant(client_for, personas).post(
        action_url(f"assessment-{assessment.pk}"), {"decision": "approve"}, headers=HTMX
    )
    assert "another sergeant of the team must approve it" in row.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == "SUBMITTED"


def test_a_get_on_an_action_changes_nothing(personas: Personas, queue: Queue, client_for: Any) -> None:
    response = sergeant(client_for, personas).get(action_url(f"visit-{queue.visit.pk}"))
    assert response.status_code == 405
    queue.visit.refresh_from_db()
    assert queue.visit.single_officer_approved_by_id is None


# --- Navigation, home page --------------------------------------------------------------------


def test_the_sergeants_navigation_counts_what_waits(personas: Personas, queue: Queue, client_for: Any) -> None:
    page = client_for(personas.sergeant_a).get(reverse("home")).content.decode()
    assert re.search(
        r'href="/supervision/approvals/".*?moj-notification-badge">6<span class="govuk-visually-hidden"> waiting',
        page,
        re.S,
    )


def test_the_home_pages_arms_section_links_to_the_queue(personas: Personas, queue: Queue, client_for: Any) -> None:
    page = client_for(personas.sergeant_a).get(reverse("home")).content.decode()
    assert "Approve or return them in the approvals queue" in page


# --- Queries ------------------------------------------------------------------------------------


def more_items(personas: Personas, count: int) -> None:
    """Add ``count`` items of every kind but plans, cheaply (grants, visits, requests...)."""
    officer = personas.officer_a
    makers = [
        lambda: single_officer_visit(RSOFactory.create(team=personas.team_a), officer),
        lambda: grant(personas.officer_b, RSOFactory.create(team=personas.team_a)),
        lambda: reactive_request(RSOFactory.create(team=personas.team_a), officer),
        lambda: submitted_assessment(RSOFactory.create(team=personas.team_a), officer, level="LOW"),
    ]
    for n in range(count):
        makers[n % len(makers)]()


def test_the_queue_queries_do_not_grow_with_the_items(personas: Personas, casework: Casework, client_for: Any) -> None:
    client = sergeant(client_for, personas)
    single_officer_visit(casework.rso_a, personas.officer_a)
    grant(personas.officer_b, casework.rso_a)
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as two:
        assert len(row_keys(page_of(client))) == 2
    more_items(personas, 15)
    override_for(personas.officer_a, personas.sergeant_a)
    submitted_plan(RSOFactory.create(team=personas.team_a), personas.officer_a, personas.sergeant_a)
    with CaptureQueriesContext(connection) as twenty:
        assert len(row_keys(page_of(client))) == 19  # the plan's assessment was approved on the way
    # Session, user, device; the teams and the team's members; one query per kind
    # (assessments, plans, reactive requests, visits, overrides, grants); the navigation's
    # counts (tasks, approvals: one each); the header's team; the consultation event
    # (savepoint, insert, release): 17 today, whatever the number of items.
    assert len(twenty) == len(two), [q["sql"][:120] for q in twenty.captured_queries]
    assert len(two) <= 20


def test_the_navigation_count_is_one_query(personas: Personas, queue: Queue) -> None:
    with CaptureQueriesContext(connection) as counted:
        assert approvals_count(user=personas.sergeant_a) == 6
    assert len(counted) == 1
    assert approvals_count(user=personas.officer_a) == 0
    assert approvals_count(user=personas.inspector) == 0


def test_the_selector_gives_nothing_for_a_team_the_user_may_not_read(personas: Personas, queue: Queue) -> None:
    assert approvals_queue(user=personas.officer_a, team=personas.team_a) == []
    sergeant_b = SergeantFactory.create(team=personas.team_b)
    assert approvals_queue(user=sergeant_b, team=personas.team_a) == []
    assert len(approvals_queue(user=personas.inspector, team=personas.team_a)) == 6
    assert all(not item.actions for item in approvals_queue(user=personas.inspector, team=personas.team_a))


def test_htmx_forms_carry_the_csrf_token(personas: Personas, queue: Queue) -> None:
    client = Client(enforce_csrf_checks=True)
    verified_login(client, personas.sergeant_a)
    page = client.get(QUEUE).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    key = f"visit-{queue.visit.pk}"
    refused = client.post(action_url(key), {"decision": "approve"}, headers=HTMX)
    assert refused.status_code == 403
    accepted = client.post(
        action_url(key), {"decision": "approve", "csrfmiddlewaretoken": token.group(1)}, headers=HTMX
    )
    assert accepted.status_code == 200
    queue.visit.refresh_from_db()
    assert queue.visit.single_officer_approved_by == personas.sergeant_a
