"""Per-request audit: the context, one consultation event, access_denied events."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import context as audit_context
from .services import audit_flush_consultation, audit_flush_denial

logger = logging.getLogger("mosovo.audit")


class AuditMiddleware:
    """Open the request's audit context and write its events before the response leaves.

    Fail closed: if the consultation event cannot be written, the user gets the error
    page instead of the data.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ctx = audit_context.AuditContext(
            request_id=uuid.uuid4().hex,
            channel=audit_context.channel_for(request),
            client_ip=audit_context.client_ip(request),
            path=request.path,
            user=getattr(request, "user", None),
        )
        with audit_context.activate(ctx):
            response = self.get_response(request)
            try:
                if response.status_code in (403, 404):
                    audit_flush_denial(ctx)
                elif response.status_code < 400:
                    audit_flush_consultation(ctx)
            except Exception:
                logger.exception("audit write failed; withholding the response (request %s)", ctx.request_id)
                from mosovo.ops.views import server_error

                response = server_error(request)
        response["X-Request-ID"] = ctx.request_id
        return response
