"""Caseload models: fields, constraints, and docstrings that explain the domain."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models

from mosovo.accounts.models import Team
from mosovo.accounts.scoping import ScopedQuerySet


class RSOQuerySet(ScopedQuerySet["RSO"]):
    team_path = "team"


@pghistory.track()
class RSO(models.Model):
    """A registered sex offender (a "nominal"): a person subject to the notification
    requirements of Part 2 of the Sexual Offences Act 2003.

    The RSO belongs to one team (the MOSOVO unit for the area they live in) and is
    allocated to one officer of that team, who manages them. Every read goes through
    ``RSO.objects.visible_to(user)`` or ``rso_get_for_user``. ``version`` guards against
    lost updates: a save based on an older version is refused.

    This is the identity core; convictions, addresses, orders and risk arrive with the
    caseload feature.
    """

    family_name = models.CharField(max_length=100)
    given_names = models.CharField(max_length=200)
    date_of_birth = models.DateField()
    visor_reference = models.CharField(
        max_length=30, unique=True, help_text="ViSOR nominal reference, for example 'VS-2019-004512'."
    )
    pnc_id = models.CharField("PNC ID", max_length=20, blank=True, help_text="Police National Computer ID.")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="rsos")
    allocated_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="allocated_rsos"
    )
    summary = models.TextField(blank=True, help_text="Case summary: who they are and why they are managed.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = RSOQuerySet.as_manager()

    class Meta:
        verbose_name = "RSO"
        verbose_name_plural = "RSOs"
        ordering = ["family_name", "given_names", "id"]

    def __str__(self) -> str:
        return f"{self.family_name.upper()}, {self.given_names} ({self.visor_reference})"

    @property
    def display_name(self) -> str:
        """Return the name as records show it: family name first, in capitals."""
        return f"{self.family_name.upper()}, {self.given_names}"
