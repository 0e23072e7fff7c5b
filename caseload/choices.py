"""Caseload enumerations (TextChoices)."""

from django.db import models


class BreakGlassReason(models.TextChoices):
    """Why someone opens a record outside their team."""

    COVERING = "COVERING", "Covering for an officer in another team"
    URGENT_RISK = "URGENT_RISK", "Urgent risk to a person"
    MAPPA = "MAPPA", "Preparing for a MAPPA meeting"
    INTELLIGENCE = "INTELLIGENCE", "Acting on new intelligence"
    OTHER = "OTHER", "Other reason"
