"""AUD-05: a change leaves an alteration event (field names) and history rows (values)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from caseload.models import RSO
from caseload.services import rso_update_summary
from mosovo.audit.choices import Action, Channel
from mosovo.audit.context import task_context
from mosovo.audit.models import AuditEvent
from tests.conftest import Casework, Personas


def history(rso: RSO) -> list[Any]:
    return list(RSO.pgh_event_model.objects.filter(pgh_obj=rso).order_by("pgh_id"))  # type: ignore[attr-defined]


def test_aud_05_editing_an_rso_writes_an_alteration_event_and_history_with_old_and_new_values(
    client_for: object, personas: Personas, casework: Casework
) -> None:
    client: Client = client_for(personas.officer_a)  # type: ignore[operator]
    rso = casework.rso_a
    old_summary = rso.summary
    response = client.patch(
        reverse("api:rso_detail", args=[rso.pk]),
        {"summary": "Moved in with partner; no children in the household.", "version": rso.version},
        content_type="application/json",
    )
    assert response.status_code == 200

    event = AuditEvent.objects.get(action=Action.ALTERATION)
    assert event.actor == personas.officer_a
    assert event.rso_ids == [rso.pk]
    assert event.fields == ["summary"]
    assert event.channel == Channel.API
    assert "Moved in" not in event.reason  # values are not copied into the audit log

    rows = history(rso)
    assert [row.summary for row in rows] == [old_summary, "Moved in with partner; no children in the household."]
    latest = rows[-1]
    assert latest.pgh_label == "update"
    assert latest.pgh_context.metadata["user"] == personas.officer_a.pk
    assert latest.pgh_context.metadata["url"] == reverse("api:rso_detail", args=[rso.pk])


def test_changes_made_by_a_task_on_a_users_behalf_are_attributed_to_them(
    personas: Personas, casework: Casework
) -> None:
    rso = casework.rso_a
    with task_context(user=personas.sergeant_a, name="caseload.example_task"):
        rso_update_summary(
            rso=rso, summary="Updated by a background task.", version=rso.version, by=personas.sergeant_a
        )
    latest = history(rso)[-1]
    assert latest.pgh_context.metadata["user"] == personas.sergeant_a.pk
    assert latest.pgh_context.metadata["task"] == "caseload.example_task"
    event = AuditEvent.objects.get(action=Action.ALTERATION)
    assert event.channel == Channel.SYSTEM
    assert event.request_id.startswith("task:")


def test_aud_05_editing_a_plan_writes_an_alteration_event_and_history_with_old_and_new_values(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    from arms import services as arms_services
    from arms.models import Plan
    from tests.arms.kit import approved_plan

    approved_plan(casework.rso_a, officer=personas.officer_a, sergeant=personas.sergeant_a)
    plan = arms_services.plan_start(rso=casework.rso_a, by=personas.officer_a)
    old = plan.contingencies
    response = client_for(personas.officer_a).post(
        reverse("arms:plan_edit", args=[plan.pk]),
        {
            "version": plan.version,
            "visit_interval_months": plan.visit_interval_months,
            "visit_interval_reason": plan.visit_interval_reason,
            "shared_with_person": plan.shared_with_person,
            "contingencies": "If he contacts the victim's family, arrest and call the duty sergeant.",
            "change_summary": "Contingency for contact with the victim's family.",
        },
    )
    assert response.status_code == 302

    event = AuditEvent.objects.filter(action=Action.ALTERATION, object_type="arms.plan").latest("id")
    assert event.actor == personas.officer_a
    assert event.rso_ids == [casework.rso_a.pk]
    assert sorted(event.fields) == ["change_summary", "contingencies"]
    assert "victim" not in event.reason
    rows = list(Plan.pgh_event_model.objects.filter(pgh_obj=plan).order_by("pgh_id"))  # type: ignore[attr-defined]
    assert rows[0].contingencies == old
    assert rows[-1].contingencies.startswith("If he contacts the victim's family")
    assert rows[-1].pgh_context.metadata["user"] == personas.officer_a.pk
