"""ARMS forms: explicit fields, no business rules."""
