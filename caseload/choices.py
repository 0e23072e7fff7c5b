"""Caseload enumerations (TextChoices)."""
