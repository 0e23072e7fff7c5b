"""Health check, the administrator's task status page, and error pages (no stack traces,
no details of what failed)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mosovo.accounts.choices import Role
from mosovo.accounts.scoping import require_roles

from .selectors import open_alerts, task_status_rows


@require_GET
@never_cache
@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer whether the web process can reach its database (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


# require_roles comes first so other roles get a 404 whatever the method (as every page).
@require_roles(Role.ADMIN)
@require_GET
@never_cache
def ops_status(request: HttpRequest) -> HttpResponse:
    """Show each periodic task's last run (late ones flagged) and the open alerts."""
    return render(
        request,
        "ops/status.html",
        {
            "page_title": "Task status",
            "tasks": task_status_rows(now=timezone.now()),
            "alerts": list(open_alerts()),
        },
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", {"page_title": "You cannot do that"}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", {"page_title": "Page not found"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request context: whatever broke must not break this page too.
    return HttpResponse(loader.get_template("errors/500.html").render({}), status=500)
