"""Supervision forms: explicit fields, no business rules."""

from __future__ import annotations

from typing import Any

from django import forms

from arms.plan_forms import DayMonthYearField
from mosovo.accounts.choices import TrainingCourse, VettingLevel

from .choices import RUBRIC, AuditState, CriterionScore

# --- sessions pages ---
# A supervision session: the session's own fields, then the agreed actions as a formset
# (prefix "actions"; rows left empty are ignored by the service).

SESSION_ACTION_PREFIX = "actions"
SESSION_BLANK_ACTIONS = 3


class SupervisionSessionForm(forms.Form):
    """Who the session was with, when, the cases discussed, wellbeing and reflection."""

    officer = forms.TypedChoiceField(
        label="Officer",
        coerce=int,
        error_messages={"required": "Choose the officer", "invalid_choice": "Choose an officer of your team"},
    )
    held_on = DayMonthYearField(
        label="Date held",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date the session was held"},
    )
    cases = forms.TypedMultipleChoiceField(
        label="Cases discussed",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose cases from the officer's open caseload"},
    )
    wellbeing_checked = forms.BooleanField(label="Wellbeing check done", required=False)
    wellbeing_notes = forms.CharField(
        label="Wellbeing notes (private)",
        widget=forms.Textarea,
        max_length=5000,
        required=False,
        help_text="Only you, the officer and their inspector can read these notes.",
        error_messages={"max_length": "Wellbeing notes must be 5000 characters or fewer"},
    )
    reflective_notes = forms.CharField(
        label="Reflective notes",
        widget=forms.Textarea,
        max_length=10000,
        required=False,
        help_text="What went well, what was hard, what the officer will try differently.",
        error_messages={"max_length": "Reflective notes must be 10000 characters or fewer"},
    )

    def __init__(self, *args: Any, officers: list[Any], cases: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        officer_choices = [("", "Choose the officer"), *((o.pk, o.display_name) for o in officers)]
        self.fields["officer"].choices = officer_choices  # type: ignore[attr-defined]
        self.fields["cases"].choices = case_choices(cases)  # type: ignore[attr-defined]

    @property
    def held_on_parts(self) -> list[str]:
        """Return what the three date boxes show: the typed text, or the initial date."""
        return date_parts(self, "held_on")


class AgreedActionForm(forms.Form):
    """One action agreed in the session: what, by when, and optionally which case."""

    description = forms.CharField(
        label="Action",
        widget=forms.Textarea,
        max_length=2000,
        required=False,
        error_messages={"max_length": "An action must be 2000 characters or fewer"},
    )
    due_on = DayMonthYearField(label="Due date", required=False, help_text="For example, 27 3 2026")
    rso = forms.TypedChoiceField(
        label="Case (optional)",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose a case from the officer's open caseload, or none"},
    )

    def __init__(self, *args: Any, cases: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rso"].choices = [("", "No particular case"), *case_choices(cases)]  # type: ignore[attr-defined]

    @property
    def due_on_parts(self) -> list[str]:
        return date_parts(self, "due_on")


AgreedActionFormSet = forms.formset_factory(AgreedActionForm, extra=SESSION_BLANK_ACTIONS, max_num=50, absolute_max=50)


def case_choices(cases: list[Any]) -> list[tuple[int, str]]:
    """Return cases as choices, by name and ViSOR reference."""
    return [(c.pk, f"{c.display_name} ({c.visor_reference})") for c in cases]


def date_parts(form: forms.Form, name: str) -> list[str]:
    """Return the three boxes' text of a day-month-year field: as typed, or from the date."""
    value = form[name].value()
    parts = value if isinstance(value, list | tuple) else form.fields[name].widget.decompress(value)
    return [str(p) if p not in (None, "") else "" for p in ([*list(parts), "", "", ""])[:3]]


# --- end sessions pages ---


# --- audits and officer records ---


# Met first: the order a sergeant reads the scale in.
SCORE_CHOICES = [(s.value, s.label) for s in sorted(CriterionScore, key=lambda s: -s.value)]
WINDOW_CHOICES = [("12", "Last 12 months"), ("24", "Last 24 months"), ("36", "Last 36 months"), ("all", "All")]


class AuditFilterForm(forms.Form):
    """Filters of the audit list: officer, state, the completed window, team (inspectors)."""

    team = forms.TypedChoiceField(
        label="Team",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose a team from the list"},
    )
    officer = forms.TypedChoiceField(
        label="Officer",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose an officer from the list"},
    )
    state = forms.ChoiceField(
        label="Audits",
        required=False,
        choices=[("", "Waiting and completed"), (AuditState.SAMPLED, "Waiting"), (AuditState.COMPLETED, "Completed")],
        error_messages={"invalid_choice": "Choose waiting, completed, or both"},
    )
    months = forms.ChoiceField(
        label="Completed",
        required=False,
        choices=WINDOW_CHOICES,
        error_messages={"invalid_choice": "Choose a period from the list"},
    )

    def __init__(self, *args: Any, officers: list[Any], teams: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [("", "All officers"), *((o.pk, o.display_name) for o in officers)]  # type: ignore[attr-defined]
        if teams:
            self.fields["team"].choices = [("", "All teams"), *((t.pk, t.name) for t in teams)]  # type: ignore[attr-defined]
        else:
            del self.fields["team"]


class PlanAuditForm(forms.Form):
    """The rubric: each criterion met, partly met or not met; and the feedback."""

    feedback = forms.CharField(
        label="Feedback for the officer",
        widget=forms.Textarea,
        max_length=10000,
        help_text="What is good about the plan and what to improve. The officer reads this.",
        error_messages={
            "required": "Write feedback for the officer: what is good and what to improve",
            "max_length": "Feedback must be 10000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        criteria = {
            name: forms.TypedChoiceField(
                label=question,
                help_text=help_text,
                coerce=int,
                choices=SCORE_CHOICES,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose whether “{question}” is met, partly met or not met",
                    "invalid_choice": f"Choose whether “{question}” is met, partly met or not met",
                },
            )
            for name, question, help_text in RUBRIC
        }
        feedback = self.fields.pop("feedback")
        self.fields.update(criteria)
        self.fields["feedback"] = feedback

    def criteria(self) -> list[forms.BoundField]:
        """Return the bound rubric fields, in the rubric's order."""
        return [self[name] for name, _, _ in RUBRIC]


class VettingForm(forms.Form):
    vetting_level = forms.ChoiceField(
        label="Vetting level", choices=VettingLevel.choices, error_messages={"required": "Choose a vetting level"}
    )
    vetting_expires_on = DayMonthYearField(
        label="Expiry date",
        required=False,
        help_text="For example, 27 3 2029. Leave empty only for “Not vetted”.",
    )

    @property
    def vetting_expires_on_parts(self) -> list[str]:
        return _date_boxes(self, "vetting_expires_on")


class TrainingForm(forms.Form):
    course = forms.ChoiceField(
        label="Course",
        choices=[("", "Choose a course"), *TrainingCourse.choices],
        error_messages={"required": "Choose a course"},
    )
    completed_on = DayMonthYearField(
        label="Completed on",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date the course was completed"},
    )
    expires_on = DayMonthYearField(
        label="Expires on (optional)",
        required=False,
        help_text="Leave empty if the course does not lapse. For example, 27 3 2029",
    )

    @property
    def completed_on_parts(self) -> list[str]:
        return _date_boxes(self, "completed_on")

    @property
    def expires_on_parts(self) -> list[str]:
        return _date_boxes(self, "expires_on")


def _date_boxes(form: forms.Form, name: str) -> list[str]:
    """Return the three boxes' text of a day-month-year field: as typed, or from the date."""
    value = form[name].value()
    parts = value if isinstance(value, list | tuple) else form.fields[name].widget.decompress(value)
    return [str(p) if p not in (None, "") else "" for p in [*list(parts), "", "", ""][:3]]


# --- end audits and officer records ---
