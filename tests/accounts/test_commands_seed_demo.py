"""Demo data: only in demo mode, idempotent, with every role present and, once the
deadline sweep has run last of all, a believable set of tasks."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from caseload.choices import OPEN_DEADLINE_STATES, DeadlineKind, DeadlineState
from caseload.models import CapOverride, Deadline
from caseload.selectors import rebalance_suggestion
from mosovo.accounts.choices import Role
from mosovo.accounts.demo import demo_seeders
from mosovo.accounts.management.commands.seed_demo import DEMO_PASSWORD
from mosovo.accounts.models import Force, Team, User

LATE = (DeadlineState.OVERDUE, DeadlineState.ESCALATED)


# Seeding the whole demo takes most of a minute: one test looks at everything it made.
@override_settings(DEMO_MODE=True)
def test_seed_demo_creates_every_role_and_a_believable_set_of_tasks(db: None) -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert Force.objects.count() == 1
    assert Team.objects.count() == 3
    for team in Team.objects.all():
        assert team.members.filter(role=Role.SERGEANT).count() == 1
        assert team.members.filter(role=Role.OFFICER).count() == 4
    for role in (Role.INSPECTOR, Role.ADMIN, Role.AUDITOR):
        assert User.objects.filter(role=role).count() == 1
    assert User.objects.get(username="officer.north1").check_password(DEMO_PASSWORD)

    # The deadline sweep ran last: a few late tasks for each officer, not a flood.
    assert "\ndeadlines: " in out.getvalue()
    assert "1 cap breach\n" in out.getvalue()
    open_tasks = Deadline.objects.filter(state__in=OPEN_DEADLINE_STATES)
    for officer in User.objects.filter(role=Role.OFFICER):
        late = open_tasks.filter(owner=officer, state__in=LATE)
        assert 1 <= late.count() <= 10, (officer.username, list(late.values_list("kind", "state")))
        assert late.filter(kind=DeadlineKind.ANNUAL_NOTIFICATION).count() <= 1, officer.username
    for team in Team.objects.all():
        assert open_tasks.filter(team=team, state=DeadlineState.ESCALATED).exists(), team.name
    # Nobody's notification period has ended unnoticed: such a case would be closed.
    assert not open_tasks.filter(kind=DeadlineKind.NOTIFICATION_END, state__in=LATE).exists()
    assert not open_tasks.filter(kind=DeadlineKind.INDEFINITE_REVIEW_ELIGIBLE, state__in=LATE).exists()

    # One officer over the 20% rule on a sergeant's override, and colleagues with room.
    breach = open_tasks.get(kind=DeadlineKind.CAP_BREACH)
    assert breach.team is not None
    assert breach.subject_user is not None
    override = CapOverride.objects.get(officer=breach.subject_user, resolved_at__isnull=True)
    assert override.created_by.role == Role.SERGEANT
    assert override.created_by.team_id == breach.team_id
    suggestion = rebalance_suggestion(team_id=breach.team.pk)
    assert suggestion.feasible, suggestion.reason
    assert suggestion.moves
    assert all(standing.within_after for standing in suggestion.standings)


def test_the_deadline_sweep_seeds_last_so_it_sees_every_apps_demo_records() -> None:
    names = [name for name, _ in demo_seeders()]
    assert names[-1] == "deadlines"
    assert names.index("caseload") < names.index("arms") < names.index("visits") < names.index("deadlines")


@override_settings(DEMO_MODE=True)
def test_seed_demo_twice_changes_nothing(db: None) -> None:
    call_command("seed_demo", stdout=StringIO())
    before = sorted(User.objects.values_list("username", "team__name"))
    tasks = sorted(Deadline.objects.values_list("key", "due_on", "state"))
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert sorted(User.objects.values_list("username", "team__name")) == before
    assert "0 accounts created" in out.getvalue()
    # The second sweep finds nothing to change.
    assert sorted(Deadline.objects.values_list("key", "due_on", "state")) == tasks


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
