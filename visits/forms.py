"""Visits forms: explicit fields, no business rules."""
