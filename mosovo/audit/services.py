"""Writing the audit log, and proving it has not been changed."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from . import context as audit_context
from .choices import Action, Channel, Outcome
from .models import AuditEvent

logger = logging.getLogger("mosovo.audit")


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_label": "", "actor_role": ""}
    label = actor.username
    full = actor.get_full_name()
    if full:
        label = f"{label} ({full})"
    return {"actor": actor, "actor_label": label[:200], "actor_role": actor.role}


def audit_record(
    *,
    action: Action,
    actor: Any = None,
    channel: Channel | None = None,
    rso_ids: Iterable[int] = (),
    object_type: str = "",
    object_ids: Iterable[Any] = (),
    fields: Iterable[str] = (),
    reason: str = "",
    recipient: str = "",
    outcome: Outcome = Outcome.SUCCESS,
    flagged: bool = False,
    actor_label: str = "",
) -> AuditEvent:
    """Write one audit event in the caller's transaction; who and where come from the context.

    If this insert fails, the exception propagates and the caller's transaction (the
    change being recorded) rolls back with it.
    """
    ctx = audit_context.current()
    who = actor if actor is not None else (ctx.user if ctx is not None else None)
    values = _actor_fields(who)
    if actor_label and not values["actor_label"]:
        values["actor_label"] = actor_label[:200]
    return AuditEvent.objects.create(
        **values,
        action=action,
        channel=channel or (ctx.channel if ctx else Channel.SYSTEM),
        request_id=ctx.request_id if ctx else "",
        client_ip=ctx.client_ip if ctx else None,
        path=(ctx.path if ctx else "")[:300],
        rso_ids=sorted({int(i) for i in rso_ids}),
        object_type=object_type,
        object_ids=[str(i) for i in object_ids],
        fields=sorted(set(fields)),
        reason=reason,
        recipient=recipient,
        outcome=outcome,
        flagged=flagged,
    )


def audit_flush_consultation(ctx: audit_context.AuditContext) -> AuditEvent | None:
    """Write the request's consultation notes as one event; nothing if nothing was shown."""
    if not ctx.consulted_rso_ids and not ctx.consulted_objects and not ctx.consultation_reason:
        return None
    object_type = ",".join(sorted(ctx.consulted_objects))
    object_ids = [i for bucket in ctx.consulted_objects.values() for i in bucket]
    with transaction.atomic():
        return audit_record(
            action=Action.CONSULTATION,
            rso_ids=list(ctx.consulted_rso_ids),
            object_type=object_type[:100],
            object_ids=object_ids,
            reason=ctx.consultation_reason,
        )


def audit_flush_denial(ctx: audit_context.AuditContext) -> AuditEvent | None:
    """Write the request's scoping refusal as an access_denied event."""
    if ctx.denial is None:
        return None
    with transaction.atomic():
        return audit_record(
            action=Action.ACCESS_DENIED,
            object_type=ctx.denial.object_type,
            object_ids=ctx.denial.object_ids,
            reason=ctx.denial.reason,
            outcome=Outcome.DENIED,
        )


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    breaks: list[ChainBreak]

    @property
    def intact(self) -> bool:
        return not self.breaks


# Recompute every row's hash from its content and compare it, and each row's prev_hash
# with the hash of the row before it; a missing row shows as a gap in seq. Set-based: one
# pass over the table in PostgreSQL.
_VERIFY_SQL = """
WITH chain AS (
    SELECT seq, hash, prev_hash, audit_event_digest(e) AS recomputed,
           lag(hash) OVER (ORDER BY seq) AS previous_hash,
           lag(seq) OVER (ORDER BY seq) AS previous_seq
    FROM audit_auditevent e
)
SELECT seq,
       CASE
         WHEN hash IS DISTINCT FROM recomputed THEN 'content does not match its hash'
         WHEN previous_seq IS NULL AND seq <> 1 AND prev_hash <> repeat('0', 64)
              THEN 'first row does not start the chain'
         WHEN previous_seq IS NOT NULL AND seq <> previous_seq + 1 THEN 'rows missing before this one'
         WHEN previous_seq IS NOT NULL AND prev_hash IS DISTINCT FROM previous_hash
              THEN 'not chained to the previous row'
       END AS problem
FROM chain
WHERE hash IS DISTINCT FROM recomputed
   OR (previous_seq IS NOT NULL AND (seq <> previous_seq + 1 OR prev_hash IS DISTINCT FROM previous_hash))
ORDER BY seq
LIMIT 100
"""


def audit_chain_verify() -> ChainReport:
    """Check the whole hash chain; return how many rows were checked and any breaks."""
    with connection.cursor() as cursor:
        cursor.execute(_VERIFY_SQL)
        breaks = [ChainBreak(seq=row[0], problem=row[1]) for row in cursor.fetchall()]
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        (checked,) = cursor.fetchone() or (0,)
        cursor.execute(
            "SELECT h.seq, h.hash, (SELECT max(seq) FROM audit_auditevent),"
            " (SELECT hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1) FROM audit_chainhead h"
        )
        head = cursor.fetchone()
    if head is not None and head[2] is not None and (head[0] != head[2] or head[1] != head[3]):
        breaks.append(ChainBreak(seq=int(head[2]), problem="the newest rows were removed (chain head is ahead)"))
    return ChainReport(checked=int(checked), breaks=breaks)
