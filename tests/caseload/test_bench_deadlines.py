"""Benchmark: the nightly deadline sweep over 70,000 RSOs (issue 7: under 60 seconds on
2 cores), and one RSO's recompute on the same data (it runs inside user requests).

Not a timed test: `make bench` runs it and reports the figures (docs/benchmarks.md).

Each test makes the data with set-based SQL (``INSERT ... SELECT
generate_series``): 40 teams of 15 officers and a sergeant, 70,000 RSOs with a realistic
mix of risk, status and due dates on both sides of the benchmark day, civil orders with
prohibitions, officers' vetting dates, and 6 officers over the 20% rule under an open
override. Every officer's caseload is built in an order that keeps the database's 20%
backstop satisfied row by row. The sweeps commit per range of RSOs as in production
(transactional tests: each makes the data afresh, and the tables are flushed after it).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from caseload import deadlines, services
from caseload.choices import OPEN_DEADLINE_STATES
from caseload.models import CapOverride
from mosovo.accounts.choices import Role, VettingLevel
from mosovo.accounts.models import Force, Team, User

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.benchmark]

TODAY = dt.date(2026, 6, 15)
RSOS = 70_000
TEAMS = 40
OFFICERS_PER_TEAM = 15
OFFICERS = TEAMS * OFFICERS_PER_TEAM
# Officers (the first few) who carry more than 20% high-risk cases under an open override.
OVER_THE_RULE = 6
OPEN = [str(s) for s in OPEN_DEADLINE_STATES]
RSO_BATCH = 1_000

# One statement per batch of ``s`` makes the RSOs. ``o`` is the officer (round robin), ``j`` the officer's
# n-th case: risk is a function of ``j`` (about 10% HIGH and 2% VERY_HIGH, high-risk
# cases after at least nine others), so at every row the trigger-kept counts satisfy
# 5 x high <= total; the officers under an override get a high-risk case in four.
# Statuses, management model and dates come from a seeded random(). Due dates by risk
# (domain s.5, s.6): visits every 1, 3, 6, 12 months, about 9% overdue; ARMS reviews every
# 3, 6, 12 months, a few overdue; annual notifications within the year, a few days late;
# weekly notifications for no fixed abode; a review after a significant change for 3%;
# notification ends for fixed periods, eligibility for review for indefinite ones.
RSO_INSERT = """
WITH officers AS (
    SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, team_id
    FROM accounts_user WHERE role = 'OFFICER' AND username LIKE 'bench-officer-%%'
),
src AS (
    SELECT s, s %% %(officers)s AS o, s / %(officers)s AS j,
           random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
           random() AS r6, random() AS r7, random() AS r8, random() AS r9, random() AS r10
    FROM generate_series(%(first)s, %(last)s) s
),
risked AS (
    SELECT src.*, off.id AS officer_id, off.team_id,
        CASE WHEN off.n < %(over)s AND j %% 4 = 3 THEN 'HIGH'
             WHEN j %% 50 = 24 THEN 'VERY_HIGH'
             WHEN j %% 10 = 9 THEN 'HIGH'
             WHEN r1 < 0.4 THEN 'MEDIUM' ELSE 'LOW' END AS risk,
        CASE WHEN r2 < 0.04 THEN 'NOTIFICATION_ENDED' WHEN r2 < 0.045 THEN 'DECEASED'
             WHEN r2 < 0.095 THEN 'IN_CUSTODY' WHEN r2 < 0.100 THEN 'ABROAD'
             WHEN r2 < 0.105 THEN 'MISSING' ELSE 'IN_COMMUNITY' END AS status,
        r3 < 0.4 AS indefinite,
        r4 < 0.015 AS nfa
    FROM src JOIN officers off ON off.n = src.o
),
shaped AS (
    SELECT risked.*,
        CASE WHEN risk = 'LOW' AND r5 < 0.5 THEN 'REACTIVE' ELSE 'ACTIVE' END AS model,
        CASE risk WHEN 'VERY_HIGH' THEN 30 WHEN 'HIGH' THEN 91 WHEN 'MEDIUM' THEN 182 ELSE 365 END AS visit_every,
        CASE risk WHEN 'VERY_HIGH' THEN 91 WHEN 'HIGH' THEN 182 ELSE 365 END AS review_every
    FROM risked
)
INSERT INTO caseload_rso (
    family_name, given_names, date_of_birth, sex, visor_reference, pnc_id, ni_number, photo, summary,
    status, mappa_category, mappa_level, lead_agency, management_model, management_model_since,
    risk_level, child_household, team_id, allocated_officer_id,
    notification_indefinite, notification_period_months, notification_ends_on, last_notification_on,
    next_annual_notification_due, next_weekly_notification_due, no_fixed_abode, indefinite_review_eligible_on,
    arms_last_approved_on, arms_review_due_on, arms_change_review_due_on, last_visit_on, next_visit_due_on,
    created_at, updated_at, version
)
SELECT
    'Bench' || s, 'Person', DATE '1950-01-01' + (s %% 18000), 'M', 'VS-BENCH-' || lpad(s::text, 6, '0'),
    '', '', '', '',
    status, 1, CASE WHEN risk IN ('HIGH', 'VERY_HIGH') THEN 2 ELSE 1 END, 'POLICE', model,
    %(today)s - 400,
    risk, r6 < 0.1, team_id, CASE WHEN r7 < 0.005 THEN NULL ELSE officer_id END,
    indefinite, CASE WHEN indefinite THEN NULL ELSE 60 + (s %% 3) * 60 END,
    CASE WHEN indefinite THEN NULL ELSE %(today)s + floor(r8 * 3650)::int - 30 END,
    %(today)s - floor(r9 * 360)::int,
    CASE WHEN status IN ('NOTIFICATION_ENDED', 'DECEASED') THEN NULL
         ELSE %(today)s + floor(r9 * 365)::int - 5 END,
    CASE WHEN nfa AND status IN ('IN_COMMUNITY', 'MISSING') THEN %(today)s + floor(r10 * 7)::int - 1 END,
    nfa,
    CASE WHEN indefinite THEN %(today)s + floor(r8 * 5475)::int - 200 END,
    %(today)s - review_every + floor(r10 * review_every)::int,
    %(today)s + floor(r10 * review_every * 1.05)::int - floor(review_every * 0.05)::int,
    CASE WHEN r4 > 0.97 THEN %(today)s + floor(r5 * 40)::int - 10 END,
    CASE WHEN model = 'ACTIVE' THEN %(today)s - floor(r1 * visit_every)::int END,
    CASE WHEN model = 'ACTIVE' AND status = 'IN_COMMUNITY'
         THEN %(today)s + floor(r3 * visit_every * 1.1)::int - floor(visit_every * 0.1)::int END,
    now(), now(), 1
FROM shaped ORDER BY s
"""

# About 10% of RSOs have a civil order (3% of them discharged); each order has one
# prohibition with an end date (some already lapsed, some ending soon, most later) and
# one until further order.
ORDERS_INSERT = """
INSERT INTO caseload_civilorder (order_type, court, made_on, discharged_on, notes, rso_id)
SELECT 'SHPO', 'Bench Crown Court', %(today)s - floor(random() * 3000)::int,
       CASE WHEN random() < 0.03 THEN %(today)s - 10 END, '', id
FROM caseload_rso WHERE visor_reference LIKE 'VS-BENCH-%%' AND random() < 0.1 ORDER BY id
"""
PROHIBITIONS_INSERT = """
INSERT INTO caseload_prohibition (kind, text, starts_on, ends_on, travel_scope, countries, passports_surrendered,
                                  order_id)
SELECT 'GENERAL',
       CASE WHEN k = 1 THEN 'Not to contact the named victim.' ELSE 'Not to use the internet unmonitored.' END,
       o.made_on, CASE WHEN k = 1 THEN %(today)s + floor(random() * 1900)::int - 120 END, '', '', false, o.id
FROM caseload_civilorder o CROSS JOIN generate_series(1, 2) k ORDER BY o.id, k
"""
VETTING_UPDATE = """
UPDATE accounts_user SET vetting_expires_on = %(today)s + floor(random() * 1460)::int - 30
WHERE username LIKE 'bench-%%'
"""

# What the engine should open, counted straight from the source dates (domain s.6 and
# the rules in caseload/deadlines.py: which statuses each kind applies to).
EXPECTED_OPEN = """
SELECT 'VISIT', count(*) FROM caseload_rso WHERE next_visit_due_on IS NOT NULL AND status = 'IN_COMMUNITY'
UNION ALL SELECT 'ARMS_REVIEW', count(*) FROM caseload_rso
    WHERE arms_review_due_on IS NOT NULL AND status NOT IN ('DECEASED', 'NOTIFICATION_ENDED')
UNION ALL SELECT 'ARMS_CHANGE_REVIEW', count(*) FROM caseload_rso
    WHERE arms_change_review_due_on IS NOT NULL AND status NOT IN ('DECEASED', 'NOTIFICATION_ENDED')
UNION ALL SELECT 'ANNUAL_NOTIFICATION', count(*) FROM caseload_rso
    WHERE next_annual_notification_due IS NOT NULL AND status IN ('IN_COMMUNITY', 'MISSING')
UNION ALL SELECT 'WEEKLY_NOTIFICATION', count(*) FROM caseload_rso
    WHERE next_weekly_notification_due IS NOT NULL AND status IN ('IN_COMMUNITY', 'MISSING')
UNION ALL SELECT 'NOTIFICATION_END', count(*) FROM caseload_rso
    WHERE notification_ends_on IS NOT NULL AND NOT notification_indefinite
      AND status NOT IN ('DECEASED', 'NOTIFICATION_ENDED')
UNION ALL SELECT 'INDEFINITE_REVIEW_ELIGIBLE', count(*) FROM caseload_rso
    WHERE indefinite_review_eligible_on >= %(today)s - 30 AND status NOT IN ('DECEASED', 'NOTIFICATION_ENDED')
UNION ALL SELECT 'ORDER_EXPIRY', count(*) FROM caseload_prohibition p
    JOIN caseload_civilorder o ON o.id = p.order_id JOIN caseload_rso r ON r.id = o.rso_id
    WHERE p.ends_on >= %(today)s - 30 AND o.discharged_on IS NULL AND r.status NOT IN ('DECEASED', 'NOTIFICATION_ENDED')
UNION ALL SELECT 'VETTING_EXPIRY', count(*) FROM accounts_user WHERE is_active AND vetting_expires_on IS NOT NULL
UNION ALL SELECT 'CAP_BREACH', count(*) FROM caseload_officercaseload c JOIN accounts_user u ON u.id = c.officer_id
    WHERE u.is_active AND 5 * c.high > c.total
"""

# One day's churn, applied to a different 5% of RSOs each round: most had a visit (next
# due a cycle later), some an ARMS review approved, an annual notification made, a move
# into custody, a case handed to another officer of the team (low risk only, so nobody's
# 20% moves the wrong way), a notification period ended (low risk only, likewise).
CHURN_UPDATE = """
WITH picked AS (
    SELECT id, random() AS r FROM caseload_rso WHERE id %% 20 = %(slot)s
),
moved_to AS (
    SELECT DISTINCT ON (team_id) team_id, id AS officer_id FROM accounts_user
    WHERE role = 'OFFICER' AND username LIKE 'bench-officer-%%' ORDER BY team_id, id DESC
)
UPDATE caseload_rso r SET
    next_visit_due_on = CASE WHEN p.r < 0.60 AND r.next_visit_due_on IS NOT NULL
        THEN %(day)s + 90 ELSE r.next_visit_due_on END,
    last_visit_on = CASE WHEN p.r < 0.60 AND r.next_visit_due_on IS NOT NULL THEN %(day)s ELSE r.last_visit_on END,
    arms_review_due_on = CASE WHEN p.r >= 0.60 AND p.r < 0.75 THEN %(day)s + 365 ELSE r.arms_review_due_on END,
    arms_change_review_due_on = CASE WHEN p.r >= 0.60 AND p.r < 0.75 THEN NULL ELSE r.arms_change_review_due_on END,
    next_annual_notification_due = CASE WHEN p.r >= 0.75 AND p.r < 0.88 AND r.next_annual_notification_due IS NOT NULL
        THEN %(day)s + 365 ELSE r.next_annual_notification_due END,
    status = CASE WHEN p.r >= 0.88 AND p.r < 0.93 AND r.status = 'IN_COMMUNITY' THEN 'IN_CUSTODY'
        WHEN p.r >= 0.99 AND r.risk_level = 'LOW' AND r.status = 'IN_COMMUNITY' THEN 'NOTIFICATION_ENDED'
        ELSE r.status END,
    allocated_officer_id = CASE WHEN p.r >= 0.93 AND p.r < 0.99 AND r.risk_level = 'LOW'
        THEN m.officer_id ELSE r.allocated_officer_id END,
    updated_at = now(), version = r.version + 1
FROM picked p, moved_to m
WHERE r.id = p.id AND m.team_id = r.team_id
"""


@dataclass
class Dataset:
    rso_low: int
    rso_high: int
    counts: dict[str, int]


def sql(statement: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or {})
        return list(cursor.fetchall()) if cursor.description is not None else []


def generate(today: dt.date = TODAY) -> None:
    """Make the teams, officers, overrides, 70,000 RSOs, orders and vetting dates."""
    force = Force.objects.create(name="Bench Constabulary", code="BENCH")
    teams = Team.objects.bulk_create(Team(force=force, name=f"Bench team {n:02d}") for n in range(TEAMS))
    unusable = make_password(None)

    def user(username: str, role: str, team: Team) -> User:
        return User(
            username=username,
            first_name="Bench",
            last_name=username,
            email=f"{username}@example.invalid",
            role=role,
            team=team,
            force=force,
            vetting_level=VettingLevel.NPPV2,
            password=unusable,
        )

    sergeants = User.objects.bulk_create(
        user(f"bench-sergeant-{t:02d}", Role.SERGEANT, team) for t, team in enumerate(teams)
    )
    officers = User.objects.bulk_create(
        user(f"bench-officer-{n:03d}", Role.OFFICER, teams[n // OFFICERS_PER_TEAM]) for n in range(OFFICERS)
    )
    # The overrides open first, so the backstop lets those officers go over the rule.
    CapOverride.objects.bulk_create(
        CapOverride(
            officer=officer, created_by=sergeants[n // OFFICERS_PER_TEAM], reason="Benchmark: covering a vacancy."
        )
        for n, officer in enumerate(officers[:OVER_THE_RULE])
    )
    params: dict[str, Any] = {"today": today, "officers": OFFICERS, "over": OVER_THE_RULE}
    # One statement (and transaction) per batch of RSOs: the history triggers catch an
    # exception per row, and each caught exception walks the transaction's queue of
    # deferred foreign-key checks, so one statement of 70,000 rows takes minutes.
    sql("SELECT setseed(0.7)")
    for first in range(0, RSOS, RSO_BATCH):
        sql(RSO_INSERT, {**params, "first": first, "last": min(first + RSO_BATCH, RSOS) - 1})
    sql("ANALYZE caseload_rso")  # the same plans, so the same random() draws, in every test
    sql(ORDERS_INSERT, params)
    sql(PROHIBITIONS_INSERT, params)
    sql(VETTING_UPDATE, params)
    sql("ANALYZE")


def expected_open(today: dt.date = TODAY) -> dict[str, int]:
    return {str(kind): int(n) for kind, n in sql(EXPECTED_OPEN, {"today": today}) if n}


def open_by_kind() -> dict[str, int]:
    rows = sql("SELECT kind, count(*) FROM caseload_deadline WHERE state = ANY(%(open)s) GROUP BY kind", {"open": OPEN})
    return {str(kind): int(n) for kind, n in rows}


def keys_with_two_open_rows() -> int:
    rows = sql(
        "SELECT count(*) FROM (SELECT key FROM caseload_deadline WHERE state = ANY(%(open)s) "
        "GROUP BY key HAVING count(*) > 1) twice",
        {"open": OPEN},
    )
    return int(rows[0][0])


def empty_deadlines() -> None:
    sql("TRUNCATE caseload_deadline")


def settle() -> None:
    """What autovacuum does between nights: the engine's tables vacuumed and analysed."""
    sql("VACUUM ANALYZE caseload_deadline")
    sql("VACUUM ANALYZE caseload_rso")


def report(name: str, counts: dict[str, int]) -> None:
    print(f"\n{name}: " + ", ".join(f"{key}={value}" for key, value in sorted(counts.items())))


def server_cpu_seconds() -> float | None:
    """CPU time used so far by this connection's PostgreSQL backend, when the server runs
    on this machine (a busy shared machine inflates wall times; this does not)."""
    (pid,) = sql("SELECT pg_backend_pid()")[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """Sum the database CPU time of each timed round, for benchmark.extra_info."""

    def __init__(self) -> None:
        self.rounds: list[float] = []

    def run(self, work: Callable[[], Any]) -> Any:
        before = server_cpu_seconds()
        result = work()
        after = server_cpu_seconds()
        if before is not None and after is not None:
            self.rounds.append(after - before)
        return result

    def record(self, benchmark: Any) -> None:
        if self.rounds:
            benchmark.extra_info["db_cpu_seconds"] = [round(r, 2) for r in self.rounds]
            print(f"database CPU per round: {', '.join(f'{r:.2f}s' for r in self.rounds)}; load {os.getloadavg()}")


@pytest.fixture
def dataset(transactional_db: None) -> Dataset:
    generate()
    low, high = deadlines.rso_id_bounds()
    shape = {
        str(k): int(v)
        for k, v in sql(
            "SELECT 'rsos', count(*) FROM caseload_rso "
            "UNION ALL SELECT 'orders', count(*) FROM caseload_civilorder "
            "UNION ALL SELECT 'prohibitions', count(*) FROM caseload_prohibition "
            "UNION ALL SELECT 'officers_over_rule', count(*) FROM caseload_officercaseload WHERE 5 * high > total"
        )
    }
    report("data", shape)
    return Dataset(rso_low=low, rso_high=high, counts=shape)


def test_bench_cold_sweep_of_70000_rsos_opens_every_deadline_once(benchmark: Any, dataset: Dataset) -> None:
    results: list[dict[str, int]] = []
    cpu = CpuMeter()

    def sweep() -> None:
        results.append(cpu.run(lambda: services.deadlines_sweep(today=TODAY)))

    benchmark.pedantic(sweep, setup=empty_deadlines, rounds=3, iterations=1, warmup_rounds=0)
    report("cold sweep", results[-1])
    cpu.record(benchmark)
    opened = open_by_kind()
    assert opened == expected_open()
    assert sum(opened.values()) > 250_000
    assert keys_with_two_open_rows() == 0
    # States follow the calendar: visits 7+ days late are escalated, none is left behind.
    (escalated_visits,) = sql(
        "SELECT count(*) FROM caseload_rso WHERE status = 'IN_COMMUNITY' AND next_visit_due_on <= %(day)s",
        {"day": TODAY - dt.timedelta(days=7)},
    )[0]
    (escalated_rows,) = sql(
        "SELECT count(*) FROM caseload_deadline WHERE kind = 'VISIT' AND state = 'ESCALATED'",
    )[0]
    assert escalated_rows == escalated_visits > 0
    assert opened["CAP_BREACH"] == OVER_THE_RULE


def test_bench_nightly_sweep_the_next_day_moves_states_forward(benchmark: Any, dataset: Dataset) -> None:
    empty_deadlines()
    services.deadlines_sweep(today=TODAY)
    settle()
    days = iter(range(1, 100))
    results: list[dict[str, int]] = []
    cpu = CpuMeter()

    def next_day() -> tuple[tuple[()], dict[str, Any]]:
        return (), {"today": TODAY + dt.timedelta(days=next(days))}

    def sweep(today: dt.date) -> None:
        results.append(cpu.run(lambda: services.deadlines_sweep(today=today)))

    benchmark.pedantic(sweep, setup=next_day, rounds=5, iterations=1, warmup_rounds=0)
    report("warm sweep (last round)", results[-1])
    cpu.record(benchmark)
    assert results[-1].get("now_due_soon", 0) > 0
    assert results[-1].get("opened", 0) == 0
    assert keys_with_two_open_rows() == 0


def test_bench_nightly_sweep_after_5_percent_of_rsos_changed(benchmark: Any, dataset: Dataset) -> None:
    empty_deadlines()
    services.deadlines_sweep(today=TODAY)
    settle()
    days = iter(range(1, 100))
    results: list[dict[str, int]] = []
    cpu = CpuMeter()

    def churn() -> tuple[tuple[()], dict[str, Any]]:
        day = next(days)
        sql(CHURN_UPDATE, {"slot": day % 20, "day": TODAY + dt.timedelta(days=day)})
        return (), {"today": TODAY + dt.timedelta(days=day)}

    def sweep(today: dt.date) -> None:
        results.append(cpu.run(lambda: services.deadlines_sweep(today=today)))

    benchmark.pedantic(sweep, setup=churn, rounds=3, iterations=1, warmup_rounds=0)
    report("sweep after 5% changed (last round)", results[-1])
    cpu.record(benchmark)
    last = results[-1]
    assert last.get("closed_done", 0) > 1000
    assert last.get("opened", 0) > 1000
    assert last.get("rerouted", 0) > 0
    assert open_by_kind() == expected_open(TODAY + dt.timedelta(days=3))
    assert keys_with_two_open_rows() == 0


def test_bench_one_rso_recompute_inside_a_request_on_70000_rsos(benchmark: Any, dataset: Dataset) -> None:
    day = TODAY + dt.timedelta(days=10)
    services.deadlines_sweep(today=day)  # that night's sweep ran, then the visits are recorded
    settle()
    next_due = day + dt.timedelta(days=180)
    visited = [
        rso_id
        for (rso_id,) in sql(
            "SELECT id FROM caseload_rso WHERE status = 'IN_COMMUNITY' AND next_visit_due_on <> %(due)s ORDER BY id",
            {"due": next_due},
        )
    ]
    ids = iter(visited[:: len(visited) // 200])
    results: list[dict[str, int]] = []

    def visit_done() -> tuple[tuple[()], dict[str, Any]]:
        # What a recorded visit does before the recompute: the next visit gets a new date.
        rso_id = next(ids)
        sql(
            "UPDATE caseload_rso SET next_visit_due_on = %(due)s WHERE id = %(id)s",
            {"due": next_due, "id": rso_id},
        )
        return (), {"rso_id": rso_id}

    def recompute(rso_id: int) -> None:
        with transaction.atomic():
            results.append(deadlines.recompute_rso(rso_id=rso_id, today=day, now=timezone.now()))

    benchmark.pedantic(recompute, setup=visit_done, rounds=200, iterations=1, warmup_rounds=0)
    # Each recompute replaced that RSO's visit: one row closed, one opened.
    assert sum(n for r in results for key, n in r.items() if key.startswith("closed_")) == 200
    assert sum(r.get("opened", 0) for r in results) == 200
    assert keys_with_two_open_rows() == 0
