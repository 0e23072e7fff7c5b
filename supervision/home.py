"""What supervision adds to an officer's home page (registered in ``SupervisionConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from mosovo.accounts.models import User

from . import selectors


def home_supervision(*, user: User) -> dict[str, Any] | None:
    """Return the officer's supervision records to read and acknowledge and their open
    agreed actions, soonest due first (None when there is neither)."""
    to_acknowledge = list(selectors.sessions_to_acknowledge(user=user))
    actions = list(selectors.open_agreed_actions(user=user))
    if not to_acknowledge and not actions:
        return None
    return {"to_acknowledge": to_acknowledge, "actions": actions, "today": timezone.localdate()}
