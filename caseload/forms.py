"""Caseload forms: explicit fields, no business rules."""
