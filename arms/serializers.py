"""ARMS API input and output serializers (explicit fields).

Outputs are read-only views of what the selectors return. Inputs list what a client may
send; anything else in a request body is refused by the API view (status, approved_by,
rso, created_by and the like are never written from input). Choices are checked by the
services, with the same messages as the pages.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from caseload.allocation import CapCheck

from . import services
from .models import Assessment, Factor, FactorCatalogue, FactorRating, Plan, PlanAction, Review

# --- Outputs ----------------------------------------------------------------------------


class FactorOutput(serializers.ModelSerializer[Factor]):
    kind = serializers.CharField(help_text="RISK or PROTECTIVE.")

    class Meta:
        model = Factor
        fields = ["id", "code", "kind", "name", "guidance", "position"]
        read_only_fields = fields


class FactorBriefOutput(serializers.ModelSerializer[Factor]):
    kind = serializers.CharField(help_text="RISK or PROTECTIVE.")

    class Meta:
        model = Factor
        fields = ["id", "code", "kind", "name"]
        read_only_fields = fields


class CatalogueOutput(serializers.ModelSerializer[FactorCatalogue]):
    factors = FactorOutput(many=True, read_only=True)

    class Meta:
        model = FactorCatalogue
        fields = ["version", "published_on", "notes", "factors"]
        read_only_fields = fields


class ReviewOutput(serializers.ModelSerializer[Review]):
    decision = serializers.CharField(help_text="SUBMITTED, RETURNED or APPROVED.")
    by = serializers.CharField(source="by.username")

    class Meta:
        model = Review
        fields = ["decision", "comments", "by", "at"]
        read_only_fields = fields


class RatingOutput(serializers.ModelSerializer[FactorRating]):
    factor = FactorBriefOutput(read_only=True)
    rating = serializers.CharField(help_text="HIGH, MEDIUM, LOW, or empty while not rated.")

    class Meta:
        model = FactorRating
        fields = ["id", "factor", "rating", "evidence", "action", "version"]
        read_only_fields = fields


class StaticScoreOutput(serializers.Serializer[Any]):
    tool = serializers.CharField()
    band = serializers.CharField()
    assessed_on = serializers.DateField()


# The fields an assessment's list row and its full view share.
ASSESSMENT_SUMMARY_FIELDS = [
    "id",
    "rso",
    "status",
    "method",
    "catalogue_version",
    "proposed_risk_level",
    "previous_risk_level",
    "risk_priority",
    "protective_priority",
    "created_by",
    "created_at",
    "submitted_by",
    "submitted_at",
    "approved_by",
    "approved_at",
    "version",
]


class AssessmentSummaryOutput(serializers.ModelSerializer[Assessment]):
    """An assessment as a row of the RSO's list."""

    rso = serializers.IntegerField(source="rso_id")
    status = serializers.CharField(help_text="DRAFT, SUBMITTED, RETURNED or APPROVED.")
    method = serializers.CharField(help_text="ARMS, or OTHER for women and under-18s.")
    catalogue_version = serializers.IntegerField(source="catalogue.version")
    proposed_risk_level = serializers.CharField()
    previous_risk_level = serializers.CharField(help_text="The RSO's level when the assessment was approved.")
    risk_priority = serializers.CharField()
    protective_priority = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username")
    submitted_by = serializers.CharField(source="submitted_by.username", default=None)
    approved_by = serializers.CharField(source="approved_by.username", default=None)

    class Meta:
        model = Assessment
        fields = ASSESSMENT_SUMMARY_FIELDS
        read_only_fields = fields


class AssessmentOutput(AssessmentSummaryOutput):
    """An assessment with every section, its factor ratings and its approval trail."""

    prefilled_from = serializers.IntegerField(source="prefilled_from_id", allow_null=True)
    static_score = StaticScoreOutput(allow_null=True, read_only=True)
    level_reason_needed = serializers.SerializerMethodField(
        help_text="Whether the proposed level needs a reason (it differs from the static band, or there is none)."
    )
    problems = serializers.SerializerMethodField(
        help_text="What must be done before the assessment can be submitted, by field (empty when ready)."
    )
    ratings = RatingOutput(many=True, read_only=True)
    reviews = ReviewOutput(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            *ASSESSMENT_SUMMARY_FIELDS,
            "prefilled_from",
            "sources",
            "sources_notes",
            "interview_dates",
            "other_assessment",
            "other_assessment_reason",
            "other_assessment_summary",
            "static_score",
            "level_reason",
            "level_reason_needed",
            "scenarios",
            "updated_at",
            "problems",
            "ratings",
            "reviews",
        ]
        read_only_fields = fields

    def get_level_reason_needed(self, assessment: Assessment) -> bool:
        return services.level_reason_needed(assessment)

    def get_problems(self, assessment: Assessment) -> dict[str, str]:
        if not assessment.editable:
            return {}
        return services.assessment_problems(assessment)


class ActionOutput(serializers.ModelSerializer[PlanAction]):
    factor = FactorBriefOutput(read_only=True)
    action_type = serializers.CharField(help_text="CONTROL, MONITOR, INTERVENE, SUPPORT or VICTIM_SAFETY.")
    agency = serializers.CharField(help_text="POLICE, PROBATION, CHILDRENS_SERVICES, HEALTH, HOUSING or OTHER.")
    status = serializers.CharField(help_text="NOT_STARTED, IN_PROGRESS, DONE or CANCELLED.")

    class Meta:
        model = PlanAction
        fields = [
            "id",
            "factor",
            "action_type",
            "description",
            "agency",
            "owner",
            "due_on",
            "status",
            "shareable",
            "position",
        ]
        read_only_fields = fields


PLAN_SUMMARY_FIELDS = [
    "id",
    "rso",
    "number",
    "status",
    "assessment",
    "visit_interval_months",
    "change_summary",
    "created_by",
    "created_at",
    "submitted_by",
    "submitted_at",
    "approved_by",
    "approved_at",
    "version",
]


class PlanSummaryOutput(serializers.ModelSerializer[Plan]):
    """A plan version as a row of the plan history."""

    rso = serializers.IntegerField(source="rso_id")
    status = serializers.CharField(help_text="DRAFT, SUBMITTED, RETURNED or APPROVED.")
    assessment = serializers.IntegerField(source="assessment_id", help_text="The approved assessment it rests on.")
    created_by = serializers.CharField(source="created_by.username")
    submitted_by = serializers.CharField(source="submitted_by.username", default=None)
    approved_by = serializers.CharField(source="approved_by.username", default=None)

    class Meta:
        model = Plan
        fields = PLAN_SUMMARY_FIELDS
        read_only_fields = fields


class PlanOutput(PlanSummaryOutput):
    """A plan version with its actions and approval trail."""

    default_visit_interval_months = serializers.SerializerMethodField(
        help_text="The policy's months between visits for the RSO's risk level; longer needs a reason."
    )
    problems = serializers.SerializerMethodField(
        help_text="What must be done before the version can be submitted, by field (empty when ready)."
    )
    actions = ActionOutput(many=True, read_only=True)
    reviews = ReviewOutput(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            *PLAN_SUMMARY_FIELDS,
            "visit_interval_reason",
            "default_visit_interval_months",
            "contingencies",
            "shared_with_person",
            "updated_at",
            "problems",
            "actions",
            "reviews",
        ]
        read_only_fields = fields

    def get_default_visit_interval_months(self, plan: Plan) -> int:
        return services.default_visit_interval(plan.rso)

    def get_problems(self, plan: Plan) -> dict[str, str]:
        if not plan.editable:
            return {}
        return services.plan_problems(plan)


class CapCheckOutput(serializers.Serializer[CapCheck]):
    """One officer's caseload before and after the change the 20% rule refused."""

    officer = serializers.CharField(source="officer_name")
    total_before = serializers.IntegerField()
    high_before = serializers.IntegerField()
    total_after = serializers.IntegerField()
    high_after = serializers.IntegerField()
    percent_after = serializers.IntegerField()
    within_cap = serializers.BooleanField()
    description = serializers.CharField(source="describe")


# --- Inputs -----------------------------------------------------------------------------


class NoInput(serializers.Serializer[dict[str, Any]]):
    """An empty body: the operation takes nothing from the client."""


class VersionInput(serializers.Serializer[dict[str, Any]]):
    """The version the client last read (a stale one gets 409)."""

    version = serializers.IntegerField(min_value=1)


# Which service saves which fields of an assessment (one section each).
SOURCES_FIELDS = ("sources", "sources_notes", "interview_dates")
OTHER_FIELDS = ("other_assessment", "other_assessment_reason", "other_assessment_summary")
SUMMARY_FIELDS = ("risk_priority", "protective_priority", "proposed_risk_level", "level_reason", "scenarios")


class AssessmentInput(VersionInput):
    """Any of the sections' fields; those left out keep their value."""

    sources = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        help_text="Codes: INTERVIEW, OFFENDING_HISTORY, CASE_FILES, COURT_DOCUMENTS, PRISON_RECORDS, "
        "PROBATION_RECORDS, PROGRAMME_REPORTS, INTELLIGENCE, HOME_VISITS, PARTNER_AGENCIES.",
    )
    sources_notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    interview_dates = serializers.ListField(child=serializers.DateField(), required=False)
    other_assessment = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Only for women and under-18s (method OTHER)."
    )
    other_assessment_reason = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    other_assessment_summary = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    risk_priority = serializers.CharField(required=False, allow_blank=True, help_text="HIGH, MEDIUM or LOW.")
    protective_priority = serializers.CharField(required=False, allow_blank=True, help_text="HIGH, MEDIUM or LOW.")
    proposed_risk_level = serializers.CharField(
        required=False, allow_blank=True, help_text="LOW, MEDIUM, HIGH or VERY_HIGH."
    )
    level_reason = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    scenarios = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class RatingInput(VersionInput):
    """One factor: the rating, the evidence and the risk management action."""

    rating = serializers.CharField(required=False, allow_blank=True, help_text="HIGH, MEDIUM or LOW.")
    evidence = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    action = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class ReturnInput(serializers.Serializer[dict[str, Any]]):
    comments = serializers.CharField(allow_blank=True, max_length=10000, help_text="What needs to change.")


class AssessmentApproveInput(serializers.Serializer[dict[str, Any]]):
    comments = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Only when the new level would break the 20% rule: why the sergeant accepts it.",
    )


class PlanApproveInput(serializers.Serializer[dict[str, Any]]):
    comments = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class PlanInput(VersionInput):
    """The plan's own fields; those left out keep their value."""

    visit_interval_months = serializers.IntegerField(required=False)
    visit_interval_reason = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    contingencies = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    shared_with_person = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    change_summary = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class ActionInput(serializers.Serializer[dict[str, Any]]):
    """A plan action. ``factor`` is the id of a factor of the plan's assessment's catalogue."""

    factor = serializers.IntegerField()
    action_type = serializers.CharField(help_text="CONTROL, MONITOR, INTERVENE, SUPPORT or VICTIM_SAFETY.")
    description = serializers.CharField(allow_blank=True, max_length=10000)
    agency = serializers.CharField(help_text="POLICE, PROBATION, CHILDRENS_SERVICES, HEALTH, HOUSING or OTHER.")
    owner = serializers.CharField(allow_blank=True, max_length=200)
    due_on = serializers.DateField(required=False, allow_null=True)
    status = serializers.CharField(required=False, help_text="NOT_STARTED (default), IN_PROGRESS, DONE or CANCELLED.")
    shareable = serializers.BooleanField(required=False, default=False)


class ActionChangeInput(ActionInput):
    """A change to an action: on a draft, any fields (those left out keep their value); on
    the current approved plan, ``status`` alone (progress)."""

    factor = serializers.IntegerField(required=False)
    action_type = serializers.CharField(required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    agency = serializers.CharField(required=False)
    owner = serializers.CharField(required=False, allow_blank=True, max_length=200)
    shareable = serializers.BooleanField(required=False)
