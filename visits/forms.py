"""Visits forms: explicit fields, no business rules (the services decide)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone

from arms.models import Factor
from caseload.forms import IsoDateField, TimeOfDayField
from mosovo.accounts.models import User

from .choices import ComplianceResult, DeviceType, Outcome, VisitType
from .models import ComplianceCheck

OTHER_TEAM_OFFICER = "Choose an officer of the person's team"


def _required(message: str) -> dict[str, str]:
    return {"required": message}


def moment(day: date | None, at: time | None) -> datetime | None:
    """Return the aware moment a date and time typed in England and Wales stand for."""
    if day is None or at is None:
        return None
    return timezone.make_aware(datetime.combine(day, at))


def _officer_choices(officers: list[User]) -> list[tuple[str, str]]:
    return [(str(o.pk), o.display_name) for o in officers]


class VisitPlanForm(forms.Form):
    visit_type = forms.ChoiceField(
        label="Type of visit",
        choices=VisitType.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Choose the type of visit"),
    )
    planned_on = IsoDateField(label="Date", error_messages=_required("Enter the date of the visit"))
    planned_at = TimeOfDayField(label="Time", error_messages=_required("Enter the time of the visit"))
    lead_officer = forms.ChoiceField(
        label="Lead officer",
        error_messages={"required": "Choose the officer leading the visit", "invalid_choice": OTHER_TEAM_OFFICER},
    )
    second_officer = forms.ChoiceField(
        label="Second officer",
        required=False,
        help_text="Two officers attend a home visit unless a sergeant approves one going alone.",
        error_messages={
            "invalid_choice": "The second officer must be an offender manager or sergeant of the same team"
        },
    )
    single_officer_reason = forms.CharField(
        label="If one officer is going alone, why",
        required=False,
        widget=forms.Textarea,
        help_text="A sergeant of the team must approve a single-officer visit before it starts.",
    )

    def __init__(self, *args: Any, officers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _officer_choices(officers)
        self.fields["lead_officer"].choices = [("", "Choose an officer"), *choices]  # type: ignore[attr-defined]
        self.fields["second_officer"].choices = [("", "No second officer"), *choices]  # type: ignore[attr-defined]


class SafetyForm(forms.Form):
    violence_markers = forms.CharField(label="Violence or warning markers", required=False, widget=forms.Textarea)
    dogs = forms.CharField(label="Dogs or other animals", required=False, widget=forms.Textarea)
    weapons = forms.CharField(label="Weapons", required=False, widget=forms.Textarea)
    other_occupants = forms.CharField(label="Other people at the address", required=False, widget=forms.Textarea)
    location_notes = forms.CharField(label="Location and access", required=False, widget=forms.Textarea)
    reviewed = forms.BooleanField(
        label="I have read and reviewed the known hazards for this visit",
        required=False,
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RecordForm(forms.Form):
    """The visit record: fixed fields, then one textarea per ARMS factor and one radio
    group (with a note) per compliance check, named ``obs_<factor id>``,
    ``check_<check id>`` and ``check_<check id>_note``."""

    outcome = forms.ChoiceField(label="Outcome", choices=Outcome.choices, widget=forms.RadioSelect, required=False)
    occurred_on = IsoDateField(label="Date of the visit", required=False)
    occurred_time = TimeOfDayField(label="Time of the visit", required=False)
    people_present = forms.CharField(label="People present", required=False, widget=forms.Textarea)
    children_present = forms.BooleanField(label="Children were present", required=False)
    children_note = forms.CharField(
        label="About the children",
        required=False,
        widget=forms.Textarea,
        help_text="Who the children were and why they were there.",
    )
    intelligence_reference = forms.CharField(label="Intelligence submitted (reference)", max_length=50, required=False)
    follow_up_actions = forms.CharField(label="Follow-up actions", required=False, widget=forms.Textarea)
    notes = forms.CharField(label="Other notes", required=False, widget=forms.Textarea)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, factors: list[Factor], checks: list[ComplianceCheck], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.factors = factors
        self.checks = checks
        for factor in factors:
            self.fields[f"obs_{factor.pk}"] = forms.CharField(label=factor.name, required=False, widget=forms.Textarea)
        for check in checks:
            self.fields[f"check_{check.pk}"] = forms.ChoiceField(
                label=check.label, choices=ComplianceResult.choices, widget=forms.RadioSelect, required=False
            )
            self.fields[f"check_{check.pk}_note"] = forms.CharField(label="Note", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, at = data.get("occurred_on"), data.get("occurred_time")
        if (day is None) != (at is None) and not self.has_error("occurred_on") and not self.has_error("occurred_time"):
            self.add_error("occurred_on" if day is None else "occurred_time", "Enter both the date and the time")
        return data

    def factor_rows(self, kind: str) -> list[forms.BoundField]:
        """Return the observation fields of one kind of factor (RISK or PROTECTIVE)."""
        return [self[f"obs_{f.pk}"] for f in self.factors if f.kind == kind]

    def check_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """Return each compliance check's result and note fields."""
        return [(self[f"check_{c.pk}"], self[f"check_{c.pk}_note"]) for c in self.checks]

    def observations(self) -> dict[int, str]:
        return {f.pk: self.cleaned_data.get(f"obs_{f.pk}", "") for f in self.factors}

    def compliance(self) -> dict[int, tuple[str, str]]:
        return {
            c.pk: (
                self.cleaned_data.get(f"check_{c.pk}") or ComplianceResult.NOT_CHECKED,
                self.cleaned_data.get(f"check_{c.pk}_note", ""),
            )
            for c in self.checks
        }


class DeviceForm(forms.Form):
    device_type = forms.ChoiceField(
        label="Type of device",
        choices=DeviceType.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Choose the type of device"),
    )
    make_model = forms.CharField(label="Make and model", max_length=200, required=False)
    what_was_checked = forms.CharField(
        label="What was checked", widget=forms.Textarea, error_messages=_required("Say what was checked on the device")
    )
    tool_used = forms.CharField(label="Tool used", max_length=200, required=False)
    seized = forms.BooleanField(label="Seized (PACE s.19)", required=False)
    exhibit_reference = forms.CharField(
        label="Exhibit reference", max_length=50, required=False, help_text="Needed when the device is seized."
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is the visit cancelled",
        widget=forms.Textarea,
        error_messages=_required("Say why the visit is cancelled"),
    )
