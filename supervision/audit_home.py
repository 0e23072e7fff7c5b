"""What plan audits add to the officer's home page (registered in ``supervision.apps``)."""

from __future__ import annotations

from typing import Any

from mosovo.accounts.models import User

from . import selectors


def home_audit_feedback(*, user: User) -> dict[str, Any] | None:
    """Return the officer's completed audits whose feedback is unread (None if none)."""
    audits = selectors.audits_unread(user=user)
    return {"audits": audits} if audits else None
