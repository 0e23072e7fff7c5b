"""Visits enumerations (TextChoices)."""
