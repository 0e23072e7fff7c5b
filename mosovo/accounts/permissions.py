"""DRF permissions: the API's floor is a signed-in, active user with a verified second factor."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from mosovo.audit.context import note_denial

from .choices import Role
from .scoping import CASEWORK_ROLES, vetting_lapsed


class IsVerifiedUser(BasePermission):
    """Allow active users who have passed the second factor in this session."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.is_active
            and callable(getattr(user, "is_verified", None))
            and user.is_verified()  # type: ignore[attr-defined]
        )


class HasRole(IsVerifiedUser):
    """Allow verified users of ``roles``; others get a 404, as pages do."""

    roles: frozenset[str] = frozenset()

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.user.role not in self.roles:  # type: ignore[union-attr]
            note_denial(object_type="view", object_ids=[type(view).__name__], reason="role may not use this endpoint")
            raise NotFound
        if request.user.role in CASEWORK_ROLES and vetting_lapsed(request.user):  # type: ignore[union-attr,operator]
            note_denial(object_type="view", object_ids=[type(view).__name__], reason="vetting expired")
            raise PermissionDenied("Your vetting has expired, so access to casework is suspended until it is renewed.")
        return True


class HasCaseworkRole(HasRole):
    """Allow officers, sergeants and inspectors (never administrators or auditors)."""

    roles = frozenset(CASEWORK_ROLES)


class HasOverseerRole(HasRole):
    """Sergeants (their team) and inspectors (their force); others get a 404."""

    roles = frozenset({Role.SERGEANT, Role.INSPECTOR})


class HasInspectorRole(HasRole):
    """Inspectors only (the whole force); others get a 404."""

    roles = frozenset({Role.INSPECTOR})
