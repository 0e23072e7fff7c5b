"""Supervision API input and output serializers (explicit fields)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class ExpiringOutput(serializers.Serializer[Any]):
    """Vetting or one course's latest training, expired or expiring."""

    key = serializers.CharField(help_text="VETTING or the course code.")
    label = serializers.CharField()  # type: ignore[assignment]
    expires_on = serializers.DateField()
    days_left = serializers.IntegerField(help_text="Negative once expired.")


class OfficerFiguresOutput(serializers.Serializer[Any]):
    """One officer's row of the dashboard (see ``supervision.selectors.OfficerFigures``)."""

    officer_id = serializers.IntegerField(source="officer.pk")
    officer_name = serializers.CharField(source="officer.display_name")
    caseload = serializers.IntegerField(help_text="Open cases (the active caseload the 20% rule counts).")
    high = serializers.IntegerField(help_text="Open cases at HIGH or VERY_HIGH.")
    high_percent = serializers.IntegerField()
    over_line = serializers.BooleanField(help_text="More than 20% high risk (5 x high > total).")
    overdue_visits = serializers.IntegerField()
    overdue_reviews = serializers.IntegerField()
    overdue_notifications = serializers.IntegerField()
    awaiting_approval = serializers.IntegerField(help_text="ARMS assessments and plans submitted, undecided.")
    overrides = serializers.IntegerField(help_text="Open 20% overrides.")
    cap_breaches = serializers.IntegerField()
    expiring = ExpiringOutput(many=True)
    last_session_on = serializers.DateField(allow_null=True)
    days_since_session = serializers.IntegerField(allow_null=True)
    session_overdue = serializers.BooleanField()
    audits = serializers.IntegerField(help_text="Plan audits completed in the last 12 months.")
    audit_mean = serializers.FloatField(allow_null=True, help_text="Their mean score, percent.")


class TotalsOutput(serializers.Serializer[Any]):
    """The team's totals (case and task figures include unallocated cases)."""

    officers = serializers.IntegerField()
    caseload = serializers.IntegerField()
    high = serializers.IntegerField()
    high_percent = serializers.IntegerField()
    officers_over_line = serializers.IntegerField()
    overdue_visits = serializers.IntegerField()
    overdue_reviews = serializers.IntegerField()
    overdue_notifications = serializers.IntegerField()
    awaiting_approval = serializers.IntegerField()
    overrides = serializers.IntegerField()
    cap_breaches = serializers.IntegerField()
    expiring = serializers.IntegerField()
    sessions_overdue = serializers.IntegerField()
    audits = serializers.IntegerField()
    audit_mean = serializers.FloatField(allow_null=True)


class MixOutput(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class TrendOutput(serializers.Serializer[Any]):
    month = serializers.DateField(help_text="The first day of the month.")
    mean = serializers.FloatField(allow_null=True, help_text="Mean audit score that month, percent.")
    count = serializers.IntegerField(help_text="Audits completed that month.")


class DashboardOutput(serializers.Serializer[Any]):
    """A team's dashboard figures: plan quality first, then each officer, then the mixes."""

    team_id = serializers.IntegerField(source="team.pk")
    team_name = serializers.CharField(source="team.name")
    today = serializers.DateField()
    plan_quality_trend = TrendOutput(source="trend", many=True)
    totals = TotalsOutput()
    officers = OfficerFiguresOutput(many=True)
    risk_mix = MixOutput(many=True)
    unassessed = serializers.IntegerField(help_text="Open cases with no approved ARMS assessment.")
    mappa_mix = MixOutput(many=True)
    session_interval_weeks = serializers.IntegerField()


class RollupOutput(serializers.Serializer[Any]):
    """One team of the force with its totals (inspectors)."""

    team_id = serializers.IntegerField(source="team.pk")
    team_name = serializers.CharField(source="team.name")
    totals = TotalsOutput()
