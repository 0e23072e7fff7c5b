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
