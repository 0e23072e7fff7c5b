"""The deadline engine: set-based SQL that turns stored due dates into Deadline rows.

Every date the engine keeps is already stored, by the apps that own it, on the RSO row
(next visit due, ARMS review due, annual and weekly notification due, end of the
notification period, eligibility for review), on a prohibition (``ends_on``), on the
user (``vetting_expires_on``), or in the 20% rule's counters (``OfficerCaseload``). So
one pass of a few SQL statements can recompute every deadline without a Python loop
over the RSOs: the nightly sweep runs them over id ranges of RSOs, one transaction per
range; a writer runs them for one RSO inside its own transaction.

Each pass, per set of subjects:
1. *close* open rows whose obligation changed: the date moved later (met: DONE), the
   date went (no longer applies: CANCELLED; an ARMS change review that went because an
   assessment was approved, or a notification end because the case closed as ended,
   count as DONE), or moved earlier (replaced: CANCELLED);
2. *open* a row for each wanted obligation that has no row for that date (the unique
   keys make a second writer's insert a no-op);
3. *route*: open rows follow the case's officer and team;
4. *advance* open rows whose state is behind the calendar (forward only, each
   transition stamped once), so running twice changes nothing the second time.

Rows are locked in id order in every statement, so a sweep and a writer never wait on
each other in a circle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection

from . import local_policy
from .allocation import HIGH_RISK_CAP_DIVISOR
from .choices import CLOSED_STATUSES, OPEN_DEADLINE_STATES, DeadlineKind, DeadlineState, RSOStatus

RSO_KINDS: tuple[str, ...] = (
    DeadlineKind.VISIT,
    DeadlineKind.ARMS_REVIEW,
    DeadlineKind.ARMS_CHANGE_REVIEW,
    DeadlineKind.ANNUAL_NOTIFICATION,
    DeadlineKind.WEEKLY_NOTIFICATION,
    DeadlineKind.NOTIFICATION_END,
    DeadlineKind.INDEFINITE_REVIEW_ELIGIBLE,
    DeadlineKind.ORDER_EXPIRY,
)
# Statuses in which the person can be visited, and in which notification duties run
# (days in custody or abroad do not count towards them, s.85(3)).
VISIT_STATUSES = (RSOStatus.IN_COMMUNITY,)
NOTIFYING_STATUSES = (RSOStatus.IN_COMMUNITY, RSOStatus.MISSING)
# An order prohibition that has ended, or an eligibility for review that has arrived,
# stays on the list this many days (overdue, then escalated if nobody recorded a
# decision), then drops off: they are dates to act before, not duties that accrue.
LAPSED_ORDER_SHOWN_DAYS = 30

_OPEN = tuple(str(s) for s in OPEN_DEADLINE_STATES)
_CLOSED = tuple(str(s) for s in CLOSED_STATUSES)

# One SELECT per kind of RSO deadline: (key, kind, rso_id, prohibition_id, due_on).
# ``{rso}`` becomes the filter on the RSOs in this pass.
_RSO_COLUMN_KINDS: tuple[tuple[str, str, str], ...] = (
    (DeadlineKind.VISIT, "next_visit_due_on", "r.status = ANY(%(visit_statuses)s)"),
    (DeadlineKind.ARMS_REVIEW, "arms_review_due_on", "NOT r.status = ANY(%(closed)s)"),
    (DeadlineKind.ARMS_CHANGE_REVIEW, "arms_change_review_due_on", "NOT r.status = ANY(%(closed)s)"),
    (DeadlineKind.ANNUAL_NOTIFICATION, "next_annual_notification_due", "r.status = ANY(%(notifying)s)"),
    (DeadlineKind.WEEKLY_NOTIFICATION, "next_weekly_notification_due", "r.status = ANY(%(notifying)s)"),
    (
        DeadlineKind.NOTIFICATION_END,
        "notification_ends_on",
        "NOT r.status = ANY(%(closed)s) AND NOT r.notification_indefinite",
    ),
    (
        DeadlineKind.INDEFINITE_REVIEW_ELIGIBLE,
        "indefinite_review_eligible_on",
        "NOT r.status = ANY(%(closed)s) AND r.indefinite_review_eligible_on >= %(lapsed_since)s",
    ),
)


def _wanted_rso_sql() -> str:
    parts = [
        f"SELECT '{kind}:rso:' || r.id AS key, '{kind}'::varchar AS kind, r.id AS rso_id, "
        f"NULL::bigint AS prohibition_id, r.{column} AS due_on "
        f"FROM caseload_rso r WHERE r.{column} IS NOT NULL AND {condition} AND {{rso}}"
        for kind, column, condition in _RSO_COLUMN_KINDS
    ]
    parts.append(
        f"SELECT '{DeadlineKind.ORDER_EXPIRY}:prohibition:' || p.id, '{DeadlineKind.ORDER_EXPIRY}'::varchar, "
        "r.id, p.id, p.ends_on FROM caseload_prohibition p "
        "JOIN caseload_civilorder o ON o.id = p.order_id JOIN caseload_rso r ON r.id = o.rso_id "
        "WHERE p.ends_on IS NOT NULL AND p.ends_on >= %(lapsed_since)s AND o.discharged_on IS NULL "
        "AND NOT r.status = ANY(%(closed)s) AND {rso}"
    )
    return "\nUNION ALL\n".join(parts)


_WANTED_RSO = _wanted_rso_sql()

# Met or replaced: close open rows whose wanted date differs (or is gone).
# Each statement below repeats the pass's id range on every table it reads (RSOs and
# deadlines), including the outer UPDATE: the planner does not carry a range across a
# join, and without it reads the whole deadline table (which keeps every closed row, so
# grows year on year) once per range. The extra conditions are implied by the joins.
_CLOSE_RSO = f"""
WITH wanted AS ({_WANTED_RSO}),
stale AS (
    SELECT d.id, w.due_on AS new_due, r.status
    FROM caseload_deadline d
    JOIN caseload_rso r ON r.id = d.rso_id
    LEFT JOIN wanted w ON w.key = d.key
    WHERE d.state = ANY(%(open)s) AND d.kind = ANY(%(rso_kinds)s) AND {{d_rso}} AND {{rso}}
      AND (w.key IS NULL OR w.due_on <> d.due_on)
    ORDER BY d.id
    FOR UPDATE OF d
),
closed AS (
    UPDATE caseload_deadline d SET
        state = CASE
            WHEN s.new_due > d.due_on THEN '{DeadlineState.DONE}'
            WHEN s.new_due IS NULL AND d.kind = '{DeadlineKind.ARMS_CHANGE_REVIEW}'
                 AND NOT s.status = ANY(%(closed)s) THEN '{DeadlineState.DONE}'
            WHEN s.new_due IS NULL AND d.kind = '{DeadlineKind.NOTIFICATION_END}'
                 AND s.status = '{RSOStatus.NOTIFICATION_ENDED}' THEN '{DeadlineState.DONE}'
            ELSE '{DeadlineState.CANCELLED}'
        END,
        closed_at = %(now)s, updated_at = %(now)s
    FROM stale s
    WHERE d.id = s.id AND d.state = ANY(%(open)s) AND {{d_rso}}
    RETURNING d.state
)
SELECT state, count(*) FROM closed GROUP BY state
"""

_OPEN_RSO = f"""
WITH wanted AS ({_WANTED_RSO})
INSERT INTO caseload_deadline
    (key, kind, rso_id, prohibition_id, subject_user_id, team_id, owner_id, due_on, state, detail,
     created_at, updated_at, closed_note)
SELECT w.key, w.kind, w.rso_id, w.prohibition_id, NULL, r.team_id, r.allocated_officer_id, w.due_on,
       '{DeadlineState.UPCOMING}', '{{{{}}}}'::jsonb, %(now)s, %(now)s, ''
FROM wanted w JOIN caseload_rso r ON r.id = w.rso_id
-- Only this range's rows: a row elsewhere with the same key and date is skipped by ON CONFLICT.
WHERE NOT EXISTS (SELECT 1 FROM caseload_deadline x WHERE x.key = w.key AND x.due_on = w.due_on
                  AND x.rso_id >= %(lo)s AND x.rso_id < %(hi)s)
ORDER BY w.rso_id, w.key
ON CONFLICT DO NOTHING
"""

_ROUTE_RSO = """
WITH moved AS (
    SELECT d.id, r.allocated_officer_id, r.team_id
    FROM caseload_deadline d JOIN caseload_rso r ON r.id = d.rso_id
    WHERE d.state = ANY(%(open)s) AND {d_rso} AND {rso}
      AND (d.owner_id IS DISTINCT FROM r.allocated_officer_id OR d.team_id IS DISTINCT FROM r.team_id)
    ORDER BY d.id
    FOR UPDATE OF d
)
UPDATE caseload_deadline d SET owner_id = m.allocated_officer_id, team_id = m.team_id, updated_at = %(now)s
FROM moved m WHERE d.id = m.id AND {d_rso}
"""

# Deadlines of a person (an officer's vetting, training, agreed supervision actions): each
# source is a SELECT of (key, user_id, team_id, due_on, detail), owned by the person and
# routed to their team. Higher apps add sources with ``register_person_source`` (the
# supervision app adds agreed actions) so this module never imports them.
_PERSON_SOURCES: dict[str, str] = {
    DeadlineKind.VETTING_EXPIRY: f"""
SELECT '{DeadlineKind.VETTING_EXPIRY}:user:' || u.id AS key, u.id AS user_id, u.team_id,
       u.vetting_expires_on AS due_on, jsonb_build_object('level', u.vetting_level) AS detail
FROM accounts_user u WHERE u.is_active AND u.vetting_expires_on IS NOT NULL
""",
    # The latest completion of each course decides when it lapses (a renewal without an
    # expiry date ends the obligation).
    DeadlineKind.TRAINING_EXPIRY: f"""
SELECT '{DeadlineKind.TRAINING_EXPIRY}:user:' || u.id || ':' || t.course AS key, u.id AS user_id, u.team_id,
       t.expires_on AS due_on, jsonb_build_object('course', t.course) AS detail
FROM accounts_user u
JOIN LATERAL (
    SELECT DISTINCT ON (tr.course) tr.course, tr.expires_on FROM accounts_trainingrecord tr
    WHERE tr.user_id = u.id ORDER BY tr.course, tr.completed_on DESC, tr.id DESC
) t ON TRUE
WHERE u.is_active AND t.expires_on IS NOT NULL
""",
}


def register_person_source(kind: str, wanted_sql: str) -> None:
    """Add a kind of person deadline: ``wanted_sql`` selects key, user_id, team_id, due_on
    and detail (jsonb: what the task list shows beside the kind; never sent in a digest)
    for every obligation that should be open (one row per key). Person deadlines have no
    RSO, so the per-RSO passes never touch them."""
    _PERSON_SOURCES[kind] = wanted_sql


_CLOSE_PERSON = """
WITH wanted AS (SELECT * FROM ({wanted}) w0 WHERE {users}),
stale AS (
    SELECT d.id, w.due_on AS new_due FROM caseload_deadline d LEFT JOIN wanted w ON w.key = d.key
    WHERE d.state = ANY(%(open)s) AND d.kind = %(kind)s AND {d_users}
      AND (w.key IS NULL OR w.due_on <> d.due_on)
    ORDER BY d.id FOR UPDATE OF d
),
closed AS (
    UPDATE caseload_deadline d SET
        state = CASE WHEN s.new_due > d.due_on THEN '{done}' ELSE '{cancelled}' END,
        closed_at = %(now)s, updated_at = %(now)s
    FROM stale s WHERE d.id = s.id AND d.state = ANY(%(open)s)
    RETURNING d.state
)
SELECT state, count(*) FROM closed GROUP BY state
"""

_OPEN_PERSON = """
WITH wanted AS (SELECT * FROM ({wanted}) w0 WHERE {users})
INSERT INTO caseload_deadline
    (key, kind, rso_id, prohibition_id, subject_user_id, team_id, owner_id, due_on, state, detail,
     created_at, updated_at, closed_note)
SELECT w.key, %(kind)s, NULL, NULL, w.user_id, w.team_id, w.user_id, w.due_on,
       '{upcoming}', w.detail, %(now)s, %(now)s, ''
FROM wanted w
WHERE NOT EXISTS (SELECT 1 FROM caseload_deadline x WHERE x.key = w.key AND x.due_on = w.due_on)
ORDER BY w.user_id, w.key
ON CONFLICT DO NOTHING
"""

# Open person rows follow the person to a new team.
_ROUTE_PERSON = """
UPDATE caseload_deadline d SET team_id = u.team_id, updated_at = %(now)s
FROM accounts_user u
WHERE u.id = d.subject_user_id AND d.kind = %(kind)s AND d.state = ANY(%(open)s) AND {d_users}
  AND d.team_id IS DISTINCT FROM u.team_id
"""

# Officers over the 20% rule (possible only while a sergeant's override is open, or
# after a write that bypassed the services): a breach for the team's sergeants.
_WANTED_CAP = f"""
SELECT '{DeadlineKind.CAP_BREACH}:user:' || c.officer_id AS key, c.officer_id, u.team_id, c.high, c.total
FROM caseload_officercaseload c JOIN accounts_user u ON u.id = c.officer_id
WHERE u.is_active AND {HIGH_RISK_CAP_DIVISOR} * c.high > c.total AND {{officers}}
"""

_CLOSE_CAP = f"""
WITH wanted AS ({_WANTED_CAP}),
stale AS (
    SELECT d.id FROM caseload_deadline d LEFT JOIN wanted w ON w.key = d.key
    WHERE d.state = ANY(%(open)s) AND d.kind = '{DeadlineKind.CAP_BREACH}' AND w.key IS NULL
      AND {{d_officers}}
    ORDER BY d.id FOR UPDATE OF d
),
closed AS (
    UPDATE caseload_deadline d SET state = '{DeadlineState.DONE}', closed_at = %(now)s, updated_at = %(now)s
    FROM stale s WHERE d.id = s.id AND d.state = ANY(%(open)s)
    RETURNING d.state
)
SELECT state, count(*) FROM closed GROUP BY state
"""

_OPEN_CAP = f"""
WITH wanted AS ({_WANTED_CAP})
INSERT INTO caseload_deadline
    (key, kind, rso_id, prohibition_id, subject_user_id, team_id, owner_id, due_on, state, detail,
     created_at, updated_at, closed_note)
SELECT w.key, '{DeadlineKind.CAP_BREACH}', NULL, NULL, w.officer_id, w.team_id, NULL, %(today)s,
       '{DeadlineState.UPCOMING}', jsonb_build_object('high', w.high, 'total', w.total), %(now)s, %(now)s, ''
FROM wanted w
ORDER BY w.officer_id
ON CONFLICT DO NOTHING
"""

_REFRESH_CAP = f"""
WITH wanted AS ({_WANTED_CAP})
UPDATE caseload_deadline d SET detail = jsonb_build_object('high', w.high, 'total', w.total),
    team_id = w.team_id, updated_at = %(now)s
FROM wanted w
WHERE d.key = w.key AND d.state = ANY(%(open)s)
  AND (d.detail IS DISTINCT FROM jsonb_build_object('high', w.high, 'total', w.total)
       OR d.team_id IS DISTINCT FROM w.team_id)
"""


def _advance_sql(where: str) -> str:
    warn_cases = " ".join(
        f"WHEN '{kind}' THEN {local_policy.deadline_warn_days(kind)}"
        for kind in sorted(local_policy.deadline_warn_kinds())
        if kind in DeadlineKind.values
    )
    rank = (
        f"CASE {{col}} WHEN '{DeadlineState.UPCOMING}' THEN 0 WHEN '{DeadlineState.DUE_SOON}' THEN 1 "
        f"WHEN '{DeadlineState.OVERDUE}' THEN 2 ELSE 3 END"
    )
    return f"""
WITH target AS (
    SELECT d.id, CASE
        WHEN %(today)s >= d.due_on + {local_policy.escalate_after_days_overdue()} THEN '{DeadlineState.ESCALATED}'
        WHEN %(today)s > d.due_on THEN '{DeadlineState.OVERDUE}'
        WHEN %(today)s >= d.due_on - (CASE d.kind {warn_cases} ELSE {local_policy.due_soon_days()} END)
            THEN '{DeadlineState.DUE_SOON}'
        ELSE '{DeadlineState.UPCOMING}' END AS state
    FROM caseload_deadline d
    WHERE d.state = ANY(%(open)s) AND {where}
),
behind AS (
    SELECT d.id, t.state, {rank.format(col="t.state")} AS rank
    FROM caseload_deadline d JOIN target t ON t.id = d.id
    WHERE {rank.format(col="t.state")} > {rank.format(col="d.state")} AND {where}
    ORDER BY d.id FOR UPDATE OF d
),
moved AS (
    UPDATE caseload_deadline d SET
        state = b.state,
        due_soon_at = CASE WHEN b.rank >= 1 THEN COALESCE(d.due_soon_at, %(now)s) ELSE d.due_soon_at END,
        overdue_at = CASE WHEN b.rank >= 2 THEN COALESCE(d.overdue_at, %(now)s) ELSE d.overdue_at END,
        escalated_at = CASE WHEN b.rank >= 3 THEN COALESCE(d.escalated_at, %(now)s) ELSE d.escalated_at END,
        updated_at = %(now)s
    FROM behind b
    WHERE d.id = b.id AND d.state = ANY(%(open)s) AND {where}
      AND {rank.format(col="b.state")} > {rank.format(col="d.state")}
    RETURNING d.state
)
SELECT state, count(*) FROM moved GROUP BY state
"""


def _params(*, today: dt.date, now: dt.datetime, **extra: Any) -> dict[str, Any]:
    return {
        "today": today,
        "now": now,
        "open": list(_OPEN),
        "closed": list(_CLOSED),
        "rso_kinds": [str(k) for k in RSO_KINDS],
        "visit_statuses": [str(s) for s in VISIT_STATUSES],
        "notifying": [str(s) for s in NOTIFYING_STATUSES],
        "lapsed_since": today - dt.timedelta(days=LAPSED_ORDER_SHOWN_DAYS),
        **extra,
    }


def _run(sql: str, params: dict[str, Any], counts: dict[str, int], prefix: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.description is not None:
            for state, number in cursor.fetchall():
                key = f"{prefix}_{str(state).lower()}"
                counts[key] = counts.get(key, 0) + int(number)
        else:
            counts[prefix] = counts.get(prefix, 0) + max(cursor.rowcount, 0)


def _merge(into: dict[str, int], more: dict[str, int]) -> None:
    for key, value in more.items():
        into[key] = into.get(key, 0) + value


def recompute_rsos(*, today: dt.date, now: dt.datetime, lo: int, hi: int) -> dict[str, int]:
    """Recompute the deadlines of the RSOs with ``lo <= id < hi`` (call in a transaction)."""
    counts: dict[str, int] = {}
    params = _params(today=today, now=now, lo=lo, hi=hi)
    rso = "r.id >= %(lo)s AND r.id < %(hi)s"
    d_rso = "d.rso_id >= %(lo)s AND d.rso_id < %(hi)s"
    _run(_CLOSE_RSO.format(rso=rso, d_rso=d_rso), params, counts, "closed")
    _run(_OPEN_RSO.format(rso=rso), params, counts, "opened")
    _run(_ROUTE_RSO.format(rso=rso, d_rso=d_rso), params, counts, "rerouted")
    _run(_advance_sql(d_rso), params, counts, "now")
    return counts


def recompute_rso(*, rso_id: int, today: dt.date, now: dt.datetime) -> dict[str, int]:
    """Recompute one RSO's deadlines (call inside the writer's transaction).

    Closing and opening run twice: if a sweep read this RSO's old dates and inserted a
    row before this writer's insert, the writer's insert waited for the sweep to commit
    and was skipped as a conflict; the second pass now sees the sweep's row, closes it
    and opens the right one. (The sweep cannot do the reverse: it reads committed dates.)
    """
    counts = recompute_rsos(today=today, now=now, lo=rso_id, hi=rso_id + 1)
    params = _params(today=today, now=now, lo=rso_id, hi=rso_id + 1)
    rso, d_rso = "r.id >= %(lo)s AND r.id < %(hi)s", "d.rso_id >= %(lo)s AND d.rso_id < %(hi)s"
    _run(_CLOSE_RSO.format(rso=rso, d_rso=d_rso), params, counts, "closed")
    _run(_OPEN_RSO.format(rso=rso), params, counts, "reopened")
    _run(_advance_sql(d_rso), params, counts, "now")
    return counts


def recompute_people(
    *, today: dt.date, now: dt.datetime, user_ids: Sequence[int] | None = None, kinds: Sequence[str] | None = None
) -> dict[str, int]:
    """Recompute people's deadlines: vetting, training and registered sources (call in a
    transaction). ``user_ids`` limits it to some people (a writer's own change)."""
    counts: dict[str, int] = {}
    for kind, wanted in sorted(_PERSON_SOURCES.items()):
        if kinds is not None and kind not in kinds:
            continue
        params = _params(today=today, now=now, kind=str(kind), user_ids=list(user_ids or []))
        if user_ids is None:
            users, d_users = "TRUE", "TRUE"
        else:
            users, d_users = "w0.user_id = ANY(%(user_ids)s)", "d.subject_user_id = ANY(%(user_ids)s)"
        fill = {"wanted": wanted, "users": users, "d_users": d_users}
        _run(
            _CLOSE_PERSON.format(**fill, done=DeadlineState.DONE, cancelled=DeadlineState.CANCELLED),
            params,
            counts,
            "closed",
        )
        _run(_OPEN_PERSON.format(**fill, upcoming=DeadlineState.UPCOMING), params, counts, "opened")
        _run(_ROUTE_PERSON.format(d_users=d_users), params, counts, "rerouted")
        _run(_advance_sql(f"d.kind = '{kind}' AND {d_users}"), params, counts, "now")
    return counts


def recompute_caps(*, today: dt.date, now: dt.datetime, officer_ids: Sequence[int] | None = None) -> dict[str, int]:
    """Raise a CAP_BREACH for each officer over the 20% rule; close those back within it."""
    counts: dict[str, int] = {}
    params = _params(today=today, now=now, officer_ids=list(officer_ids or []))
    if officer_ids is None:
        officers, d_officers = "TRUE", "TRUE"
    else:
        officers, d_officers = "c.officer_id = ANY(%(officer_ids)s)", "d.subject_user_id = ANY(%(officer_ids)s)"
    _run(_CLOSE_CAP.format(officers=officers, d_officers=d_officers), params, counts, "closed")
    _run(_OPEN_CAP.format(officers=officers), params, counts, "opened")
    _run(_REFRESH_CAP.format(officers=officers), params, counts, "refreshed")
    where = f"d.kind = '{DeadlineKind.CAP_BREACH}'" + (f" AND {d_officers}" if officer_ids is not None else "")
    _run(_advance_sql(where), params, counts, "now")
    return counts


def rso_id_bounds() -> tuple[int, int]:
    """Return the smallest and one past the largest RSO id (0, 0 when there are none)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM caseload_rso")
        low, high = cursor.fetchone()
    return (0, 0) if low is None else (int(low), int(high) + 1)


def merge_counts(into: dict[str, int], more: dict[str, int]) -> None:
    """Add one pass's counts into a running total."""
    _merge(into, more)
