"""Reads about users and teams."""

from __future__ import annotations

from django.db.models import QuerySet

from .choices import Role
from .models import Team, User


def team_members(*, team: Team) -> QuerySet[User]:
    """Return the active officers and sergeants of a team."""
    return User.objects.filter(team=team, is_active=True, role__in=[Role.OFFICER, Role.SERGEANT]).order_by(
        "role", "last_name", "first_name"
    )
