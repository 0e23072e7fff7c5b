"""Enumerations for accounts."""

from django.db import models


class Role(models.TextChoices):
    """What a user does in mosovo; it decides what they see (``../shared/domain.md`` s.1)."""

    OFFICER = "OFFICER", "Offender manager"
    SERGEANT = "SERGEANT", "Sergeant"
    INSPECTOR = "INSPECTOR", "Inspector"
    ADMIN = "ADMIN", "System administrator"
    AUDITOR = "AUDITOR", "Auditor"


# Roles whose users belong to one team and see that team's casework.
TEAM_ROLES = frozenset({Role.OFFICER, Role.SERGEANT})


class VettingLevel(models.TextChoices):
    """National security vetting levels. MOSOVO work needs NPPV2 or above."""

    NONE = "NONE", "Not vetted"
    NPPV1 = "NPPV1", "NPPV level 1"
    NPPV2 = "NPPV2", "NPPV level 2"
    NPPV3 = "NPPV3", "NPPV level 3"
    SC = "SC", "Security check (SC)"
    DV = "DV", "Developed vetting (DV)"


class TrainingCourse(models.TextChoices):
    """Training a MOSOVO offender manager is expected to hold."""

    PIP1 = "PIP1", "PIP level 1 (investigation)"
    MOSOVO = "MOSOVO", "National MOSOVO course"
    ARMS = "ARMS", "ARMS assessment"
    OSP = "OSP", "OSP static risk tool"
    MAPPA = "MAPPA", "MAPPA"
    VISOR = "VISOR", "ViSOR"
