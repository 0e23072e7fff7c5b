"""The audit log viewer: AUDITOR and ADMIN read and export the log; nobody changes it."""

from __future__ import annotations

from datetime import UTC

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from mosovo.accounts.choices import Role
from mosovo.accounts.scoping import require_roles
from mosovo.lib.csv_safety import SafeCsvWriter

from .choices import Action, Channel
from .context import note_consultation
from .forms import AuditFilterForm
from .models import AuditEvent
from .selectors import LOCAL_TIME, audit_event_list
from .services import audit_record

PAGE_SIZE = 50
# An export is a file someone can take away: cap it, and say so on the page.
CSV_MAX_ROWS = 50_000
AUDIT_EVENT_TYPE = "audit.auditevent"
CSV_COLUMNS = (
    "seq",
    "occurred_at",
    "actor_label",
    "actor_role",
    "action",
    "channel",
    "outcome",
    "flagged",
    "rso_ids",
    "object_type",
    "object_ids",
    "fields",
    "reason",
    "recipient",
    "client_ip",
    "request_id",
)


def _render_log(request: HttpRequest, form: AuditFilterForm, *, status: int = 200) -> HttpResponse:
    """Render the log page: the filters, and one page of matching events if they are valid."""
    page_obj = None
    if form.is_valid():
        events = audit_event_list(user=request.user, filters=form.cleaned_data)
        page_obj = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
        note_consultation(rso_ids=[], object_type=AUDIT_EVENT_TYPE, object_ids=[e.pk for e in page_obj])
    title = "Audit log"
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page_obj": page_obj,
            "page_title": f"Error: {title}" if form.errors else title,
            "csv_max_rows": f"{CSV_MAX_ROWS:,}",
        },
        status=status,
    )


# require_roles comes first so other roles get a 404 whatever the method: a 405 would
# tell them the page exists.
@require_roles(Role.AUDITOR, Role.ADMIN)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """List audit events, newest first, 50 to a page, filtered by the GET form."""
    return _render_log(request, AuditFilterForm(request.GET))


def _csv_row(event: AuditEvent) -> tuple[object, ...]:
    return (
        event.seq,
        event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        event.actor_label,
        event.actor_role,
        event.action,
        event.channel,
        event.outcome,
        "yes" if event.flagged else "no",
        " ".join(str(i) for i in event.rso_ids),
        event.object_type,
        " ".join(event.object_ids),
        " ".join(event.fields),
        event.reason,
        event.recipient,
        event.client_ip or "",
        event.request_id,
    )


@require_roles(Role.AUDITOR, Role.ADMIN)
@require_POST
def audit_log_csv(request: HttpRequest) -> HttpResponse:
    """Export the filtered events as CSV (at most CSV_MAX_ROWS), recording the export first.

    A POST, so the CSRF check applies and a link or an image cannot start an export.
    """
    form = AuditFilterForm(request.POST)
    if not form.is_valid():
        return _render_log(request, form, status=400)
    filename = f"audit-log-{timezone.localtime(timezone.now(), LOCAL_TIME):%Y%m%d-%H%M}.csv"
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )
    written, truncated = 0, False
    newest_seq: int | None = None
    with transaction.atomic():
        # One row more than the cap tells whether the export was cut short.
        events = audit_event_list(user=request.user, filters=form.cleaned_data)[: CSV_MAX_ROWS + 1]
        writer = SafeCsvWriter(response)
        writer.writerow(CSV_COLUMNS)
        for event in events.iterator(chunk_size=2000):
            if written == CSV_MAX_ROWS:
                truncated = True
                break
            if newest_seq is None:
                newest_seq = event.seq
            writer.writerow(_csv_row(event))
            written += 1
        # The log is append-only, so the filters and the newest seq exported name exactly
        # the rows in the file.
        extent = f"the newest {CSV_MAX_ROWS:,}; more matched" if truncated else "all that matched"
        upto = f", up to seq {newest_seq}" if newest_seq is not None else ""
        noun = "event" if written == 1 else "events"
        audit_record(
            action=Action.EXPORT,
            actor=request.user,
            channel=Channel.CSV,
            object_type=AUDIT_EVENT_TYPE,
            reason=f"CSV export of {written:,} audit {noun} ({extent}{upto}). Filters: {form.describe()}.",
        )
    return response
