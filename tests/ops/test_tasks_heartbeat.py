"""The heartbeat proves a real worker (and beat) runs the periodic tasks."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import redis

from mosovo.celery import app as celery_app
from mosovo.ops import services
from mosovo.ops.models import PeriodicTaskStatus
from mosovo.ops.tasks import heartbeat
from tests.conftest import require_service
from tests.workers import celery_process, wait_for, worker_env


def _redis_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith("redis://") else "redis://127.0.0.1:6379/0"


def _redis_available(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _heartbeats() -> int:
    status = PeriodicTaskStatus.objects.filter(name="heartbeat").first()
    return status.run_count if status else 0


def test_heartbeat_service_records_each_run(db: None) -> None:
    services.heartbeat()
    status = services.heartbeat()
    assert status.run_count == 2
    assert status.last_finished_at is not None
    assert status.last_duration_ms is not None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_runs_the_heartbeat_task(tmp_path: Path) -> None:
    url = _redis_url()
    require_service(_redis_available(url), f"Redis at {url}")
    queue = f"test-heartbeat-{uuid.uuid4().hex}"  # no other worker on this Redis takes it
    log = tmp_path / "worker.log"
    args = ["worker", "--pool=solo", "-Q", queue, "--without-mingle", "--without-gossip", "-l", "INFO"]
    with celery_process(args, worker_env(url), log):
        with celery_app.connection_for_write(url) as connection:
            celery_app.send_task(heartbeat.name, queue=queue, connection=connection)
        wait_for(lambda: _heartbeats() == 1, timeout=60, what="the worker to run the heartbeat", log=log)


@pytest.mark.django_db(transaction=True)
def test_beat_and_worker_on_the_embedded_filesystem_broker_keep_the_heartbeat(tmp_path: Path) -> None:
    # The shape `make run` uses: no broker server, beat sending every second.
    env = worker_env(
        "filesystem://",
        MOSOVO_CELERY_DIR=str(tmp_path / "celery"),
        MOSOVO_HEARTBEAT_SECONDS="1",
    )
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    with (
        celery_process(["worker", "--pool=solo", "-l", "INFO"], env, worker_log),
        celery_process(["beat", "-l", "INFO"], env, beat_log),
    ):
        wait_for(lambda: _heartbeats() >= 2, timeout=90, what="two heartbeats from beat", log=beat_log)
