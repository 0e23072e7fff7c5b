"""Caseload API input and output serializers (explicit fields)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .choices import DeadlineKind
from .models import RSO, CivilOrder, Conviction, Deadline, ForeignTravelNotice, NotificationEvent, Prohibition


class RSOOutput(serializers.ModelSerializer[RSO]):
    team = serializers.CharField(source="team.name")
    allocated_officer = serializers.CharField(source="allocated_officer.username", default=None)
    notification_period = serializers.SerializerMethodField(
        help_text="The governing notification period: 'indefinite', or months (s.82)."
    )
    next_notification_due = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = RSO
        fields = [
            "id",
            "family_name",
            "given_names",
            "date_of_birth",
            "sex",
            "visor_reference",
            "pnc_id",
            "status",
            "risk_level",
            "mappa_category",
            "mappa_level",
            "lead_agency",
            "management_model",
            "child_household",
            "team",
            "allocated_officer",
            "summary",
            "notification_period",
            "notification_ends_on",
            "last_notification_on",
            "next_annual_notification_due",
            "next_weekly_notification_due",
            "next_notification_due",
            "no_fixed_abode",
            "indefinite_review_eligible_on",
            "version",
        ]
        read_only_fields = fields

    def get_notification_period(self, rso: RSO) -> str | int | None:
        if rso.notification_indefinite:
            return "indefinite"
        return rso.notification_period_months


class RSOSummaryInput(serializers.Serializer[dict[str, object]]):
    """What an officer may change through the API today: the summary, at a version."""

    summary = serializers.CharField(allow_blank=True, max_length=10000)
    version = serializers.IntegerField(min_value=1)


class ConvictionOutput(serializers.ModelSerializer[Conviction]):
    notification_period = serializers.SerializerMethodField()

    class Meta:
        model = Conviction
        fields = [
            "id",
            "offence",
            "relevant_date",
            "court",
            "disposal",
            "custody_months",
            "discharge_months",
            "age_on_relevant_date",
            "notification_period",
            "notification_ends_on",
        ]
        read_only_fields = fields

    def get_notification_period(self, conviction: Conviction) -> str | int | None:
        return "indefinite" if conviction.notification_indefinite else conviction.notification_period_months


class NotificationOutput(serializers.ModelSerializer[NotificationEvent]):
    receiving_officer = serializers.CharField(source="receiving_officer.username", default=None)

    class Meta:
        model = NotificationEvent
        fields = [
            "id",
            "notification_type",
            "occurred_at",
            "police_station",
            "receiving_officer",
            "trigger_date",
            "details_changed",
            "due_on",
            "in_time",
        ]
        read_only_fields = fields


class TravelOutput(serializers.ModelSerializer[ForeignTravelNotice]):
    class Meta:
        model = ForeignTravelNotice
        fields = [
            "id",
            "notified_at",
            "departs_at",
            "returns_on",
            "destinations",
            "carrier",
            "accommodation",
            "late_reason",
            "timeliness",
            "conflicts_with_order",
            "disclosure",
        ]
        read_only_fields = fields


class ProhibitionOutput(serializers.ModelSerializer[Prohibition]):
    class Meta:
        model = Prohibition
        fields = ["id", "kind", "text", "starts_on", "ends_on", "travel_scope", "countries", "passports_surrendered"]
        read_only_fields = fields


class OrderOutput(serializers.ModelSerializer[CivilOrder]):
    prohibitions = ProhibitionOutput(many=True, read_only=True)

    class Meta:
        model = CivilOrder
        fields = ["id", "order_type", "court", "made_on", "discharged_on", "prohibitions"]
        read_only_fields = fields


def page_payload(page: Any, serializer: type[serializers.Serializer[Any]]) -> dict[str, Any]:
    """Return the API's page envelope for one page of objects."""
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": serializer(list(page.object_list), many=True).data,
    }


class NotificationInput(serializers.Serializer[dict[str, Any]]):
    """A notification made in person, recorded through the API."""

    notification_type = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    police_station = serializers.CharField(max_length=200)
    trigger_date = serializers.DateField(required=False, allow_null=True)
    details_changed = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ConvictionInput(serializers.Serializer[dict[str, Any]]):
    """A conviction, caution or finding, recorded through the API."""

    offence = serializers.CharField(max_length=300)
    relevant_date = serializers.DateField()
    court = serializers.CharField(required=False, allow_blank=True, max_length=200)
    disposal = serializers.CharField()
    custody_months = serializers.IntegerField(required=False, allow_null=True)
    discharge_months = serializers.IntegerField(required=False, allow_null=True)


# --- opsapi: the task API (deadlines as an officer's and a sergeant's tasks) ---------------

MY_TASK_GROUPS = ("overdue", "this_week", "upcoming")
TEAM_TASK_GROUPS = ("escalated", "overdue", "cap_breaches", "unallocated")


class TaskOutput(serializers.ModelSerializer[Deadline]):
    """One of the user's open tasks, with the group the inbox puts it in (``context["group"]``)."""

    group = serializers.SerializerMethodField()
    # A plain string in the schema: an enum named "kind" would collide with the other
    # apps' "kind" enums (drf-spectacular names enums by field).
    kind = serializers.CharField(read_only=True, help_text="One of: " + ", ".join(DeadlineKind.values) + ".")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    rso_id = serializers.IntegerField(read_only=True, allow_null=True)
    rso_reference = serializers.CharField(
        source="rso.visor_reference", default=None, read_only=True, help_text="The RSO's ViSOR reference."
    )

    class Meta:
        model = Deadline
        fields = ["id", "group", "kind", "kind_label", "state", "due_on", "rso_id", "rso_reference"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=MY_TASK_GROUPS))
    def get_group(self, deadline: Deadline) -> str:
        return str(self.context["group"])


class TeamTaskOutput(TaskOutput):
    """One task a sergeant oversees: who has it and, for an officer over the 20% rule, who
    that is and their high-risk and total cases."""

    owner_id = serializers.IntegerField(read_only=True, allow_null=True, help_text="The officer who has the task.")
    owner_name = serializers.CharField(source="owner.display_name", default=None, read_only=True)
    subject_officer_id = serializers.IntegerField(
        source="subject_user_id", read_only=True, allow_null=True, help_text="Cap breaches: the officer over 20%."
    )
    high = serializers.SerializerMethodField(help_text="Cap breaches: the officer's high-risk cases.")
    total = serializers.SerializerMethodField(help_text="Cap breaches: the officer's active cases.")

    class Meta(TaskOutput.Meta):
        fields = [*TaskOutput.Meta.fields, "owner_id", "owner_name", "subject_officer_id", "high", "total"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=TEAM_TASK_GROUPS))
    def get_group(self, deadline: Deadline) -> str:
        return str(self.context["group"])

    def _breach_figure(self, deadline: Deadline, name: str) -> int | None:
        if deadline.kind != DeadlineKind.CAP_BREACH:
            return None
        value = (deadline.detail or {}).get(name)
        return int(value) if value is not None else None

    def get_high(self, deadline: Deadline) -> int | None:
        return self._breach_figure(deadline, "high")

    def get_total(self, deadline: Deadline) -> int | None:
        return self._breach_figure(deadline, "total")


def grouped_tasks(serializer: type[TaskOutput], groups: list[tuple[str, list[Deadline]]]) -> list[dict[str, Any]]:
    """Return the tasks of each group, in order, as one flat list."""
    rows: list[dict[str, Any]] = []
    for name, deadlines in groups:
        rows.extend(serializer(deadlines, many=True, context={"group": name}).data)
    return rows


# --- end of opsapi ---
