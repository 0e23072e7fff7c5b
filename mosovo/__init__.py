"""mosovo: case management for the management of sexual or violent offenders (MOSOVO) units."""

from mosovo.celery import app as celery_app

__all__ = ["celery_app"]
