"""mosovo's PostgreSQL backend: Django's, with the audit log's flush rule."""
