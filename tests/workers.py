"""Start real Celery processes (worker, beat) against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    """Return a DATABASE_URL for the test database, for another process to use."""
    settings = connection.settings_dict
    name = settings["NAME"]
    if settings["ENGINE"] == "mosovo.db.embedded":
        from mosovo import embedded_db

        return f"postgresql://postgres:@/{name}?host={embedded_db.socket_host()}"
    user = quote(settings.get("USER") or "")
    password = quote(settings.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings.get("HOST") or "localhost"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgresql://{credentials}{host}{port}/{name}"


def worker_env(broker_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "mosovo.settings.test",
            "DATABASE_URL": test_database_url(),
            "CELERY_BROKER_URL": broker_url,
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


@contextmanager
def celery_process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``celery -A mosovo <args>`` until the block ends; its output goes to ``log``."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "mosovo", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str, log: Path | None = None) -> None:
    """Poll until ``condition()`` is true; fail with the process log if it never is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    detail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{detail}")


# --- worker: Redis, sending, and what a worker did (the deadline engine's tests) ---------


def redis_url() -> str:
    """Return the Redis the Celery tests use: CELERY_BROKER_URL if it is Redis, else local."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith("redis://") else "redis://127.0.0.1:6379/0"


def redis_available(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def closed_port_url() -> str:
    """Return a redis:// URL on a local port nothing listens on (a broker that is down)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def send(url: str, queue: str, name: str, *args: object) -> str:
    """Send the task ``name`` with ``args`` to ``queue`` on the broker at ``url``; return its id."""
    from mosovo.celery import app

    with app.connection_for_write(url) as connection:
        return str(app.send_task(name, args=list(args), queue=queue, connection=connection).id)


def task_succeeded(log: Path, task_id: str) -> bool:
    """Whether a worker started with ``-l INFO`` logged that the task ``task_id`` succeeded."""
    return log.exists() and f"[{task_id}] succeeded" in log.read_text(errors="replace")


def _reset_app_pools() -> None:
    # What Celery itself does after a fork: forget the broker connection and producer
    # pools, so the next send connects to the broker the configuration names now.
    import kombu.pools

    from mosovo.celery import app

    kombu.pools.reset()
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]
    # The routing table and the router are built on the first send and kept: forget
    # them too, or routes set for a test are ignored after any earlier send.
    app.amqp._rtable = None  # type: ignore[attr-defined]
    app.amqp.__dict__.pop("router", None)


@contextmanager
def app_broker(url: str, routes: dict[str, dict[str, str]] | None = None) -> Iterator[None]:
    """Point this process's Celery app (what ``delay`` sends with) at the broker ``url``,
    with ``routes`` (``task_routes``), until the block ends; then put everything back."""
    from mosovo.celery import app

    saved = {"broker_url": app.conf.broker_url, "task_routes": app.conf.task_routes}
    # Celery prefers the CELERY_BROKER_URL environment variable (set in CI) to its
    # configuration, so the variable is pointed at ``url`` too for the block.
    saved_env = os.environ.get("CELERY_BROKER_URL")
    _reset_app_pools()
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.update(broker_url=url, task_routes=routes or {})
    try:
        yield
    finally:
        _reset_app_pools()
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        app.conf.update(saved)


def mail_messages(folder: Path) -> list[Message]:
    """Parse every message Django's file mail backend wrote into ``folder``."""
    separator = b"\n" + b"-" * 79 + b"\n"
    messages: list[Message] = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_bytes().split(separator):
            if chunk.strip():
                messages.append(message_from_bytes(chunk))
    return messages


def mail_text(message: Message) -> str:
    """Return the plain text body of a parsed (single part) message."""
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()
