"""Supervision Celery tasks: take ids, call a service."""
