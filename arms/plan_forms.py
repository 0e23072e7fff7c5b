"""Forms for the plan pages (explicit fields, no business rules)."""
