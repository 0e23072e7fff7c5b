"""Visits Celery tasks: take ids, call a service."""
