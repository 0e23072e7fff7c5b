"""Demo data, last of all: run the deadline sweep over everything the other apps seeded.

The supervision app is the top layer, so its seeder runs after the caseload, ARMS and
visits seeders (apps register in INSTALLED_APPS order). The sweep turns their stored due
dates into tasks, as the nightly run would, so `make run` opens on a realistic inbox.
Idempotent: a second sweep changes nothing.
"""

from __future__ import annotations

from caseload.choices import OPEN_DEADLINE_STATES, DeadlineKind, DeadlineState
from caseload.models import Deadline
from caseload.services import deadlines_sweep


def seed_demo_deadlines() -> str:
    """Run the deadline sweep and return what is open: tasks, late, escalated, cap breaches."""
    deadlines_sweep()
    open_rows = Deadline.objects.filter(state__in=OPEN_DEADLINE_STATES)
    total = open_rows.count()
    late = open_rows.filter(state__in=(DeadlineState.OVERDUE, DeadlineState.ESCALATED)).count()
    escalated = open_rows.filter(state=DeadlineState.ESCALATED).count()
    breaches = open_rows.filter(kind=DeadlineKind.CAP_BREACH).count()
    noun = "cap breach" if breaches == 1 else "cap breaches"
    return f"{total} open tasks, {late} overdue, {escalated} escalated, {breaches} {noun}"
