"""Caseload API input and output serializers (explicit fields)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from .models import RSO, CivilOrder, Conviction, ForeignTravelNotice, NotificationEvent, Prohibition


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
