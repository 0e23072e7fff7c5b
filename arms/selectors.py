"""ARMS reads: every function that takes ids takes the acting user and scopes by it.

Each read that shows RSO data notes the RSO ids in the request's audit context (one
consultation event per request, written by the audit middleware).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from caseload import local_policy
from caseload.choices import RiskLevel
from caseload.models import RSO
from caseload.selectors import get_in_rso_scope
from mosovo.accounts.models import User
from mosovo.audit.context import note_consultation

from .choices import ActionType, FactorKind, Status
from .models import Assessment, Factor, FactorCatalogue, FactorRating, Plan, PlanAction, Review
from .services import ACTION_TYPE, ASSESSMENT_TYPE, PLAN_TYPE, RATING_TYPE, level_reason_needed

# The order action types are shown in: support sits beside control, not after it
# (domain s.8: protective work as prominent as restriction).
ACTION_TYPE_ORDER: Final = [
    ActionType.CONTROL,
    ActionType.SUPPORT,
    ActionType.MONITOR,
    ActionType.INTERVENE,
    ActionType.VICTIM_SAFETY,
]


def _assessments() -> QuerySet[Assessment]:
    return Assessment.objects.select_related(
        "rso__team",
        "rso__allocated_officer",
        "catalogue",
        "static_score",
        "created_by",
        "submitted_by",
        "approved_by",
    )


_in_scope = get_in_rso_scope


def assessment_get_for_user(*, user: User, assessment_id: Any, for_change: bool = False) -> Assessment:
    """Return one assessment the user may open (its RSO in scope), or 404."""
    assessment: Assessment = _in_scope(
        _assessments(), user=user, pk=assessment_id, object_type=ASSESSMENT_TYPE, rso_path="rso", for_change=for_change
    )
    note_consultation(rso_ids=[assessment.rso_id], object_type=ASSESSMENT_TYPE, object_ids=[assessment.pk])
    return assessment


def rating_get_for_user(*, user: User, rating_id: Any, for_change: bool = False) -> FactorRating:
    """Return one factor rating the user may open, or 404."""
    rating: FactorRating = _in_scope(
        FactorRating.objects.select_related("factor", "assessment__rso"),
        user=user,
        pk=rating_id,
        object_type=RATING_TYPE,
        rso_path="assessment__rso",
        for_change=for_change,
    )
    note_consultation(rso_ids=[rating.assessment.rso_id], object_type=RATING_TYPE, object_ids=[rating.pk])
    return rating


def rso_assessments(*, rso: RSO) -> list[Assessment]:
    """Return the RSO's assessments, newest first (the caller has opened the RSO)."""
    rows = list(
        Assessment.objects.filter(rso=rso)
        .select_related("created_by", "submitted_by", "approved_by", "catalogue")
        .order_by("-created_at", "-id")
    )
    note_consultation(rso_ids=[rso.pk], object_type=ASSESSMENT_TYPE, object_ids=[a.pk for a in rows])
    return rows


@dataclass
class RatingRow:
    """One factor as shown on a page: this assessment's rating beside the previous one."""

    factor: Factor
    rating: FactorRating | None
    previous: FactorRating | None = None

    @property
    def changed(self) -> bool:
        """Tell whether the rating (not only the words) differs from the previous one."""
        if self.previous is None or self.rating is None:
            return False
        return self.previous.rating != self.rating.rating

    @property
    def text_changed(self) -> bool:
        if self.previous is None or self.rating is None:
            return False
        return (self.previous.evidence, self.previous.action) != (self.rating.evidence, self.rating.action)


@dataclass
class AssessmentView:
    """An assessment as the pages show it: risk and protective factors side by side."""

    assessment: Assessment
    risk: list[RatingRow] = field(default_factory=list)
    protective: list[RatingRow] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    previous: Assessment | None = None
    reason_needed: bool = False

    @property
    def returned_comments(self) -> Review | None:
        """Return the latest return, if the assessment is back with the assessor."""
        if self.assessment.status != Status.RETURNED:
            return None
        returns = [r for r in self.reviews if r.decision == "RETURNED"]
        return returns[-1] if returns else None

    @property
    def changed_fields(self) -> list[str]:
        """Name the summary fields that differ from the previous approved assessment."""
        if self.previous is None:
            return []
        names = [
            "risk_priority",
            "protective_priority",
            "proposed_risk_level",
            "level_reason",
            "scenarios",
            "sources",
            "other_assessment",
        ]
        return [n for n in names if getattr(self.previous, n) != getattr(self.assessment, n)]


def previous_approved(assessment: Assessment) -> Assessment | None:
    """Return the approved assessment this one is compared with: the one approved before it
    (or, for an open one, the current approved assessment)."""
    earlier = Assessment.objects.filter(rso_id=assessment.rso_id, status=Status.APPROVED).exclude(pk=assessment.pk)
    if assessment.approved_at is not None:
        earlier = earlier.filter(approved_at__lt=assessment.approved_at)
    return earlier.select_related("static_score", "approved_by").order_by("-approved_at", "-id").first()


def _ratings(assessment: Assessment) -> list[FactorRating]:
    return list(assessment.ratings.select_related("factor").order_by("factor__kind", "factor__position"))


def assessment_view(*, assessment: Assessment, compare: bool = True) -> AssessmentView:
    """Return the assessment with its factors (and the previous approved ratings, to compare)."""
    previous = previous_approved(assessment) if compare else None
    earlier = {r.factor.code: r for r in _ratings(previous)} if previous else {}
    view = AssessmentView(
        assessment=assessment,
        previous=previous,
        reviews=list(assessment.reviews.select_related("by")),
        reason_needed=level_reason_needed(assessment),
    )
    for rating in _ratings(assessment):
        row = RatingRow(factor=rating.factor, rating=rating, previous=earlier.get(rating.factor.code))
        (view.risk if rating.factor.kind == FactorKind.RISK else view.protective).append(row)
    return view


def assessments_awaiting_approval(*, user: User) -> list[Assessment]:
    """Return the submitted assessments of the sergeant's team, oldest first."""
    rows = list(
        Assessment.objects.visible_to(user)
        .filter(status=Status.SUBMITTED)
        .select_related("rso", "submitted_by")
        .order_by("submitted_at", "id")
    )
    note_consultation(rso_ids=[a.rso_id for a in rows], object_type=ASSESSMENT_TYPE, object_ids=[a.pk for a in rows])
    return rows


def plans_awaiting_approval(*, user: User) -> list[Plan]:
    """Return the submitted plan versions of the sergeant's team, oldest first."""
    rows = list(
        Plan.objects.visible_to(user)
        .filter(status=Status.SUBMITTED)
        .select_related("rso", "submitted_by")
        .order_by("submitted_at", "id")
    )
    note_consultation(rso_ids=[p.rso_id for p in rows], object_type=PLAN_TYPE, object_ids=[p.pk for p in rows])
    return rows


# --- Plans ----------------------------------------------------------------------------


def _plans() -> QuerySet[Plan]:
    return Plan.objects.select_related(
        "rso__team__force",
        "rso__allocated_officer",
        "assessment__static_score",
        "assessment__approved_by",
        "created_by",
        "submitted_by",
        "approved_by",
    )


def plan_get_for_user(*, user: User, plan_id: Any, for_change: bool = False) -> Plan:
    """Return one plan version the user may open (its RSO in scope), or 404."""
    plan: Plan = _in_scope(
        _plans(), user=user, pk=plan_id, object_type=PLAN_TYPE, rso_path="rso", for_change=for_change
    )
    note_consultation(rso_ids=[plan.rso_id], object_type=PLAN_TYPE, object_ids=[plan.pk])
    return plan


def action_get_for_user(*, user: User, action_id: Any, for_change: bool = False) -> PlanAction:
    """Return one plan action the user may open, or 404."""
    action: PlanAction = _in_scope(
        PlanAction.objects.select_related("plan__rso", "factor"),
        user=user,
        pk=action_id,
        object_type=ACTION_TYPE,
        rso_path="plan__rso",
        for_change=for_change,
    )
    note_consultation(rso_ids=[action.plan.rso_id], object_type=ACTION_TYPE, object_ids=[action.pk])
    return action


def rso_plans(*, rso: RSO) -> list[Plan]:
    """Return every version of the RSO's plan, newest first (the plan history)."""
    rows = list(
        Plan.objects.filter(rso=rso)
        .select_related("created_by", "submitted_by", "approved_by", "assessment")
        .order_by("-number")
    )
    note_consultation(rso_ids=[rso.pk], object_type=PLAN_TYPE, object_ids=[p.pk for p in rows])
    return rows


@dataclass
class ActionGroup:
    action_type: str
    label: str
    actions: list[PlanAction]


@dataclass
class FactorLine:
    """A factor of the plan's assessment, with its rating and how many actions address it."""

    factor: Factor
    rating: FactorRating | None
    actions: int


@dataclass
class PlanView:
    """A plan version as pages and the PDF show it."""

    plan: Plan
    groups: list[ActionGroup]
    risk_factors: list[FactorLine]
    protective_factors: list[FactorLine]
    reviews: list[Review]
    actions: list[PlanAction]
    default_interval: int
    latest_assessment_id: int | None

    @property
    def shareable_actions(self) -> list[PlanAction]:
        return [a for a in self.actions if a.shareable]

    @property
    def support_count(self) -> int:
        return sum(1 for a in self.actions if a.action_type == ActionType.SUPPORT)

    @property
    def control_count(self) -> int:
        return sum(1 for a in self.actions if a.action_type == ActionType.CONTROL)

    @property
    def rests_on_old_assessment(self) -> bool:
        return self.latest_assessment_id is not None and self.latest_assessment_id != self.plan.assessment_id

    @property
    def approval(self) -> Review | None:
        approvals = [r for r in self.reviews if r.decision == "APPROVED"]
        return approvals[-1] if approvals else None

    @property
    def returned_comments(self) -> Review | None:
        if self.plan.status != Status.RETURNED:
            return None
        returns = [r for r in self.reviews if r.decision == "RETURNED"]
        return returns[-1] if returns else None


def plan_view(*, plan: Plan) -> PlanView:
    """Return a plan version with its actions grouped by type and its factor table."""
    # Queries: actions (with factor), ratings of the assessment (with factor), reviews,
    # latest approved assessment id: four, whatever the plan's size.
    actions = list(plan.actions.select_related("factor").order_by("position", "id"))
    by_type: dict[str, list[PlanAction]] = {t: [] for t in ACTION_TYPE_ORDER}
    for action in actions:
        by_type.setdefault(action.action_type, []).append(action)
    groups = [ActionGroup(t, ActionType(t).label, by_type[t]) for t in ACTION_TYPE_ORDER]
    counts: dict[int, int] = {}
    for action in actions:
        counts[action.factor_id] = counts.get(action.factor_id, 0) + 1
    risk: list[FactorLine] = []
    protective: list[FactorLine] = []
    for rating in _ratings(plan.assessment):
        line = FactorLine(rating.factor, rating, counts.get(rating.factor_id, 0))
        (risk if rating.factor.kind == FactorKind.RISK else protective).append(line)
    latest = (
        Assessment.objects.filter(rso_id=plan.rso_id, status=Status.APPROVED)
        .order_by("-approved_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    return PlanView(
        plan=plan,
        groups=groups,
        risk_factors=risk,
        protective_factors=protective,
        reviews=list(plan.reviews.select_related("by")),
        actions=actions,
        default_interval=local_policy.visit_interval_months(plan.rso.risk_level or RiskLevel.LOW),
        latest_assessment_id=latest,
    )


def factors_for_plan(*, plan: Plan) -> list[Factor]:
    """Return the factors an action of this plan may address (its assessment's catalogue)."""
    return list(Factor.objects.filter(catalogue_id=plan.assessment.catalogue_id).order_by("kind", "position"))


def rso_arms_overview(*, rso: RSO) -> dict[str, Any]:
    """Return what the record's ARMS tab shows at the top: current assessment and plan,
    open drafts, and the review dates (kept on the RSO)."""
    current = (
        Assessment.objects.filter(rso=rso, status=Status.APPROVED)
        .select_related("approved_by")
        .order_by("-approved_at", "-id")
        .first()
    )
    open_assessment = Assessment.objects.filter(rso=rso).exclude(status=Status.APPROVED).first()
    plan = Plan.objects.filter(rso=rso, status=Status.APPROVED).order_by("-number").first()
    open_plan = Plan.objects.filter(rso=rso).exclude(status=Status.APPROVED).first()
    return {"current": current, "open_assessment": open_assessment, "plan": plan, "open_plan": open_plan}


def assessment_latest_return(*, assessment: Assessment) -> Review | None:
    """Return the sergeant's latest return (with its comments) of an assessment that is
    back with the assessor, or None: the section pages show it above the form."""
    if assessment.status != Status.RETURNED:
        return None
    returns = Review.objects.filter(assessment=assessment, decision="RETURNED").select_related("by")
    return returns.order_by("-at", "-id").first()


# --- API (arms/apis.py) ----------------------------------------------------------------


def assessment_for_api(*, assessment: Assessment) -> Assessment:
    """Load what the API shows with an assessment (the caller has opened it): its ratings
    with their factors, risk factors first, and its approval trail. Two queries, whatever
    the size."""
    prefetch_related_objects(
        [assessment],
        Prefetch(
            "ratings",
            queryset=FactorRating.objects.select_related("factor").order_by("-factor__kind", "factor__position"),
        ),
        Prefetch("reviews", queryset=Review.objects.select_related("by")),
    )
    return assessment


def plan_for_api(*, plan: Plan) -> Plan:
    """Load what the API shows with a plan version (the caller has opened it): its actions
    with their factors, in order, and its approval trail. Two queries, whatever the size."""
    prefetch_related_objects(
        [plan],
        Prefetch("actions", queryset=PlanAction.objects.select_related("factor").order_by("position", "id")),
        Prefetch("reviews", queryset=Review.objects.select_related("by")),
    )
    return plan


def factor_catalogue_current() -> FactorCatalogue:
    """Return the newest factor catalogue with its factors (risk first, in form order)."""
    catalogue = (
        FactorCatalogue.objects.prefetch_related(
            Prefetch("factors", queryset=Factor.objects.order_by("-kind", "position"))
        )
        .order_by("-version")
        .first()
    )
    if catalogue is None:
        raise FactorCatalogue.DoesNotExist("No ARMS factor catalogue is installed: run the migrations.")
    return catalogue
