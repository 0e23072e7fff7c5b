"""Caseload API input and output serializers (explicit fields)."""

from rest_framework import serializers

from .models import RSO


class RSOOutput(serializers.ModelSerializer[RSO]):
    team = serializers.CharField(source="team.name")
    allocated_officer = serializers.CharField(source="allocated_officer.username", default=None)

    class Meta:
        model = RSO
        fields = [
            "id",
            "family_name",
            "given_names",
            "date_of_birth",
            "visor_reference",
            "pnc_id",
            "team",
            "allocated_officer",
            "summary",
            "version",
        ]
        read_only_fields = fields


class RSOSummaryInput(serializers.Serializer[dict[str, object]]):
    """What an officer may change through the API today: the summary, at a version."""

    summary = serializers.CharField(allow_blank=True, max_length=10000)
    version = serializers.IntegerField(min_value=1)
