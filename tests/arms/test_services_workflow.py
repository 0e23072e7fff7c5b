"""The ARMS workflow: draft, submit, return, approve; who may do what; what approval changes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from arms import services
from arms.choices import Status
from arms.models import Assessment, FactorRating, Review
from caseload.allocation import CapExceeded
from tests.arms.kit import approved_assessment, approved_plan, fill_assessment
from tests.conftest import Casework, Personas

pytestmark = pytest.mark.django_db


def test_officer_drafts_submits_and_sergeant_approves_changing_the_risk_level(
    personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    assert rso.risk_level == "LOW"
    assessment = services.assessment_start(rso=rso, by=personas.officer_a)
    assert assessment.ratings.count() == 12  # 7 risk + 5 protective factors
    assessment = fill_assessment(assessment, by=personas.officer_a, level="MEDIUM")
    assessment = services.assessment_submit(assessment=assessment, version=assessment.version, by=personas.officer_a)
    assert assessment.status == Status.SUBMITTED

    approved = services.assessment_approve(assessment=assessment, by=personas.sergeant_a)

    rso.refresh_from_db()
    assert approved.status == Status.APPROVED
    assert approved.previous_risk_level == "LOW"
    assert rso.risk_level == "MEDIUM"
    assert rso.arms_last_approved_on is not None
    assert rso.arms_review_due_on is not None  # 12 months on for medium risk
    assert [r.decision for r in Review.objects.filter(assessment=approved)] == ["SUBMITTED", "APPROVED"]


def test_submission_lists_what_is_missing_and_changes_nothing(personas: Personas, casework: Casework) -> None:
    assessment = services.assessment_start(rso=casework.rso_a, by=personas.officer_a)
    with pytest.raises(ValidationError) as refused:
        services.assessment_submit(assessment=assessment, version=assessment.version, by=personas.officer_a)
    messages = refused.value.message_dict
    assert "sources" in messages
    assert "factor-opportunity" in messages
    assert "proposed_risk_level" in messages
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT


def test_sergeant_returns_with_comments_and_officer_resubmits(personas: Personas, casework: Casework) -> None:
    assessment = fill_assessment(
        services.assessment_start(rso=casework.rso_a, by=personas.officer_a), by=personas.officer_a
    )
    assessment = services.assessment_submit(assessment=assessment, version=assessment.version, by=personas.officer_a)
    with pytest.raises(ValidationError):
        services.assessment_return(assessment=assessment, comments="  ", by=personas.sergeant_a)
    returned = services.assessment_return(
        assessment=assessment, comments="Say more about opportunity.", by=personas.sergeant_a
    )
    assert returned.status == Status.RETURNED
    again = services.assessment_submit(assessment=returned, version=returned.version, by=personas.officer_a)
    assert again.status == Status.SUBMITTED


def test_an_officer_cannot_approve_and_another_team_cannot_touch(personas: Personas, casework: Casework) -> None:
    assessment = fill_assessment(
        services.assessment_start(rso=casework.rso_a, by=personas.officer_a), by=personas.officer_a
    )
    assessment = services.assessment_submit(assessment=assessment, version=assessment.version, by=personas.officer_a)
    for who in (personas.officer_a, personas.officer_b, personas.inspector):
        with pytest.raises(ValidationError):
            services.assessment_approve(assessment=assessment, by=who)
    with pytest.raises(ValidationError):
        services.assessment_start(rso=casework.rso_b, by=personas.officer_a)


def test_a_sergeant_cannot_approve_their_own_submission(personas: Personas, casework: Casework) -> None:
    assessment = fill_assessment(
        services.assessment_start(rso=casework.rso_a, by=personas.sergeant_a), by=personas.sergeant_a
    )
    assessment = services.assessment_submit(assessment=assessment, version=assessment.version, by=personas.sergeant_a)
    with pytest.raises(ValidationError, match="another sergeant"):
        services.assessment_approve(assessment=assessment, by=personas.sergeant_a)


def test_an_approved_assessment_cannot_be_changed_even_bypassing_the_services(
    personas: Personas, casework: Casework
) -> None:
    approved = approved_assessment(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    with pytest.raises(ValidationError):
        services.assessment_update_summary(
            assessment=approved, scenarios="changed", version=approved.version, by=personas.officer_a
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=approved.pk).update(scenarios="tampered")
    with pytest.raises(IntegrityError), transaction.atomic():
        FactorRating.objects.filter(assessment=approved).update(evidence="tampered")
    approved.refresh_from_db()
    assert approved.scenarios == ""


def test_approval_that_would_break_the_20_percent_rule_is_refused_whole(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a  # officer_a's only case: high risk would make 1 of 1
    assessment = fill_assessment(
        services.assessment_start(rso=rso, by=personas.officer_a), by=personas.officer_a, level="HIGH"
    )
    assessment = services.assessment_submit(assessment=assessment, version=assessment.version, by=personas.officer_a)
    with pytest.raises(CapExceeded):
        services.assessment_approve(assessment=assessment, by=personas.sergeant_a)
    assessment.refresh_from_db()
    rso.refresh_from_db()
    assert assessment.status == Status.SUBMITTED
    assert rso.risk_level == "LOW"
    approved = services.assessment_approve(
        assessment=assessment, by=personas.sergeant_a, override_reason="Temporary: transfer planned next week."
    )
    rso.refresh_from_db()
    assert approved.status == Status.APPROVED
    assert rso.risk_level == "HIGH"


def test_next_assessment_is_prefilled_from_the_approved_one(personas: Personas, casework: Casework) -> None:
    first = approved_assessment(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    second = services.assessment_start(rso=casework.rso_a, by=personas.officer_a)
    assert second.prefilled_from == first
    assert second.proposed_risk_level == first.proposed_risk_level
    assert second.interview_dates == []
    assert {r.evidence for r in second.ratings.all()} == {r.evidence for r in first.ratings.all()}


def test_a_stale_draft_save_is_refused(personas: Personas, casework: Casework) -> None:
    assessment = services.assessment_start(rso=casework.rso_a, by=personas.officer_a)
    services.assessment_update_summary(assessment=assessment, scenarios="first", version=1, by=personas.officer_a)
    with pytest.raises(services.Conflict):
        services.assessment_update_summary(assessment=assessment, scenarios="second", version=1, by=personas.sergeant_a)
    assessment.refresh_from_db()
    assert assessment.scenarios == "first"


def test_plan_versions_an_approved_plan_stays_and_a_change_is_a_new_version(
    personas: Personas, casework: Casework
) -> None:
    first = approved_plan(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a, actions=4)
    second = services.plan_start(rso=casework.rso_a, by=personas.officer_a)
    assert second.number == 2
    assert second.actions.count() == 4
    action = second.actions.first()
    assert action is not None
    services.plan_action_remove(action=action, by=personas.officer_a)
    first.refresh_from_db()
    assert first.actions.count() == 4
    assert first.status == Status.APPROVED
    with pytest.raises(ValidationError):
        services.plan_action_add(
            plan=first,
            factor_id=action.factor_id,
            action_type="CONTROL",
            description="x",
            agency="POLICE",
            owner="PC",
            by=personas.officer_a,
        )
