"""The deadline engine's tasks on a real worker and real Redis (security.md s.5).

TASK-01 a task run twice has one effect; TASK-02 a worker killed part way through the
sweep leaves no duplicates and a new worker finishes the work; TASK-05 a rolled back
transaction sends nothing; and with Redis down pages still serve, then the sweep
catches up. Each test starts ``celery -A mosovo worker`` (solo pool) on a queue of its
own, against the test database; mail goes to files (``tests/worker_settings.py``).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from caseload import services
from caseload.choices import OPEN_DEADLINE_STATES, DeadlineKind, DeadlineState, RiskLevel
from caseload.models import RSO, CapOverride, Deadline, DigestSent
from caseload.schedule import schedule_recompute
from caseload.tasks import DIGESTS, SWEEP
from mosovo.accounts.models import Team, User
from mosovo.ops.models import PeriodicTaskStatus
from tests.conftest import Personas, require_service, verified_login
from tests.factories import OfficerFactory, RSOFactory
from tests.workers import (
    app_broker,
    celery_process,
    closed_port_url,
    mail_messages,
    mail_text,
    redis_available,
    redis_url,
    send,
    task_succeeded,
    wait_for,
    worker_env,
)

DIGEST = "caseload.digest_send"
CATCH_UP = "caseload.deadlines_catch_up"
NOTIFY = "caseload.cases_moved_notify"
# A worker restores every message taken but not acknowledged for longer than its
# visibility timeout *in its Redis database*. These tests shorten that timeout, so they
# keep to a database of their own: they never hand another test's task in flight to a
# second worker, and no other test's worker takes theirs.
REDIS_DB = 12
VISIBILITY_TIMEOUT = 5


# --- Helpers -----------------------------------------------------------------------------


@dataclass
class Broker:
    url: str
    queue: str
    client: redis.Redis

    def queued(self) -> list[tuple[str, list[Any]]]:
        """The messages waiting in this test's queue: (task name, positional args)."""
        found = []
        for raw in self.client.lrange(self.queue, 0, -1):
            message = json.loads(raw)
            args = json.loads(base64.b64decode(message["body"]))[0]
            found.append((message["headers"]["task"], args))
        return found


@pytest.fixture
def broker() -> Iterator[Broker]:
    parts = urlsplit(redis_url())
    url = urlunsplit(parts._replace(path=f"/{REDIS_DB}"))
    require_service(redis_available(url), f"Redis at {url}")
    queue = f"test-deadlines-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(url)
    yield Broker(url, queue, client)
    for key in client.scan_iter(match=f"*{queue}*"):  # only this test's queue and binding
        client.delete(key)
    # A worker killed outright leaves its remote-control binding behind; take it out.
    pidbox = "_kombu.binding.celery.pidbox"
    left = [member for member in client.smembers(pidbox) if queue.encode() in member]
    if left:
        client.srem(pidbox, *left)
    client.close()


def start_worker(broker: Broker, log: Path, name: str, **env: str) -> AbstractContextManager[Popen[bytes]]:
    """Start a worker on the test's queue; it stops (SIGTERM, then SIGKILL) when the block ends.

    The solo pool runs tasks in the worker's one process: killing that process is a
    worker lost with its task, as when a container or machine dies.
    """
    args = ["worker", "--pool=solo", "-Q", broker.queue, "-n", f"{name}-{broker.queue}@%h"]
    args += ["--without-mingle", "--without-gossip", "-l", "INFO"]
    settings = {"DJANGO_SETTINGS_MODULE": "tests.worker_settings", **env}
    return celery_process(args, worker_env(broker.url, **settings), log)


def finished(log: Path, task_id: str, what: str) -> None:
    wait_for(lambda: task_succeeded(log, task_id), timeout=45, what=what, log=log)


def away_from_midnight() -> None:
    """Wait out the last two minutes of the day: the worker and the test each read the
    date, and a sweep just before midnight and one just after rightly differ."""
    now = timezone.localtime()
    midnight = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    if (midnight - now).total_seconds() < 120:
        time.sleep((midnight - now).total_seconds() + 2)


def cases_due(officer: User, offsets: list[int]) -> list[RSO]:
    """Cases of the officer whose next home visit was due ``offset`` days from today."""
    today = timezone.localdate()
    cases = [RSOFactory.create(team=officer.team, allocated_officer=officer) for _ in offsets]
    for case, offset in zip(cases, offsets, strict=True):
        RSO.objects.filter(pk=case.pk).update(next_visit_due_on=today + dt.timedelta(days=offset))
    return cases


def deadline_rows() -> list[tuple[Any, ...]]:
    """Every deadline row with every stamp the engine writes."""
    return list(
        Deadline.objects.order_by("id").values_list(
            "id", "key", "due_on", "state", "owner_id", "due_soon_at", "overdue_at", "escalated_at", "updated_at"
        )
    )


def duplicates() -> tuple[list[Any], list[Any]]:
    """Keys with two rows for one date, and keys with two open rows (both must be empty)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, due_on FROM caseload_deadline GROUP BY key, due_on HAVING count(*) > 1")
        same_date = cursor.fetchall()
        cursor.execute(
            "SELECT key FROM caseload_deadline WHERE state = ANY(%s) GROUP BY key HAVING count(*) > 1",
            [[str(state) for state in OPEN_DEADLINE_STATES]],
        )
        open_twice = cursor.fetchall()
    return same_date, open_twice


def runs(name: str) -> int:
    status = PeriodicTaskStatus.objects.filter(name=name).first()
    return status.run_count if status else 0


@dataclass
class OverTheLimit:
    """Officer A over the 20% rule by a sergeant's override (a second case raised to high
    risk), two colleagues with room, and the moves that put everyone back within it."""

    high_case: RSO
    low_case: RSO
    first: User
    second: User
    breach: Deadline

    @property
    def moves(self) -> list[tuple[int, int, int]]:
        officer = self.high_case.allocated_officer_id
        assert officer is not None
        return [(self.high_case.pk, officer, self.first.pk), (self.low_case.pk, officer, self.second.pk)]


def team_over_the_limit(personas: Personas) -> OverTheLimit:
    officer, sergeant = personas.officer_a, personas.sergeant_a
    high_case, low_case = (RSOFactory.create(team=personas.team_a, allocated_officer=officer) for _ in range(2))
    services.rso_change_risk_level(
        rso=high_case,
        risk_level=RiskLevel.HIGH,
        reason="New intelligence about contact with children.",
        by=sergeant,
        override_reason="The only officer trained for this kind of case.",
    )
    first, second = (OfficerFactory.create(team=personas.team_a) for _ in range(2))
    for colleague in (first, second):
        for _ in range(4):
            RSOFactory.create(team=personas.team_a, allocated_officer=colleague)
    breach = Deadline.objects.get(kind=DeadlineKind.CAP_BREACH, subject_user=officer, state__in=OPEN_DEADLINE_STATES)
    high_case.refresh_from_db()
    return OverTheLimit(high_case, low_case, first, second, breach)


# --- TASK-01: a task run twice has one effect --------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_task_01_the_sweep_and_a_digest_each_sent_twice_have_one_effect(
    personas: Personas, broker: Broker, tmp_path: Path
) -> None:
    away_from_midnight()
    officer = personas.officer_a
    # Visits a fortnight late (escalated), two days late (overdue), due in three days.
    cases = cases_due(officer, [-14, -14, -2, -2, 3, 3])
    mail, log = tmp_path / "mail", tmp_path / "worker.log"
    mail.mkdir()
    with start_worker(broker, log, "task01", EMAIL_URL=f"filemail:///{mail}"):
        first = send(broker.url, broker.queue, SWEEP)
        finished(log, first, "the first sweep")
        after_first = deadline_rows()
        second = send(broker.url, broker.queue, SWEEP)
        finished(log, second, "the second sweep")
        after_second = deadline_rows()

        day = timezone.localdate().isoformat()
        digests = [send(broker.url, broker.queue, DIGEST, officer.pk, day) for _ in range(2)]
        for task_id in digests:
            finished(log, task_id, "a digest")

    # The second sweep changed nothing: same rows, states and stamps (escalated_at included).
    assert after_second == after_first
    assert duplicates() == ([], [])
    visits = {d.rso_id: d for d in Deadline.objects.filter(kind=DeadlineKind.VISIT)}
    assert set(visits) == {case.pk for case in cases}
    states = [visits[case.pk].state for case in cases]
    assert states == [DeadlineState.ESCALATED] * 2 + [DeadlineState.OVERDUE] * 2 + [DeadlineState.DUE_SOON] * 2
    escalated = [d for d in visits.values() if d.state == DeadlineState.ESCALATED]
    assert len(escalated) == 2
    assert all(d.escalated_at is not None for d in escalated)
    assert runs(SWEEP) == 2

    # One digest: one claim and one email, listing the six tasks by reference.
    claim = DigestSent.objects.get(user=officer)
    assert (claim.day.isoformat(), claim.items) == (day, 6)
    messages = mail_messages(mail)
    assert [message["To"] for message in messages] == [officer.email]
    body = mail_text(messages[0])
    assert all(case.visor_reference in body for case in cases)


# --- TASK-02: a worker killed part way through the sweep ---------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_task_02_a_worker_killed_mid_sweep_leaves_no_duplicates_and_a_new_worker_finishes_once(
    personas: Personas, broker: Broker, tmp_path: Path
) -> None:
    away_from_midnight()
    offsets = [-20, -3, 0, 5, 40, 200] * 5
    cases = cases_due(personas.officer_a, offsets)
    # Every case also has an ARMS review due, so each range commits two kinds together.
    RSO.objects.filter(pk__in=[c.pk for c in cases]).update(arms_review_due_on=timezone.localdate())
    # Six ranges of five cases, a second between them: time to stop the worker part way.
    slow = {"MOSOVO_DEADLINE_SWEEP_CHUNK": "5", "MOSOVO_DEADLINE_SWEEP_PAUSE": "1.0"}
    timeout = {"MOSOVO_CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}

    def cases_with_deadlines() -> int:
        return Deadline.objects.filter(kind=DeadlineKind.VISIT).values("rso_id").distinct().count()

    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    with start_worker(broker, first_log, "task02a", **slow, **timeout) as first_worker:
        task_id = send(broker.url, broker.queue, SWEEP)
        wait_for(lambda: cases_with_deadlines() > 0, timeout=45, what="the first range to commit", log=first_log)
        killed_at = time.monotonic()  # after the worker took the message
        # SIGKILL: no warm shutdown, no acknowledgement, no chance to requeue; the
        # message waits in Redis, taken and unacknowledged. (Solo pool: this is the
        # only process of the worker, so nothing of it survives.)
        first_worker.kill()
        first_worker.wait(timeout=10)

    done_before = cases_with_deadlines()
    assert 0 < done_before < len(cases), "the worker was not stopped part way through the sweep"
    assert f"[{task_id}] succeeded" not in first_log.read_text(errors="replace")
    assert runs(SWEEP) == 0
    assert duplicates() == ([], [])

    # Redis hands the message on once its visibility timeout has passed since it was
    # taken; a worker looks for such messages as it starts, so start the next one after.
    time.sleep(max(0.0, killed_at + VISIBILITY_TIMEOUT + 1 - time.monotonic()))
    with start_worker(broker, second_log, "task02b", **timeout):
        finished(second_log, task_id, "the new worker to finish the same message's sweep")

    assert runs(SWEEP) == 1
    assert duplicates() == ([], [])
    for kind in (DeadlineKind.VISIT, DeadlineKind.ARMS_REVIEW):
        rows = Deadline.objects.filter(kind=kind, state__in=OPEN_DEADLINE_STATES)
        assert sorted(rows.values_list("rso_id", flat=True)) == sorted(c.pk for c in cases)
    # Nothing is left undone: a sweep now opens and closes nothing.
    again = services.deadlines_sweep()
    assert again.get("opened", 0) == 0
    assert not any(count for name, count in again.items() if name.startswith("closed"))
    assert broker.queued() == []


# --- TASK-05: a rolled back transaction sends nothing ------------------------------------


class RolledBack(Exception):
    pass


def apply_then_roll_back(team: Team, moves: list[tuple[int, int, int]], *, by: User) -> None:
    """Apply a rebalancing (it succeeds), then fail later in the same transaction."""
    with transaction.atomic():
        services.cap_rebalance_apply(team=team, moves=moves, by=by)
        raise RolledBack


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_task_05_a_rolled_back_rebalancing_sends_nothing_and_a_committed_one_mails_each_receiver_once(
    personas: Personas, broker: Broker, tmp_path: Path
) -> None:
    team = team_over_the_limit(personas)
    sergeant = personas.sergeant_a
    with app_broker(broker.url, routes={NOTIFY: {"queue": broker.queue}}):
        with pytest.raises(RolledBack):
            apply_then_roll_back(personas.team_a, team.moves, by=sergeant)
        assert broker.queued() == []
        assert RSO.objects.get(pk=team.high_case.pk).allocated_officer_id == personas.officer_a.pk

        services.cap_rebalance_apply(team=personas.team_a, moves=team.moves, by=sergeant)
    # Sent on commit: one message per receiving officer, with the cases moved to them.
    assert sorted(broker.queued()) == sorted(
        [(NOTIFY, [team.first.pk, [team.high_case.pk]]), (NOTIFY, [team.second.pk, [team.low_case.pk]])]
    )

    mail, log = tmp_path / "mail", tmp_path / "worker.log"
    mail.mkdir()
    with start_worker(broker, log, "task05", EMAIL_URL=f"filemail:///{mail}"):
        notices = re.compile(rf"Task {re.escape(NOTIFY)}\[[-0-9a-f]+\] succeeded")
        wait_for(lambda: len(notices.findall(log.read_text())) == 2, timeout=45, what="both notices", log=log)
        wait_for(lambda: broker.queued() == [], timeout=5, what="the queue to empty", log=log)
    received = {message["To"]: mail_text(message) for message in mail_messages(mail)}
    assert len(mail_messages(mail)) == 2
    assert sorted(received) == sorted([team.first.email, team.second.email])
    assert team.high_case.visor_reference in received[team.first.email]
    assert team.low_case.visor_reference in received[team.second.email]


# --- Redis down --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_pages_serve_writes_recompute_deadlines_and_rebalancing_completes(
    personas: Personas, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    officer = personas.officer_a
    today = timezone.localdate()
    approved = today - dt.timedelta(days=200)
    case = RSOFactory.create(
        team=personas.team_a, allocated_officer=officer, risk_level=RiskLevel.MEDIUM, arms_last_approved_on=approved
    )
    for _ in range(4):  # room under the 20% rule for one high-risk case
        RSOFactory.create(team=personas.team_a, allocated_officer=officer)
    with transaction.atomic():
        schedule_recompute(rso=case)
    review = Deadline.objects.get(kind=DeadlineKind.ARMS_REVIEW, rso=case)
    assert review.state == DeadlineState.UPCOMING  # medium risk: reviewed 12 months on

    with app_broker(closed_port_url()):
        verified_login(client, officer)
        pages = [
            reverse("caseload:tasks"),
            reverse("caseload:rso_list"),
            reverse("caseload:rso_detail", args=[case.pk]),
        ]
        for page in pages:
            started = time.monotonic()
            assert client.get(page).status_code == 200, page
            assert time.monotonic() - started < 5, f"{page} was slow with the broker down"

        # Raising the risk recomputes the deadlines in the request: a high-risk case is
        # reviewed 6 months on, so the review is now a fortnight and more late.
        answer = client.post(
            reverse("caseload:rso_risk_change", args=[case.pk]),
            {
                "risk-risk_level": RiskLevel.HIGH,
                "risk-reason": "Breach of a prohibition.",
                "risk-version": case.version,
            },
        )
        assert answer.status_code == 302
        review.refresh_from_db()
        assert review.state == DeadlineState.CANCELLED  # replaced by the earlier date
        now_due = Deadline.objects.get(kind=DeadlineKind.ARMS_REVIEW, rso=case, state__in=OPEN_DEADLINE_STATES)
        assert now_due.due_on < today - dt.timedelta(days=7)
        assert now_due.state == DeadlineState.ESCALATED

        # A rebalancing sends its notices on commit; with the broker down the sergeant's
        # request still completes and the moves stand (the notices are logged as lost).
        team = team_over_the_limit(personas)
        verified_login(client, personas.sergeant_a)
        started = time.monotonic()
        answer = client.post(
            reverse("caseload:cap_breach_apply", args=[team.breach.pk]),
            {"move": [f"{rso}:{source}:{target}" for rso, source, target in team.moves]},
        )
        assert (answer.status_code, answer["Location"]) == (302, reverse("caseload:team_tasks"))
        assert time.monotonic() - started < 10
    assert "send_task in on_commit()" in caplog.text  # each lost notice is logged
    assert RSO.objects.get(pk=team.high_case.pk).allocated_officer_id == team.first.pk
    assert not CapOverride.objects.filter(officer=personas.officer_a, resolved_at__isnull=True).exists()
    team.breach.refresh_from_db()
    assert team.breach.state == DeadlineState.DONE


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_after_a_missed_night_the_catch_up_runs_the_sweep_once(
    personas: Personas, broker: Broker, tmp_path: Path
) -> None:
    # Beat could not send last night's sweep (Redis was down); the catch-up, every ten
    # minutes once it is back, runs it. "00:00" has passed at any time of day.
    away_from_midnight()
    cases = cases_due(personas.officer_a, [-10, 1, 30])
    now = timezone.now()
    PeriodicTaskStatus.objects.create(
        name=SWEEP, last_started_at=now - dt.timedelta(days=1), last_finished_at=now - dt.timedelta(days=1), run_count=5
    )
    PeriodicTaskStatus.objects.create(name=DIGESTS, last_started_at=now, last_finished_at=now, run_count=1)
    log = tmp_path / "worker.log"
    at = {"MOSOVO_DEADLINE_SWEEP_AT": "00:00", "MOSOVO_DIGEST_AT": "00:00"}
    with start_worker(broker, log, "catchup", **at):
        finished(log, send(broker.url, broker.queue, CATCH_UP), "the first catch-up")
        assert runs(SWEEP) == 6
        visits = Deadline.objects.filter(kind=DeadlineKind.VISIT)
        assert sorted(visits.values_list("rso_id", flat=True)) == sorted(c.pk for c in cases)
        rows = deadline_rows()
        finished(log, send(broker.url, broker.queue, CATCH_UP), "the second catch-up")

    assert runs(SWEEP) == 6  # already ran today: the second check does nothing
    assert deadline_rows() == rows
    assert runs(DIGESTS) == 1  # the digests had gone out today
    status = PeriodicTaskStatus.objects.get(name=SWEEP)
    assert status.last_started_at is not None
    assert status.last_started_at > now
    assert log.read_text().count(f"{SWEEP} missed its time today") == 1
