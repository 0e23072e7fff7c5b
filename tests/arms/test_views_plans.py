"""The risk management plan pages: the record's plan tab, versions, history, editing a
draft, actions, progress on the current plan, submission and the sergeant's review.

Who may do what (the team writes, the sergeant approves, an inspector reads, another team
gets 404 without a trace of the record), what bad input gets back, stale saves, and the
versioning journey through the pages.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from arms import services
from arms.choices import ActionStatus, ActionType, Agency, Status
from arms.models import Plan, PlanAction
from mosovo.accounts.models import User
from mosovo.audit.models import AuditEvent
from tests.arms.kit import approved_assessment, approved_plan
from tests.conftest import CANARY, Casework, Personas, verified_login
from tests.factories import OfficerFactory, SergeantFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def signed_in(user: User) -> Client:
    return verified_login(Client(), user)


def body(response: Any) -> str:
    return str(response.content.decode())


@dataclass
class Plans:
    """Team A's approved plan and an open second version; team B's the same (canaries)."""

    a1: Plan
    a2: Plan
    b1: Plan
    b2: Plan
    sergeant_b: User


@pytest.fixture
def plans(personas: Personas, casework: Casework) -> Plans:
    a1 = approved_plan(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a, actions=5)
    a2 = services.plan_start(rso=casework.rso_a, by=personas.officer_a)
    sergeant_b = SergeantFactory.create(username="sergeant_b", team=personas.team_b)
    b1 = approved_plan(casework.rso_b, officer=personas.officer_b, sergeant=sergeant_b, actions=3)
    b2 = services.plan_start(rso=casework.rso_b, by=personas.officer_b)
    b2 = services.plan_update(
        plan=b2,
        visit_interval_months=b2.visit_interval_months,
        contingencies=f"Call {CANARY}",
        change_summary=f"Changed {CANARY}",
        version=b2.version,
        by=personas.officer_b,
    )
    return Plans(a1=a1, a2=a2, b1=b1, b2=b2, sergeant_b=sergeant_b)


def plan_urls(plan: Plan) -> dict[str, str]:
    """Every plan URL about this plan version (GET pages and POST-only ones), by name."""
    action = plan.actions.order_by("id").first()
    assert action is not None
    rso = plan.rso_id
    return {
        "rso_plan": reverse("arms:rso_plan", args=[rso]),
        "plan_start": reverse("arms:plan_start", args=[rso]),
        "plan_history": reverse("arms:plan_history", args=[rso]),
        "plan_detail": reverse("arms:plan_detail", args=[plan.pk]),
        "plan_edit": reverse("arms:plan_edit", args=[plan.pk]),
        "plan_action_add": reverse("arms:plan_action_add", args=[plan.pk]),
        "plan_action_edit": reverse("arms:plan_action_edit", args=[plan.pk, action.pk]),
        "plan_action_remove": reverse("arms:plan_action_remove", args=[plan.pk, action.pk]),
        "plan_action_status": reverse("arms:plan_action_status", args=[plan.pk, action.pk]),
        "plan_submit": reverse("arms:plan_submit", args=[plan.pk]),
        "plan_review": reverse("arms:plan_review", args=[plan.pk]),
        "plan_pdf": reverse("arms:plan_pdf", args=[plan.pk]),
    }


READ_PAGES = ["rso_plan", "plan_history", "plan_detail"]
DRAFT_PAGES = ["plan_edit", "plan_action_add", "plan_action_edit"]
POST_ONLY = ["plan_start", "plan_action_remove", "plan_action_status", "plan_submit"]


def action_data(plan: Plan, **overrides: Any) -> dict[str, Any]:
    factor = plan.assessment.catalogue.factors.filter(kind="PROTECTIVE").order_by("position").first()
    assert factor is not None
    return {
        "factor": str(factor.pk),
        "action_type": ActionType.SUPPORT,
        "description": "Help him join the allotment society.",
        "agency": Agency.OTHER,
        "owner": "Community volunteer coordinator",
        "due_on_0": "14",
        "due_on_1": "9",
        "due_on_2": str(TODAY.year + 1),
        "status": ActionStatus.NOT_STARTED,
        "shareable": "on",
    } | overrides


def submit_v2(plans: Plans, officer: User) -> Plan:
    """Complete version 2 of team A's plan (it needs a change summary) and submit it."""
    plan = Plan.objects.get(pk=plans.a2.pk)
    plan = services.plan_update(
        plan=plan,
        visit_interval_months=plan.visit_interval_months,
        contingencies=plan.contingencies,
        shared_with_person=plan.shared_with_person,
        change_summary="Added support with the allotment.",
        version=plan.version,
        by=officer,
    )
    return services.plan_submit(plan=plan, version=plan.version, by=officer)


# --- Who sees what ---------------------------------------------------------------------


def test_the_plan_tab_shows_protective_factors_and_support_as_prominently_as_risk_and_control(
    personas: Personas, casework: Casework, plans: Plans
) -> None:
    response = signed_in(personas.officer_a).get(reverse("arms:rso_plan", args=[casework.rso_a.pk]))
    page = body(response)
    assert response.status_code == 200
    assert 'aria-current="page"' in page
    assert ">Plan<" in page
    # The two kinds of factor side by side, in equal columns.
    assert page.count('class="govuk-grid-column-one-half"') >= 2
    assert "Risk factors" in page
    assert "Protective factors" in page
    assert "Commitment to desist" in page or "commitment" in page.lower()
    # Support straight after control, and a count of each kind.
    control, support, monitor = (page.index(f'id="type-{t}"') for t in ("control", "support", "monitor"))
    assert control < support < monitor
    assert re.search(r"5 actions:\s*1 control, 1 support, 1 monitor, 1 intervene, 1 victim safety", page)
    assert "Version 2 is" in page  # the open version
    assert "Current plan: version 1" in page
    assert CANARY not in page


@pytest.mark.parametrize("who", ["officer_a", "sergeant_a"])
def test_every_plan_page_renders_for_the_team(personas: Personas, casework: Casework, plans: Plans, who: str) -> None:
    client = signed_in(getattr(personas, who))
    urls = plan_urls(plans.a2)
    for name in READ_PAGES + DRAFT_PAGES:
        response = client.get(urls[name])
        assert response.status_code == 200, name
        assert CANARY not in body(response), name


def test_an_officer_of_another_team_gets_404_and_no_canary_on_every_plan_url(
    personas: Personas, casework: Casework, plans: Plans
) -> None:
    client = signed_in(personas.officer_a)
    denied_before = AuditEvent.objects.filter(action="access_denied").count()
    for plan in (plans.b1, plans.b2):
        for name, target in plan_urls(plan).items():
            for method in ("get", "post"):
                response = getattr(client, method)(target, {})
                # A method the URL does not take answers 405, before any lookup.
                wrong_method = (method == "post" and name in READ_PAGES) or (method == "get" and name in POST_ONLY)
                assert response.status_code in ((404, 405) if wrong_method else (404,)), (name, method)
                assert CANARY not in body(response), (name, method)
    assert AuditEvent.objects.filter(action="access_denied").count() > denied_before
    plans.b2.refresh_from_db()
    assert plans.b2.actions.count() == 3
    assert plans.b2.status == Status.DRAFT


def test_an_action_of_another_plan_answers_404_under_ones_own_plan(
    personas: Personas, casework: Casework, plans: Plans
) -> None:
    client = signed_in(personas.officer_a)
    theirs = plans.b2.actions.first()
    earlier = plans.a1.actions.first()  # team A's, but of another version
    assert theirs is not None
    assert earlier is not None
    for action in (theirs, earlier):
        for name in ("plan_action_edit", "plan_action_remove", "plan_action_status"):
            target = reverse(f"arms:{name}", args=[plans.a2.pk, action.pk])
            assert client.post(target, {"status": "DONE"}).status_code == 404, name
    assert PlanAction.objects.filter(status="DONE").count() == 0


def test_an_inspector_reads_every_version_but_cannot_change_anything(
    personas: Personas, casework: Casework, plans: Plans
) -> None:
    client = signed_in(personas.inspector)
    urls = plan_urls(plans.a2)
    for name in READ_PAGES:
        response = client.get(urls[name])
        assert response.status_code == 200, name
        assert "csrfmiddlewaretoken" not in body(response).split("moj-sub-navigation", 1)[1], name
    for name in DRAFT_PAGES + POST_ONLY + ["plan_review"]:
        assert client.get(urls[name]).status_code in (404, 405), name
        assert client.post(urls[name], {"status": "DONE"}).status_code == 404, name
    assert client.post(reverse("arms:plan_start", args=[casework.rso_a.pk])).status_code == 404
    assert Plan.objects.filter(rso=casework.rso_a).count() == 2


@pytest.mark.parametrize("who", ["admin", "auditor"])
def test_administrators_and_auditors_see_no_plan(personas: Personas, plans: Plans, who: str) -> None:
    client = signed_in(getattr(personas, who))
    for name, target in plan_urls(plans.a1).items():
        assert client.get(target).status_code in (404, 405), name


def test_an_officer_cannot_review_and_a_sergeant_cannot_approve_their_own_submission(
    personas: Personas, casework: Casework, plans: Plans
) -> None:
    plan = Plan.objects.get(pk=plans.a2.pk)
    plan = services.plan_update(
        plan=plan,
        visit_interval_months=plan.visit_interval_months,
        contingencies=plan.contingencies,
        change_summary="Sergeant's own change.",
        version=plan.version,
        by=personas.sergeant_a,
    )
    services.plan_submit(plan=plan, version=plan.version, by=personas.sergeant_a)
    review = reverse("arms:plan_review", args=[plan.pk])
    assert signed_in(personas.officer_a).get(review).status_code == 404
    response = signed_in(personas.sergeant_a).post(review, {"decision": "approve"})
    assert response.status_code == 400
    assert "another sergeant of the team must approve it" in body(response)
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED


# --- Editing a draft -------------------------------------------------------------------


def test_an_officer_adds_changes_and_removes_an_action(personas: Personas, casework: Casework, plans: Plans) -> None:
    client = signed_in(personas.officer_a)
    plan = plans.a2
    response = client.post(reverse("arms:plan_action_add", args=[plan.pk]), action_data(plan))
    added = PlanAction.objects.get(plan=plan, description="Help him join the allotment society.")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#action-{added.pk}")
    assert added.due_on == dt.date(TODAY.year + 1, 9, 14)
    assert added.shareable
    assert added.action_type == ActionType.SUPPORT

    form = body(client.get(reverse("arms:plan_action_edit", args=[plan.pk, added.pk])))
    assert 'value="14"' in form
    assert 'value="9"' in form
    assert "<optgroup" in form
    assert "Protective factors" in form

    response = client.post(
        reverse("arms:plan_action_edit", args=[plan.pk, added.pk]),
        action_data(plan, description="Allotment, then the walking group.", status=ActionStatus.IN_PROGRESS),
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert added.description == "Allotment, then the walking group."
    assert added.status == ActionStatus.IN_PROGRESS

    page = body(client.get(reverse("arms:plan_detail", args=[plan.pk])))
    assert "Allotment, then the walking group." in page
    assert "May be shared" in page

    response = client.post(reverse("arms:plan_action_remove", args=[plan.pk, added.pk]))
    assert response.status_code == 302
    assert not PlanAction.objects.filter(pk=added.pk).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"factor": ""}, "Choose the factor this action addresses"),
        ({"factor": "999999"}, "Choose the factor this action addresses"),
        ({"action_type": ""}, "Choose the type of action"),
        ({"description": "  "}, "Describe the action"),
        ({"agency": "NOWHERE"}, "Choose the agency that owns the action"),
        ({"owner": ""}, "Enter who is responsible for the action"),
        ({"due_on_0": "31", "due_on_1": "2"}, "Due date must be a real date"),
        ({"due_on_1": ""}, "Due date must include a month"),
        ({"due_on_2": "26"}, "Due date must be a real date"),
    ],
)
def test_bad_action_input_gets_a_message_on_the_field_and_saves_nothing(
    personas: Personas, casework: Casework, plans: Plans, overrides: dict[str, str], message: str
) -> None:
    before = plans.a2.actions.count()
    response = signed_in(personas.officer_a).post(
        reverse("arms:plan_action_add", args=[plans.a2.pk]), action_data(plans.a2, **overrides)
    )
    assert response.status_code == 400
    page = body(response)
    assert "govuk-error-summary" in page
    assert message in page
    assert plans.a2.actions.count() == before


def test_a_longer_visit_interval_needs_a_reason_and_the_policy_default_is_shown(
    personas: Personas, casework: Casework, plans: Plans
) -> None:
    client = signed_in(personas.officer_a)
    edit = reverse("arms:plan_edit", args=[plans.a2.pk])
    page = body(client.get(edit))
    casework.rso_a.refresh_from_db()
    default = services.default_visit_interval(casework.rso_a)
    assert f"is a visit every {default} months" in page
    assert "What changed in this version" in page  # asked from version 2
    data = {
        "visit_interval_months": "24",
        "visit_interval_reason": "",
        "contingencies": "Call the duty sergeant.",
        "shared_with_person": "",
        "change_summary": "Fewer visits.",
        "version": str(plans.a2.version),
    }
    response = client.post(edit, data)
    assert response.status_code == 400
    assert "give the reason" in body(response)
    plans.a2.refresh_from_db()
    assert plans.a2.visit_interval_months == default

    response = client.post(edit, data | {"visit_interval_reason": "Stable for five years; positive routine."})
    assert response.status_code == 302
    plans.a2.refresh_from_db()
    assert plans.a2.visit_interval_months == 24
    assert "Longer than the policy" in body(client.get(reverse("arms:plan_detail", args=[plans.a2.pk])))


def test_version_1_is_not_asked_what_changed(personas: Personas, casework: Casework) -> None:
    approved_assessment(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    plan = services.plan_start(rso=casework.rso_a, by=personas.officer_a)
    page = body(signed_in(personas.officer_a).get(reverse("arms:plan_edit", args=[plan.pk])))
    assert "What changed in this version" not in page


def test_a_stale_plan_save_shows_the_conflict_and_overwrites_nothing(
    personas: Personas, casework: Casework, plans: Plans
) -> None:
    client = signed_in(personas.officer_a)
    edit = reverse("arms:plan_edit", args=[plans.a2.pk])
    loaded_version = plans.a2.version
    client.get(edit)
    # The sergeant saves first.
    services.plan_update(
        plan=plans.a2,
        visit_interval_months=plans.a2.visit_interval_months,
        contingencies="The sergeant's contingencies.",
        change_summary="Sergeant's change.",
        version=loaded_version,
        by=personas.sergeant_a,
    )
    response = client.post(
        edit,
        {
            "visit_interval_months": str(plans.a2.visit_interval_months),
            "contingencies": "The officer's contingencies.",
            "change_summary": "Officer's change.",
            "version": str(loaded_version),
        },
    )
    page = body(response)
    assert response.status_code == 409
    assert "Someone else changed this plan version" in page
    assert "The sergeant&#x27;s contingencies." in page
    assert "The officer&#x27;s contingencies." in page
    plans.a2.refresh_from_db()
    assert plans.a2.contingencies == "The sergeant's contingencies."


def test_a_stale_submission_is_refused_with_a_message(personas: Personas, casework: Casework, plans: Plans) -> None:
    plan = Plan.objects.get(pk=plans.a2.pk)
    old = plan.version
    services.plan_update(
        plan=plan,
        visit_interval_months=plan.visit_interval_months,
        contingencies=plan.contingencies,
        change_summary="Changed.",
        version=old,
        by=personas.sergeant_a,
    )
    response = signed_in(personas.officer_a).post(reverse("arms:plan_submit", args=[plan.pk]), {"version": old})
    assert response.status_code == 409
    assert "Someone else changed this plan version" in body(response)
    plan.refresh_from_db()
    assert plan.status == Status.DRAFT


def test_submitting_an_incomplete_version_lists_what_is_missing(personas: Personas, casework: Casework) -> None:
    approved_assessment(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    plan = services.plan_start(rso=casework.rso_a, by=personas.officer_a)
    client = signed_in(personas.officer_a)
    page = body(client.get(reverse("arms:plan_detail", args=[plan.pk])))
    assert "Still to do before you submit" in page
    response = client.post(reverse("arms:plan_submit", args=[plan.pk]), {"version": plan.version})
    page = body(response)
    assert response.status_code == 400
    assert "The plan cannot be submitted yet" in page
    assert 'href="#add-action">Add at least one action' in page
    assert f'href="/arms/plans/{plan.pk}/edit/#id_contingencies">Write the contingencies' in page
    plan.refresh_from_db()
    assert plan.status == Status.DRAFT


def test_an_approved_version_cannot_be_edited(personas: Personas, casework: Casework, plans: Plans) -> None:
    client = signed_in(personas.officer_a)
    response = client.get(reverse("arms:plan_edit", args=[plans.a1.pk]))
    assert response.status_code == 302
    assert "cannot be changed" in body(client.get(response["Location"]))
    response = client.post(reverse("arms:plan_action_add", args=[plans.a1.pk]), action_data(plans.a1))
    assert response.status_code == 302
    assert plans.a1.actions.count() == 5
    page = body(client.get(reverse("arms:plan_detail", args=[plans.a1.pk])))
    assert "Add an action" not in page


# --- Progress on the current plan -------------------------------------------------------


def test_progress_is_recorded_in_place_with_htmx(personas: Personas, casework: Casework, plans: Plans) -> None:
    client = signed_in(personas.officer_a)
    action = plans.a1.actions.order_by("id").first()
    assert action is not None
    tab = body(client.get(reverse("arms:rso_plan", args=[casework.rso_a.pk])))
    assert f'hx-post="/arms/plans/{plans.a1.pk}/actions/{action.pk}/status/"' in tab
    response = client.post(
        reverse("arms:plan_action_status", args=[plans.a1.pk, action.pk]),
        {"status": ActionStatus.DONE, "back": "tab"},
        HTTP_HX_REQUEST="true",
    )
    partial = body(response)
    assert response.status_code == 200
    assert "<html" not in partial
    assert ">Saved: done</p>" in partial
    assert 'id="action-announcement" role="status" hx-swap-oob="innerHTML">Saved: done' in partial
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert AuditEvent.objects.filter(action="consultation", channel="partial").exists()


def test_progress_works_without_javascript_too(personas: Personas, casework: Casework, plans: Plans) -> None:
    client = signed_in(personas.sergeant_a)
    action = plans.a1.actions.order_by("id").last()
    assert action is not None
    response = client.post(
        reverse("arms:plan_action_status", args=[plans.a1.pk, action.pk]),
        {"status": ActionStatus.IN_PROGRESS, "back": "tab"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/arms/rso/{casework.rso_a.pk}/plan/#action-{action.pk}"
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS


def test_a_bad_status_is_refused_in_the_row(personas: Personas, casework: Casework, plans: Plans) -> None:
    action = plans.a1.actions.order_by("id").first()
    assert action is not None
    response = signed_in(personas.officer_a).post(
        reverse("arms:plan_action_status", args=[plans.a1.pk, action.pk]),
        {"status": "FINISHED"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "govuk-error-message" in body(response)
    action.refresh_from_db()
    assert action.status == ActionStatus.NOT_STARTED


# --- Review and versions ----------------------------------------------------------------


def test_the_sergeant_returns_with_comments_shown_prominently_then_approves(
    personas: Personas, casework: Casework, plans: Plans
) -> None:
    submit_v2(plans, personas.officer_a)
    sergeant = signed_in(personas.sergeant_a)
    review = reverse("arms:plan_review", args=[plans.a2.pk])
    page = body(sergeant.get(review))
    assert "Approve version 2" in page
    assert "Return with comments" in page

    response = sergeant.post(review, {"decision": "return", "return-comments": "  "})
    assert response.status_code == 400
    assert "Say what needs to change" in body(response)

    response = sergeant.post(review, {"decision": "return", "return-comments": "Add a victim safety action."})
    assert response.status_code == 302
    officer = signed_in(personas.officer_a)
    page = body(officer.get(reverse("arms:plan_detail", args=[plans.a2.pk])))
    assert "Returned for changes" in page
    assert "Add a victim safety action." in page
    assert page.index("Add a victim safety action.") < page.index("Factors and how the plan addresses them")


def test_the_review_shows_a_longer_visit_interval_as_something_the_sergeant_approves(
    personas: Personas, casework: Casework, plans: Plans
) -> None:
    plan = Plan.objects.get(pk=plans.a2.pk)
    services.plan_update(
        plan=plan,
        visit_interval_months=24,
        visit_interval_reason="Settled for years.",
        contingencies=plan.contingencies,
        change_summary="Fewer visits.",
        version=plan.version,
        by=personas.officer_a,
    )
    plan.refresh_from_db()
    services.plan_submit(plan=plan, version=plan.version, by=personas.officer_a)
    page = body(signed_in(personas.sergeant_a).get(reverse("arms:plan_review", args=[plan.pk])))
    assert 'id="interval-warning"' in page
    assert "You are also approving home visits every 24 months" in page
    assert "Settled for years." in page


def test_plan_versions_through_the_pages_leave_the_approved_version_unchanged(
    personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    v1 = approved_plan(rso, officer=personas.officer_a, sergeant=personas.sergeant_a, actions=2)
    v1_actions = list(v1.actions.order_by("id").values_list("description", "status"))
    officer = signed_in(personas.officer_a)

    response = officer.post(reverse("arms:plan_start", args=[rso.pk]))
    v2 = Plan.objects.get(rso=rso, number=2)
    assert response["Location"] == reverse("arms:plan_detail", args=[v2.pk])
    changed = v2.actions.order_by("id").first()
    assert changed is not None
    response = officer.post(
        reverse("arms:plan_action_edit", args=[v2.pk, changed.pk]),
        action_data(v2, description="A changed step in version 2."),
    )
    assert response.status_code == 302
    response = officer.post(
        reverse("arms:plan_edit", args=[v2.pk]),
        {
            "visit_interval_months": str(v2.visit_interval_months),
            "contingencies": v2.contingencies,
            "shared_with_person": v2.shared_with_person,
            "change_summary": "Support with the allotment.",
            "version": str(Plan.objects.get(pk=v2.pk).version),
        },
    )
    assert response.status_code == 302
    response = officer.post(reverse("arms:plan_submit", args=[v2.pk]), {"version": Plan.objects.get(pk=v2.pk).version})
    assert response.status_code == 302
    response = signed_in(personas.sergeant_a).post(
        reverse("arms:plan_review", args=[v2.pk]), {"decision": "approve", "approve-comments": "Good."}
    )
    assert response.status_code == 302

    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.status == Status.APPROVED
    assert v2.status == Status.APPROVED
    assert list(v1.actions.order_by("id").values_list("description", "status")) == v1_actions
    history = body(officer.get(reverse("arms:plan_history", args=[rso.pk])))
    assert 'id="version-2"' in history
    assert 'id="version-1"' in history
    assert history.index('id="version-2"') < history.index('id="version-1"')
    assert "Support with the allotment." in history
    tab = body(officer.get(reverse("arms:rso_plan", args=[rso.pk])))
    assert "Current plan: version 2" in tab
    assert "A changed step in version 2." in tab
    # The replaced version is read-only, progress included.
    old = body(officer.get(reverse("arms:plan_detail", args=[v1.pk])))
    assert "hx-post" not in old
    assert "A changed step in version 2." not in old


def test_a_high_risk_factor_with_no_action_is_flagged(personas: Personas, casework: Casework) -> None:
    approved_plan(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a, actions=1)
    from arms.models import Assessment

    assessment = services.assessment_start(rso=casework.rso_a, by=personas.officer_a)
    from tests.arms.kit import fill_assessment

    fill_assessment(assessment, by=personas.officer_a, rating="HIGH")
    assessment = Assessment.objects.get(pk=assessment.pk)
    assessment = services.assessment_submit(assessment=assessment, version=assessment.version, by=personas.officer_a)
    services.assessment_approve(assessment=assessment, by=personas.sergeant_a)
    client = signed_in(personas.officer_a)
    tab = body(client.get(reverse("arms:rso_plan", args=[casework.rso_a.pk])))
    # The current plan still rests on the older assessment: review it.
    assert 'id="newer-assessment"' in tab
    assert "review the plan" in tab
    plan = services.plan_start(rso=casework.rso_a, by=personas.officer_a)
    page = body(client.get(reverse("arms:plan_detail", args=[plan.pk])))
    assert "High, no action" in page


def test_the_tab_without_a_plan_says_so_and_offers_to_start_one(personas: Personas, casework: Casework) -> None:
    client = signed_in(personas.officer_a)
    page = body(client.get(reverse("arms:rso_plan", args=[casework.rso_a.pk])))
    assert "There is no approved plan" in page
    assert "A plan rests on an approved ARMS assessment" in page
    response = client.post(reverse("arms:plan_start", args=[casework.rso_a.pk]))
    assert response.status_code == 302
    assert "there is none yet" in body(client.get(response["Location"]))
    approved_assessment(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    page = body(client.get(reverse("arms:rso_plan", args=[casework.rso_a.pk])))
    assert "Start the plan" in page


def test_the_pdf_link_is_offered_only_to_those_who_may_export(
    personas: Personas, casework: Casework, plans: Plans
) -> None:
    other_officer = OfficerFactory.create(username="officer_a2", team=personas.team_a)
    tab = reverse("arms:rso_plan", args=[casework.rso_a.pk])
    pdf = reverse("arms:plan_pdf", args=[plans.a1.pk])
    for who in (personas.officer_a, personas.sergeant_a, personas.inspector):
        assert pdf in body(signed_in(who).get(tab)), who
    assert pdf not in body(signed_in(other_officer).get(tab))


# --- Query counts ---------------------------------------------------------------------


def queries_for(client: Client, target: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(target)
    assert response.status_code == 200
    return len(queries)


def add_actions(plan: Plan, by: User, count: int) -> None:
    factors = list(plan.assessment.catalogue.factors.all())
    for n in range(count):
        services.plan_action_add(
            plan=plan,
            factor_id=factors[n % len(factors)].pk,
            action_type=list(ActionType)[n % 5],
            description=f"Extra step {n}.",
            agency=Agency.POLICE,
            owner="PC Test",
            shareable=n % 3 == 0,
            by=by,
        )


def test_a_version_page_costs_the_same_queries_for_3_and_30_actions(personas: Personas, casework: Casework) -> None:
    approved_plan(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a, actions=3)
    draft = services.plan_start(rso=casework.rso_a, by=personas.officer_a)
    client = signed_in(personas.officer_a)
    detail = reverse("arms:plan_detail", args=[draft.pk])
    small = queries_for(client, detail)
    add_actions(draft, personas.officer_a, 27)
    large = queries_for(client, detail)
    # Session, user, second factor, the plan (RSO, team, officer, assessment joined), its
    # actions (factor joined), the assessment's ratings, the reviews, the latest approved
    # assessment, the tab checks (audit trail, break-glass), what is still to do before
    # submitting (actions exist) and the consultation event: none of them per action.
    assert small == large
    assert large <= 20


def test_the_current_plan_tab_costs_the_same_for_3_and_30_actions(personas: Personas, casework: Casework) -> None:
    approved_plan(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a, actions=3)
    client = signed_in(personas.officer_a)
    tab = reverse("arms:rso_plan", args=[casework.rso_a.pk])
    small = queries_for(client, tab)
    v2 = services.plan_start(rso=casework.rso_a, by=personas.officer_a)
    add_actions(v2, personas.officer_a, 27)
    v2 = services.plan_update(
        plan=Plan.objects.get(pk=v2.pk),
        visit_interval_months=v2.visit_interval_months,
        contingencies=v2.contingencies,
        change_summary="More actions.",
        version=Plan.objects.get(pk=v2.pk).version,
        by=personas.officer_a,
    )
    v2 = services.plan_submit(plan=v2, version=v2.version, by=personas.officer_a)
    services.plan_approve(plan=v2, by=personas.sergeant_a)
    large = queries_for(client, tab)
    assert small == large


def test_the_history_costs_the_same_queries_for_1_and_5_versions(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    approved_plan(rso, officer=personas.officer_a, sergeant=personas.sergeant_a, actions=2)
    client = signed_in(personas.officer_a)
    history = reverse("arms:plan_history", args=[rso.pk])
    one = queries_for(client, history)
    for _ in range(4):
        approved_plan(rso, officer=personas.officer_a, sergeant=personas.sergeant_a, actions=2)
    five = queries_for(client, history)
    # Session, user, second factor, the RSO, the versions (their authors joined), the tab
    # checks and the consultation event.
    assert one == five
    assert five <= 14
    assert Plan.objects.filter(rso=rso).count() == 5
