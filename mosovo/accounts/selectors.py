"""Reads about users and teams."""

from __future__ import annotations

from django.db.models import QuerySet

from .choices import Role
from .models import BreakGlassGrant, Team, User


def team_members(*, team: Team) -> QuerySet[User]:
    """Return the active officers and sergeants of a team."""
    return User.objects.filter(team=team, is_active=True, role__in=[Role.OFFICER, Role.SERGEANT]).order_by(
        "role", "last_name", "first_name"
    )


def break_glass_to_acknowledge(*, user: User) -> QuerySet[BreakGlassGrant]:
    """Return the break-glass accesses to the sergeant's team's records not yet acknowledged."""
    if user.role != Role.SERGEANT or user.team_id is None:
        return BreakGlassGrant.objects.none()
    return (
        BreakGlassGrant.objects.filter(team_id=user.team_id, acknowledged_at__isnull=True)
        .select_related("user")
        .order_by("created_at")
    )


def break_glass_get_for_sergeant(*, user: User, grant_id: int) -> BreakGlassGrant:
    """Return one unacknowledged grant of the sergeant's team, or 404."""
    from mosovo.audit.context import note_denial

    from .scoping import ScopeDenied

    grant = break_glass_to_acknowledge(user=user).filter(pk=grant_id).first()
    if grant is None:
        note_denial(object_type="accounts.breakglassgrant", object_ids=[grant_id], reason="not this sergeant's team")
        raise ScopeDenied
    return grant
