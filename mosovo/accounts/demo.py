"""Demo data from higher apps: each registers a seeder here in its ``AppConfig.ready``.

``manage.py seed_demo`` creates the force, teams and users, then runs the seeders in the
order they were registered (the apps' order in INSTALLED_APPS). Each must be idempotent.
"""

from __future__ import annotations

from collections.abc import Callable

_seeders: list[tuple[str, Callable[[], str]]] = []


def register_demo_seeder(name: str, seeder: Callable[[], str]) -> None:
    """Register a function that adds demo data and returns a one-line summary."""
    if all(existing != name for existing, _ in _seeders):
        _seeders.append((name, seeder))


def demo_seeders() -> list[tuple[str, Callable[[], str]]]:
    return list(_seeders)
