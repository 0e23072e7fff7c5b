"""Shared steps for the ARMS tests: fill an assessment so it can be submitted, and run
an RSO through to an approved assessment and plan."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from arms import services
from arms.choices import ActionStatus, ActionType, Agency, Priority, Rating, Source
from arms.models import Assessment, Plan
from caseload.models import RSO
from caseload.services import static_score_add
from mosovo.accounts.models import User


def fill_assessment(
    assessment: Assessment, *, by: User, level: str = "MEDIUM", rating: str = Rating.MEDIUM, reason: str = ""
) -> Assessment:
    """Complete every section of a draft with plausible (fictional) content."""
    assessment = services.assessment_update_sources(
        assessment=assessment,
        sources=[Source.INTERVIEW, Source.CASE_FILES],
        sources_notes="Interview at home; police case file.",
        interview_dates=[timezone.localdate() - dt.timedelta(days=3)],
        version=assessment.version,
        by=by,
    )
    for row in assessment.ratings.select_related("factor"):
        services.factor_rating_update(
            rating=row,
            value=rating,
            evidence=f"Evidence for {row.factor.name}.",
            action=f"Action for {row.factor.name}.",
            version=row.version,
            by=by,
        )
    assessment.refresh_from_db()
    return services.assessment_update_summary(
        assessment=assessment,
        risk_priority=Priority.MEDIUM,
        protective_priority=Priority.MEDIUM,
        proposed_risk_level=level,
        level_reason=reason or "Static band and the dynamic picture agree.",
        version=assessment.version,
        by=by,
    )


def approved_assessment(rso: RSO, *, officer: User, sergeant: User, level: str = "MEDIUM") -> Assessment:
    """Take the RSO through draft, submission and approval; return the approved assessment."""
    if not rso.static_scores.exists():
        static_score_add(rso=rso, tool="OSP_C", band=level, assessed_on=timezone.localdate(), by=officer)
    assessment = services.assessment_start(rso=rso, by=officer)
    assessment = fill_assessment(assessment, by=officer, level=level)
    assessment = services.assessment_submit(assessment=assessment, version=assessment.version, by=officer)
    return services.assessment_approve(assessment=assessment, by=sergeant)


def approved_plan(rso: RSO, *, officer: User, sergeant: User, actions: int = 3) -> Plan:
    """Give the RSO an approved plan with ``actions`` actions (an approved assessment first)."""
    if not Assessment.objects.filter(rso=rso, status="APPROVED").exists():
        approved_assessment(rso, officer=officer, sergeant=sergeant)
    plan = services.plan_start(rso=rso, by=officer)
    factors = list(plan.assessment.catalogue.factors.all())
    types = list(ActionType)
    for n in range(actions):
        services.plan_action_add(
            plan=plan,
            factor_id=factors[n % len(factors)].pk,
            action_type=types[n % len(types)],
            description=f"Action {n + 1}: fictional step.",
            agency=Agency.POLICE,
            owner="PC Test",
            due_on=timezone.localdate() + dt.timedelta(days=30 + n),
            status=ActionStatus.NOT_STARTED,
            shareable=n % 2 == 0,
            by=officer,
        )
    plan.refresh_from_db()
    plan = services.plan_update(
        plan=plan,
        visit_interval_months=plan.visit_interval_months,
        contingencies="If he is seen near a school, call the duty sergeant.",
        shared_with_person="He knows about the visits and the support actions.",
        change_summary="" if plan.number == 1 else "Updated after review.",
        version=plan.version,
        by=officer,
    )
    plan = services.plan_submit(plan=plan, version=plan.version, by=officer)
    return services.plan_approve(plan=plan, by=sergeant)
