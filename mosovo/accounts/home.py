"""What higher apps contribute to the home pages, registered at start-up.

accounts sits below the domain apps and never imports them; a domain app registers a
provider here in its ``AppConfig.ready`` instead (see ``caseload.apps``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

_cap_overrides: Callable[..., Iterable[Any]] | None = None


def register_cap_overrides(provider: Callable[..., Iterable[Any]]) -> None:
    """Register the function that lists open 20% overrides for a user."""
    global _cap_overrides
    _cap_overrides = provider


def home_cap_overrides(*, user: Any) -> Iterable[Any]:
    """Return the open 20% overrides the user should see (none if no provider)."""
    return _cap_overrides(user=user) if _cap_overrides else ()


# Sections a domain app adds to a role's home page: (roles, template, provider). The
# provider takes the user and returns the template's context, or None to show nothing.
HomeSection = tuple[frozenset[str], str, Callable[..., dict[str, Any] | None]]
_sections: list[HomeSection] = []


def register_home_section(
    *, roles: Iterable[str], template: str, provider: Callable[..., dict[str, Any] | None]
) -> None:
    """Register a section of the home page for some roles (``template`` renders it)."""
    _sections.append((frozenset(roles), template, provider))


def home_sections(*, user: Any) -> list[tuple[str, dict[str, Any]]]:
    """Return (template, context) for each registered section this user should see."""
    shown = []
    for roles, template, provider in _sections:
        if user.role in roles:
            context = provider(user=user)
            if context is not None:
                shown.append((template, context))
    return shown
