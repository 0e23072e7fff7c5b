"""Caseload forms: explicit fields, no business rules."""

from __future__ import annotations

from datetime import date, datetime
from datetime import time as dt_time
from typing import Any

from django import forms
from django.utils import timezone

from mosovo.accounts.models import User

from .choices import (
    CLOSED_STATUSES,
    MAPPA_NONE,
    RISK_HIGH_OR_ABOVE,
    AddressType,
    BreakGlassReason,
    ChangeEventType,
    Disposal,
    IdentityDocumentType,
    LeadAgency,
    ManagementModel,
    MappaCategory,
    MappaLevel,
    NotificationType,
    OrderType,
    ProhibitionKind,
    RiskLevel,
    RSOStatus,
    Sex,
    StaticTool,
    TravelDisclosure,
    TravelScope,
)


class BreakGlassForm(forms.Form):
    reference = forms.CharField(
        label="ViSOR reference or PNC ID of the record",
        max_length=30,
        error_messages={"required": "Enter the record's ViSOR reference or PNC ID"},
    )
    reason_code = forms.ChoiceField(
        label="Why do you need this record?",
        choices=BreakGlassReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why you need this record"},
    )
    reason_text = forms.CharField(
        label="Explain what you need it for",
        widget=forms.Textarea,
        max_length=1000,
        min_length=10,
        error_messages={
            "required": "Explain in a sentence why you need this record",
            "min_length": "Explain in a sentence why you need this record",
        },
    )


SORT_CHOICES = [
    ("name", "Name"),
    ("risk", "Risk level"),
    ("mappa", "MAPPA level"),
    ("due", "Next notification due"),
    ("visit", "Next visit due"),
    ("officer", "Offender manager"),
]


class CaseloadFilterForm(forms.Form):
    """The caseload list's filters and sort order (GET)."""

    officer = forms.ChoiceField(label="Offender manager", required=False)
    risk_level = forms.ChoiceField(
        label="Risk level",
        required=False,
        choices=[("", "Any"), *RiskLevel.choices, (RISK_HIGH_OR_ABOVE, "High or very high")],
    )
    mappa_level = forms.TypedChoiceField(
        label="MAPPA level",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any"), *MappaLevel.choices, (MAPPA_NONE, "None recorded")],
    )
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any"), *RSOStatus.choices])
    open_only = forms.BooleanField(label="Only open cases (not closed)", required=False)
    overdue_only = forms.BooleanField(label="Only those with an overdue notification", required=False)
    visit_overdue = forms.BooleanField(label="Only those with an overdue home visit", required=False)
    unassessed = forms.BooleanField(label="Only those with no approved ARMS assessment", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)
    descending = forms.BooleanField(label="Reverse order", required=False)
    # One team of the force (the team dashboard's links); kept as a hidden field.
    team = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, officers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Everyone"), ("me", "Me"), ("unallocated", "Not allocated")]
        choices += [(str(o.pk), o.display_name) for o in officers]
        self.fields["officer"].choices = choices  # type: ignore[attr-defined]


class AllocationForm(forms.Form):
    """Choose who should manage an RSO; a transfer when they are in another team."""

    officer = forms.TypedChoiceField(
        label="Offender manager", coerce=int, error_messages={"required": "Choose an offender manager"}
    )
    override_reason = forms.CharField(
        label="Reason for going over the 20% limit",
        required=False,
        widget=forms.Textarea,
        max_length=1000,
        help_text="Only if you decide the officer must carry this case despite the limit. It is listed until resolved.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, team_officers: list[User], other_officers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[Any] = [("", "Choose an offender manager")]
        choices.append(("Your team", [(o.pk, o.display_name) for o in team_officers]))
        if other_officers:
            choices.append(
                ("Other teams (transfers the case)", [(o.pk, f"{o.display_name} ({o.team})") for o in other_officers])
            )
        self.fields["officer"].choices = choices  # type: ignore[attr-defined]


class SearchForm(forms.Form):
    """Find an RSO. Sent by POST so the terms never appear in a URL or a browser history."""

    name = forms.CharField(label="Name or alias", required=False, max_length=200)
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        help_text="For example, 27/03/1980",
        error_messages={"invalid": "Enter a real date of birth, for example 27/03/1980"},
    )
    reference = forms.CharField(label="ViSOR reference or PNC ID", required=False, max_length=30)
    address = forms.CharField(label="Address or postcode", required=False, max_length=200)
    vehicle = forms.CharField(label="Vehicle registration", required=False, max_length=12)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(key) for key in ("name", "date_of_birth", "reference", "address", "vehicle")):
            raise forms.ValidationError("Enter at least one thing to search by")
        if data.get("name") and len(data["name"].strip()) < 2:
            self.add_error("name", "Enter at least 2 letters of the name")
        return data


# --- Record details (profile, addresses, contacts, identity, photo) ---------------------
# Each form on the profile tab has its own prefix, so that its fields' names and ids do
# not clash with another form's on the same page.

REAL_DATE = "Enter a real date, for example 2024-03-27"


class IsoDateField(forms.DateField):
    """A date typed into a native date input (which always sends yyyy-mm-dd)."""

    default_error_messages = {"invalid": REAL_DATE}

    def prepare_value(self, value: Any) -> Any:
        # The date input needs ISO text back, not the locale's format.
        if isinstance(value, date):
            return value.isoformat()
        return value


def _required(message: str) -> dict[str, str]:
    return {"required": message}


class ProfileForm(forms.Form):
    family_name = forms.CharField(
        label="Family name", max_length=100, error_messages=_required("Enter the family name")
    )
    given_names = forms.CharField(
        label="Given names", max_length=200, error_messages=_required("Enter the given names")
    )
    date_of_birth = IsoDateField(label="Date of birth", error_messages=_required("Enter the date of birth"))
    sex = forms.ChoiceField(
        label="Sex", choices=Sex.choices, widget=forms.RadioSelect, error_messages=_required("Select the sex")
    )
    pnc_id = forms.CharField(label="PNC ID", max_length=20, required=False, help_text="Police National Computer ID.")
    ni_number = forms.CharField(
        label="National Insurance number", max_length=20, required=False, help_text="For example, AB 12 34 56 C."
    )
    mappa_category = forms.TypedChoiceField(
        label="MAPPA category",
        choices=[("", "Not set"), *MappaCategory.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    mappa_level = forms.TypedChoiceField(
        label="MAPPA level",
        choices=[("", "Not set"), *MappaLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    lead_agency = forms.ChoiceField(
        label="Lead agency",
        choices=LeadAgency.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Select the lead agency"),
    )
    child_household = forms.BooleanField(
        label="Lives or stays 12 hours or more in a household with a child under 18", required=False
    )
    summary = forms.CharField(label="Case summary", widget=forms.Textarea, max_length=10000, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AliasForm(forms.Form):
    prefix = "alias"

    name = forms.CharField(label="Name", max_length=300, error_messages=_required("Enter the name"))
    notes = forms.CharField(label="Notes (optional)", max_length=300, required=False)


class AddressForm(forms.Form):
    prefix = "address"

    address_type = forms.ChoiceField(
        label="Type of address",
        choices=AddressType.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Select the type of address"),
    )
    line1 = forms.CharField(
        label="Address line 1",
        max_length=200,
        error_messages=_required("Enter address line 1, typically the building and street"),
    )
    line2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    town = forms.CharField(label="Town or city", max_length=100, error_messages=_required("Enter the town or city"))
    postcode = forms.CharField(label="Postcode (optional)", max_length=10, required=False)
    from_date = IsoDateField(
        label="Date they started living or staying there",
        error_messages=_required("Enter the date they started living or staying there"),
    )
    to_date = IsoDateField(
        label="Date they left (optional)", required=False, help_text="Leave empty if this is a current address."
    )
    notes = forms.CharField(label="Notes (optional)", max_length=300, required=False)


class EndDateForm(forms.Form):
    """The day an address or a job ended (the view gives each row its own prefix)."""

    to_date = IsoDateField(label="End date", error_messages=_required("Enter the end date"))


class VehicleForm(forms.Form):
    prefix = "vehicle"

    registration = forms.CharField(
        label="Registration number", max_length=20, error_messages=_required("Enter the registration number")
    )
    make = forms.CharField(label="Make (optional)", max_length=50, required=False)
    model = forms.CharField(label="Model (optional)", max_length=50, required=False)
    colour = forms.CharField(label="Colour (optional)", max_length=30, required=False)
    from_date = IsoDateField(label="Used from (optional)", required=False)
    to_date = IsoDateField(label="Used until (optional)", required=False)


class EmploymentForm(forms.Form):
    prefix = "employment"

    employer = forms.CharField(
        label="Employer",
        max_length=200,
        help_text="Or the kind of work, if self-employed or unpaid.",
        error_messages=_required("Enter the employer, or the kind of work if self-employed"),
    )
    role = forms.CharField(label="Role (optional)", max_length=200, required=False)
    from_date = IsoDateField(label="Started (optional)", required=False)
    to_date = IsoDateField(label="Ended (optional)", required=False)
    notes = forms.CharField(label="Notes (optional)", max_length=300, required=False)


class AssociateForm(forms.Form):
    prefix = "associate"

    name = forms.CharField(label="Name", max_length=200, error_messages=_required("Enter the associate's name"))
    relationship = forms.CharField(
        label="Relationship",
        max_length=100,
        help_text="For example, partner, brother, friend, co-defendant.",
        error_messages=_required("Enter how they are connected, for example partner or brother"),
    )
    notes = forms.CharField(label="Notes (optional)", max_length=500, required=False)


class IdentityDocumentForm(forms.Form):
    """The full number is typed here only to be masked: the service keeps its last four
    characters and the page never shows the number back."""

    prefix = "document"

    document_type = forms.ChoiceField(
        label="Type",
        choices=IdentityDocumentType.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Select the type of document"),
    )
    number = forms.CharField(
        label="Number",
        max_length=40,
        help_text="Only the last 4 characters are kept.",
        error_messages=_required("Enter the number"),
    )
    issuer = forms.CharField(label="Issuing country or bank (optional)", max_length=100, required=False)
    expires_on = IsoDateField(label="Expiry date (optional)", required=False)
    surrendered = forms.BooleanField(label="Surrendered to the police (passports only)", required=False)


class PhotoForm(forms.Form):
    prefix = "photo"

    photo = forms.FileField(
        label="Upload a photo",
        help_text="A JPG, PNG or WebP photo, smaller than 5 MB.",
        error_messages={"required": "Select a photo", "empty": "The selected file is empty"},
    )


# --- Notification law: the record tabs ---------------------------------------------------
# The checks that are law (dates, periods, bands, terms) are the services'; these forms
# only turn what was typed into values, with a message for anything missing or unreadable.

REAL_TIME = "Enter a real time on the 24-hour clock, for example 14:30"
WHOLE_MONTHS = "Enter a whole number of months, for example 18"


def _choose(label: str, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", label), *choices]


class TimeOfDayField(forms.TimeField):
    """A time typed into a native time input (hh:mm)."""

    widget = forms.TimeInput(format="%H:%M")
    default_error_messages = {"invalid": REAL_TIME}

    def prepare_value(self, value: Any) -> Any:
        # The time input needs hh:mm back, not the locale's format.
        if isinstance(value, dt_time):
            return value.strftime("%H:%M")
        return value


def _at(day: date | None, at: dt_time | None) -> datetime | None:
    """Return the moment a date and time typed in England and Wales stand for (aware)."""
    if day is None or at is None:
        return None
    return timezone.make_aware(datetime.combine(day, at))


class ConvictionForm(forms.Form):
    offence = forms.CharField(label="Offence", max_length=300, error_messages=_required("Enter the offence"))
    relevant_date = IsoDateField(
        label="Relevant date",
        help_text="The date of the conviction, caution or finding.",
        error_messages=_required("Enter the relevant date"),
    )
    court = forms.CharField(label="Court (optional)", max_length=200, required=False)
    disposal = forms.ChoiceField(
        label="Disposal",
        choices=_choose("Choose the disposal", Disposal.choices),
        error_messages={
            "required": "Select a disposal from the list",
            "invalid_choice": "Select a disposal from the list",
        },
    )
    custody_months = forms.IntegerField(
        label="Custody length in months",
        required=False,
        max_value=1200,
        help_text="For a custody sentence only.",
        error_messages={"invalid": WHOLE_MONTHS, "max_value": "Enter a custody length of at most 1200 months"},
    )
    discharge_months = forms.IntegerField(
        label="Conditional discharge length in months",
        required=False,
        max_value=1200,
        help_text="For a conditional discharge only.",
        error_messages={"invalid": WHOLE_MONTHS, "max_value": "Enter a discharge length of at most 1200 months"},
    )


class NotificationForm(forms.Form):
    notification_type = forms.ChoiceField(
        label="Type of notification",
        choices=_choose("Choose the type", NotificationType.choices),
        error_messages={
            "required": "Select the type of notification",
            "invalid_choice": "Select the type of notification",
        },
    )
    occurred_on = IsoDateField(label="Date of the notification", error_messages=_required("Enter the date"))
    occurred_time = TimeOfDayField(label="Time", error_messages=_required("Enter the time"))
    police_station = forms.CharField(
        label="Police station", max_length=200, error_messages=_required("Enter the police station")
    )
    trigger_date = IsoDateField(
        label="Date the duty to notify arose",
        required=False,
        help_text=(
            "Needed for initial, change, release and living-with-a-child notifications: the relevant date, "
            "the day of release or the day of the change."
        ),
    )
    details_changed = forms.CharField(
        label="Details notified (optional)", widget=forms.Textarea, max_length=5000, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["occurred_at"] = _at(data.get("occurred_on"), data.get("occurred_time"))
        return data


class TravelNoticeForm(forms.Form):
    notified_on = IsoDateField(label="Date the notice was given", error_messages=_required("Enter the date"))
    notified_time = TimeOfDayField(label="Time the notice was given", error_messages=_required("Enter the time"))
    departs_on = IsoDateField(label="Departure date", error_messages=_required("Enter the departure date"))
    departs_time = TimeOfDayField(label="Departure time", error_messages=_required("Enter the departure time"))
    returns_on = IsoDateField(label="Return date (optional)", required=False)
    destinations = forms.CharField(
        label="Destinations",
        max_length=300,
        help_text="Countries, separated by commas.",
        error_messages=_required("Enter the countries they are going to"),
    )
    carrier = forms.CharField(label="Carrier and flight or route (optional)", max_length=200, required=False)
    accommodation = forms.CharField(label="Accommodation (optional)", max_length=300, required=False)
    late_reason = forms.CharField(
        label="Reason for late notice",
        widget=forms.Textarea,
        max_length=2000,
        required=False,
        help_text="Needed when notice is given less than 7 days before departure.",
    )
    disclosure = forms.ChoiceField(
        label="Disclosure to the destination country",
        choices=TravelDisclosure.choices,
        initial=TravelDisclosure.NOT_DECIDED,
        widget=forms.RadioSelect,
        error_messages=_required("Select the disclosure decision"),
    )
    disclosure_notes = forms.CharField(
        label="Disclosure notes (optional)", widget=forms.Textarea, max_length=5000, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["notified_at"] = _at(data.get("notified_on"), data.get("notified_time"))
        data["departs_at"] = _at(data.get("departs_on"), data.get("departs_time"))
        return data


class OrderForm(forms.Form):
    order_type = forms.ChoiceField(
        label="Type of order",
        choices=_choose("Choose the type", OrderType.choices),
        error_messages={"required": "Select the type of order", "invalid_choice": "Select the type of order"},
    )
    court = forms.CharField(label="Court", max_length=200, error_messages=_required("Enter the court"))
    made_on = IsoDateField(label="Date made", error_messages=_required("Enter the date the order was made"))
    discharged_on = IsoDateField(label="Date discharged (optional)", required=False)
    notes = forms.CharField(label="Notes (optional)", widget=forms.Textarea, max_length=5000, required=False)


class ProhibitionForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of prohibition",
        choices=ProhibitionKind.choices,
        initial=ProhibitionKind.GENERAL,
        widget=forms.RadioSelect,
        error_messages=_required("Select the kind of prohibition"),
    )
    text = forms.CharField(
        label="Prohibition", widget=forms.Textarea, max_length=5000, error_messages=_required("Enter the prohibition")
    )
    starts_on = IsoDateField(label="Start date", error_messages=_required("Enter the start date"))
    ends_on = IsoDateField(label="End date", required=False, help_text="Leave empty for “until further order”.")
    travel_scope = forms.ChoiceField(
        label="Countries covered (foreign travel only)",
        choices=_choose("Not a foreign travel prohibition", TravelScope.choices),
        required=False,
        error_messages={"invalid_choice": "Select which countries the prohibition covers"},
    )
    countries = forms.CharField(
        label="Countries named (optional)",
        max_length=300,
        required=False,
        help_text="Separated by commas; for named countries, or all countries except those named.",
    )
    passports_surrendered = forms.BooleanField(label="Passports surrendered", required=False)


class StaticScoreForm(forms.Form):
    tool = forms.ChoiceField(
        label="Tool",
        choices=_choose("Choose the tool", StaticTool.choices),
        error_messages={"required": "Select the tool", "invalid_choice": "Select the tool"},
    )
    score = forms.DecimalField(
        label="Score (optional)",
        required=False,
        max_digits=6,
        decimal_places=3,
        error_messages={
            "invalid": "Enter the score as a number, for example 0.125",
            "max_digits": "Enter a score of at most 6 digits",
            "max_decimal_places": "Enter a score with at most 3 decimal places",
            "max_whole_digits": "Enter a score below 1000",
        },
    )
    band = forms.ChoiceField(
        label="Band",
        choices=_choose("Choose the band", RiskLevel.choices),
        error_messages={"required": "Select the band", "invalid_choice": "Select the band"},
    )
    assessed_on = IsoDateField(label="Date assessed", error_messages=_required("Enter the date of the assessment"))


class RiskLevelForm(forms.Form):
    """Change the risk level; the override reason is asked for only after a refusal."""

    prefix = "risk"

    risk_level = forms.ChoiceField(
        label="New risk level",
        choices=_choose("Choose the risk level", RiskLevel.choices),
        error_messages={"required": "Select the risk level", "invalid_choice": "Select the risk level"},
    )
    reason = forms.CharField(
        label="Reason for the change",
        widget=forms.Textarea,
        max_length=2000,
        error_messages=_required("Explain why the risk level is changing"),
    )
    override_reason = forms.CharField(
        label="Reason for going over the 20% limit",
        widget=forms.Textarea,
        max_length=1000,
        required=False,
        help_text="Only if the officer must carry this case despite the limit. It is listed until resolved.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ManagementModelForm(forms.Form):
    """Move a case to reactive management (no routine visits) or back to active: the
    sergeant's decision, with a reason."""

    prefix = "management"

    management_model = forms.ChoiceField(
        label="How the case is managed",
        widget=forms.RadioSelect,
        choices=ManagementModel.choices,
        error_messages={
            "required": "Choose active or reactive management",
            "invalid_choice": "Choose active or reactive management",
        },
    )
    reason = forms.CharField(
        label="Reason for the decision",
        widget=forms.Textarea,
        max_length=2000,
        error_messages=_required("Explain the decision"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# Where the person is now: closing a case (deceased, notification ended) is the sergeant's, elsewhere.
OPEN_STATUS_CHOICES = [(value, label) for value, label in RSOStatus.choices if value not in CLOSED_STATUSES]


class StatusForm(forms.Form):
    prefix = "status"

    status = forms.ChoiceField(
        label="Where is the person now?",
        choices=OPEN_STATUS_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select where the person is now",
            "invalid_choice": "Select where the person is now",
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ChangeEventForm(forms.Form):
    event_type = forms.ChoiceField(
        label="Type of change",
        choices=_choose("Choose the type", ChangeEventType.choices),
        error_messages={"required": "Select the type of change", "invalid_choice": "Select the type of change"},
    )
    occurred_on = IsoDateField(label="Date of the change", error_messages=_required("Enter the date of the change"))
    source = forms.CharField(
        label="Source",
        max_length=200,
        help_text="Where the information came from, for example a home visit or a partner agency.",
        error_messages=_required("Enter where the information came from"),
    )
    note = forms.CharField(label="Note (optional)", widget=forms.Textarea, max_length=5000, required=False)


# --- approvals queue (issue 8) ---
class ReactiveRequestForm(forms.Form):
    """Ask the team's sergeant to move a case to reactive management, with the reason."""

    prefix = "reactive"

    reason = forms.CharField(
        label="Why the case should move to reactive management",
        widget=forms.Textarea,
        max_length=2000,
        error_messages=_required("Explain why the case should move to reactive management"),
    )


# --- end approvals queue ---
