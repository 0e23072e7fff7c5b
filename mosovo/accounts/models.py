"""Who uses mosovo: forces, their teams (units), and the people in them."""

from __future__ import annotations

from typing import Any

import pghistory
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q

from .choices import Role, TrainingCourse, VettingLevel


class Force(models.Model):
    """A territorial police force (for example a county constabulary).

    Teams belong to a force; an inspector sees every team of their force.
    """

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=20, unique=True, help_text="Short code, for example 'NSP'.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Team(models.Model):
    """A MOSOVO unit: a sergeant and the offender managers they supervise.

    Officers in a team cover for each other, so team is the unit of access to casework.
    """

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["force__name", "name"]
        constraints = [models.UniqueConstraint(fields=["force", "name"], name="team_unique_name_in_force")]

    def __str__(self) -> str:
        return self.name


# Password hashes and sign-in times are not history worth keeping (and hashes must not spread).
@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who signs in to mosovo.

    The role decides what they may do. Officers and sergeants belong to one team and see
    that team's casework; inspectors see their whole force; administrators manage users
    and reference data but see no casework; auditors read the audit log only. Vetting
    (NPPV2 or above, renewed at least every three years) is a condition of casework
    access.
    """

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.OFFICER)
    force = models.ForeignKey(Force, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="members")
    collar_number = models.CharField(max_length=20, blank=True, help_text="Warrant or staff number.")
    vetting_level = models.CharField(max_length=8, choices=VettingLevel.choices, default=VettingLevel.NONE)
    vetting_expires_on = models.DateField(null=True, blank=True)

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=[Role.OFFICER, Role.SERGEANT]) | Q(team__isnull=False),
                name="user_team_roles_have_a_team",
                violation_error_message="Officers and sergeants must belong to a team.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]),
                name="user_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """Return the name shown in the header and on records."""
        full = self.get_full_name()
        return full or self.username

    @property
    def role_label(self) -> str:
        """Return the human label of the role."""
        return str(Role(self.role).label)

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        # Django permissions are used only by the admin site, which only ADMIN may open
        # and which registers only administrative models. Casework is governed by role
        # and team scoping, never by Django permissions.
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_module_perms(app_label)


@pghistory.track()
class TrainingRecord(models.Model):
    """A course an officer has completed, with when it lapses if it does."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="training")
    course = models.CharField(max_length=16, choices=TrainingCourse.choices)
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["user", "course", "-completed_on"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course", "completed_on"], name="training_unique_completion"),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=models.F("completed_on")),
                name="training_expires_after_completion",
                violation_error_message="A training record cannot expire before it was completed.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_course_display()} ({self.completed_on:%d %b %Y})"


@pghistory.track()
class BreakGlassGrant(models.Model):
    """A user's reasoned access to one record outside their scope, for one session.

    The grant itself lives in the server-side session (it ends when the session does);
    this row is the record of it, which the record's team sergeant sees on their home page
    until they acknowledge it. The audit log holds a flagged event for the same access.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass_grants")
    object_type = models.CharField(max_length=50, help_text="For example 'caseload.rso'.")
    object_id = models.BigIntegerField()
    object_label = models.CharField(max_length=200, help_text="Reference of the record, for the sergeant's list.")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="break_glass_grants")
    reason_code = models.CharField(max_length=20)
    reason_text = models.TextField()
    session_key_hash = models.CharField(max_length=64, help_text="SHA-256 of the session key (never the key).")
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="acknowledged_break_glass"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["team", "acknowledged_at"], name="break_glass_team_open")]

    def __str__(self) -> str:
        return f"{self.user} opened {self.object_label}"
