"""ARMS writes: assessments, plans and the approval workflow (``../shared/domain.md`` s.3).

Keyword-only, typed functions named <entity>_<action>. Each runs in one transaction with
its audit event. Bad input is refused with a ``ValidationError`` naming each field, and
nothing is saved. Drafts carry a ``version``: a save based on an older version raises
``Conflict`` and changes nothing.

Who may do what:
- the RSO's team (its offender managers and sergeant) drafts, edits and submits;
- a sergeant of the RSO's team returns or approves, and not their own submission
  (four eyes);
- approval of an assessment changes the RSO's risk level through the caseload's 20%
  guard (``rso_change_risk_level``): a refusal there refuses the approval.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Final, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from caseload import local_policy
from caseload.choices import RISK_ORDER, RiskLevel, Sex
from caseload.models import RSO, StaticRiskScore
from caseload.schedule import schedule_recompute
from caseload.services import age_on, rso_arms_reviewed, rso_change_risk_level
from mosovo.accounts.choices import Role
from mosovo.accounts.models import User
from mosovo.audit.choices import Action, Channel
from mosovo.audit.services import audit_record
from mosovo.lib.pdf import render_pdf

from .choices import (
    EDITABLE_STATUSES,
    OPEN_STATUSES,
    ActionStatus,
    ActionType,
    Agency,
    Decision,
    FactorKind,
    Method,
    Priority,
    Rating,
    Source,
    Status,
)
from .models import Assessment, Factor, FactorCatalogue, FactorRating, Plan, PlanAction, Review

ASSESSMENT_TYPE: Final = "arms.assessment"
RATING_TYPE: Final = "arms.factorrating"
PLAN_TYPE: Final = "arms.plan"
ACTION_TYPE: Final = "arms.planaction"


class Conflict(Exception):
    """The draft changed since the user loaded it; nothing was saved."""

    def __init__(self, current: Any) -> None:
        super().__init__("Someone else changed this while you were working on it. Nothing was saved.")
        self.current = current


# --- Helpers --------------------------------------------------------------------------


def _text(value: Any) -> str:
    return str(value or "").strip()


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _require_team(by: User, rso: RSO) -> None:
    """Only the RSO's team (offender managers and sergeant) writes its ARMS records."""
    if not (by.is_active and by.role in (Role.OFFICER, Role.SERGEANT) and by.team_id == rso.team_id):
        raise ValidationError("Only the offender managers and sergeant of the person's team can do this.")


def _require_sergeant(by: User, rso: RSO, what: str) -> None:
    if not (by.is_active and by.role == Role.SERGEANT and by.team_id == rso.team_id):
        raise ValidationError(f"Only a sergeant of the person's team can {what}.")


def _audit(
    *,
    action: Action,
    by: User,
    rso_id: int,
    object_type: str,
    object_id: int,
    fields: Iterable[str] = (),
    reason: str = "",
    **extra: Any,
) -> None:
    audit_record(
        action=action,
        actor=by,
        rso_ids=[rso_id],
        object_type=object_type,
        object_ids=[object_id],
        fields=list(fields),
        reason=reason,
        **extra,
    )


def _changed(obj: Any, values: dict[str, Any]) -> list[str]:
    """Set the values on ``obj`` and return the names of those that changed."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name, value in values.items():
        setattr(obj, name, value)
    return changed


def _lock_assessment(assessment: Assessment, version: int | None) -> Assessment:
    locked = Assessment.objects.select_for_update().select_related("rso").get(pk=assessment.pk)
    if version is not None and locked.version != version:
        raise Conflict(locked)
    return locked


def _editable(assessment: Assessment) -> None:
    if assessment.status not in EDITABLE_STATUSES:
        raise ValidationError(f"This assessment is {assessment.get_status_display().lower()} and cannot be changed.")


def catalogue_current() -> FactorCatalogue:
    """Return the newest factor catalogue (the one new assessments use)."""
    return FactorCatalogue.objects.order_by("-version").first() or _no_catalogue()


def _no_catalogue() -> FactorCatalogue:
    raise ValidationError("No ARMS factor catalogue is installed: run the migrations.")


def arms_applies(*, rso: RSO, on: date) -> bool:
    """Tell whether ARMS applies: it is for adult men (domain s.3); others get another tool."""
    return rso.sex == Sex.MALE and age_on(rso.date_of_birth, on) >= 18


def latest_static_score(rso: RSO) -> StaticRiskScore | None:
    """Return the RSO's most recent static risk score, if any."""
    return cast(StaticRiskScore | None, StaticRiskScore.objects.filter(rso=rso).order_by("-assessed_on", "-id").first())


def last_approved_assessment(rso: RSO) -> Assessment | None:
    """Return the RSO's current (most recently approved) assessment, if any."""
    return Assessment.objects.filter(rso=rso, status=Status.APPROVED).order_by("-approved_at", "-id").first()


# --- Assessments ----------------------------------------------------------------------


@transaction.atomic
def assessment_start(*, rso: RSO, by: User) -> Assessment:
    """Open a draft assessment, prefilled from the last approved one.

    Ratings, evidence, actions, sources and the summary are copied (by factor code, so a
    new catalogue version keeps what still applies); interview dates are not (a new
    assessment needs its own interview). One open assessment per RSO at a time.
    """
    _require_team(by, rso)
    rso = RSO.objects.select_for_update().get(pk=rso.pk)
    open_one = Assessment.objects.filter(rso=rso, status__in=OPEN_STATUSES).first()
    if open_one is not None:
        raise ValidationError(
            f"An assessment is already open for this person ({open_one.get_status_display().lower()}, "
            f"started {open_one.created_at:%d %B %Y}). Finish or review that one first."
        )
    today = timezone.localdate()
    catalogue = catalogue_current()
    previous = last_approved_assessment(rso)
    assessment = Assessment(
        rso=rso,
        catalogue=catalogue,
        method=Method.ARMS if arms_applies(rso=rso, on=today) else Method.OTHER,
        created_by=by,
        static_score=latest_static_score(rso),
        prefilled_from=previous,
    )
    if previous is not None:
        for name in (
            "sources",
            "sources_notes",
            "other_assessment",
            "other_assessment_reason",
            "other_assessment_summary",
            "risk_priority",
            "protective_priority",
            "proposed_risk_level",
            "level_reason",
            "scenarios",
        ):
            setattr(assessment, name, getattr(previous, name))
    assessment.save()
    earlier = {}
    if previous is not None:
        earlier = {r.factor.code: r for r in previous.ratings.select_related("factor")}
    FactorRating.objects.bulk_create(
        [
            FactorRating(
                assessment=assessment,
                factor=factor,
                rating=earlier[factor.code].rating if factor.code in earlier else "",
                evidence=earlier[factor.code].evidence if factor.code in earlier else "",
                action=earlier[factor.code].action if factor.code in earlier else "",
            )
            for factor in catalogue.factors.all()
        ]
    )
    _audit(
        action=Action.COLLECTION,
        by=by,
        rso_id=rso.pk,
        object_type=ASSESSMENT_TYPE,
        object_id=assessment.pk,
        reason=f"prefilled from assessment {previous.pk}" if previous else "",
    )
    return assessment


def _save_section(assessment: Assessment, values: dict[str, Any], by: User) -> Assessment:
    fields = _changed(assessment, values)
    if fields:
        assessment.version = F("version") + 1
        assessment.save(update_fields=[*fields, "version", "updated_at"])
        assessment.refresh_from_db()
        _audit(
            action=Action.ALTERATION,
            by=by,
            rso_id=assessment.rso_id,
            object_type=ASSESSMENT_TYPE,
            object_id=assessment.pk,
            fields=fields,
        )
    return assessment


@transaction.atomic
def assessment_update_sources(
    *,
    assessment: Assessment,
    sources: Iterable[str],
    sources_notes: str = "",
    interview_dates: Iterable[date] = (),
    version: int,
    by: User,
) -> Assessment:
    """Save the sources section: which sources were used, notes, and interview dates."""
    assessment = _lock_assessment(assessment, version)
    _require_team(by, assessment.rso)
    _editable(assessment)
    chosen = list(dict.fromkeys(sources))
    dates = sorted(set(interview_dates))
    errors: dict[str, str] = {}
    unknown = [s for s in chosen if s not in Source.values]
    if unknown:
        errors["sources"] = "Choose sources from the list"
    today = timezone.localdate()
    if any(d > today for d in dates):
        errors["interview_dates"] = "An interview date cannot be in the future"
    _refuse(errors)
    return _save_section(
        assessment,
        {"sources": chosen, "sources_notes": _text(sources_notes), "interview_dates": dates},
        by,
    )


@transaction.atomic
def assessment_update_other(
    *,
    assessment: Assessment,
    other_assessment: str,
    other_assessment_reason: str,
    other_assessment_summary: str = "",
    version: int,
    by: User,
) -> Assessment:
    """Save the section used instead of the factor ratings for women and under-18s."""
    assessment = _lock_assessment(assessment, version)
    _require_team(by, assessment.rso)
    _editable(assessment)
    if assessment.method != Method.OTHER:
        raise ValidationError("ARMS applies to this person: rate the factors instead.")
    return _save_section(
        assessment,
        {
            "other_assessment": _text(other_assessment)[:200],
            "other_assessment_reason": _text(other_assessment_reason),
            "other_assessment_summary": _text(other_assessment_summary),
        },
        by,
    )


@transaction.atomic
def assessment_update_summary(
    *,
    assessment: Assessment,
    risk_priority: str = "",
    protective_priority: str = "",
    proposed_risk_level: str = "",
    level_reason: str = "",
    scenarios: str = "",
    version: int,
    by: User,
) -> Assessment:
    """Save the summary section: priorities, the proposed risk level and its reason."""
    assessment = _lock_assessment(assessment, version)
    _require_team(by, assessment.rso)
    _editable(assessment)
    errors: dict[str, str] = {}
    if risk_priority and risk_priority not in Priority.values:
        errors["risk_priority"] = "Choose high, medium or low"
    if protective_priority and protective_priority not in Priority.values:
        errors["protective_priority"] = "Choose high, medium or low"
    if proposed_risk_level and proposed_risk_level not in RiskLevel.values:
        errors["proposed_risk_level"] = "Choose a risk level"
    _refuse(errors)
    return _save_section(
        assessment,
        {
            "risk_priority": risk_priority,
            "protective_priority": protective_priority,
            "proposed_risk_level": proposed_risk_level,
            "level_reason": _text(level_reason),
            "scenarios": _text(scenarios),
            # The level is anchored on the current static score.
            "static_score": latest_static_score(assessment.rso),
        },
        by,
    )


@transaction.atomic
def factor_rating_update(
    *, rating: FactorRating, value: str, evidence: str, action: str = "", version: int, by: User
) -> FactorRating:
    """Save one factor's rating, evidence and risk management action."""
    locked = FactorRating.objects.select_for_update().select_related("factor").get(pk=rating.pk)
    assessment = Assessment.objects.select_for_update().select_related("rso").get(pk=locked.assessment_id)
    if locked.version != version:
        raise Conflict(locked)
    _require_team(by, assessment.rso)
    _editable(assessment)
    if assessment.method != Method.ARMS:
        raise ValidationError("ARMS does not apply to this person: record the other assessment instead.")
    if value and value not in Rating.values:
        raise ValidationError({"rating": "Choose high, medium or low"})
    fields = _changed(locked, {"rating": value, "evidence": _text(evidence), "action": _text(action)})
    if fields:
        locked.version = F("version") + 1
        locked.save(update_fields=[*fields, "version"])
        locked.refresh_from_db()
        Assessment.objects.filter(pk=assessment.pk).update(updated_at=timezone.now())
        audit_record(
            action=Action.ALTERATION,
            actor=by,
            rso_ids=[assessment.rso_id],
            object_type=RATING_TYPE,
            object_ids=[locked.pk],
            fields=fields,
        )
    return locked


def level_reason_needed(assessment: Assessment) -> bool:
    """Tell whether the proposed level needs a written reason: it differs from the static
    band, or there is no static score to anchor it on (domain s.3.2)."""
    score = assessment.static_score
    return score is None or bool(assessment.proposed_risk_level and assessment.proposed_risk_level != score.band)


def assessment_problems(assessment: Assessment) -> dict[str, str]:
    """Return what must be done before the assessment can be submitted (empty when ready)."""
    errors: dict[str, str] = {}
    if not assessment.sources:
        errors["sources"] = "Tick at least one source of information"
    elif Source.INTERVIEW in assessment.sources and not assessment.interview_dates:
        errors["interview_dates"] = "Enter the date of the interview"
    if assessment.method == Method.ARMS:
        for rating in assessment.ratings.select_related("factor"):
            factor = rating.factor
            key = f"factor-{factor.code}"
            if not rating.rating:
                errors[key] = f"{factor.name}: choose high, medium or low"
            elif not rating.evidence:
                errors[key] = f"{factor.name}: write the evidence for the rating"
            elif factor.kind == FactorKind.RISK and rating.rating != Rating.LOW and not rating.action:
                errors[key] = f"{factor.name}: write the risk management action"
        if not assessment.risk_priority:
            errors["risk_priority"] = "Choose the risk priority"
        if not assessment.protective_priority:
            errors["protective_priority"] = "Choose the protective priority"
    else:
        if not assessment.other_assessment:
            errors["other_assessment"] = "Name the assessment used instead of ARMS"
        if not assessment.other_assessment_reason:
            errors["other_assessment_reason"] = "Explain why ARMS was not used"
        if not assessment.other_assessment_summary:
            errors["other_assessment_summary"] = "Summarise what the other assessment found"
    if not assessment.proposed_risk_level:
        errors["proposed_risk_level"] = "Choose the risk level you propose"
    elif level_reason_needed(assessment) and not assessment.level_reason:
        if assessment.static_score is None:
            errors["level_reason"] = "No static score is recorded: explain how you reached the level"
        else:
            errors["level_reason"] = (
                f"The level differs from the static band ({assessment.static_score.get_band_display().lower()}): "
                "explain why"
            )
    return errors


def _review(
    *, by: User, decision: Decision, comments: str = "", assessment: Assessment | None = None, plan: Plan | None = None
) -> Review:
    return Review.objects.create(assessment=assessment, plan=plan, decision=decision, comments=comments, by=by)


@transaction.atomic
def assessment_submit(*, assessment: Assessment, version: int, by: User) -> Assessment:
    """Send a complete draft to the team's sergeant for approval."""
    assessment = _lock_assessment(assessment, version)
    _require_team(by, assessment.rso)
    _editable(assessment)
    assessment.static_score = latest_static_score(assessment.rso)
    _refuse(assessment_problems(assessment))
    assessment.status = Status.SUBMITTED
    assessment.submitted_by = by
    assessment.submitted_at = timezone.now()
    assessment.version = F("version") + 1
    assessment.save(update_fields=["status", "submitted_by", "submitted_at", "static_score", "version", "updated_at"])
    assessment.refresh_from_db()
    _review(by=by, decision=Decision.SUBMITTED, assessment=assessment)
    _audit(
        action=Action.ALTERATION,
        by=by,
        rso_id=assessment.rso_id,
        object_type=ASSESSMENT_TYPE,
        object_id=assessment.pk,
        fields=["status"],
        reason="submitted for approval",
    )
    return assessment


def _awaiting(assessment: Assessment | Plan) -> None:
    if assessment.status != Status.SUBMITTED:
        raise ValidationError(f"This is {assessment.get_status_display().lower()}, not awaiting approval.")


@transaction.atomic
def assessment_return(*, assessment: Assessment, comments: str, by: User) -> Assessment:
    """Return a submitted assessment to the assessor with comments (it becomes editable)."""
    assessment = _lock_assessment(assessment, None)
    _require_sergeant(by, assessment.rso, "return an assessment")
    _awaiting(assessment)
    if not _text(comments):
        raise ValidationError({"comments": "Say what needs to change"})
    assessment.status = Status.RETURNED
    assessment.version = F("version") + 1
    assessment.save(update_fields=["status", "version", "updated_at"])
    assessment.refresh_from_db()
    _review(by=by, decision=Decision.RETURNED, comments=_text(comments), assessment=assessment)
    _audit(
        action=Action.ALTERATION,
        by=by,
        rso_id=assessment.rso_id,
        object_type=ASSESSMENT_TYPE,
        object_id=assessment.pk,
        fields=["status"],
        reason="returned with comments",
    )
    return assessment


@transaction.atomic
def assessment_approve(
    *, assessment: Assessment, by: User, comments: str = "", override_reason: str | None = None
) -> Assessment:
    """Approve a submitted assessment: it becomes final, the RSO's risk level becomes the
    proposed level (through the 20% guard: ``CapExceeded`` refuses the whole approval
    unless ``override_reason`` is given), and the ARMS review dates move on."""
    assessment = _lock_assessment(assessment, None)
    rso = assessment.rso
    _require_sergeant(by, rso, "approve an assessment")
    _awaiting(assessment)
    if assessment.submitted_by_id == by.pk:
        raise ValidationError("You submitted this assessment: another sergeant of the team must approve it.")
    # Re-check completeness: the catalogue or static score may have moved on.
    _refuse(assessment_problems(assessment))
    previous_level = rso.risk_level
    if assessment.proposed_risk_level != previous_level:
        direction = (
            "raised"
            if RISK_ORDER[RiskLevel(assessment.proposed_risk_level)] > RISK_ORDER[RiskLevel(previous_level)]
            else "lowered"
        )
        reason = f"ARMS assessment {assessment.pk} approved: level {direction}."
        if assessment.level_reason:
            reason += f" {assessment.level_reason}"
        rso, _ = rso_change_risk_level(
            rso=rso,
            risk_level=assessment.proposed_risk_level,
            reason=reason,
            by=by,
            override_reason=override_reason,
        )
    assessment.status = Status.APPROVED
    assessment.approved_by = by
    assessment.approved_at = timezone.now()
    assessment.previous_risk_level = previous_level
    assessment.version = F("version") + 1
    assessment.save(
        update_fields=["status", "approved_by", "approved_at", "previous_risk_level", "version", "updated_at"]
    )
    assessment.refresh_from_db()
    _review(by=by, decision=Decision.APPROVED, comments=_text(comments), assessment=assessment)
    _audit(
        action=Action.ALTERATION,
        by=by,
        rso_id=rso.pk,
        object_type=ASSESSMENT_TYPE,
        object_id=assessment.pk,
        fields=["status"],
        reason="approved",
    )
    assert assessment.submitted_at is not None  # a submitted assessment has a submission time
    rso_arms_reviewed(rso=rso, approved_on=timezone.localdate(), considered_before=assessment.submitted_at, by=by)
    return assessment


# --- Plans ----------------------------------------------------------------------------


def _lock_plan(plan: Plan, version: int | None) -> Plan:
    locked = Plan.objects.select_for_update().select_related("rso", "assessment").get(pk=plan.pk)
    if version is not None and locked.version != version:
        raise Conflict(locked)
    return locked


def _plan_editable(plan: Plan) -> None:
    if plan.status not in EDITABLE_STATUSES:
        raise ValidationError(f"This plan version is {plan.get_status_display().lower()} and cannot be changed.")


def current_plan(rso: RSO) -> Plan | None:
    """Return the RSO's current plan: the most recently approved version."""
    return Plan.objects.filter(rso=rso, status=Status.APPROVED).order_by("-number").first()


def default_visit_interval(rso: RSO) -> int:
    """Return the policy's default months between visits for the RSO's risk level."""
    return local_policy.visit_interval_months(rso.risk_level)


def _bump(plan: Plan) -> None:
    Plan.objects.filter(pk=plan.pk).update(version=F("version") + 1, updated_at=timezone.now())


@transaction.atomic
def plan_start(*, rso: RSO, by: User) -> Plan:
    """Open a new plan version: a copy of the current plan (or an empty plan with the
    policy's visit interval), resting on the latest approved assessment."""
    _require_team(by, rso)
    rso = RSO.objects.select_for_update().get(pk=rso.pk)
    open_one = Plan.objects.filter(rso=rso, status__in=OPEN_STATUSES).first()
    if open_one is not None:
        raise ValidationError(
            f"Version {open_one.number} of the plan is already open ({open_one.get_status_display().lower()}). "
            "Finish or review that one first."
        )
    assessment = last_approved_assessment(rso)
    if assessment is None:
        raise ValidationError("A plan rests on an approved ARMS assessment: there is none yet for this person.")
    current = current_plan(rso)
    number = (Plan.objects.filter(rso=rso).aggregate(n=Max("number"))["n"] or 0) + 1
    plan = Plan.objects.create(
        rso=rso,
        number=number,
        assessment=assessment,
        visit_interval_months=current.visit_interval_months if current else default_visit_interval(rso),
        visit_interval_reason=current.visit_interval_reason if current else "",
        contingencies=current.contingencies if current else "",
        shared_with_person=current.shared_with_person if current else "",
        created_by=by,
    )
    if current is not None:
        codes = {f.code: f for f in assessment.catalogue.factors.all()}
        PlanAction.objects.bulk_create(
            [
                PlanAction(
                    plan=plan,
                    factor=codes.get(action.factor.code, action.factor),
                    action_type=action.action_type,
                    description=action.description,
                    agency=action.agency,
                    owner=action.owner,
                    due_on=action.due_on,
                    status=action.status,
                    shareable=action.shareable,
                    position=action.position,
                )
                for action in current.actions.select_related("factor")
            ]
        )
    _audit(
        action=Action.COLLECTION,
        by=by,
        rso_id=rso.pk,
        object_type=PLAN_TYPE,
        object_id=plan.pk,
        reason=f"copied from version {current.number}" if current else "first version",
    )
    return plan


def _interval_errors(rso: RSO, months: Any, reason: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not isinstance(months, int) or months < 1 or months > 24:
        errors["visit_interval_months"] = "Enter a whole number of months from 1 to 24"
    elif months > default_visit_interval(rso) and not reason:
        errors["visit_interval_reason"] = (
            f"Visits every {months} months is longer than the policy's {default_visit_interval(rso)} months for "
            f"{RiskLevel(rso.risk_level).label.lower()} risk: give the reason (the sergeant approves it with the plan)"
        )
    return errors


@transaction.atomic
def plan_update(
    *,
    plan: Plan,
    visit_interval_months: int,
    visit_interval_reason: str = "",
    contingencies: str = "",
    shared_with_person: str = "",
    change_summary: str = "",
    version: int,
    by: User,
) -> Plan:
    """Save the plan's own fields: visit interval, contingencies, what is shared."""
    plan = _lock_plan(plan, version)
    _require_team(by, plan.rso)
    _plan_editable(plan)
    _refuse(_interval_errors(plan.rso, visit_interval_months, _text(visit_interval_reason)))
    fields = _changed(
        plan,
        {
            "visit_interval_months": visit_interval_months,
            "visit_interval_reason": _text(visit_interval_reason),
            "contingencies": _text(contingencies),
            "shared_with_person": _text(shared_with_person),
            "change_summary": _text(change_summary),
        },
    )
    if fields:
        plan.version = F("version") + 1
        plan.save(update_fields=[*fields, "version", "updated_at"])
        plan.refresh_from_db()
        _audit(
            action=Action.ALTERATION, by=by, rso_id=plan.rso_id, object_type=PLAN_TYPE, object_id=plan.pk, fields=fields
        )
    return plan


def _action_values(plan: Plan, values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    factor = None
    factor_id = values.get("factor_id")
    try:
        factor = Factor.objects.get(pk=int(str(factor_id)), catalogue_id=plan.assessment.catalogue_id)
    except (TypeError, ValueError, Factor.DoesNotExist):
        errors["factor"] = "Choose the factor this action addresses"
    if values.get("action_type") not in ActionType.values:
        errors["action_type"] = "Choose the type of action"
    if not _text(values.get("description")):
        errors["description"] = "Describe the action"
    if values.get("agency") not in Agency.values:
        errors["agency"] = "Choose the agency that owns the action"
    if not _text(values.get("owner")):
        errors["owner"] = "Enter who is responsible for the action"
    status = values.get("status") or ActionStatus.NOT_STARTED
    if status not in ActionStatus.values:
        errors["status"] = "Choose the status"
    due_on = values.get("due_on")
    if due_on is not None and not isinstance(due_on, date):
        errors["due_on"] = "Enter a real date"
    _refuse(errors)
    return {
        "factor": factor,
        "action_type": values["action_type"],
        "description": _text(values["description"]),
        "agency": values["agency"],
        "owner": _text(values["owner"])[:200],
        "due_on": due_on,
        "status": status,
        "shareable": bool(values.get("shareable")),
    }


@transaction.atomic
def plan_action_add(
    *,
    plan: Plan,
    factor_id: Any,
    action_type: str,
    description: str,
    agency: str,
    owner: str,
    due_on: date | None = None,
    status: str = ActionStatus.NOT_STARTED,
    shareable: bool = False,
    by: User,
) -> PlanAction:
    """Add an action, tied to a factor of the plan's assessment, to a draft plan."""
    plan = _lock_plan(plan, None)
    _require_team(by, plan.rso)
    _plan_editable(plan)
    values = _action_values(
        plan,
        {
            "factor_id": factor_id,
            "action_type": action_type,
            "description": description,
            "agency": agency,
            "owner": owner,
            "due_on": due_on,
            "status": status,
            "shareable": shareable,
        },
    )
    position = (plan.actions.aggregate(p=Max("position"))["p"] or 0) + 1
    action = PlanAction.objects.create(plan=plan, position=position, **values)
    _bump(plan)
    _audit(
        action=Action.COLLECTION,
        by=by,
        rso_id=plan.rso_id,
        object_type=ACTION_TYPE,
        object_id=action.pk,
        fields=[name for name, value in values.items() if value not in ("", None, False)],
    )
    return action


@transaction.atomic
def plan_action_update(
    *,
    action: PlanAction,
    factor_id: Any,
    action_type: str,
    description: str,
    agency: str,
    owner: str,
    due_on: date | None = None,
    status: str = ActionStatus.NOT_STARTED,
    shareable: bool = False,
    by: User,
) -> PlanAction:
    """Change an action of a draft plan."""
    locked = PlanAction.objects.select_for_update().get(pk=action.pk)
    plan = _lock_plan(locked.plan, None)
    _require_team(by, plan.rso)
    _plan_editable(plan)
    values = _action_values(
        plan,
        {
            "factor_id": factor_id,
            "action_type": action_type,
            "description": description,
            "agency": agency,
            "owner": owner,
            "due_on": due_on,
            "status": status,
            "shareable": shareable,
        },
    )
    fields = _changed(locked, values)
    if fields:
        locked.save(update_fields=fields)
        _bump(plan)
        _audit(
            action=Action.ALTERATION,
            by=by,
            rso_id=plan.rso_id,
            object_type=ACTION_TYPE,
            object_id=locked.pk,
            fields=fields,
        )
    return locked


@transaction.atomic
def plan_action_remove(*, action: PlanAction, by: User) -> None:
    """Remove an action from a draft plan."""
    locked = PlanAction.objects.select_for_update().get(pk=action.pk)
    plan = _lock_plan(locked.plan, None)
    _require_team(by, plan.rso)
    _plan_editable(plan)
    action_id = locked.pk
    locked.delete()
    _bump(plan)
    _audit(action=Action.ERASURE, by=by, rso_id=plan.rso_id, object_type=ACTION_TYPE, object_id=action_id)


@transaction.atomic
def plan_action_set_status(*, action: PlanAction, status: str, by: User) -> PlanAction:
    """Record progress on an action: allowed on a draft and on the current approved plan
    (progress is not a change of plan; everything else about an approved action is)."""
    locked = PlanAction.objects.select_for_update().select_related("plan__rso").get(pk=action.pk)
    plan = locked.plan
    _require_team(by, plan.rso)
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Choose the status"})
    if plan.status == Status.APPROVED:
        current = current_plan(plan.rso)
        if current is None or current.pk != plan.pk:
            raise ValidationError("This plan version has been replaced: record progress on the current plan.")
    elif plan.status not in EDITABLE_STATUSES:
        raise ValidationError("This plan version is awaiting approval and cannot be changed.")
    if locked.status != status:
        locked.status = status
        locked.save(update_fields=["status"])
        _audit(
            action=Action.ALTERATION,
            by=by,
            rso_id=plan.rso_id,
            object_type=ACTION_TYPE,
            object_id=locked.pk,
            fields=["status"],
        )
    return locked


def plan_problems(plan: Plan) -> dict[str, str]:
    """Return what must be done before the plan version can be submitted."""
    errors: dict[str, str] = {}
    if not plan.actions.exists():
        errors["actions"] = "Add at least one action"
    if not plan.contingencies:
        errors["contingencies"] = "Write the contingencies: what to do if a warning sign appears"
    errors.update(_interval_errors(plan.rso, plan.visit_interval_months, plan.visit_interval_reason))
    if plan.number > 1 and not plan.change_summary:
        errors["change_summary"] = "Say what changed in this version"
    return errors


@transaction.atomic
def plan_submit(*, plan: Plan, version: int, by: User) -> Plan:
    """Send a plan version for approval; it rests on the latest approved assessment."""
    plan = _lock_plan(plan, version)
    _require_team(by, plan.rso)
    _plan_editable(plan)
    _refuse(plan_problems(plan))
    latest = last_approved_assessment(plan.rso)
    fields = ["status", "submitted_by", "submitted_at", "version", "updated_at"]
    if latest is not None and latest.pk != plan.assessment_id:
        if plan.actions.exclude(factor__catalogue_id=latest.catalogue_id).exists():
            raise ValidationError("A newer assessment uses another factor list: tie each action to one of its factors.")
        plan.assessment = latest
        fields.append("assessment")
    plan.status = Status.SUBMITTED
    plan.submitted_by = by
    plan.submitted_at = timezone.now()
    plan.version = F("version") + 1
    plan.save(update_fields=fields)
    plan.refresh_from_db()
    _review(by=by, decision=Decision.SUBMITTED, plan=plan)
    _audit(
        action=Action.ALTERATION,
        by=by,
        rso_id=plan.rso_id,
        object_type=PLAN_TYPE,
        object_id=plan.pk,
        fields=["status"],
        reason="submitted for approval",
    )
    return plan


@transaction.atomic
def plan_return(*, plan: Plan, comments: str, by: User) -> Plan:
    """Return a submitted plan version with comments (it becomes editable)."""
    plan = _lock_plan(plan, None)
    _require_sergeant(by, plan.rso, "return a plan")
    _awaiting(plan)
    if not _text(comments):
        raise ValidationError({"comments": "Say what needs to change"})
    plan.status = Status.RETURNED
    plan.version = F("version") + 1
    plan.save(update_fields=["status", "version", "updated_at"])
    plan.refresh_from_db()
    _review(by=by, decision=Decision.RETURNED, comments=_text(comments), plan=plan)
    _audit(
        action=Action.ALTERATION,
        by=by,
        rso_id=plan.rso_id,
        object_type=PLAN_TYPE,
        object_id=plan.pk,
        fields=["status"],
        reason="returned with comments",
    )
    return plan


@transaction.atomic
def plan_approve(*, plan: Plan, by: User, comments: str = "") -> Plan:
    """Approve a submitted plan version: it becomes the current plan and never changes
    (except the progress of its actions). A longer visit interval than the policy's is
    approved with it."""
    plan = _lock_plan(plan, None)
    _require_sergeant(by, plan.rso, "approve a plan")
    _awaiting(plan)
    if plan.submitted_by_id == by.pk:
        raise ValidationError("You submitted this plan: another sergeant of the team must approve it.")
    _refuse(plan_problems(plan))
    plan.status = Status.APPROVED
    plan.approved_by = by
    plan.approved_at = timezone.now()
    plan.version = F("version") + 1
    plan.save(update_fields=["status", "approved_by", "approved_at", "version", "updated_at"])
    plan.refresh_from_db()
    _review(by=by, decision=Decision.APPROVED, comments=_text(comments), plan=plan)
    schedule_recompute(rso=plan.rso)  # the visit frequency may have changed
    _audit(
        action=Action.ALTERATION,
        by=by,
        rso_id=plan.rso_id,
        object_type=PLAN_TYPE,
        object_id=plan.pk,
        fields=["status"],
        reason="approved",
    )
    return plan


# --- PDF export ------------------------------------------------------------------------


def may_export_plan(*, user: User, plan: Plan) -> bool:
    """Tell whether the user may export the plan: a sergeant of the team, an inspector of
    the force, or the allocated officer (the caller has already checked scope)."""
    rso = plan.rso
    if not user.is_active:
        return False
    if user.role == Role.SERGEANT:
        return user.team_id == rso.team_id
    if user.role == Role.INSPECTOR:
        return user.force_id == rso.team.force_id
    return user.role == Role.OFFICER and rso.allocated_officer_id == user.pk


@transaction.atomic
def plan_export_pdf(*, plan: Plan, reason: str, recipient: str, by: User, context: dict[str, Any]) -> bytes:
    """Render an approved plan with its assessment as a PDF for a partner agency.

    Each export is a disclosure, audited with its reason and recipient in the same
    transaction (no audit row, no PDF). ``context`` is the plan as the selectors read it.
    """
    if plan.status != Status.APPROVED:
        raise ValidationError("Only an approved plan can be exported.")
    if not may_export_plan(user=by, plan=plan):
        raise ValidationError("Only the team's sergeant, an inspector or the allocated officer can export the plan.")
    errors: dict[str, str] = {}
    if not _text(reason):
        errors["reason"] = "Say why the plan is being disclosed"
    if not _text(recipient):
        errors["recipient"] = "Say who will receive it (agency and person)"
    _refuse(errors)
    now = timezone.localtime()
    pdf = render_pdf(
        template="arms/pdf/plan.html",
        context={
            **context,
            "generated_by": by.display_name,
            "generated_at": f"{now:%d %B %Y at %H:%M}",
            "recipient": _text(recipient),
        },
    )
    audit_record(
        action=Action.DISCLOSURE,
        actor=by,
        channel=Channel.PDF,
        rso_ids=[plan.rso_id],
        object_type=PLAN_TYPE,
        object_ids=[plan.pk],
        reason=_text(reason),
        recipient=_text(recipient)[:200],
    )
    return pdf
