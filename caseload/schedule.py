"""Recomputing an RSO's schedule (when visits and reviews fall due) when an input changes.

Deadlines depend on things several apps own: the risk level and management model
(caseload), the plan's visit frequency (arms), the last visit (visits). The app that
changes an input calls ``schedule_recompute(rso=...)`` in its transaction; each app that
owns a deadline registers a provider here at start-up (``AppConfig.ready``), so caseload
never imports the higher apps. Providers write only derived fields, with ``update()``.
When they have run, the RSO's Deadline rows are recomputed from the stored dates
(``caseload.deadlines``), in the same transaction, so a task appears or goes at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_providers: list[Callable[..., Any]] = []


def register_schedule_provider(provider: Callable[..., Any]) -> None:
    """Register a function ``provider(*, rso)`` that recomputes one RSO's deadlines."""
    if provider not in _providers:
        _providers.append(provider)


def schedule_recompute(*, rso: Any) -> None:
    """Recompute every registered deadline of one RSO (call inside the writer's transaction)."""
    from django.utils import timezone

    from .deadlines import recompute_rso

    for provider in _providers:
        provider(rso=rso)
    recompute_rso(rso_id=rso.pk, today=timezone.localdate(), now=timezone.now())
