"""Writes about users, teams and forces."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from mosovo.audit.choices import Action
from mosovo.audit.services import audit_record

from .choices import TEAM_ROLES, Role, VettingLevel
from .models import BreakGlassGrant, Force, Team, User
from .scoping import BREAK_GLASS_SESSION_KEY


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


@transaction.atomic
def break_glass_grant(
    *,
    request: HttpRequest,
    object_type: str,
    object_id: int,
    object_label: str,
    team: Team,
    rso_ids: list[int],
    reason_code: str,
    reason_text: str,
) -> BreakGlassGrant:
    """Open one record outside the user's scope for the rest of this session.

    Records the grant for the team's sergeant and a flagged audit event, in one
    transaction; then adds the record to the session's grants.
    """
    reason_text = reason_text.strip()
    if len(reason_text) < 10:
        raise ValidationError({"reason_text": "Explain in a sentence why you need this record."})
    user: User = request.user  # type: ignore[assignment]
    session_key = request.session.session_key or ""
    grant = BreakGlassGrant.objects.create(
        user=user,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label[:200],
        team=team,
        reason_code=reason_code,
        reason_text=reason_text,
        session_key_hash=hashlib.sha256(session_key.encode()).hexdigest(),
    )
    audit_record(
        action=Action.BREAK_GLASS,
        rso_ids=rso_ids,
        object_type=object_type,
        object_ids=[object_id],
        reason=f"{reason_code}: {reason_text}",
        flagged=True,
    )
    grants: dict[str, list[int]] = dict(request.session.get(BREAK_GLASS_SESSION_KEY, {}))
    grants[object_type] = sorted({*grants.get(object_type, []), object_id})
    request.session[BREAK_GLASS_SESSION_KEY] = grants
    return grant


@transaction.atomic
@transaction.atomic
def break_glass_acknowledge(*, grant: BreakGlassGrant, by: User) -> BreakGlassGrant:
    """Record that the team's sergeant has seen a break-glass access (once: a second
    acknowledgement changes nothing)."""
    if by.role != Role.SERGEANT or by.team_id != grant.team_id:
        raise ValidationError("Only a sergeant of the record's team can acknowledge this access.")
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.acknowledged_at is None:
        grant.acknowledged_by = by
        grant.acknowledged_at = timezone.now()
        grant.save(update_fields=["acknowledged_by", "acknowledged_at"])
        audit_record(
            action=Action.ALTERATION,
            actor=by,
            object_type="accounts.breakglassgrant",
            object_ids=[grant.pk],
            fields=["acknowledged_by", "acknowledged_at"],
        )
    return grant
