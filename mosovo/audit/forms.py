"""Audit log viewer forms: explicit fields, no business rules."""

from __future__ import annotations

from typing import Any

from django import forms

from .choices import Action, Channel

# Day first, as people in England and Wales write dates; ISO as a link or a script sends it.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%Y-%m-%d"]
DATE_HINT = "For example, 27/03/2025"
DATE_INVALID = "Enter a real date, for example 27/03/2025"


class AuditFilterForm(forms.Form):
    """Which audit events to list or export. Every field is optional; empty means "any".

    Sent by GET for the list (the filters hold no RSO search terms, only ids and codes)
    and as hidden fields of the CSRF-protected POST for the CSV export.
    """

    user = forms.CharField(
        label="Username",
        required=False,
        max_length=150,
        help_text="The username of the person who acted",
    )
    rso = forms.IntegerField(
        label="RSO ID",
        required=False,
        min_value=1,
        help_text="The record's number in mosovo",
        error_messages={
            "invalid": "The RSO ID must be a whole number, like 123",
            "min_value": "The RSO ID must be a whole number, like 123",
        },
    )
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[("", "Any action"), *Action.choices],
        error_messages={"invalid_choice": "Select an action from the list"},
    )
    channel = forms.ChoiceField(
        label="Channel",
        required=False,
        choices=[("", "Any channel"), *Channel.choices],
        error_messages={"invalid_choice": "Select a channel from the list"},
    )
    date_from = forms.DateField(
        label="From date",
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        help_text=DATE_HINT,
        error_messages={"invalid": DATE_INVALID},
    )
    date_to = forms.DateField(
        label="To date",
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        help_text=DATE_HINT,
        error_messages={"invalid": DATE_INVALID},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned

    def describe(self) -> str:
        """Describe the cleaned filters in words, for the export's audit reason."""
        data = self.cleaned_data
        parts: list[str] = []
        if data.get("user"):
            parts.append(f"user {data['user']}")
        if data.get("rso"):
            parts.append(f"RSO {data['rso']}")
        if data.get("action"):
            parts.append(f"action {data['action']}")
        if data.get("channel"):
            parts.append(f"channel {data['channel']}")
        if data.get("date_from"):
            parts.append(f"from {data['date_from']:%Y-%m-%d}")
        if data.get("date_to"):
            parts.append(f"to {data['date_to']:%Y-%m-%d}")
        return "; ".join(parts) if parts else "none"
