"""Asking the sergeant to move a case to reactive management (domain s.5), and the
sergeant's decision: an officer of the team asks, refused with every reason when the
case does not qualify; approving moves the case; declining needs a note."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pgtrigger
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from caseload.models import RSO, ReactiveRequest
from caseload.services import change_event_record, reactive_request_create, reactive_request_decide
from mosovo.audit.choices import Action
from mosovo.audit.models import AuditEvent
from tests.conftest import Casework, Personas
from tests.factories import SergeantFactory

pytestmark = pytest.mark.django_db


def backdate_low_history(rso: RSO, years: int = 3) -> None:
    """Make the record's history say it has been LOW since ``years`` years ago."""
    events = RSO.pgh_event_model.objects.filter(pgh_obj_id=rso.pk)  # type: ignore[attr-defined]
    with pgtrigger.ignore("caseload.RSOEvent:append_only"):  # history is append-only; a test rewinds it
        events.filter(pgh_id=events.order_by("pgh_id").values("pgh_id")[:1]).update(
            pgh_created_at=timezone.now() - dt.timedelta(days=365 * years + 2)
        )


@pytest.fixture
def eligible(casework: Casework) -> RSO:
    backdate_low_history(casework.rso_a)
    return casework.rso_a


def ask(rso: RSO, by: Any, reason: str = "Low risk and settled for years.") -> ReactiveRequest:
    return reactive_request_create(rso=rso, reason=reason, by=by)


def test_the_officer_asks_for_a_qualifying_case_and_the_request_waits_for_the_sergeant(
    personas: Personas, eligible: RSO
) -> None:
    request = ask(eligible, personas.officer_a)
    assert request.is_open
    assert request.requested_by == personas.officer_a
    eligible.refresh_from_db()
    assert eligible.management_model == "ACTIVE"  # nothing moves until the sergeant decides
    event = AuditEvent.objects.get(object_type="caseload.reactiverequest", action=Action.COLLECTION)
    assert event.rso_ids == [eligible.pk]
    assert event.object_ids == [str(request.pk)]


def test_a_case_that_does_not_qualify_is_refused_with_every_reason(personas: Personas, casework: Casework) -> None:
    rso = casework.rso_a
    RSO.objects.filter(pk=rso.pk).update(risk_level="MEDIUM")
    rso.refresh_from_db()
    change_event_record(
        rso=rso, event_type="ADDRESS", occurred_on=timezone.localdate(), source="Notification", by=personas.officer_a
    )
    with pytest.raises(ValidationError) as refused:
        ask(rso, personas.officer_a)
    reasons = refused.value.message_dict["management_model"]
    assert any("not low" in r for r in reasons)
    assert any("significant change" in r for r in reasons)
    assert not ReactiveRequest.objects.exists()


def test_a_reason_is_needed(personas: Personas, eligible: RSO) -> None:
    with pytest.raises(ValidationError) as refused:
        ask(eligible, personas.officer_a, reason="  ")
    assert "reason" in refused.value.message_dict
    assert not ReactiveRequest.objects.exists()


def test_only_one_request_is_open_at_a_time(personas: Personas, eligible: RSO) -> None:
    ask(eligible, personas.officer_a)
    with pytest.raises(ValidationError, match="already asked"):
        ask(eligible, personas.sergeant_a)
    assert ReactiveRequest.objects.count() == 1


def test_someone_outside_the_team_cannot_ask(personas: Personas, eligible: RSO) -> None:
    with pytest.raises(ValidationError, match="team"):
        ask(eligible, personas.officer_b)
    with pytest.raises(ValidationError, match="team"):
        ask(eligible, personas.inspector)
    assert not ReactiveRequest.objects.exists()


def test_approving_moves_the_case_to_reactive_in_the_same_step(personas: Personas, eligible: RSO) -> None:
    request = ask(eligible, personas.officer_a)
    decided = reactive_request_decide(request=request, decision="APPROVED", by=personas.sergeant_a)
    eligible.refresh_from_db()
    assert eligible.management_model == "REACTIVE"
    assert eligible.next_visit_due_on is None
    assert (decided.decision, decided.decided_by) == ("APPROVED", personas.sergeant_a)
    assert decided.decided_at is not None
    assert AuditEvent.objects.filter(
        object_type="caseload.reactiverequest", action=Action.ALTERATION, fields__contains=["decision"]
    ).exists()
    assert AuditEvent.objects.filter(
        object_type="caseload.rso", object_ids=[str(eligible.pk)], fields__contains=["management_model"]
    ).exists()


def test_approval_checks_eligibility_again_and_a_refusal_changes_nothing(personas: Personas, eligible: RSO) -> None:
    request = ask(eligible, personas.officer_a)
    change_event_record(
        rso=eligible,
        event_type="INTELLIGENCE",
        occurred_on=timezone.localdate(),
        source="Intel",
        by=personas.officer_a,
    )
    with pytest.raises(ValidationError) as refused:
        reactive_request_decide(request=request, decision="APPROVED", by=personas.sergeant_a)
    assert any("significant change" in r for r in refused.value.messages)
    request.refresh_from_db()
    eligible.refresh_from_db()
    assert request.is_open
    assert eligible.management_model == "ACTIVE"


def test_declining_needs_a_note(personas: Personas, eligible: RSO) -> None:
    request = ask(eligible, personas.officer_a)
    with pytest.raises(ValidationError) as refused:
        reactive_request_decide(request=request, decision="DECLINED", by=personas.sergeant_a)
    assert "decision_note" in refused.value.message_dict
    request.refresh_from_db()
    assert request.is_open

    declined = reactive_request_decide(
        request=request, decision="DECLINED", note="Wait for the next ARMS review.", by=personas.sergeant_a
    )
    eligible.refresh_from_db()
    assert (declined.decision, declined.decision_note) == ("DECLINED", "Wait for the next ARMS review.")
    assert eligible.management_model == "ACTIVE"


def test_only_the_teams_sergeant_decides(personas: Personas, eligible: RSO) -> None:
    request = ask(eligible, personas.officer_a)
    sergeant_b = SergeantFactory.create(team=personas.team_b)
    for who in (personas.officer_a, sergeant_b, personas.inspector):
        with pytest.raises(ValidationError, match="sergeant of the person's team"):
            reactive_request_decide(request=request, decision="APPROVED", by=who)
    request.refresh_from_db()
    assert request.is_open


def test_a_request_is_decided_once(personas: Personas, eligible: RSO) -> None:
    request = ask(eligible, personas.officer_a)
    reactive_request_decide(request=request, decision="DECLINED", note="Not yet.", by=personas.sergeant_a)
    with pytest.raises(ValidationError, match="already declined by"):
        reactive_request_decide(request=request, decision="APPROVED", by=personas.sergeant_a)
    eligible.refresh_from_db()
    assert eligible.management_model == "ACTIVE"


def test_a_new_request_may_follow_a_decided_one(personas: Personas, eligible: RSO) -> None:
    request = ask(eligible, personas.officer_a)
    reactive_request_decide(request=request, decision="DECLINED", note="Not yet.", by=personas.sergeant_a)
    assert ask(eligible, personas.officer_a).is_open


def test_the_history_keeps_the_old_and_new_values(personas: Personas, eligible: RSO) -> None:
    request = ask(eligible, personas.officer_a)
    reactive_request_decide(request=request, decision="DECLINED", note="Not yet.", by=personas.sergeant_a)
    history = ReactiveRequest.pgh_event_model.objects.filter(pgh_obj_id=request.pk)  # type: ignore[attr-defined]
    assert [e.decision for e in history.order_by("pgh_id")] == ["", "DECLINED"]


# --- The record page -------------------------------------------------------------------


def risk_tab(rso: RSO) -> str:
    return reverse("caseload:rso_risk", args=[rso.pk])


def test_the_officer_asks_from_the_risk_tab_and_sees_it_waiting(
    personas: Personas, eligible: RSO, client_for: Any
) -> None:
    client = client_for(personas.officer_a)
    page = client.get(risk_tab(eligible)).content.decode()
    assert "Ask the sergeant to move the case to reactive management" in page

    response = client.post(
        reverse("caseload:rso_reactive_request", args=[eligible.pk]), {"reactive-reason": "Settled for years."}
    )
    assert response.status_code == 302
    page = client.get(risk_tab(eligible)).content.decode()
    assert "The request is waiting for the sergeant" in page
    assert "Ask the sergeant to move the case" not in page
    assert ReactiveRequest.objects.get().reason == "Settled for years."


def test_asking_for_a_case_that_does_not_qualify_shows_the_reasons(
    personas: Personas, casework: Casework, client_for: Any
) -> None:
    RSO.objects.filter(pk=casework.rso_a.pk).update(risk_level="MEDIUM")
    client = client_for(personas.officer_a)
    assert "Ask the sergeant to move the case" not in client.get(risk_tab(casework.rso_a)).content.decode()
    response = client.post(
        reverse("caseload:rso_reactive_request", args=[casework.rso_a.pk]), {"reactive-reason": "Settled."}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "not low" in page
    assert not ReactiveRequest.objects.exists()


def test_asking_without_a_reason_shows_the_error(personas: Personas, eligible: RSO, client_for: Any) -> None:
    response = client_for(personas.officer_a).post(
        reverse("caseload:rso_reactive_request", args=[eligible.pk]), {"reactive-reason": ""}
    )
    assert response.status_code == 400
    assert "Explain why the case should move to reactive management" in response.content.decode()
    assert not ReactiveRequest.objects.exists()


def test_another_teams_officer_cannot_ask(personas: Personas, casework: Casework, client_for: Any) -> None:
    response = client_for(personas.officer_b).post(
        reverse("caseload:rso_reactive_request", args=[casework.rso_a.pk]), {"reactive-reason": "Settled."}
    )
    assert response.status_code == 404
    assert not ReactiveRequest.objects.exists()
