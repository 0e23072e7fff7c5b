"""What supervision adds to the deadline engine, registered at start-up.

Agreed actions of supervision sessions are person deadlines (owned by the officer, in
their task inbox); the key carries the session so a task links to the record without a
query. Vetting and training expiry link to the officer's own record.
"""

from __future__ import annotations

from django.urls import reverse

from caseload.choices import DeadlineKind
from caseload.deadlines import register_person_source
from caseload.models import Deadline
from caseload.task_links import register_task_link

AGREED_ACTIONS_SQL = f"""
SELECT '{DeadlineKind.SUPERVISION_ACTION}:session:' || s.id || ':action:' || a.id AS key,
       s.officer_id AS user_id, u.team_id, a.due_on, jsonb_build_object('what', left(a.description, 140)) AS detail
FROM supervision_agreedaction a
JOIN supervision_supervisionsession s ON s.id = a.session_id
JOIN accounts_user u ON u.id = s.officer_id
WHERE a.completed_at IS NULL AND u.is_active
"""


def _session(deadline: Deadline) -> str:
    parts = deadline.key.split(":")
    if len(parts) == 5 and parts[2].isdigit() and parts[4].isdigit():
        return reverse("supervision:session_detail", args=[int(parts[2])]) + f"#action-{parts[4]}"
    return ""


def _own_record(deadline: Deadline) -> str:
    return reverse("supervision:my_record")


def register() -> None:
    """Register the agreed-action source and the task links (``SupervisionConfig.ready``)."""
    register_person_source(DeadlineKind.SUPERVISION_ACTION, AGREED_ACTIONS_SQL)
    register_task_link(DeadlineKind.SUPERVISION_ACTION, _session, label="Open the supervision record")
    register_task_link(DeadlineKind.TRAINING_EXPIRY, _own_record, label="See your training record")
    register_task_link(DeadlineKind.VETTING_EXPIRY, _own_record, label="See your vetting record")
