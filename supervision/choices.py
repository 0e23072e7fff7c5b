"""Supervision enumerations (TextChoices)."""
