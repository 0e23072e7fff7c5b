"""Caseload writes: keyword-only, typed functions named <entity>_<action>.

Each runs in a transaction with its audit event.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from mosovo.accounts.models import User
from mosovo.audit.choices import Action
from mosovo.audit.services import audit_record

from .models import RSO
from .selectors import RSO_TYPE


class StaleVersion(Exception):
    """The record changed since the user loaded it; nothing was saved."""

    def __init__(self, current: RSO) -> None:
        super().__init__("This record was changed by someone else since you opened it.")
        self.current = current


@transaction.atomic
def rso_update_summary(*, rso: RSO, summary: str, version: int, by: User) -> RSO:
    """Change an RSO's case summary, if nobody else changed the record since ``version``."""
    updated = RSO.objects.filter(pk=rso.pk, version=version).update(
        summary=summary, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise StaleVersion(RSO.objects.get(pk=rso.pk))
    audit_record(
        action=Action.ALTERATION,
        actor=by,
        rso_ids=[rso.pk],
        object_type=RSO_TYPE,
        object_ids=[rso.pk],
        fields=["summary"],
    )
    rso.refresh_from_db()
    return rso
