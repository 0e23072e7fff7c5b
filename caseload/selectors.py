"""Caseload reads: every function takes the acting user and scopes by it.

Each read that shows RSO data notes the RSO ids in the request's audit context; the
audit middleware writes them as one consultation event per request.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from mosovo.accounts.models import User
from mosovo.accounts.scoping import get_for_user
from mosovo.audit.context import note_consultation

from .models import RSO

RSO_TYPE = "caseload.rso"
PAGE_SIZE = 50


def rso_queryset(*, user: User) -> QuerySet[RSO]:
    """Return the RSOs the user may list (their team's, or their force's for inspectors)."""
    return RSO.objects.visible_to(user).select_related("team", "allocated_officer")


def rso_page(*, user: User, page: Any = 1, page_size: int = PAGE_SIZE) -> Page[RSO]:
    """Return one page of the user's RSOs, noting every RSO shown."""
    paginator = Paginator(rso_queryset(user=user), page_size)
    result = paginator.get_page(page)
    ids = [rso.pk for rso in result.object_list]
    note_consultation(rso_ids=ids, object_type=RSO_TYPE, object_ids=ids)
    return result


def rso_get_for_user(*, user: User, rso_id: Any, for_change: bool = False) -> RSO:
    """Return one RSO the user may open (scope or break-glass grant), or 404.

    ``for_change=True``: only RSOs in the user's own scope (break-glass is read-only).
    """
    rso = get_for_user(
        RSO.objects.select_related("team", "allocated_officer"),
        user=user,
        pk=rso_id,
        object_type=RSO_TYPE,
        for_change=for_change,
    )
    note_consultation(rso_ids=[rso.pk], object_type=RSO_TYPE, object_ids=[rso.pk])
    return rso


def rso_find_for_break_glass(*, user: User, reference: str) -> RSO | None:
    """Find an RSO of the user's force by ViSOR or PNC reference, for break-glass access.

    This is the only read that looks beyond the user's team, and only its caller may
    show the result, after recording a reasoned, flagged grant.
    """
    reference = reference.strip()
    if not reference or user.force_id is None:
        return None
    return (
        RSO.objects.select_related("team")
        .filter(team__force_id=user.force_id)
        .filter(visor_reference__iexact=reference)
        .first()
        or RSO.objects.select_related("team").filter(team__force_id=user.force_id, pnc_id__iexact=reference).first()
    )


def caseload_counts_mismatches() -> list[tuple[int, int, int, int, int]]:
    """Compare the trigger-kept caseload counters with real counts.

    Returns (officer id, counted total, counted high, real total, real high) for every
    officer where they differ; empty when the counters are exact.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH real AS (
                SELECT allocated_officer_id AS officer_id, count(*) AS total,
                       count(*) FILTER (WHERE risk_level IN ('HIGH', 'VERY_HIGH')) AS high
                  FROM caseload_rso
                 WHERE allocated_officer_id IS NOT NULL
                   AND status NOT IN ('DECEASED', 'NOTIFICATION_ENDED')
                 GROUP BY allocated_officer_id
            )
            SELECT COALESCE(c.officer_id, r.officer_id), COALESCE(c.total, 0), COALESCE(c.high, 0),
                   COALESCE(r.total, 0), COALESCE(r.high, 0)
              FROM caseload_officercaseload c
              FULL OUTER JOIN real r ON r.officer_id = c.officer_id
             WHERE COALESCE(c.total, 0) <> COALESCE(r.total, 0) OR COALESCE(c.high, 0) <> COALESCE(r.high, 0)
             ORDER BY 1
            """
        )
        return [tuple(row) for row in cursor.fetchall()]  # type: ignore[misc]
