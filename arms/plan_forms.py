"""Forms for the plan pages (explicit fields, no business rules)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from .choices import ActionStatus, ActionType, Agency, FactorKind
from .models import Factor


def _required(message: str) -> dict[str, str]:
    return {"required": message}


# --- GOV.UK date input ------------------------------------------------------------------
# Three boxes (day, month, year) in one fieldset, as the GOV.UK Design System asks for
# dates people know. The boxes are named <name>_0, _1 and _2 and the error summary links
# to the first of them.


class DayMonthYearWidget(forms.MultiWidget):
    def __init__(self) -> None:
        boxes = {"inputmode": "numeric"}
        super().__init__([forms.TextInput(boxes), forms.TextInput(boxes), forms.TextInput(boxes)])

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DayMonthYearField(forms.MultiValueField):
    """A date typed as day, month and year; empty when all three are empty (if optional)."""

    widget = DayMonthYearWidget

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        self.what = label.split(" (")[0]
        parts = (forms.CharField(required=False), forms.CharField(required=False), forms.CharField(required=False))
        super().__init__(parts, label=label, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> date | None:
        values = [str(v or "").strip() for v in (data_list or ["", "", ""])]
        if not any(values):
            return None
        missing = [name for name, v in zip(("day", "month", "year"), values, strict=True) if not v]
        if missing:
            raise forms.ValidationError(f"{self.what} must include a {' and a '.join(missing)}")
        if not all(v.isdigit() for v in values) or len(values[2]) != 4:
            raise forms.ValidationError(f"{self.what} must be a real date")
        try:
            return date(int(values[2]), int(values[1]), int(values[0]))
        except ValueError:
            raise forms.ValidationError(f"{self.what} must be a real date") from None


# --- Plan ---------------------------------------------------------------------------------


class PlanForm(forms.Form):
    """The plan version's own fields. ``change_summary`` is asked from version 2 on."""

    visit_interval_months = forms.IntegerField(
        label="Visit every (months)",
        min_value=1,
        max_value=24,
        error_messages={
            "required": "Enter how many months between home visits",
            "invalid": "Enter a whole number of months from 1 to 24",
            "min_value": "Enter a whole number of months from 1 to 24",
            "max_value": "Enter a whole number of months from 1 to 24",
        },
    )
    visit_interval_reason = forms.CharField(
        label="Reason for a longer interval than the policy's",
        widget=forms.Textarea,
        max_length=5000,
        required=False,
        help_text="Needed only when the interval is longer than the policy's. The sergeant approves it with the plan.",
    )
    contingencies = forms.CharField(
        label="Contingencies",
        widget=forms.Textarea,
        max_length=10000,
        required=False,
        help_text="What to do if a warning sign appears: who does what, and how quickly.",
    )
    shared_with_person = forms.CharField(
        label="What the person has been told",
        widget=forms.Textarea,
        max_length=10000,
        required=False,
        help_text="The parts of the plan shared with the person. Mark the actions that may be shared on each action.",
    )
    change_summary = forms.CharField(
        label="What changed in this version",
        widget=forms.Textarea,
        max_length=5000,
        required=False,
        help_text="In a sentence or two, for the sergeant and the plan history.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, ask_change_summary: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ask_change_summary:
            del self.fields["change_summary"]


# --- Actions ------------------------------------------------------------------------------


def factor_choices(factors: list[Factor]) -> list[Any]:
    """Return the factors as select choices, grouped: risk factors, then protective factors."""
    risk = [(str(f.pk), f.name) for f in factors if f.kind == FactorKind.RISK]
    protective = [(str(f.pk), f.name) for f in factors if f.kind == FactorKind.PROTECTIVE]
    return [("", "Choose a factor"), ("Risk factors", risk), ("Protective factors", protective)]


class ActionForm(forms.Form):
    """One action of a draft plan version, tied to a factor of its assessment."""

    factor = forms.ChoiceField(
        label="Factor this action addresses",
        error_messages={
            "required": "Choose the factor this action addresses",
            "invalid_choice": "Choose the factor this action addresses",
        },
    )
    action_type = forms.ChoiceField(
        label="Type of action",
        choices=ActionType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of action", "invalid_choice": "Choose the type of action"},
    )
    description = forms.CharField(
        label="What will be done",
        widget=forms.Textarea,
        max_length=5000,
        error_messages=_required("Describe the action"),
    )
    agency = forms.ChoiceField(
        label="Owning agency",
        choices=[("", "Choose the agency"), *Agency.choices],
        error_messages={
            "required": "Choose the agency that owns the action",
            "invalid_choice": "Choose the agency that owns the action",
        },
    )
    owner = forms.CharField(
        label="Who is responsible",
        max_length=200,
        help_text="A name or a role, for example PC Jones or the probation practitioner.",
        error_messages=_required("Enter who is responsible for the action"),
    )
    due_on = DayMonthYearField(label="Due date (optional)", required=False, help_text="For example, 27 3 2026")
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        initial=ActionStatus.NOT_STARTED,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the status", "invalid_choice": "Choose the status"},
    )
    shareable = forms.BooleanField(label="This action may be shared with the person", required=False)

    def __init__(self, *args: Any, factors: list[Factor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["factor"].choices = factor_choices(factors)  # type: ignore[attr-defined]

    @property
    def due_on_parts(self) -> list[str]:
        """Return what the three date boxes show: the typed text, or the saved date."""
        field = self["due_on"]
        value = field.value()
        parts = value if isinstance(value, list | tuple) else self.fields["due_on"].widget.decompress(value)
        return [str(p) if p not in (None, "") else "" for p in ([*list(parts), "", "", ""])[:3]]


def action_initial(action: Any) -> dict[str, Any]:
    """Return an action's values as the action form's initial data."""
    return {
        "factor": str(action.factor_id),
        "action_type": action.action_type,
        "description": action.description,
        "agency": action.agency,
        "owner": action.owner,
        "due_on": action.due_on,
        "status": action.status,
        "shareable": action.shareable,
    }


BACK_CHOICES = [("tab", "The record's plan tab"), ("detail", "The plan version's page")]


class ActionStatusForm(forms.Form):
    """Progress on one action (in place, on the current approved plan)."""

    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        error_messages={"required": "Choose the status", "invalid_choice": "Choose the status"},
    )
    back = forms.ChoiceField(choices=BACK_CHOICES, required=False, widget=forms.HiddenInput)


class SubmitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --- Review -------------------------------------------------------------------------------


class ApproveForm(forms.Form):
    prefix = "approve"

    comments = forms.CharField(label="Comments (optional)", widget=forms.Textarea, max_length=5000, required=False)


class ReturnForm(forms.Form):
    prefix = "return"

    comments = forms.CharField(
        label="What needs to change",
        widget=forms.Textarea,
        max_length=5000,
        error_messages=_required("Say what needs to change"),
    )


# --- PDF ----------------------------------------------------------------------------------


class PdfForm(forms.Form):
    """Why the plan is being disclosed, and to whom: both kept in the audit log."""

    recipient = forms.CharField(
        label="Who will receive it",
        max_length=200,
        help_text="The agency and the person, for example Probation Service, Jo Bloggs (probation practitioner).",
        error_messages=_required("Say who will receive it (agency and person)"),
    )
    reason = forms.CharField(
        label="Why are you disclosing the plan?",
        widget=forms.Textarea,
        max_length=1000,
        help_text="For example, for the MAPPA level 2 meeting on 3 June.",
        error_messages=_required("Say why the plan is being disclosed"),
    )
