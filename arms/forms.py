"""Forms for the assessment pages (explicit fields, no business rules)."""
