"""Sign-in, sign-out, failures and lockouts go to the audit log."""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .choices import Action, Outcome
from .services import audit_record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        from mosovo.accounts.middleware import SESSION_LAST_SEEN, SESSION_STARTED

        request.session[SESSION_STARTED] = request.session[SESSION_LAST_SEEN] = time.time()
    audit_record(action=Action.LOGIN_OK, actor=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action=Action.LOGOUT, actor=user)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The attempted username is kept (it is what a brute-force investigation needs); the
    # password never is.
    audit_record(
        action=Action.LOGIN_FAILED,
        outcome=Outcome.FAILURE,
        actor_label=f"attempted: {str(credentials.get('username', ''))[:150]}",
    )


@receiver(user_locked_out)
def _locked_out(
    sender: Any, request: Any, username: str | None = None, ip_address: str | None = None, **kw: Any
) -> None:
    audit_record(
        action=Action.LOCKOUT,
        outcome=Outcome.DENIED,
        actor_label=f"attempted: {str(username or '')[:150]}",
        reason=f"{ip_address or 'unknown address'} locked out after repeated failures",
    )
