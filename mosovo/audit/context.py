"""The audit context of the current request or task: who, from where, through what.

``AuditMiddleware`` opens one per request; Celery tasks acting for a user open one with
``task_context``. Selectors note what RSO data they show; the middleware writes those
notes as one consultation event before the response leaves.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .choices import Channel


@dataclass
class Denial:
    """Why scoping refused a request (written as an access_denied event)."""

    object_type: str
    object_ids: list[str]
    reason: str


@dataclass
class AuditContext:
    request_id: str
    channel: Channel
    client_ip: str | None = None
    path: str = ""
    user: Any = None
    consulted_rso_ids: dict[int, None] = field(default_factory=dict)  # ordered set
    consulted_objects: dict[str, dict[str, None]] = field(default_factory=dict)
    consultation_reason: str = ""
    denial: Denial | None = None

    def note_consultation(
        self, *, rso_ids: Iterable[int], object_type: str = "", object_ids: Iterable[Any] = (), reason: str = ""
    ) -> None:
        if reason:
            self.consultation_reason = "; ".join(filter(None, [self.consultation_reason, reason]))
        for rso_id in rso_ids:
            self.consulted_rso_ids[int(rso_id)] = None
        if object_type:
            bucket = self.consulted_objects.setdefault(object_type, {})
            for object_id in object_ids:
                bucket[str(object_id)] = None


_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("audit_context", default=None)


def current() -> AuditContext | None:
    """Return the audit context of this request or task, if there is one."""
    return _current.get()


@contextmanager
def activate(context: AuditContext) -> Iterator[AuditContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


@contextmanager
def task_context(*, user: Any = None, name: str = "") -> Iterator[AuditContext]:
    """Open an audit context for a background task, acting for ``user`` if given.

    Field-level history written inside it is attributed to that user and the task.
    """
    import pghistory

    request_id = f"task:{uuid.uuid4()}"
    with (
        activate(AuditContext(request_id=request_id, channel=Channel.SYSTEM, path=name, user=user)) as ctx,
        pghistory.context(user=getattr(user, "pk", None), task=name, request_id=request_id),
    ):
        yield ctx


def client_ip(request: HttpRequest) -> str | None:
    """Return the client's address, trusting only the configured number of proxies.

    With no trusted proxy the socket address is used and X-Forwarded-For is ignored, so
    a client cannot choose its own address by sending the header.
    """
    remote: str | None = request.META.get("REMOTE_ADDR") or None
    hops: int = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops <= 0:
        return remote
    header: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    # Each trusted proxy appends the address it received from; the client is the entry
    # just before the ones our proxies added.
    if len(forwarded) >= hops:
        return forwarded[-hops]
    return remote


def channel_for(request: HttpRequest) -> Channel:
    """Classify a request's channel from its path and headers."""
    if request.path.startswith("/api/"):
        return Channel.API
    if request.path.startswith("/admin/"):
        return Channel.ADMIN
    if request.headers.get("HX-Request") == "true":
        return Channel.PARTIAL
    return Channel.SCREEN


def note_consultation(
    *, rso_ids: Iterable[int], object_type: str = "", object_ids: Iterable[Any] = (), reason: str = ""
) -> None:
    """Record that the current request shows these RSOs (written once, at the end).

    ``reason`` says why, for example the search terms that found them (kept in the audit
    row, never in a URL).
    """
    context = current()
    if context is not None:
        context.note_consultation(rso_ids=rso_ids, object_type=object_type, object_ids=object_ids, reason=reason)


def note_denial(*, object_type: str, object_ids: Iterable[Any], reason: str) -> None:
    """Record why the current request is being refused (written as access_denied)."""
    context = current()
    if context is not None:
        context.denial = Denial(object_type=object_type, object_ids=[str(i) for i in object_ids], reason=reason)
