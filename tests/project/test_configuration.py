"""Configuration: production refuses to start without what it needs, and passes --deploy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "DJANGO_SETTINGS_MODULE": "mosovo.settings.production",
    "DJANGO_SECRET_KEY": "x9!Kq2#vL7@pR4$wZ1^mN8&bT5*cY3(eH6)jU0_gF-aS+dW=oI",
    "DATABASE_URL": "postgres://mosovo:secret@db.internal:5432/mosovo",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "DJANGO_ALLOWED_HOSTS": "mosovo.force.police.uk",
}


def manage(*args: str, **env_changes: str | None) -> subprocess.CompletedProcess[str]:
    # The browser tests allow async-unsafe ORM calls in this process; not in a deployment.
    env = {k: v for k, v in os.environ.items() if k not in GOOD and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(GOOD)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deployment_checks() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_SECRET_KEY", None, "DJANGO_SECRET_KEY is not set"),
        ("DJANGO_SECRET_KEY", "short", "DJANGO_SECRET_KEY is too short"),
        ("DATABASE_URL", None, "DATABASE_URL is not set"),
        ("DATABASE_URL", "sqlite:///db.sqlite3", "DATABASE_URL must be a PostgreSQL URL"),
        ("DATABASE_URL", "mysql://u:p@h/db", "DATABASE_URL must be a PostgreSQL URL"),
        ("DATABASE_URL", "postgres://u:p@h:5432/", "DATABASE_URL has no database name"),
        ("CELERY_BROKER_URL", None, "CELERY_BROKER_URL is not set"),
        ("DJANGO_ALLOWED_HOSTS", None, "DJANGO_ALLOWED_HOSTS is not set"),
    ],
)
def test_production_refuses_to_start_with_one_line_naming_the_variable(
    variable: str, value: str | None, message: str
) -> None:
    result = manage("check", **{variable: value})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("settings_module", ["mosovo.settings.production", "mosovo.settings.local"])
def test_debug_is_off_unless_asked_for(settings_module: str) -> None:
    code = "from django.conf import settings; print('DEBUG', settings.DEBUG)"
    result = manage("shell", "-c", code, DJANGO_SETTINGS_MODULE=settings_module, DJANGO_DEBUG=None)
    assert result.stdout.strip().splitlines()[-1] == "DEBUG False"
