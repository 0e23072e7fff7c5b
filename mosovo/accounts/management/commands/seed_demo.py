"""Create the demo force, teams and users (only with MOSOVO_DEMO=1). Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from mosovo.accounts.choices import Role, TrainingCourse, VettingLevel
from mosovo.accounts.demo import demo_seeders
from mosovo.accounts.mfa import demo_device_ensure
from mosovo.accounts.models import Force, Team, TrainingRecord, User
from mosovo.accounts.services import user_create

# One password for every demo account, printed by `make run`. Demo accounts exist only
# in demo mode; a real deployment has none.
DEMO_PASSWORD = "mosovo-demo-2026"

FORCE = ("Wessex Vale Police (demo)", "WVP")
TEAMS = [
    ("North MOSOVO Unit", "north", ("Priya", "Okafor")),
    ("South MOSOVO Unit", "south", ("Tom", "Hargreaves")),
    ("East MOSOVO Unit", "east", ("Aisha", "Brennan")),
]
OFFICER_NAMES = [
    ("Sam", "Whitfield"),
    ("Jordan", "Patel"),
    ("Chris", "Adeyemi"),
    ("Alex", "Morgan"),
    ("Ellie", "Fraser"),
    ("Dan", "Kowalski"),
    ("Nadia", "Hussain"),
    ("Owen", "Price"),
    ("Grace", "Lindqvist"),
    ("Ravi", "Chandra"),
    ("Megan", "Doyle"),
    ("Luke", "Osei"),
]


def demo_accounts() -> list[tuple[str, str]]:
    """Return (username, description) for every demo account, for `make run` to print."""
    rows: list[tuple[str, str]] = []
    for name, slug, _ in TEAMS:
        rows.append((f"sgt.{slug}", f"Sergeant, {name}"))
        rows.extend((f"officer.{slug}{i}", f"Officer, {name}") for i in range(1, 5))
    rows += [("inspector", "Inspector, whole force"), ("admin", "System administrator"), ("auditor", "Auditor")]
    return rows


class Command(BaseCommand):
    help = "Create the demo force, teams and users (MOSOVO_DEMO=1 only). Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("seed_demo only runs in demo mode: set MOSOVO_DEMO=1.")
        with transaction.atomic():
            created = self._seed()
        self.stdout.write(f"Demo data ready ({created} accounts created).")
        # Higher apps add their demo data (registered in their AppConfig.ready).
        for name, seeder in demo_seeders():
            with transaction.atomic():
                summary = seeder()
            self.stdout.write(f"{name}: {summary}")

    def _seed(self) -> int:
        today = timezone.localdate()
        force, _ = Force.objects.get_or_create(code=FORCE[1], defaults={"name": FORCE[0]})
        created = 0

        def ensure(username: str, role: Role, first: str, last: str, team: Team | None = None) -> None:
            nonlocal created
            existing = User.objects.filter(username=username).first()
            if existing is not None:
                demo_device_ensure(user=existing)
                return
            user = user_create(
                username=username,
                role=role,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                email=f"{username}@example.invalid",
                team=team,
                force=force,
                vetting_level=VettingLevel.NPPV2 if role != Role.ADMIN else VettingLevel.NPPV3,
                vetting_expires_on=today + dt.timedelta(days=400 + 97 * created),
            )
            demo_device_ensure(user=user)
            if role in (Role.OFFICER, Role.SERGEANT):
                for course in TrainingCourse:
                    TrainingRecord.objects.create(
                        user=user, course=course, completed_on=today - dt.timedelta(days=300 + 11 * created)
                    )
            created += 1

        names = iter(OFFICER_NAMES)
        for team_name, slug, (sgt_first, sgt_last) in TEAMS:
            team, _ = Team.objects.get_or_create(force=force, name=team_name)
            ensure(f"sgt.{slug}", Role.SERGEANT, sgt_first, sgt_last, team)
            for i in range(1, 5):
                first, last = next(names)
                ensure(f"officer.{slug}{i}", Role.OFFICER, first, last, team)
        ensure("inspector", Role.INSPECTOR, "Helen", "Marsh")
        ensure("admin", Role.ADMIN, "Ian", "Castle")
        ensure("auditor", Role.AUDITOR, "Ruth", "Feld")
        return created
