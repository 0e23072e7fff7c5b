"""The ARMS rules beyond the happy path: the catalogue, women and under-18s, the reason
for a level that differs from the static band, reviews opened by significant changes,
and the plan's own rules (visit interval, progress on an approved plan, versions)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from arms import services
from arms.choices import ActionStatus, Method, Status
from arms.models import FactorCatalogue, PlanAction
from caseload.choices import Sex
from caseload.models import RSO
from caseload.services import change_event_record, static_score_add
from tests.arms.kit import approved_assessment, approved_plan, fill_assessment
from tests.conftest import Casework, Personas
from tests.factories import RSOFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_the_catalogue_is_seeded_with_seven_risk_and_five_protective_factors() -> None:
    catalogue = FactorCatalogue.objects.get(version=1)
    factors = list(catalogue.factors.all())
    assert len([f for f in factors if f.kind == "RISK"]) == 7
    assert len([f for f in factors if f.kind == "PROTECTIVE"]) == 5
    assert all(len(f.guidance) > 60 for f in factors)
    assert services.catalogue_current() == catalogue


def test_an_assessment_records_the_catalogue_version_it_used(personas: Personas, casework: Casework) -> None:
    assessment = services.assessment_start(rso=casework.rso_a, by=personas.officer_a)
    assert assessment.catalogue.version == 1
    assert {r.factor.catalogue_id for r in assessment.ratings.select_related("factor")} == {assessment.catalogue_id}


@pytest.mark.parametrize(
    ("sex", "age", "method"),
    [(Sex.MALE, 30, Method.ARMS), (Sex.FEMALE, 30, Method.OTHER), (Sex.MALE, 17, Method.OTHER)],
)
def test_arms_is_for_adult_men_and_others_get_another_assessment(
    personas: Personas, sex: str, age: int, method: str
) -> None:
    born = TODAY.replace(year=TODAY.year - age) - dt.timedelta(days=10)
    rso = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a, sex=sex, date_of_birth=born)
    assessment = services.assessment_start(rso=rso, by=personas.officer_a)
    assert assessment.method == method


def test_another_assessment_asks_for_the_tool_and_why_instead_of_ratings(personas: Personas) -> None:
    rso = RSOFactory.create(team=personas.team_a, allocated_officer=personas.officer_a, sex=Sex.FEMALE)
    assessment = services.assessment_start(rso=rso, by=personas.officer_a)
    rating = assessment.ratings.first()
    assert rating is not None
    with pytest.raises(ValidationError, match="ARMS does not apply"):
        services.factor_rating_update(rating=rating, value="HIGH", evidence="x", version=1, by=personas.officer_a)
    assessment = services.assessment_update_sources(
        assessment=assessment, sources=["CASE_FILES"], version=assessment.version, by=personas.officer_a
    )
    assessment = services.assessment_update_summary(
        assessment=assessment,
        proposed_risk_level="LOW",
        level_reason="No static tool.",
        version=assessment.version,
        by=personas.officer_a,
    )
    problems = services.assessment_problems(assessment)
    assert set(problems) == {"other_assessment", "other_assessment_reason", "other_assessment_summary"}
    assessment = services.assessment_update_other(
        assessment=assessment,
        other_assessment="AIM3",
        other_assessment_reason="She is a woman: ARMS is validated for men only.",
        other_assessment_summary="Low concern in every domain.",
        version=assessment.version,
        by=personas.officer_a,
    )
    submitted = services.assessment_submit(assessment=assessment, version=assessment.version, by=personas.officer_a)
    assert submitted.status == Status.SUBMITTED


def test_a_level_different_from_the_static_band_needs_a_reason(personas: Personas, casework: Casework) -> None:
    static_score_add(rso=casework.rso_a, tool="OSP_C", band="LOW", assessed_on=TODAY, by=personas.officer_a)
    assessment = fill_assessment(
        services.assessment_start(rso=casework.rso_a, by=personas.officer_a), by=personas.officer_a, level="MEDIUM"
    )
    assessment = services.assessment_update_summary(
        assessment=assessment,
        risk_priority="MEDIUM",
        protective_priority="LOW",
        proposed_risk_level="MEDIUM",
        level_reason="",
        version=assessment.version,
        by=personas.officer_a,
    )
    with pytest.raises(ValidationError) as refused:
        services.assessment_submit(assessment=assessment, version=assessment.version, by=personas.officer_a)
    assert "differs from the static band (low)" in refused.value.message_dict["level_reason"][0]
    assessment = services.assessment_update_summary(
        assessment=assessment,
        risk_priority="MEDIUM",
        protective_priority="LOW",
        proposed_risk_level="LOW",
        level_reason="",
        version=assessment.version,
        by=personas.officer_a,
    )
    assert services.assessment_submit(assessment=assessment, version=assessment.version, by=personas.officer_a)


def test_a_fall_in_level_is_approved_by_the_sergeant_in_the_same_step(personas: Personas, casework: Casework) -> None:
    RSO.objects.filter(pk=casework.rso_a.pk).update(risk_level="MEDIUM")
    approved = approved_assessment(
        casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a, level="LOW"
    )
    casework.rso_a.refresh_from_db()
    assert approved.previous_risk_level == "MEDIUM"
    assert casework.rso_a.risk_level == "LOW"


def test_a_significant_change_opens_a_review_that_approval_closes(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    change_event_record(
        rso=rso, event_type="RELATIONSHIP", occurred_on=TODAY, source="Home visit", by=personas.officer_a
    )
    rso.refresh_from_db()
    assert rso.arms_change_review_due_on == TODAY + dt.timedelta(days=28)
    approved_assessment(rso, officer=personas.officer_a, sergeant=personas.sergeant_a)
    rso.refresh_from_db()
    assert rso.arms_change_review_due_on is None
    assert rso.arms_last_approved_on == TODAY


def test_a_change_recorded_after_submission_keeps_the_review_open(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    assessment = fill_assessment(services.assessment_start(rso=rso, by=personas.officer_a), by=personas.officer_a)
    assessment = services.assessment_submit(assessment=assessment, version=assessment.version, by=personas.officer_a)
    change_event_record(rso=rso, event_type="ARREST", occurred_on=TODAY, source="Custody record", by=personas.officer_a)
    services.assessment_approve(assessment=assessment, by=personas.sergeant_a)
    rso.refresh_from_db()
    assert rso.arms_change_review_due_on == TODAY + dt.timedelta(days=28)


@override_settings(MOSOVO_POLICY={"ARMS_REVIEW_INTERVAL_MONTHS": {"MEDIUM": 9}})
def test_the_routine_review_follows_the_policy_interval_for_the_new_level(
    personas: Personas, casework: Casework
) -> None:
    approved_assessment(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a, level="MEDIUM")
    casework.rso_a.refresh_from_db()
    assert casework.rso_a.arms_review_due_on is not None
    months = (casework.rso_a.arms_review_due_on.year - TODAY.year) * 12 + (
        casework.rso_a.arms_review_due_on.month - TODAY.month
    )
    assert months == 9


def test_one_open_assessment_at_a_time(personas: Personas, casework: Casework) -> None:
    services.assessment_start(rso=casework.rso_a, by=personas.officer_a)
    with pytest.raises(ValidationError, match="already open"):
        services.assessment_start(rso=casework.rso_a, by=personas.sergeant_a)


# --- Plans ----------------------------------------------------------------------------


def test_a_plan_needs_an_approved_assessment(personas: Personas, casework: Casework) -> None:
    with pytest.raises(ValidationError, match="approved ARMS assessment"):
        services.plan_start(rso=casework.rso_a, by=personas.officer_a)


def test_the_visit_interval_defaults_from_policy_and_a_longer_one_needs_a_reason(
    personas: Personas, casework: Casework
) -> None:
    approved_assessment(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a, level="MEDIUM")
    plan = services.plan_start(rso=casework.rso_a, by=personas.officer_a)
    assert plan.visit_interval_months == 6  # medium risk: every 6 months
    with pytest.raises(ValidationError) as refused:
        services.plan_update(plan=plan, visit_interval_months=9, version=plan.version, by=personas.officer_a)
    assert "longer than the policy's 6 months" in refused.value.message_dict["visit_interval_reason"][0]
    plan = services.plan_update(
        plan=plan,
        visit_interval_months=9,
        visit_interval_reason="Stable for five years; MAPPA agreed.",
        version=plan.version,
        by=personas.officer_a,
    )
    assert plan.visit_interval_months == 9


def test_submitting_a_plan_lists_what_is_missing(personas: Personas, casework: Casework) -> None:
    approved_assessment(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    plan = services.plan_start(rso=casework.rso_a, by=personas.officer_a)
    with pytest.raises(ValidationError) as refused:
        services.plan_submit(plan=plan, version=plan.version, by=personas.officer_a)
    assert set(refused.value.message_dict) == {"actions", "contingencies"}


def test_an_action_must_address_a_factor_of_the_plans_assessment(personas: Personas, casework: Casework) -> None:
    approved_assessment(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    plan = services.plan_start(rso=casework.rso_a, by=personas.officer_a)
    with pytest.raises(ValidationError) as refused:
        services.plan_action_add(
            plan=plan,
            factor_id=999999,
            action_type="NOPE",
            description=" ",
            agency="POLICE",
            owner="",
            by=personas.officer_a,
        )
    assert set(refused.value.message_dict) == {"factor", "action_type", "description", "owner"}
    assert not PlanAction.objects.filter(plan=plan).exists()


def test_progress_on_the_current_plan_is_recorded_but_nothing_else_changes(
    personas: Personas, casework: Casework
) -> None:
    plan = approved_plan(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    action = plan.actions.first()
    assert action is not None
    services.plan_action_set_status(action=action, status=ActionStatus.DONE, by=personas.officer_a)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    with pytest.raises(ValidationError):
        services.plan_action_update(
            action=action,
            factor_id=action.factor_id,
            action_type="CONTROL",
            description="changed",
            agency="POLICE",
            owner="PC",
            by=personas.officer_a,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanAction.objects.filter(pk=action.pk).update(description="tampered")


def test_a_replaced_plan_version_takes_no_more_progress(personas: Personas, casework: Casework) -> None:
    first = approved_plan(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    approved_plan(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    action = first.actions.first()
    assert action is not None
    with pytest.raises(ValidationError, match="replaced"):
        services.plan_action_set_status(action=action, status=ActionStatus.DONE, by=personas.officer_a)


def test_a_plan_submitted_after_a_new_assessment_rests_on_the_new_one(personas: Personas, casework: Casework) -> None:
    approved_plan(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    newer = approved_assessment(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    second = approved_plan(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    assert second.number == 2
    assert second.assessment == newer


def test_an_officer_of_another_team_cannot_write_a_plan(personas: Personas, casework: Casework) -> None:
    plan = approved_plan(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    with pytest.raises(ValidationError):
        services.plan_start(rso=casework.rso_a, by=personas.officer_b)
    action = plan.actions.first()
    assert action is not None
    with pytest.raises(ValidationError):
        services.plan_action_set_status(action=action, status=ActionStatus.DONE, by=personas.inspector)


def test_only_the_right_people_may_export_a_plan(personas: Personas, casework: Casework) -> None:
    plan = approved_plan(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    assert services.may_export_plan(user=personas.officer_a, plan=plan)  # allocated officer
    assert services.may_export_plan(user=personas.sergeant_a, plan=plan)
    assert services.may_export_plan(user=personas.inspector, plan=plan)
    assert not services.may_export_plan(user=personas.officer_b, plan=plan)
    assert not services.may_export_plan(user=personas.admin, plan=plan)
