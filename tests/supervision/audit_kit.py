"""Shared steps for the plan-audit tests: approved plans written straight to the
database (fast, and shaped exactly as a test needs), and audits of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from arms.choices import ActionType, Agency, FactorKind, Rating, Status
from arms.models import Assessment, Factor, FactorCatalogue, FactorRating, Plan, PlanAction
from caseload.models import RSO
from mosovo.accounts.models import User
from supervision.choices import RUBRIC_FIELDS, AuditState
from supervision.models import PlanAudit


def factors() -> list[Factor]:
    catalogue = FactorCatalogue.objects.order_by("-version").first()
    assert catalogue is not None
    return list(Factor.objects.filter(catalogue=catalogue).order_by("kind", "position"))


def risk_factors() -> list[Factor]:
    return [f for f in factors() if f.kind == FactorKind.RISK]


def protective_factors() -> list[Factor]:
    return [f for f in factors() if f.kind == FactorKind.PROTECTIVE]


def plan_for(
    rso: RSO,
    *,
    by: User,
    ratings: dict[str, tuple[str, str]] | None = None,
    actions: Sequence[dict[str, Any]] | None = None,
    contingencies: str = "If he is seen near a school, call the duty sergeant.",
    shared: str = "He knows about the visits and the support actions.",
) -> Plan:
    """Give ``rso`` an approved assessment and an approved plan.

    ``ratings`` maps a factor code to (rating, evidence); factors not named are rated
    MEDIUM with evidence. ``actions`` are PlanAction fields (``factor`` as a code); by
    default one SUPPORT action per protective factor and one CONTROL action per risk
    factor, each with an owner, a date, and shareable.
    """
    all_factors = factors()
    catalogue_id = all_factors[0].catalogue_id
    now = timezone.now()
    assessment = Assessment.objects.create(
        rso=rso, catalogue_id=catalogue_id, created_by=by, proposed_risk_level=rso.risk_level or "LOW"
    )
    wanted = ratings or {}
    FactorRating.objects.bulk_create(
        FactorRating(
            assessment=assessment,
            factor=f,
            rating=wanted.get(f.code, (Rating.MEDIUM, ""))[0],
            evidence=wanted.get(f.code, ("", f"Evidence for {f.name}."))[1],
        )
        for f in all_factors
    )
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.APPROVED, approved_at=now, approved_by=by)
    number = Plan.objects.filter(rso=rso).count() + 1
    plan = Plan.objects.create(
        rso=rso,
        number=number,
        assessment=assessment,
        visit_interval_months=6,
        contingencies=contingencies,
        shared_with_person=shared,
        created_by=by,
    )
    by_code = {f.code: f for f in all_factors}
    if actions is None:
        actions = [
            {
                "factor": f.code,
                "action_type": ActionType.SUPPORT if f.kind == FactorKind.PROTECTIVE else ActionType.CONTROL,
            }
            for f in all_factors
        ]
    PlanAction.objects.bulk_create(
        PlanAction(
            plan=plan,
            position=i,
            **{
                "description": f"Fictional step {i + 1}.",
                "agency": Agency.POLICE,
                "owner": "PC Test",
                "due_on": timezone.localdate() + dt.timedelta(days=30),
                "shareable": True,
                **{k: v for k, v in spec.items() if k != "factor"},
                "factor": by_code[spec["factor"]],
            },
        )
        for i, spec in enumerate(actions)
    )
    Plan.objects.filter(pk=plan.pk).update(status=Status.APPROVED, approved_at=now, approved_by=by)
    plan.refresh_from_db()
    return plan


def audit_of(plan: Plan, *, sergeant: User, completed: bool = False, score: int = 2, **extra: Any) -> PlanAudit:
    """Put a plan up for audit (and score it when ``completed``), as the services leave it."""
    rso = plan.rso
    audit = PlanAudit.objects.create(
        plan=plan,
        rso=rso,
        team_id=rso.team_id,
        officer_id=rso.allocated_officer_id,
        risk_level=rso.risk_level or "",
        sampled_by=sergeant,
    )
    if completed:
        values = dict.fromkeys(RUBRIC_FIELDS, score)
        PlanAudit.objects.filter(pk=audit.pk).update(
            **values,
            state=AuditState.COMPLETED,
            score=round(100 * score / 2),
            feedback="Good evidence; add support for employment.",
            audited_by=sergeant,
            completed_at=extra.pop("completed_at", timezone.now()),
            **extra,
        )
        audit.refresh_from_db()
    return audit
