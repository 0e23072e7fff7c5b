"""Demo data for supervision, then (last of all) the deadline sweep.

The supervision app is the top layer, so its seeders run after the caseload, ARMS and
visits seeders (apps register in INSTALLED_APPS order). ``seed_demo_supervision`` gives
each team a history a sergeant would recognise: sessions (one officer overdue for one,
one never supervised), agreed actions (one late), plan audits over the last year (one
officer's plans weaker), training and vetting coming up for renewal. ``seed_demo_deadlines``
then turns every stored date into tasks, as the nightly run would. Both are idempotent.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from caseload.choices import OPEN_DEADLINE_STATES, DeadlineKind, DeadlineState
from caseload.models import RSO, Deadline
from caseload.services import deadlines_sweep
from mosovo.accounts.choices import Role, TrainingCourse
from mosovo.accounts.models import Team, TrainingRecord, User

from .choices import RUBRIC_FIELDS, CriterionScore
from .models import PlanAudit, SupervisionSession
from .services import agreed_action_complete, plan_audit_complete, plan_audit_sample, session_record

# Days ago of each officer's sessions, by position in the team: the third officer is
# past the 8-week policy and the fourth has never had one.
SESSION_DAYS_AGO: tuple[tuple[int, ...], ...] = ((150, 90, 24), (110, 40), (200, 75), ())
FEEDBACK = {
    "good": "A balanced plan: each HIGH factor has a clear action and the protective work is real. Keep it up.",
    "fair": "Sound controls, but the protective factors need SUPPORT actions and some actions lack dates.",
    "weak": "Control-only plan. Add SUPPORT actions for the protective factors, owners and dates for every "
    "action, and contingencies for the warning signs we discussed.",
}


def seed_demo_supervision() -> str:
    """Add sessions, audits and renewals for each demo team that has none; return a summary."""
    today = timezone.localdate()
    counts = {"sessions": 0, "audits": 0, "open_audits": 0, "training": 0}
    for team in Team.objects.order_by("pk"):
        if SupervisionSession.objects.filter(team=team).exists():
            continue
        sergeant = User.objects.filter(team=team, role=Role.SERGEANT, is_active=True).order_by("pk").first()
        officers = list(User.objects.filter(team=team, role=Role.OFFICER, is_active=True).order_by("pk"))
        if sergeant is None or not officers:
            continue
        rng = random.Random(f"mosovo-supervision-demo-{team.pk}-{team.name}")  # noqa: S311 - demo data
        for position, officer in enumerate(officers):
            counts["training"] += _renewals(officer, position, today)
            for days_ago in SESSION_DAYS_AGO[position % len(SESSION_DAYS_AGO)]:
                _session(sergeant, officer, today - dt.timedelta(days=days_ago), today, rng)
                counts["sessions"] += 1
        weak_officer = officers[-1]
        sampled = plan_audit_sample(team=team, by=sergeant, size=14, rng=rng)
        for number, audit in enumerate(sampled):
            if number >= 11:  # the rest wait for the sergeant
                counts["open_audits"] += 1
                continue
            quality = "weak" if audit.officer_id == weak_officer.pk else rng.choice(["good", "good", "fair"])
            plan_audit_complete(audit=audit, by=sergeant, scores=_scores(quality, rng), feedback=FEEDBACK[quality])
            # Spread the completed audits over the last year so the trend has a shape.
            done = timezone.now() - dt.timedelta(days=330 - number * 30 + rng.randint(0, 9))
            PlanAudit.objects.filter(pk=audit.pk).update(completed_at=done, sampled_at=done - dt.timedelta(days=3))
            counts["audits"] += 1
    if not any(counts.values()):
        return "demo supervision already present"
    return (
        f"{counts['sessions']} supervision sessions, {counts['audits']} plan audits completed, "
        f"{counts['open_audits']} waiting, {counts['training']} courses up for renewal"
    )


def _renewals(officer: User, position: int, today: dt.date) -> int:
    """Give some officers ARMS training that lapses soon (one already lapsed), and one
    officer vetting that expires within 90 days."""
    if position == 1:
        User.objects.filter(pk=officer.pk).update(vetting_expires_on=today + dt.timedelta(days=45))
    days_left = {0: 60, 2: -12}.get(position)
    if days_left is None:
        return 0
    TrainingRecord.objects.get_or_create(
        user=officer,
        course=TrainingCourse.ARMS,
        completed_on=today - dt.timedelta(days=3 * 365 - days_left),
        defaults={"expires_on": today + dt.timedelta(days=days_left)},
    )
    return 1


def _session(sergeant: User, officer: User, held_on: dt.date, today: dt.date, rng: random.Random) -> None:
    cases = list(RSO.objects.filter(allocated_officer=officer).order_by("pk").values_list("pk", flat=True)[:20])
    discussed = rng.sample(cases, k=min(3, len(cases)))
    recent = (today - held_on).days < 60
    session = session_record(
        sergeant=sergeant,
        officer=officer,
        held_on=held_on,
        case_ids=discussed,
        wellbeing_checked=True,
        wellbeing_notes="Coping well; workload heavy this month. Reminded of the welfare support line.",
        reflective_notes=(
            "Discussed the balance between control and support in the plans for the cases below, "
            "and how the protective factors are evidenced."
        ),
        actions=[
            {
                "description": "Add SUPPORT actions for the protective factors in the first case's plan.",
                "due_on": held_on + dt.timedelta(days=21),
                "rso_id": discussed[0] if discussed else None,
            },
            {
                "description": "Review contingencies with the partner agencies.",
                "due_on": held_on + dt.timedelta(days=42),
            },
        ],
    )
    if not recent:  # older sessions were read and their actions done
        for action in session.actions.all():
            agreed_action_complete(action=action, by=officer)
        read_at = timezone.now() - dt.timedelta(days=(today - held_on).days - 2)
        SupervisionSession.objects.filter(pk=session.pk).update(acknowledged_at=read_at)
        session.actions.update(completed_at=read_at)


def _scores(quality: str, rng: random.Random) -> dict[str, int]:
    chances = {"good": (0.8, 0.15), "fair": (0.45, 0.35), "weak": (0.15, 0.35)}[quality]
    scores = {}
    for field in RUBRIC_FIELDS:
        roll = rng.random()
        scores[field] = CriterionScore.MET if roll < chances[0] else CriterionScore.PARTLY if roll < sum(chances) else 0
    return {field: int(value) for field, value in scores.items()}


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
