"""Forms for the assessment pages (explicit fields, no business rules).

Drafts are saved section by section and may be incomplete: what is missing is listed on
the check-and-submit page (``services.assessment_problems``). The forms only check that
what was typed can be read (a real date, a choice from the list). The one exception is a
factor's rating: saving a factor means rating it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from caseload.choices import RiskLevel
from caseload.forms import IsoDateField

from .choices import FactorKind, Method, Priority, Rating, Source
from .models import Assessment, FactorRating

# How many interview dates the sources page offers (more than three interviews for one
# assessment is rare; the page offers more boxes if an assessment already has more).
INTERVIEW_DATE_SLOTS = 3
LONG_TEXT = 10_000


def _text(label: str, *, help_text: str = "", max_length: int = LONG_TEXT) -> forms.CharField:
    return forms.CharField(
        label=label, widget=forms.Textarea, required=False, max_length=max_length, help_text=help_text
    )


def _version() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SourcesForm(forms.Form):
    """Section 1: where the information came from, and when the person was interviewed."""

    sources = forms.MultipleChoiceField(
        label="Sources of information used",
        choices=Source.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select every source you used.",
        error_messages={"invalid_choice": "Choose sources from the list"},
    )
    sources_notes = _text("Notes on sources", help_text="For example, which files, reports or agencies.")
    version = _version()

    def __init__(self, *args: Any, slots: int = INTERVIEW_DATE_SLOTS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, max(slots, INTERVIEW_DATE_SLOTS) + 1):
            self.fields[f"interview_date_{n}"] = IsoDateField(label=f"Interview {n}", required=False)

    @classmethod
    def initial_for(cls, assessment: Assessment) -> dict[str, Any]:
        """Return the form's initial values from the assessment."""
        initial: dict[str, Any] = {
            "sources": list(assessment.sources),
            "sources_notes": assessment.sources_notes,
            "version": assessment.version,
        }
        for n, day in enumerate(assessment.interview_dates, start=1):
            initial[f"interview_date_{n}"] = day
        return initial

    @property
    def date_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("interview_date_")]

    @property
    def date_errors(self) -> list[str]:
        """Every message about the interview dates, shown once for the group."""
        return [str(error) for field in self.date_fields for error in field.errors]

    def interview_dates(self) -> list[date]:
        return [self.cleaned_data[f.name] for f in self.date_fields if self.cleaned_data.get(f.name)]


class FactorForm(forms.Form):
    """One factor: the rating, the evidence for it and the action. Each factor's form has
    its own prefix (several are on one page) and carries its own version."""

    rating = forms.ChoiceField(
        label="Rating",
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose high, medium or low", "invalid_choice": "Choose high, medium or low"},
    )
    evidence = _text("Evidence")
    action = _text("Risk management action")
    version = _version()

    def __init__(self, *args: Any, rating: FactorRating, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"rating": rating.rating, "evidence": rating.evidence, "action": rating.action, "version": rating.version},
        )
        kwargs["prefix"] = f"factor-{rating.pk}"
        super().__init__(*args, **kwargs)
        self.factor_rating = rating
        self.factor = rating.factor
        protective = rating.factor.kind == FactorKind.PROTECTIVE
        self.fields["rating"].label = "How well established is it?" if protective else "How strongly is it present?"
        self.fields["evidence"].help_text = "What you saw, heard or read that supports the rating."
        if protective:
            self.fields["action"].label = "Action to build on it"
            self.fields["action"].help_text = "How the plan will support and strengthen this factor."
        else:
            self.fields["action"].help_text = "Needed when the rating is medium or high."

    @property
    def anchor(self) -> str:
        return f"factor-{self.factor.code}"


class OtherAssessmentForm(forms.Form):
    """Used instead of the factor ratings for women and under-18s (ARMS does not apply)."""

    other_assessment = forms.CharField(
        label="Assessment used", max_length=200, required=False, help_text="For example, AIM3 for under-18s."
    )
    other_assessment_reason = _text("Why ARMS was not used")
    other_assessment_summary = _text("What the other assessment found")
    version = _version()

    @classmethod
    def initial_for(cls, assessment: Assessment) -> dict[str, Any]:
        return {name: getattr(assessment, name) for name in cls.base_fields}


class SummaryForm(forms.Form):
    """Priorities, the proposed risk level (with its reason) and scenarios."""

    risk_priority = forms.ChoiceField(
        label="Risk priority", choices=Priority.choices, widget=forms.RadioSelect, required=False
    )
    protective_priority = forms.ChoiceField(
        label="Protective priority", choices=Priority.choices, widget=forms.RadioSelect, required=False
    )
    proposed_risk_level = forms.ChoiceField(
        label="Proposed risk level", choices=RiskLevel.choices, widget=forms.RadioSelect, required=False
    )
    level_reason = _text(
        "Reason for the level",
        help_text="Needed when the level differs from the static band, or when there is no static score.",
    )
    scenarios = _text("Scenarios (optional)", help_text="How, when and to whom harm could happen.")
    version = _version()

    PRIORITIES = ("risk_priority", "protective_priority")

    def __init__(self, *args: Any, method: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if method != Method.ARMS:
            # ARMS yields the priorities; another assessment does not.
            for name in self.PRIORITIES:
                del self.fields[name]

    @classmethod
    def initial_for(cls, assessment: Assessment) -> dict[str, Any]:
        return {name: getattr(assessment, name) for name in cls.base_fields}


class SubmitForm(forms.Form):
    version = _version()


class ApproveForm(forms.Form):
    comments = _text("Comments (optional)", help_text="The assessor sees them in the approval trail.")
    override_reason = _text(
        "Reason for going over the 20% limit",
        help_text="Only if you decide the officer must carry this case despite the limit. It is listed until resolved.",
        max_length=1000,
    )


class ReturnForm(forms.Form):
    comments = forms.CharField(
        label="What needs to change",
        widget=forms.Textarea,
        max_length=LONG_TEXT,
        help_text="The assessor sees this at the top of the assessment.",
        error_messages={"required": "Say what needs to change"},
    )
