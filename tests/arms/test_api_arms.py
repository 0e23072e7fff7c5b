"""The ARMS API: the same workflow as the pages, through the same services and selectors.

Officer A and sergeant A work on team A's RSO; team B's assessment and plan carry the
canary text. Out of scope is 404 with no canary; bad input is 400 naming the fields, with
nothing saved; a stale version is 409 with the current state.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from arms import services
from arms.choices import ActionStatus, Status
from arms.models import Assessment, Factor, FactorRating, Plan, PlanAction
from caseload.models import RSO
from caseload.services import static_score_add
from mosovo.accounts.models import User
from mosovo.audit.choices import Action, Channel, Outcome
from mosovo.audit.models import AuditEvent
from tests import factories
from tests.arms.kit import approved_assessment, approved_plan, fill_assessment
from tests.conftest import CANARY, CANARY_OTHER_FORCE, Casework, Personas

pytestmark = pytest.mark.django_db


def api(name: str, *args: int) -> str:
    return reverse(f"api:arms-{name}", args=args)


def send(client: Any, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(url, body if body is not None else {}, content_type="application/json")


def body_of(response: Any) -> str:
    return str(response.content.decode(errors="replace"))


def scored(rso: RSO, by: User, band: str = "LOW") -> RSO:
    static_score_add(rso=rso, tool="OSP_C", band=band, assessed_on=timezone.localdate(), by=by)
    return rso


def evidence_for(code: str) -> str:
    return f"Seen at home on two visits; {code.replace('_', ' ')} discussed with him and his probation officer."


@pytest.fixture
def sergeant_b(personas: Personas) -> User:
    return factories.SergeantFactory.create(username="sergeant_b", team=personas.team_b)


@pytest.fixture
def team_b_work(personas: Personas, casework: Casework, sergeant_b: User) -> dict[str, Any]:
    """Team B's approved assessment and plan (their text carries the canary) and an open
    draft, for officer A to try to reach."""
    rso = casework.rso_b
    scored(rso, personas.officer_b)
    assessment = services.assessment_start(rso=rso, by=personas.officer_b)
    assessment = fill_assessment(assessment, by=personas.officer_b, level="LOW", reason=f"Reason {CANARY}")
    assessment = services.assessment_submit(assessment=assessment, version=assessment.version, by=personas.officer_b)
    assessment = services.assessment_approve(assessment=assessment, by=sergeant_b, comments=f"Agreed {CANARY}")
    plan = approved_plan(rso, officer=personas.officer_b, sergeant=sergeant_b)
    draft = services.assessment_start(rso=rso, by=personas.officer_b)
    return {
        "assessment": assessment,
        "rating": assessment.ratings.first(),
        "draft": draft,
        "draft_rating": draft.ratings.first(),
        "plan": plan,
        "action": plan.actions.first(),
    }


# --- The workflow ------------------------------------------------------------------------


def test_officer_and_sergeant_take_an_assessment_through_the_api_and_the_risk_level_changes(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    rso = scored(casework.rso_a, personas.officer_a, band="MEDIUM")
    assert rso.risk_level == "LOW"
    client = client_for(personas.officer_a)

    started = send(client, "post", api("rso_assessments", rso.pk))
    assert started.status_code == 201, started.json()
    draft = started.json()
    assert draft["status"] == "DRAFT"
    assert draft["method"] == "ARMS"
    assert len(draft["ratings"]) == 12
    assert draft["ratings"][0]["factor"] == {
        "id": draft["ratings"][0]["factor"]["id"],
        "code": "opportunity",
        "kind": "RISK",
        "name": "Opportunity",
    }
    assert {r["factor"]["kind"] for r in draft["ratings"][-5:]} == {"PROTECTIVE"}
    assert "sources" in draft["problems"]
    url = api("assessment_detail", draft["id"])

    # Two sections in one PATCH: sources and the summary.
    interviewed = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    saved = send(
        client,
        "patch",
        url,
        {
            "version": draft["version"],
            "sources": ["INTERVIEW", "PROBATION_RECORDS"],
            "interview_dates": [interviewed],
            "risk_priority": "MEDIUM",
            "protective_priority": "LOW",
            "proposed_risk_level": "MEDIUM",
        },
    )
    assert saved.status_code == 200, saved.json()
    assessment = saved.json()
    assert assessment["sources"] == ["INTERVIEW", "PROBATION_RECORDS"]
    assert assessment["interview_dates"] == [interviewed]
    assert assessment["proposed_risk_level"] == "MEDIUM"
    assert assessment["level_reason_needed"] is False  # the static band is medium too
    assert assessment["version"] > draft["version"]

    for row in assessment["ratings"]:
        rated = send(
            client,
            "patch",
            api("assessment_rating", assessment["id"], row["id"]),
            {
                "version": row["version"],
                "rating": "MEDIUM",
                "evidence": evidence_for(row["factor"]["code"]),
                "action": "Discuss at the next home visit.",
            },
        )
        assert rated.status_code == 200, rated.json()
        assert rated.json()["rating"] == "MEDIUM"

    current = client.get(url).json()
    assert current["problems"] == {}
    submitted = send(client, "post", api("assessment_submit", current["id"]), {"version": current["version"]})
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "SUBMITTED"

    sergeant = client_for(personas.sergeant_a)
    returned = send(
        sergeant, "post", api("assessment_return", current["id"]), {"comments": "Say what the probation records add."}
    )
    assert returned.status_code == 200, returned.json()
    assert returned.json()["status"] == "RETURNED"

    client = client_for(personas.officer_a)
    again = send(
        client,
        "patch",
        url,
        {"version": returned.json()["version"], "sources_notes": "Probation records confirm the new job."},
    )
    assert again.status_code == 200, again.json()
    assert again.json()["sources"] == ["INTERVIEW", "PROBATION_RECORDS"]  # left out, so kept
    resubmitted = send(client, "post", api("assessment_submit", current["id"]), {"version": again.json()["version"]})
    assert resubmitted.status_code == 200, resubmitted.json()

    sergeant = client_for(personas.sergeant_a)
    approved = send(sergeant, "post", api("assessment_approve", current["id"]), {"comments": "Agreed."})
    assert approved.status_code == 200, approved.json()
    body = approved.json()
    assert body["status"] == "APPROVED"
    assert body["approved_by"] == "sergeant_a"
    assert body["previous_risk_level"] == "LOW"
    assert [r["decision"] for r in body["reviews"]] == ["SUBMITTED", "RETURNED", "SUBMITTED", "APPROVED"]
    assert body["reviews"][1]["comments"] == "Say what the probation records add."
    rso.refresh_from_db()
    assert rso.risk_level == "MEDIUM"
    assert rso.arms_last_approved_on == timezone.localdate()

    listing = client.get(api("rso_assessments", rso.pk)).json()
    assert listing["count"] == 1
    assert listing["results"][0]["status"] == "APPROVED"
    # The writes went through the services' audit, on the API channel.
    assert AuditEvent.objects.filter(
        action=Action.ALTERATION, channel=Channel.API, rso_ids=[rso.pk], object_type=services.ASSESSMENT_TYPE
    ).exists()


def test_officer_and_sergeant_take_a_plan_through_the_api_and_record_progress(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    approved_assessment(rso, officer=personas.officer_a, sergeant=personas.sergeant_a, level="LOW")
    client = client_for(personas.officer_a)

    started = send(client, "post", api("rso_plans", rso.pk))
    assert started.status_code == 201, started.json()
    plan = started.json()
    assert plan["number"] == 1
    assert plan["default_visit_interval_months"] == 12
    assert "actions" in plan["problems"]
    factors = {f.code: f.pk for f in Factor.objects.filter(catalogue__version=1)}

    added = []
    for factor, action_type, agency in (
        ("opportunity", "CONTROL", "POLICE"),
        ("employment_and_positive_routine", "SUPPORT", "PROBATION"),
        ("sexual_preoccupation", "INTERVENE", "HEALTH"),
    ):
        response = send(
            client,
            "post",
            api("plan_actions", plan["id"]),
            {
                "factor": factors[factor],
                "action_type": action_type,
                "description": f"{action_type.title()} step for {factor}.",
                "agency": agency,
                "owner": "PC Whitfield",
                "due_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
            },
        )
        assert response.status_code == 201, response.json()
        added.append(response.json())
    assert added[1]["status"] == "NOT_STARTED"

    changed = send(
        client, "patch", api("plan_action", plan["id"], added[1]["id"]), {"owner": "Probation officer, Wessford"}
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["owner"] == "Probation officer, Wessford"
    assert changed.json()["action_type"] == "SUPPORT"  # left out, so kept
    removed = send(client, "delete", api("plan_action", plan["id"], added[2]["id"]))
    assert removed.status_code == 204
    assert not PlanAction.objects.filter(pk=added[2]["id"]).exists()

    current = client.get(api("plan_detail", plan["id"])).json()
    saved = send(
        client,
        "patch",
        api("plan_detail", plan["id"]),
        {"version": current["version"], "contingencies": "If he is seen near the school, call the duty sergeant."},
    )
    assert saved.status_code == 200, saved.json()
    assert saved.json()["visit_interval_months"] == 12  # left out, so kept
    assert saved.json()["problems"] == {}
    submitted = send(client, "post", api("plan_submit", plan["id"]), {"version": saved.json()["version"]})
    assert submitted.status_code == 200, submitted.json()

    sergeant = client_for(personas.sergeant_a)
    returned = send(sergeant, "post", api("plan_return", plan["id"]), {"comments": "Add who visits."})
    assert returned.json()["status"] == "RETURNED"
    client = client_for(personas.officer_a)
    resubmitted = send(client, "post", api("plan_submit", plan["id"]), {"version": returned.json()["version"]})
    assert resubmitted.status_code == 200, resubmitted.json()
    sergeant = client_for(personas.sergeant_a)
    approved = send(sergeant, "post", api("plan_approve", plan["id"]), {})
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "APPROVED"
    assert [r["decision"] for r in approved.json()["reviews"]] == ["SUBMITTED", "RETURNED", "SUBMITTED", "APPROVED"]

    # Progress on the current approved plan: the status alone.
    client = client_for(personas.officer_a)
    action_url = api("plan_action", plan["id"], added[0]["id"])
    progress = send(client, "patch", action_url, {"status": "DONE"})
    assert progress.status_code == 200, progress.json()
    assert progress.json()["status"] == "DONE"
    refused = send(client, "patch", action_url, {"description": "Rewritten after approval."})
    assert refused.status_code == 400
    assert send(client, "delete", action_url).status_code == 400
    action = PlanAction.objects.get(pk=added[0]["id"])
    assert (action.status, action.description) == (ActionStatus.DONE, "Control step for opportunity.")

    # A new version copies the current one; the history lists both.
    second = send(client, "post", api("rso_plans", rso.pk))
    assert second.status_code == 201, second.json()
    assert second.json()["number"] == 2
    assert len(second.json()["actions"]) == 2
    assert "change_summary" in second.json()["problems"]
    history = client.get(api("rso_plans", rso.pk)).json()
    assert [row["number"] for row in history["results"]] == [2, 1]


def test_the_factor_catalogue_lists_every_factor_with_its_guidance(client_for: Any, personas: Personas) -> None:
    response = client_for(personas.inspector).get(api("factors"))
    assert response.status_code == 200
    catalogue = response.json()
    assert catalogue["version"] == 1
    assert len(catalogue["factors"]) == 12
    assert [f["kind"] for f in catalogue["factors"]].count("RISK") == 7
    assert all(f["guidance"] and f["code"] and f["name"] for f in catalogue["factors"])
    assert client_for(personas.admin).get(api("factors")).status_code == 404


# --- Lost updates and bad input ----------------------------------------------------------


def test_lost_01_a_stale_version_answers_409_with_the_current_state_and_saves_nothing(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = client_for(personas.officer_a)
    assessment = services.assessment_start(rso=casework.rso_a, by=personas.officer_a)
    assessment = services.assessment_update_sources(
        assessment=assessment, sources=["CASE_FILES"], version=assessment.version, by=personas.officer_a
    )
    stale = assessment.version - 1

    response = send(client, "patch", api("assessment_detail", assessment.pk), {"version": stale, "sources": []})
    assert response.status_code == 409
    assert response.json()["current"]["version"] == assessment.version
    assert response.json()["current"]["sources"] == ["CASE_FILES"]
    response = send(client, "post", api("assessment_submit", assessment.pk), {"version": stale})
    assert response.status_code == 409

    rating = assessment.ratings.select_related("factor").first()
    assert rating is not None
    services.factor_rating_update(
        rating=rating, value="LOW", evidence="First save.", version=rating.version, by=personas.officer_a
    )
    response = send(
        client,
        "patch",
        api("assessment_rating", assessment.pk, rating.pk),
        {"version": rating.version, "rating": "HIGH", "evidence": "Second save."},
    )
    assert response.status_code == 409
    assert response.json()["current"]["evidence"] == "First save."

    assessment.refresh_from_db()
    rating.refresh_from_db()
    assert assessment.sources == ["CASE_FILES"]
    assert assessment.status == Status.DRAFT
    assert (rating.rating, rating.evidence) == ("LOW", "First save.")


def test_lost_01_a_stale_plan_version_answers_409(client_for: Any, personas: Personas, casework: Casework) -> None:
    approved_assessment(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a, level="LOW")
    plan = services.plan_start(rso=casework.rso_a, by=personas.officer_a)
    client = client_for(personas.officer_a)
    url = api("plan_detail", plan.pk)
    first = send(client, "patch", url, {"version": plan.version, "contingencies": "First."})
    assert first.status_code == 200
    second = send(client, "patch", url, {"version": plan.version, "contingencies": "Second."})
    assert second.status_code == 409
    assert second.json()["current"]["contingencies"] == "First."
    plan.refresh_from_db()
    assert plan.contingencies == "First."


def test_bad_input_answers_400_naming_the_fields_and_saves_nothing(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = client_for(personas.officer_a)
    assessment = services.assessment_start(rso=casework.rso_a, by=personas.officer_a)
    url = api("assessment_detail", assessment.pk)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    for payload, field in (
        ({"sources": ["ASTROLOGY"]}, "sources"),
        ({"sources": ["INTERVIEW"], "interview_dates": [tomorrow]}, "interview_dates"),
        ({"interview_dates": ["not a date"]}, "interview_dates"),
        ({"risk_priority": "EXTREME"}, "risk_priority"),
        ({"proposed_risk_level": "ENORMOUS"}, "proposed_risk_level"),
        # The sources would be valid, but the summary is not: neither is saved.
        ({"sources": ["CASE_FILES"], "protective_priority": "NONE"}, "protective_priority"),
        ({"sources": "CASE_FILES", "version": "one"}, "version"),
    ):
        response = send(client, "patch", url, {"version": assessment.version, **payload})
        assert response.status_code == 400, payload
        assert field in response.json(), (payload, response.json())
    # Not for this person: the other-assessment section is for women and under-18s.
    response = send(client, "patch", url, {"version": assessment.version, "other_assessment": "AIM3"})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert send(client, "patch", url, {}).status_code == 400  # no version

    rating = assessment.ratings.first()
    assert rating is not None
    response = send(
        client,
        "patch",
        api("assessment_rating", assessment.pk, rating.pk),
        {"version": rating.version, "rating": "SEVERE"},
    )
    assert response.status_code == 400
    assert "rating" in response.json()

    response = send(client, "post", api("assessment_submit", assessment.pk), {"version": assessment.version})
    assert response.status_code == 400
    missing = response.json()
    assert {"sources", "factor-opportunity", "risk_priority", "proposed_risk_level"} <= set(missing)

    before = Assessment.objects.filter(pk=assessment.pk).values().get()
    assert before["version"] == assessment.version
    assert before["sources"] == []
    assert before["risk_priority"] == before["protective_priority"] == ""
    rating.refresh_from_db()
    assert rating.rating == ""
    assert rating.version == 1


def test_bad_plan_action_input_answers_400_naming_the_fields(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    approved_assessment(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a, level="LOW")
    plan = services.plan_start(rso=casework.rso_a, by=personas.officer_a)
    client = client_for(personas.officer_a)
    response = send(
        client,
        "post",
        api("plan_actions", plan.pk),
        {"factor": 999999, "action_type": "PUNISH", "description": "", "agency": "MI5", "owner": ""},
    )
    assert response.status_code == 400
    assert {"factor", "action_type", "description", "agency", "owner"} <= set(response.json())
    response = send(
        client, "patch", api("plan_detail", plan.pk), {"version": plan.version, "visit_interval_months": 99}
    )
    assert response.status_code == 400
    assert "visit_interval_months" in response.json()
    assert not PlanAction.objects.filter(plan=plan).exists()


def test_starting_a_second_open_assessment_is_refused_with_the_reason(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = client_for(personas.officer_a)
    assert send(client, "post", api("rso_assessments", casework.rso_a.pk)).status_code == 201
    response = send(client, "post", api("rso_assessments", casework.rso_a.pk))
    assert response.status_code == 400
    assert "already open" in response.json()["non_field_errors"][0]
    assert Assessment.objects.filter(rso=casework.rso_a).count() == 1


def test_approval_over_the_20_percent_rule_shows_the_numbers_until_the_sergeant_overrides(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    rso = scored(casework.rso_a, personas.officer_a, band="LOW")
    assessment = fill_assessment(
        services.assessment_start(rso=rso, by=personas.officer_a),
        by=personas.officer_a,
        level="HIGH",
        reason="Dynamic picture well above the static band.",
    )
    assessment = services.assessment_submit(assessment=assessment, version=assessment.version, by=personas.officer_a)
    sergeant = client_for(personas.sergeant_a)
    url = api("assessment_approve", assessment.pk)

    refused = send(sergeant, "post", url, {})
    assert refused.status_code == 400
    body = refused.json()
    assert "20%" in body["override_reason"][0]
    (check,) = body["cap"]
    assert (check["high_after"], check["total_after"], check["within_cap"]) == (1, 1, False)
    rso.refresh_from_db()
    assert rso.risk_level == "LOW"
    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED

    approved = send(sergeant, "post", url, {"override_reason": "Only case while the new caseload is built."})
    assert approved.status_code == 200, approved.json()
    rso.refresh_from_db()
    assert rso.risk_level == "HIGH"


def test_only_another_sergeant_of_the_team_approves_and_officers_get_404(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    scored(casework.rso_a, personas.officer_a, band="MEDIUM")
    assessment = fill_assessment(
        services.assessment_start(rso=casework.rso_a, by=personas.sergeant_a), by=personas.sergeant_a
    )
    assessment = services.assessment_submit(assessment=assessment, version=assessment.version, by=personas.sergeant_a)
    officer = client_for(personas.officer_a)
    assert send(officer, "post", api("assessment_approve", assessment.pk)).status_code == 404
    assert send(officer, "post", api("assessment_return", assessment.pk), {"comments": "No."}).status_code == 404
    sergeant = client_for(personas.sergeant_a)
    own = send(sergeant, "post", api("assessment_approve", assessment.pk))
    assert own.status_code == 400
    assert "another sergeant" in own.json()["non_field_errors"][0]
    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED


# --- Scope: IDOR, MASS, roles --------------------------------------------------------------


def test_idor_01_officer_a_cannot_read_team_bs_assessments_and_plans(
    client_for: Any, personas: Personas, casework: Casework, team_b_work: dict[str, Any]
) -> None:
    client = client_for(personas.officer_a)
    urls = [
        api("rso_assessments", casework.rso_b.pk),
        api("assessment_detail", team_b_work["assessment"].pk),
        api("assessment_detail", team_b_work["draft"].pk),
        api("rso_plans", casework.rso_b.pk),
        api("plan_detail", team_b_work["plan"].pk),
        api("rso_assessments", casework.rso_other_force.pk),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert CANARY not in body_of(response)
        assert CANARY_OTHER_FORCE not in body_of(response)
    denials = AuditEvent.objects.filter(actor=personas.officer_a, action=Action.ACCESS_DENIED)
    assert denials.count() == len(urls)
    assert all(d.outcome == Outcome.DENIED for d in denials)
    assert not AuditEvent.objects.filter(actor=personas.officer_a, action=Action.CONSULTATION).exists()


def test_idor_01_team_bs_assessment_answers_like_one_that_does_not_exist(
    client_for: Any, personas: Personas, team_b_work: dict[str, Any]
) -> None:
    client = client_for(personas.officer_a)
    missing = Assessment.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    other = client.get(api("assessment_detail", team_b_work["assessment"].pk))
    absent = client.get(api("assessment_detail", missing))
    assert other.status_code == absent.status_code == 404
    assert other.content == absent.content


def test_idor_01_team_bs_own_officer_reads_them(
    client_for: Any, personas: Personas, casework: Casework, team_b_work: dict[str, Any]
) -> None:
    response = client_for(personas.officer_b).get(api("assessment_detail", team_b_work["assessment"].pk))
    assert response.status_code == 200
    assert CANARY in body_of(response)


def test_idor_05_officer_a_cannot_change_team_bs_assessments_plans_or_actions(
    client_for: Any, personas: Personas, casework: Casework, team_b_work: dict[str, Any]
) -> None:
    draft: Assessment = team_b_work["draft"]
    draft_rating: FactorRating = team_b_work["draft_rating"]
    plan: Plan = team_b_work["plan"]
    action: PlanAction = team_b_work["action"]
    before = (
        Assessment.objects.filter(rso=casework.rso_b).count(),
        Plan.objects.filter(rso=casework.rso_b).count(),
        draft.version,
        draft_rating.version,
        action.status,
        action.description,
        PlanAction.objects.filter(plan=plan).count(),
    )
    officer = client_for(personas.officer_a)
    attempts = [
        ("post", api("rso_assessments", casework.rso_b.pk), {}),
        ("patch", api("assessment_detail", draft.pk), {"version": draft.version, "sources": ["CASE_FILES"]}),
        (
            "patch",
            api("assessment_rating", draft.pk, draft_rating.pk),
            {"version": draft_rating.version, "rating": "LOW"},
        ),
        ("post", api("assessment_submit", draft.pk), {"version": draft.version}),
        ("post", api("rso_plans", casework.rso_b.pk), {}),
        ("patch", api("plan_detail", plan.pk), {"version": plan.version, "contingencies": "x"}),
        ("post", api("plan_actions", plan.pk), {"factor": action.factor_id}),
        ("patch", api("plan_action", plan.pk, action.pk), {"status": "CANCELLED"}),
        ("delete", api("plan_action", plan.pk, action.pk), None),
        ("post", api("plan_submit", plan.pk), {"version": plan.version}),
    ]
    for method, url, payload in attempts:
        response = send(officer, method, url, payload)
        assert response.status_code == 404, (method, url)
        assert CANARY not in body_of(response)
    sergeant = client_for(personas.sergeant_a)
    for url in (api("assessment_approve", draft.pk), api("plan_approve", plan.pk)):
        assert send(sergeant, "post", url, {}).status_code == 404
    assert send(sergeant, "post", api("assessment_return", draft.pk), {"comments": "x"}).status_code == 404

    draft.refresh_from_db()
    draft_rating.refresh_from_db()
    action.refresh_from_db()
    after = (
        Assessment.objects.filter(rso=casework.rso_b).count(),
        Plan.objects.filter(rso=casework.rso_b).count(),
        draft.version,
        draft_rating.version,
        action.status,
        action.description,
        PlanAction.objects.filter(plan=plan).count(),
    )
    assert after == before


def test_idor_03_a_rating_of_team_bs_assessment_under_officer_as_own_assessment_is_404(
    client_for: Any, personas: Personas, casework: Casework, team_b_work: dict[str, Any]
) -> None:
    own = services.assessment_start(rso=casework.rso_a, by=personas.officer_a)
    foreign: FactorRating = team_b_work["draft_rating"]
    before = (foreign.rating, foreign.evidence, foreign.version)
    client = client_for(personas.officer_a)

    response = send(
        client,
        "patch",
        api("assessment_rating", own.pk, foreign.pk),
        {"version": foreign.version, "rating": "HIGH", "evidence": "Planted."},
    )

    assert response.status_code == 404
    assert CANARY not in body_of(response)
    foreign.refresh_from_db()
    assert (foreign.rating, foreign.evidence, foreign.version) == before
    (denial,) = AuditEvent.objects.filter(actor=personas.officer_a, action=Action.ACCESS_DENIED)
    assert denial.object_type == services.RATING_TYPE
    assert denial.object_ids == [str(foreign.pk)]


def test_idor_03_a_rating_or_action_of_another_of_team_as_records_is_404_under_the_wrong_parent(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    other_rso = factories.RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a)
    plan_a = approved_plan(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    plan_b = approved_plan(other_rso, officer=personas.officer_a, sergeant=personas.sergeant_a)
    first = services.assessment_start(rso=casework.rso_a, by=personas.officer_a)
    second = services.assessment_start(rso=other_rso, by=personas.officer_a)
    rating = second.ratings.first()
    action = plan_b.actions.first()
    assert rating is not None
    assert action is not None
    client = client_for(personas.officer_a)

    response = send(
        client, "patch", api("assessment_rating", first.pk, rating.pk), {"version": rating.version, "rating": "LOW"}
    )
    assert response.status_code == 404
    assert send(client, "patch", api("plan_action", plan_a.pk, action.pk), {"status": "DONE"}).status_code == 404

    rating.refresh_from_db()
    assert (rating.rating, rating.version) == ("MEDIUM", 1)
    action.refresh_from_db()
    assert action.status == ActionStatus.NOT_STARTED


def test_mass_01_workflow_and_ownership_fields_in_a_body_are_refused_and_nothing_changes(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = client_for(personas.officer_a)
    assessment = services.assessment_start(rso=casework.rso_a, by=personas.officer_a)
    url = api("assessment_detail", assessment.pk)
    response = send(
        client,
        "patch",
        url,
        {
            "version": assessment.version,
            "sources": ["CASE_FILES"],
            "status": "APPROVED",
            "approved_by": personas.sergeant_a.pk,
            "risk_level": "VERY_HIGH",
            "created_by": personas.officer_b.pk,
            "rso": casework.rso_b.pk,
        },
    )
    assert response.status_code == 400
    assert {"status", "approved_by", "risk_level", "created_by", "rso"} <= set(response.json())
    assessment.refresh_from_db()
    assert (assessment.status, assessment.approved_by_id, assessment.sources) == (Status.DRAFT, None, [])
    assert assessment.created_by_id == personas.officer_a.pk
    casework.rso_a.refresh_from_db()
    assert casework.rso_a.risk_level == "LOW"

    response = send(client, "post", api("rso_assessments", casework.rso_a.pk), {"status": "APPROVED"})
    assert response.status_code == 400
    rating = assessment.ratings.first()
    assert rating is not None
    response = send(
        client,
        "patch",
        api("assessment_rating", assessment.pk, rating.pk),
        {"version": rating.version, "assessment": 1, "factor": 1},
    )
    assert response.status_code == 400
    assert Assessment.objects.filter(rso=casework.rso_a).count() == 1

    other_rso = factories.RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a)
    plan = approved_plan(other_rso, officer=personas.officer_a, sergeant=personas.sergeant_a)
    action = plan.actions.first()
    assert action is not None
    client = client_for(personas.officer_a)
    response = send(client, "patch", api("plan_action", plan.pk, action.pk), {"status": "DONE", "plan": 1})
    assert response.status_code == 400
    response = send(client, "patch", api("plan_detail", plan.pk), {"version": plan.version, "approved_by": 1})
    assert response.status_code == 400
    action.refresh_from_db()
    assert action.status == ActionStatus.NOT_STARTED


def test_inspector_reads_but_cannot_write_and_admin_and_auditor_see_nothing(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    plan = approved_plan(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    action = plan.actions.first()
    assert action is not None
    draft = services.assessment_start(rso=casework.rso_a, by=personas.officer_a)
    inspector = client_for(personas.inspector)
    for url in (
        api("rso_assessments", casework.rso_a.pk),
        api("assessment_detail", draft.pk),
        api("rso_plans", casework.rso_a.pk),
        api("plan_detail", plan.pk),
    ):
        assert inspector.get(url).status_code == 200, url
    for method, url, payload in (
        ("post", api("rso_assessments", casework.rso_a.pk), {}),
        ("patch", api("assessment_detail", draft.pk), {"version": draft.version, "sources": ["CASE_FILES"]}),
        ("post", api("rso_plans", casework.rso_a.pk), {}),
        ("patch", api("plan_action", plan.pk, action.pk), {"status": "DONE"}),
        ("post", api("plan_approve", plan.pk), {}),
    ):
        assert send(inspector, method, url, payload).status_code == 404, (method, url)
    assert Assessment.objects.filter(pk=draft.pk).values_list("version", flat=True).get() == draft.version
    assert Plan.objects.filter(rso=casework.rso_a).count() == 1
    for user in (personas.admin, personas.auditor):
        client = client_for(user)
        assert client.get(api("assessment_detail", draft.pk)).status_code == 404
        assert client.get(api("rso_plans", casework.rso_a.pk)).status_code == 404


# --- Query counts and the schema -----------------------------------------------------------


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_assessment_list_costs_the_same_queries_for_1_and_3_assessments(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    team = {"officer": personas.officer_a, "sergeant": personas.sergeant_a, "level": "LOW"}
    approved_assessment(rso, **team)  # type: ignore[arg-type]
    client = client_for(personas.officer_a)
    url = api("rso_assessments", rso.pk)
    one = _queries(client, url)
    approved_assessment(rso, **team)  # type: ignore[arg-type]
    services.assessment_start(rso=rso, by=personas.officer_a)
    three = _queries(client, url)
    # Session, user, second factor, the RSO (team and officer joined), the assessments
    # (their people and catalogue joined), the consultation event (savepoint, insert,
    # release): eight, none per row.
    assert one == three
    assert three <= 8


def test_the_plan_history_costs_the_same_queries_for_1_and_3_versions(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    approved_plan(rso, officer=personas.officer_a, sergeant=personas.sergeant_a)
    client = client_for(personas.officer_a)
    url = api("rso_plans", rso.pk)
    one = _queries(client, url)
    approved_plan(rso, officer=personas.officer_a, sergeant=personas.sergeant_a)
    services.plan_start(rso=rso, by=personas.officer_a)
    three = _queries(client, url)
    # Session, user, second factor, the RSO, the versions (their people joined), the
    # consultation event (savepoint, insert, release): eight, none per version.
    assert one == three
    assert three <= 8


def test_an_assessment_and_a_plan_cost_the_same_queries_whatever_their_size(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    plan = approved_plan(rso, officer=personas.officer_a, sergeant=personas.sergeant_a, actions=1)
    client = client_for(personas.officer_a)
    small = _queries(client, api("plan_detail", plan.pk))
    bigger = approved_plan(rso, officer=personas.officer_a, sergeant=personas.sergeant_a, actions=6)
    assert _queries(client, api("plan_detail", bigger.pk)) == small
    first = Assessment.objects.filter(rso=rso).order_by("pk").first()
    assert first is not None
    reviewed = _queries(client, api("assessment_detail", first.pk))
    assert reviewed <= 14


def test_api_schema_documents_the_arms_endpoints_without_warnings(
    client_for: Any, personas: Personas, tmp_path: Path
) -> None:
    schema = client_for(personas.officer_a).get(reverse("api-schema")).content.decode()
    for operation in ("arms_assessments_approve", "arms_assessments_ratings_update", "arms_plans_actions_update"):
        assert operation in schema
    assert "not offered over the API" in schema
    # The same generation the build runs, failing on any warning.
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"), stdout=StringIO())
