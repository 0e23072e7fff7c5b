"""Visits API input and output serializers (explicit fields).

Outputs are read-only views of what the selectors return. Inputs list what a client may
send; anything else in a request body is refused by the API view (status, rso,
recorded_by, approvals and the like are never written from input). Choices and dates
are checked by the services, with the same messages as the pages.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mosovo.accounts.models import User

from .models import ComplianceCheck, DeviceExamination, SafetyAssessment, Visit
from .selectors import VisitView

# --- Outputs ----------------------------------------------------------------------------


class OfficerOutput(serializers.ModelSerializer[User]):
    name = serializers.CharField(source="display_name")

    class Meta:
        model = User
        fields = ["id", "username", "name"]
        read_only_fields = fields


VISIT_SUMMARY_FIELDS = [
    "id",
    "rso",
    "visit_type",
    "planned_for",
    "status",
    "lead_officer",
    "second_officer",
    "single_officer_reason",
    "single_officer_approved_by",
    "single_officer_approved_at",
    "cancelled_reason",
    "outcome",
    "occurred_at",
    "version",
]


class VisitSummaryOutput(serializers.ModelSerializer[Visit]):
    """A visit as a row of the RSO's list."""

    rso = serializers.IntegerField(source="rso_id")
    visit_type = serializers.CharField(
        help_text="INITIAL, SCHEDULED, UNANNOUNCED, ANNOUNCED, ARMS_INTERVIEW or ADDRESS_CHECK."
    )
    status = serializers.CharField(help_text="PLANNED, STARTED, RECORDED or CANCELLED.")
    lead_officer = OfficerOutput(read_only=True)
    second_officer = OfficerOutput(read_only=True, allow_null=True)
    single_officer_approved_by = serializers.IntegerField(
        source="single_officer_approved_by_id",
        allow_null=True,
        help_text="The sergeant (user id) who approved one officer going alone.",
    )
    outcome = serializers.CharField(help_text="SEEN, NO_REPLY, ACCESS_REFUSED, NOT_RESIDENT, PARTIAL, or empty.")

    class Meta:
        model = Visit
        fields = VISIT_SUMMARY_FIELDS
        read_only_fields = fields


class SafetyOutput(serializers.ModelSerializer[SafetyAssessment]):
    carried_forward_from = serializers.IntegerField(source="carried_forward_from_id", allow_null=True)
    updated_by = serializers.CharField(source="updated_by.username")

    class Meta:
        model = SafetyAssessment
        fields = [
            "id",
            "violence_markers",
            "dogs",
            "weapons",
            "other_occupants",
            "location_notes",
            "carried_forward_from",
            "updated_by",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class ObservationOutput(serializers.Serializer[dict[str, Any]]):
    """What was seen bearing on one ARMS factor."""

    factor_id = serializers.IntegerField()
    factor_code = serializers.CharField()
    factor_name = serializers.CharField()
    kind = serializers.CharField(help_text="RISK or PROTECTIVE.")
    note = serializers.CharField()


class ComplianceOutput(serializers.ModelSerializer[ComplianceCheck]):
    kind = serializers.CharField(help_text="REQUIREMENT or PROHIBITION.")
    prohibition = serializers.IntegerField(source="prohibition_id", allow_null=True)
    result = serializers.CharField(help_text="COMPLIED, NOT_COMPLIED or NOT_CHECKED.")

    class Meta:
        model = ComplianceCheck
        fields = ["id", "kind", "code", "prohibition", "label", "result", "note", "position"]
        read_only_fields = fields


class DeviceOutput(serializers.ModelSerializer[DeviceExamination]):
    device_type = serializers.CharField(help_text="PHONE, COMPUTER, TABLET, CONSOLE, STORAGE, SMART_TV or OTHER.")
    added_by = serializers.IntegerField(source="added_by_id")

    class Meta:
        model = DeviceExamination
        fields = [
            "id",
            "device_type",
            "make_model",
            "what_was_checked",
            "tool_used",
            "seized",
            "exhibit_reference",
            "added_by",
        ]
        read_only_fields = fields


class VisitOutput(serializers.Serializer[VisitView]):
    """One visit: the plan, the safety assessment, the record and its lists."""

    id = serializers.IntegerField(source="visit.pk")
    rso = serializers.IntegerField(source="visit.rso_id")
    visit_type = serializers.CharField(source="visit.visit_type")
    planned_for = serializers.DateTimeField(source="visit.planned_for")
    status = serializers.CharField(source="visit.status", help_text="PLANNED, STARTED, RECORDED or CANCELLED.")
    lead_officer = OfficerOutput(source="visit.lead_officer")
    second_officer = OfficerOutput(source="visit.second_officer", allow_null=True)
    single_officer_reason = serializers.CharField(source="visit.single_officer_reason")
    single_officer_approved_by = serializers.IntegerField(source="visit.single_officer_approved_by_id", allow_null=True)
    single_officer_approved_at = serializers.DateTimeField(source="visit.single_officer_approved_at", allow_null=True)
    cancelled_reason = serializers.CharField(source="visit.cancelled_reason")
    started_at = serializers.DateTimeField(source="visit.started_at", allow_null=True)
    outcome = serializers.CharField(source="visit.outcome")
    occurred_at = serializers.DateTimeField(source="visit.occurred_at", allow_null=True)
    people_present = serializers.CharField(source="visit.people_present")
    children_present = serializers.BooleanField(source="visit.children_present")
    children_note = serializers.CharField(source="visit.children_note")
    intelligence_reference = serializers.CharField(source="visit.intelligence_reference")
    follow_up_actions = serializers.CharField(source="visit.follow_up_actions")
    notes = serializers.CharField(source="visit.notes")
    recorded_at = serializers.DateTimeField(source="visit.recorded_at", allow_null=True)
    version = serializers.IntegerField(source="visit.version")
    safety = SafetyOutput(allow_null=True, read_only=True)
    carried_safety = SafetyOutput(
        source="carried",
        allow_null=True,
        read_only=True,
        help_text="Before the safety assessment is recorded: the previous visit's, to review and carry forward.",
    )
    observations = serializers.SerializerMethodField()
    compliance = ComplianceOutput(many=True, read_only=True)
    devices = DeviceOutput(many=True, read_only=True)
    problems = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text="While being recorded: what must be done before the record can be completed, by field.",
    )

    @extend_schema_field(ObservationOutput(many=True))
    def get_observations(self, view: VisitView) -> Any:
        rows = [
            {
                "factor_id": factor.pk,
                "factor_code": factor.code,
                "factor_name": factor.name,
                "kind": factor.kind,
                "note": view.observations[factor.pk].note,
            }
            for factor in view.factors
            if factor.pk in view.observations
        ]
        return ObservationOutput(rows, many=True).data  # type: ignore[arg-type]  # many=True takes a list


# --- Inputs -----------------------------------------------------------------------------


class NoInput(serializers.Serializer[dict[str, Any]]):
    """An empty body: the operation takes nothing from the client."""


class VisitVersionInput(serializers.Serializer[dict[str, Any]]):
    """The version the client last read (a stale one gets 409)."""

    version = serializers.IntegerField(min_value=1)


class VisitPlanInput(serializers.Serializer[dict[str, Any]]):
    """A visit to plan: two officers of the person's team (user ids), or one with a reason
    (which the team's sergeant approves)."""

    visit_type = serializers.CharField(
        help_text="INITIAL, SCHEDULED, UNANNOUNCED, ANNOUNCED, ARMS_INTERVIEW or ADDRESS_CHECK."
    )
    planned_for = serializers.DateTimeField()
    lead_officer = serializers.IntegerField(help_text="User id of an officer or sergeant of the team.")
    second_officer = serializers.IntegerField(required=False, allow_null=True, help_text="User id, of the same team.")
    single_officer_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=10000, help_text="Without a second officer: why one goes alone."
    )


class SafetyInput(serializers.Serializer[dict[str, Any]]):
    """The whole safety assessment (fields left out are recorded empty)."""

    violence_markers = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")
    dogs = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")
    weapons = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")
    other_occupants = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")
    location_notes = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")
    reviewed = serializers.BooleanField(help_text="Must be true: the known hazards were read and reviewed.")
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="When updating: the safety assessment's version last read."
    )


class ObservationInput(serializers.Serializer[dict[str, Any]]):
    factor_id = serializers.IntegerField(help_text="A factor of the current ARMS catalogue.")
    note = serializers.CharField(allow_blank=True, max_length=10000, help_text="Empty removes the observation.")


class ComplianceInput(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField(help_text="A check of this visit's checklist.")
    result = serializers.CharField(help_text="COMPLIED, NOT_COMPLIED or NOT_CHECKED.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")


class RecordInput(VisitVersionInput):
    """The visit record (a draft); fields left out keep their value."""

    outcome = serializers.CharField(
        required=False, allow_blank=True, help_text="SEEN, NO_REPLY, ACCESS_REFUSED, NOT_RESIDENT or PARTIAL."
    )
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)
    people_present = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    children_present = serializers.BooleanField(required=False)
    children_note = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    intelligence_reference = serializers.CharField(required=False, allow_blank=True, max_length=50)
    follow_up_actions = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    observations = ObservationInput(many=True, required=False)
    compliance = ComplianceInput(many=True, required=False)


class DeviceInput(serializers.Serializer[dict[str, Any]]):
    """A device examined at the visit; a seized one (PACE s.19) needs its exhibit reference."""

    device_type = serializers.CharField(help_text="PHONE, COMPUTER, TABLET, CONSOLE, STORAGE, SMART_TV or OTHER.")
    what_was_checked = serializers.CharField(allow_blank=True, max_length=10000)
    make_model = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    tool_used = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    seized = serializers.BooleanField(required=False, default=False)
    exhibit_reference = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")


class CancelInput(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(allow_blank=True, max_length=10000, help_text="Why the visit is cancelled.")
