"""Caseload forms: explicit fields, no business rules."""

from django import forms

from .choices import BreakGlassReason


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
