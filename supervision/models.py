"""Supervision models: fields, constraints, and docstrings that explain the domain."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from arms.models import Plan
from caseload.models import RSO
from mosovo.accounts.models import Team

from .choices import RUBRIC_FIELDS, AuditState, CriterionScore


@pghistory.track(exclude=["wellbeing_notes"])
class SupervisionSession(models.Model):
    """A formal supervision session between a sergeant and one officer of their team.

    Practice research finds MOSOVO officers under-supervised (domain s.8); the session is
    the record that makes supervision real: when it was held, the cases discussed, a
    wellbeing check, reflective notes and the actions agreed (each with a due date, which
    the deadline engine puts in the officer's task inbox). The officer reads and
    acknowledges the record.

    The wellbeing check is private: only the sergeant who held the session, the officer
    and an inspector of the force see it (``supervision.selectors`` enforces this). Its
    text is kept out of the history table so it cannot spread through field history.
    Policy: a session at least every 8 weeks (``supervision.local_policy``).
    """

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="supervision_sessions")
    sergeant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision_sessions")
    held_on = models.DateField("Date held")
    cases = models.ManyToManyField(RSO, blank=True, related_name="+", verbose_name="Cases discussed")
    wellbeing_checked = models.BooleanField("Wellbeing check done", default=False)
    wellbeing_notes = models.TextField("Wellbeing notes (private)", blank=True)
    reflective_notes = models.TextField("Reflective notes", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["officer", "held_on"], name="supervision_session_officer")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(sergeant=models.F("officer")),
                name="supervision_session_two_people",
                violation_error_message="A sergeant cannot hold a supervision session with themselves.",
            ),
        ]

    def __str__(self) -> str:
        return f"Supervision session {self.held_on:%d %b %Y}"


@pghistory.track()
class AgreedAction(models.Model):
    """An action agreed in a supervision session, owned by the officer, with a due date.

    Open actions are deadlines (kind SUPERVISION_ACTION) in the officer's task inbox until
    the officer marks them done.
    """

    session = models.ForeignKey(SupervisionSession, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    rso = models.ForeignKey(
        RSO, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="Case (optional)"
    )
    due_on = models.DateField("Due date")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["session", "position", "id"]
        indexes = [models.Index(fields=["completed_at", "due_on"], name="supervision_action_open")]

    def __str__(self) -> str:
        return self.description[:60]


@pghistory.track()
class PlanAudit(models.Model):
    """A sergeant's structured score of one risk management plan version (domain s.8).

    Plans are sampled for audit (at random, weighted towards higher risk), then scored on
    the rubric in ``supervision.choices.RUBRIC``: six criteria, each met, partly met or not
    met. The score is the percentage of the maximum; with the feedback, it is what the
    officer sees. Team trends of these scores, not visit counts, are the headline
    performance measure of the dashboard.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    rso = models.ForeignKey(RSO, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="plan_audits")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_audits",
        help_text="The officer whose plan it is (the case's officer when sampled).",
    )
    risk_level = models.CharField(max_length=10, blank=True, help_text="The case's risk level when sampled.")
    state = models.CharField(max_length=10, choices=AuditState.choices, default=AuditState.SAMPLED)
    sampled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sampled_at = models.DateTimeField(auto_now_add=True)
    evidence_score = models.PositiveSmallIntegerField(choices=CriterionScore.choices, null=True, blank=True)
    high_risk_actions_score = models.PositiveSmallIntegerField(choices=CriterionScore.choices, null=True, blank=True)
    support_actions_score = models.PositiveSmallIntegerField(choices=CriterionScore.choices, null=True, blank=True)
    owners_dates_score = models.PositiveSmallIntegerField(choices=CriterionScore.choices, null=True, blank=True)
    contingencies_score = models.PositiveSmallIntegerField(choices=CriterionScore.choices, null=True, blank=True)
    shareable_score = models.PositiveSmallIntegerField(choices=CriterionScore.choices, null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Percentage of the rubric's maximum.")
    feedback = models.TextField(blank=True)
    audited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    seen_by_officer_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-completed_at", "-sampled_at", "-id"]
        indexes = [models.Index(fields=["team", "state", "completed_at"], name="supervision_audit_team")]
        constraints = [
            # A plan version is sampled once while its audit is open.
            models.UniqueConstraint(
                fields=["plan"], condition=Q(state=AuditState.SAMPLED), name="supervision_one_open_audit_per_plan"
            ),
            models.CheckConstraint(
                condition=Q(state=AuditState.SAMPLED)
                | (
                    Q(completed_at__isnull=False, score__isnull=False, audited_by__isnull=False)
                    & Q(**{f"{field}__isnull": False for field in RUBRIC_FIELDS})
                ),
                name="supervision_completed_audit_scored",
                violation_error_message="A completed audit scores every criterion.",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="supervision_audit_score_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"Plan audit {self.pk} ({self.get_state_display()})"
