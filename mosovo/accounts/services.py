"""Writes about users, teams and forces."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from .choices import TEAM_ROLES, Role, VettingLevel
from .models import Force, Team, User


@transaction.atomic
def user_create(
    *,
    username: str,
    role: Role,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    team: Team | None = None,
    force: Force | None = None,
    vetting_level: VettingLevel = VettingLevel.NONE,
    vetting_expires_on: dt.date | None = None,
) -> User:
    """Create a user in a role; officers and sergeants need a team.

    ``password=None`` leaves the account without a usable password.
    """
    if role in TEAM_ROLES and team is None:
        raise ValidationError({"team": "Officers and sergeants must belong to a team."})
    if team is not None:
        if force is not None and team.force_id != force.pk:
            raise ValidationError({"team": "The team belongs to another force."})
        force = team.force
    user = User(
        username=username,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        team=team,
        force=force,
        vetting_level=vetting_level,
        vetting_expires_on=vetting_expires_on,
    )
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def generate_one_time_password() -> str:
    """Return a random password that passes the validators (for the bootstrap admin)."""
    return secrets.token_urlsafe(18)
