"""Supervision forms: explicit fields, no business rules."""
