"""docker-compose.yml describes the production shape and validates."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]


def compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def run_config(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = compose_command()
    require_service(command is not None, "docker compose (or docker-compose)")
    assert command is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "POSTGRES_"))}
    env.update(extra_env)
    return subprocess.run(
        [*command, "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_compose_file_validates_with_web_worker_beat_postgres_and_redis() -> None:
    result = run_config({"DJANGO_SECRET_KEY": "k" * 60})
    assert result.returncode == 0, result.stderr
    import yaml

    config = yaml.safe_load(result.stdout)
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(config["services"])
    for name in ("web", "worker", "beat"):
        environment = config["services"][name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "mosovo.settings.production"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["CELERY_BROKER_URL"].startswith("redis://")
    assert "--concurrency" not in " ".join(config["services"]["beat"]["command"])


def test_compose_refuses_to_start_without_a_secret_key() -> None:
    result = run_config({})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_every_process_uses_the_same_image(service: str) -> None:
    import yaml

    raw = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert raw["services"][service]["image"] == "mosovo:latest"
