"""Demo data: only in demo mode, idempotent, with every role present."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from mosovo.accounts.choices import Role
from mosovo.accounts.management.commands.seed_demo import DEMO_PASSWORD
from mosovo.accounts.models import Force, Team, User


@override_settings(DEMO_MODE=True)
def test_seed_demo_creates_a_force_three_teams_and_every_role(db: None) -> None:
    call_command("seed_demo", stdout=StringIO())
    assert Force.objects.count() == 1
    assert Team.objects.count() == 3
    for team in Team.objects.all():
        assert team.members.filter(role=Role.SERGEANT).count() == 1
        assert team.members.filter(role=Role.OFFICER).count() == 4
    for role in (Role.INSPECTOR, Role.ADMIN, Role.AUDITOR):
        assert User.objects.filter(role=role).count() == 1
    assert User.objects.get(username="officer.north1").check_password(DEMO_PASSWORD)


@override_settings(DEMO_MODE=True)
def test_seed_demo_twice_changes_nothing(db: None) -> None:
    call_command("seed_demo", stdout=StringIO())
    before = sorted(User.objects.values_list("username", "team__name"))
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert sorted(User.objects.values_list("username", "team__name")) == before
    assert "0 accounts created" in out.getvalue()


@override_settings(DEMO_MODE=False)
def test_seed_demo_refuses_outside_demo_mode(db: None) -> None:
    with pytest.raises(CommandError, match="MOSOVO_DEMO=1"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_bootstrap_admin_gets_a_generated_one_time_password(db: None) -> None:
    out = StringIO()
    call_command("bootstrap_admin", "first.admin", stdout=out)
    password = out.getvalue().strip().rsplit(" ", 1)[-1]
    admin = User.objects.get(username="first.admin")
    assert admin.role == Role.ADMIN
    assert len(password) >= 20
    assert admin.check_password(password)
