"""Who may see which casework: the one place scoping is decided.

Every casework model's queryset has ``visible_to(user)``; every object type has a
``<thing>_get_for_user`` helper built on ``get_for_user`` that answers 404 outside the
user's scope (never 403: a refusal must not confirm the record exists).

- OFFICER, SERGEANT: their own team's records.
- INSPECTOR: every team of their force.
- ADMIN, AUDITOR: no casework at all.

A user may open one record outside that scope through break-glass access: after giving a
reason, the record is granted for the rest of the session (kept in the server-side
session), flagged in the audit log and shown to the record's team sergeant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from mosovo.audit import context as audit_context

from .choices import Role

if TYPE_CHECKING:
    from .models import User

CASEWORK_ROLES = frozenset({Role.OFFICER, Role.SERGEANT, Role.INSPECTOR})
BREAK_GLASS_SESSION_KEY = "break_glass"

M = TypeVar("M", bound=models.Model)


class ScopeDenied(Http404):
    """Raised when an object is outside the user's scope; rendered as a plain 404."""


def vetting_lapsed(user: Any, today: dt.date | None = None) -> bool:
    """Tell whether the user's vetting has expired (valid through its expiry date).

    Vetting is a condition of casework (domain s.2, s.6): from the day after it expires
    the user sees no casework until it is renewed. A user with no expiry recorded is not
    suspended (administrators record it; the dashboard lists who has none).
    """
    expires_on = getattr(user, "vetting_expires_on", None)
    return expires_on is not None and expires_on < (today or timezone.localdate())


def can_do_casework(user: Any) -> bool:
    """Tell whether a user's role and state allow any casework at all."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in CASEWORK_ROLES
        and not vetting_lapsed(user)
    )


class ScopedQuerySet(models.QuerySet[M], Generic[M]):
    """A queryset whose rows belong to a team; ``team_path`` says how to reach it."""

    team_path = "team"

    def visible_to(self, user: Any, *, granted_ids: Iterable[int] = ()) -> ScopedQuerySet[M]:
        """Return the rows the user may see; ``granted_ids`` adds break-glass grants."""
        if not can_do_casework(user):
            return self.none()
        if user.role == Role.INSPECTOR:
            scope = models.Q(**{f"{self.team_path}__force_id": user.force_id})
        else:
            scope = models.Q(**{f"{self.team_path}_id": user.team_id})
        granted = list(granted_ids)
        if granted:
            scope |= models.Q(pk__in=granted)
        return self.filter(scope)


def granted_ids(user: Any, object_type: str) -> list[int]:
    """Return the ids of ``object_type`` granted to this session by break-glass access."""
    grants: dict[str, list[int]] = getattr(user, "session_grants", {}) or {}
    return list(grants.get(object_type, []))


def get_for_user(queryset: ScopedQuerySet[M], *, user: Any, pk: Any, object_type: str, for_change: bool = False) -> M:
    """Return one object the user may see, or raise ScopeDenied (a 404), noting why.

    Break-glass grants open a record for reading only: ``for_change=True`` ignores them.
    """
    grants = [] if for_change else granted_ids(user, object_type)
    try:
        return queryset.visible_to(user, granted_ids=grants).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        audit_context.note_denial(object_type=object_type, object_ids=[pk], reason="outside the user's scope")
        raise ScopeDenied from None


def vetting_suspended_response(request: HttpRequest, user: Any) -> HttpResponse:
    """The page a user whose vetting has expired gets instead of casework (403)."""
    return render(
        request,
        "accounts/vetting_suspended.html",
        {"expired_on": user.vetting_expires_on, "page_title": "Casework access suspended"},
        status=403,
    )


def require_roles(*roles: Role) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Allow a view to the given roles only; others get a 404 (no feature disclosure)."""
    allowed = frozenset(roles)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user: User = request.user  # type: ignore[assignment]
            if not (user.is_authenticated and user.is_active and user.role in allowed):
                audit_context.note_denial(
                    object_type="view",
                    object_ids=[request.resolver_match.view_name if request.resolver_match else ""],
                    reason=f"role {getattr(user, 'role', 'anonymous')} may not use this page",
                )
                raise ScopeDenied
            if user.role in CASEWORK_ROLES and vetting_lapsed(user):
                audit_context.note_denial(
                    object_type="view",
                    object_ids=[request.resolver_match.view_name if request.resolver_match else ""],
                    reason="vetting expired: casework access suspended",
                )
                return vetting_suspended_response(request, user)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
