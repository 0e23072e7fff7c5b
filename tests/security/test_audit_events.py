"""The audit log records what people see and do: AUD-01, AUD-02, AUD-09, AUD-10, AUD-11, sign-in events.

The log is append-only in the database itself (AUD-10), and it fails closed: if an event
cannot be written, the change it records is rolled back and the data is not shown (AUD-11).
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.db import DatabaseError, Error, connection, transaction
from django.test import Client
from django.urls import reverse

from mosovo.accounts.models import BreakGlassGrant, User
from mosovo.audit.choices import Action, Channel, Outcome
from mosovo.audit.models import AuditEvent
from mosovo.audit.services import audit_chain_verify, audit_record
from tests.conftest import CANARY, Casework, Personas
from tests.factories import PASSWORD, RSOFactory

RSO_TYPE = "caseload.rso"


def consultations_by(user: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor=user, action=Action.CONSULTATION))


def body_of(response: Any) -> str:
    return str(response.content.decode(errors="replace"))


# AUD-01 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "channel"), [("caseload:rso_detail", Channel.SCREEN), ("api:rso_detail", Channel.API)]
)
def test_aud_01_opening_an_rso_writes_one_consultation_naming_it_the_actor_and_the_request(
    client_for: Any, personas: Personas, casework: Casework, url_name: str, channel: Channel
) -> None:
    client = client_for(personas.officer_a)
    rso_a = casework.rso_a

    response = client.get(reverse(url_name, args=[rso_a.pk]), REMOTE_ADDR="192.0.2.44")

    assert response.status_code == 200
    (event,) = consultations_by(personas.officer_a)
    assert event.rso_ids == [rso_a.pk]
    assert RSO_TYPE in event.object_type.split(",")
    assert str(rso_a.pk) in event.object_ids
    assert event.actor == personas.officer_a
    assert event.actor_label.startswith("officer_a")
    assert event.actor_role == "OFFICER"
    assert event.channel == channel
    assert event.outcome == Outcome.SUCCESS
    assert event.client_ip == "192.0.2.44"
    assert event.request_id
    assert event.request_id == response["X-Request-ID"]  # the user can quote it to the service desk
    assert event.path == reverse(url_name, args=[rso_a.pk])
    assert event.seq is not None
    assert len(event.hash) == 64
    assert AuditEvent.objects.filter(action=Action.CONSULTATION).count() == 1


def test_aud_01_the_path_is_recorded_without_the_query_string(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client_for(personas.officer_a).get(reverse("caseload:rso_list"), {"page": "1", "q": "secret search terms"})
    (event,) = consultations_by(personas.officer_a)
    assert event.path == reverse("caseload:rso_list")


def test_aud_01_each_request_gets_its_own_request_id(client_for: Any, personas: Personas, casework: Casework) -> None:
    client = client_for(personas.officer_a)
    first = client.get(reverse("caseload:rso_detail", args=[casework.rso_a.pk]))
    second = client.get(reverse("caseload:rso_detail", args=[casework.rso_a.pk]))

    events = consultations_by(personas.officer_a)
    assert len(events) == 2
    assert {e.request_id for e in events} == {first["X-Request-ID"], second["X-Request-ID"]}
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_aud_01_a_page_that_shows_no_rso_writes_no_consultation(client_for: Any, personas: Personas) -> None:
    client_for(personas.officer_a).get(reverse("home"))
    assert consultations_by(personas.officer_a) == []


# AUD-02 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "channel"), [("caseload:rso_list", Channel.SCREEN), ("api:rso_list", Channel.API)]
)
def test_aud_02_a_list_of_25_rsos_writes_one_consultation_holding_all_25_ids(
    client_for: Any, personas: Personas, url_name: str, channel: Channel
) -> None:
    rsos = RSOFactory.create_batch(25, team=personas.team_a)
    RSOFactory.create_batch(3, team=personas.team_b)  # not shown, so not recorded
    client = client_for(personas.officer_a)

    response = client.get(reverse(url_name), {"officer": ""})  # the whole team, not only their own

    assert response.status_code == 200
    (event,) = consultations_by(personas.officer_a)
    assert event.rso_ids == sorted(rso.pk for rso in rsos)
    assert sorted(event.object_ids, key=int) == sorted(str(rso.pk) for rso in rsos)
    assert event.channel == channel
    assert AuditEvent.objects.filter(action=Action.CONSULTATION).count() == 1


def test_aud_02_a_paged_list_records_only_the_rsos_on_the_page_shown(client_for: Any, personas: Personas) -> None:
    rsos = RSOFactory.create_batch(55, team=personas.team_a)
    client = client_for(personas.officer_a)

    second_page = client.get(reverse("api:rso_list"), {"page": 2})

    shown = {row["id"] for row in second_page.json()["results"]}
    assert len(shown) == 5
    (event,) = consultations_by(personas.officer_a)
    assert set(event.rso_ids) == shown
    assert set(event.rso_ids) < {rso.pk for rso in rsos}


# AUD-09 -----------------------------------------------------------------------------


@pytest.fixture
def grant_b(personas: Personas, casework: Casework) -> BreakGlassGrant:
    return BreakGlassGrant.objects.create(
        user=personas.officer_b,
        object_type=RSO_TYPE,
        object_id=casework.rso_b.pk,
        object_label=casework.rso_b.visor_reference,
        team=personas.team_b,
        reason_code="COVERING",
        reason_text="Covering for a colleague",
        session_key_hash="0" * 64,
    )


DENIALS = {
    # name: (persona, method, url builder, object_type, object_ids builder)
    "officer opens another team's rso page": (
        "officer_a",
        "get",
        lambda c, g: reverse("caseload:rso_detail", args=[c.rso_b.pk]),
        RSO_TYPE,
        lambda c, g: [str(c.rso_b.pk)],
    ),
    "officer opens another team's rso by api": (
        "officer_a",
        "get",
        lambda c, g: reverse("api:rso_detail", args=[c.rso_b.pk]),
        RSO_TYPE,
        lambda c, g: [str(c.rso_b.pk)],
    ),
    "officer patches another team's rso": (
        "officer_a",
        "patch",
        lambda c, g: reverse("api:rso_detail", args=[c.rso_b.pk]),
        RSO_TYPE,
        lambda c, g: [str(c.rso_b.pk)],
    ),
    "inspector opens another force's rso": (
        "inspector",
        "get",
        lambda c, g: reverse("caseload:rso_detail", args=[c.rso_other_force.pk]),
        RSO_TYPE,
        lambda c, g: [str(c.rso_other_force.pk)],
    ),
    "sergeant acknowledges another team's grant": (
        "sergeant_a",
        "post",
        lambda c, g: reverse("accounts:break_glass_acknowledge", args=[g.pk]),
        "accounts.breakglassgrant",
        lambda c, g: [str(g.pk)],
    ),
    "officer opens the audit log": ("officer_a", "get", lambda c, g: "/audit/", "view", lambda c, g: ["audit:log"]),
    "admin opens the caseload": (
        "admin",
        "get",
        lambda c, g: reverse("caseload:rso_list"),
        "view",
        lambda c, g: ["caseload:rso_list"],
    ),
    "inspector opens the break-glass page": (
        "inspector",
        "get",
        lambda c, g: reverse("caseload:break_glass"),
        "view",
        lambda c, g: ["caseload:break_glass"],
    ),
    "auditor lists rsos by api": (
        "auditor",
        "get",
        lambda c, g: reverse("api:rso_list"),
        "view",
        lambda c, g: ["RSOListApi"],
    ),
}


@pytest.mark.parametrize("case", list(DENIALS))
def test_aud_09_every_denied_request_writes_one_access_denied_event(
    client_for: Any, personas: Personas, casework: Casework, grant_b: BreakGlassGrant, case: str
) -> None:
    persona, method, url_for, object_type, ids_for = DENIALS[case]
    user = personas.all()[persona]
    client = client_for(user)

    url = url_for(casework, grant_b)
    if method == "get":
        response = client.get(url)
    else:
        response = getattr(client, method)(url, {"summary": "x", "version": 1}, content_type="application/json")

    assert response.status_code == 404
    (event,) = AuditEvent.objects.filter(action=Action.ACCESS_DENIED)
    assert event.actor == user
    assert event.outcome == Outcome.DENIED
    assert event.object_type == object_type
    assert event.object_ids == ids_for(casework, grant_b)
    assert event.reason  # why, in words, for the auditor
    assert event.request_id == response["X-Request-ID"]
    assert event.client_ip == "127.0.0.1"
    assert event.rso_ids == []
    assert not AuditEvent.objects.filter(action=Action.CONSULTATION).exists()


def test_aud_09_a_page_that_does_not_exist_is_not_recorded_as_a_denial(client_for: Any, personas: Personas) -> None:
    response = client_for(personas.officer_a).get("/caseload/no-such-page/")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=Action.ACCESS_DENIED).exists()


# AUD-10 -----------------------------------------------------------------------------


@pytest.fixture
def logged(personas: Personas, casework: Casework) -> list[tuple[Any, ...]]:
    """Three events in the log; returns them as stored, to compare with afterwards."""
    audit_record(action=Action.CONSULTATION, actor=personas.officer_a, rso_ids=[casework.rso_a.pk], reason="one")
    audit_record(action=Action.ALTERATION, actor=personas.sergeant_a, rso_ids=[casework.rso_a.pk], reason="two")
    audit_record(action=Action.LOGIN_FAILED, actor_label="attempted: officer_a", outcome=Outcome.FAILURE)
    return stored_rows()


def stored_rows() -> list[tuple[Any, ...]]:
    return list(
        AuditEvent.objects.order_by("seq").values_list(
            "pk", "seq", "actor_id", "action", "reason", "rso_ids", "outcome", "prev_hash", "hash"
        )
    )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET reason = 'tampered'",
        "UPDATE audit_auditevent SET actor_id = NULL, actor_label = 'someone else' WHERE action = 'consultation'",
        "UPDATE audit_auditevent SET hash = repeat('0', 64)",
        "DELETE FROM audit_auditevent",
        "DELETE FROM audit_auditevent WHERE action = 'login_failed'",
    ],
)
def test_aud_10_raw_sql_cannot_change_or_remove_audit_rows(logged: list[tuple[Any, ...]], sql: str) -> None:
    with pytest.raises(Error, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)

    assert stored_rows() == logged
    assert audit_chain_verify().intact


# TRUNCATE is refused inside a transaction that still has foreign-key checks pending,
# whatever the triggers say; with the rows committed, only the audit trigger can refuse it.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sql", ["TRUNCATE audit_auditevent", "TRUNCATE audit_auditevent CASCADE"])
def test_aud_10_raw_sql_cannot_truncate_the_committed_log(logged: list[tuple[Any, ...]], sql: str) -> None:
    with pytest.raises(Error, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)

    assert stored_rows() == logged
    assert audit_chain_verify().intact


def test_aud_10_the_orm_cannot_change_or_remove_audit_rows(logged: list[tuple[Any, ...]]) -> None:
    events = AuditEvent.objects.all()
    with pytest.raises(Error), transaction.atomic():
        events.filter(action=Action.CONSULTATION).update(reason="tampered")
    with pytest.raises(Error), transaction.atomic():
        events.filter(action=Action.LOGIN_FAILED).delete()
    with pytest.raises(Error), transaction.atomic():
        events.delete()
    one = events.get(reason="one")
    one.reason = "tampered"
    with pytest.raises(Error), transaction.atomic():
        one.save()
    with pytest.raises(Error), transaction.atomic():
        one.delete()

    assert stored_rows() == logged
    assert audit_chain_verify().intact


def test_aud_10_the_database_not_the_application_sets_the_chain(
    personas: Personas, logged: list[tuple[Any, ...]]
) -> None:
    forged = AuditEvent.objects.create(
        action=Action.CONSULTATION, channel=Channel.SYSTEM, actor=personas.officer_a, seq=999, hash="f" * 64
    )
    forged.refresh_from_db()
    assert forged.seq == len(logged) + 1
    assert forged.hash != "f" * 64
    assert forged.prev_hash == logged[-1][-1]
    assert audit_chain_verify().intact


# AUD-11 -----------------------------------------------------------------------------


def audit_insert_fails() -> Any:
    """Make every audit insert fail, as a full disk or a lost connection would."""
    return mock.patch(
        "mosovo.audit.services.AuditEvent.objects.create", side_effect=DatabaseError("audit insert failed")
    )


def test_aud_11_when_the_audit_insert_fails_the_summary_change_is_rolled_back(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    rso_a = casework.rso_a
    client = client_for(personas.officer_a)
    client.raise_request_exception = False
    history_model = apps.get_model("caseload", "RSOEvent")
    history_before = history_model.objects.filter(pgh_obj_id=rso_a.pk).count()

    with audit_insert_fails():
        response = client.patch(
            reverse("api:rso_detail", args=[rso_a.pk]),
            {"summary": "Unaudited change", "version": 1},
            content_type="application/json",
        )

    assert response.status_code == 500
    assert "Unaudited change" not in body_of(response)
    rso_a.refresh_from_db()
    assert (rso_a.summary, rso_a.version) == ("Team A case.", 1)
    assert history_model.objects.filter(pgh_obj_id=rso_a.pk).count() == history_before
    # Once the log works again the same change goes through.
    retry = client.patch(
        reverse("api:rso_detail", args=[rso_a.pk]), {"summary": "Audited change", "version": 1}, "application/json"
    )
    assert retry.status_code == 200
    assert AuditEvent.objects.filter(action=Action.ALTERATION, rso_ids=[rso_a.pk]).count() == 1


@pytest.mark.parametrize("url_name", ["caseload:rso_detail", "api:rso_detail"])
def test_aud_11_when_the_consultation_cannot_be_logged_the_rso_is_not_shown(
    client_for: Any, personas: Personas, casework: Casework, url_name: str
) -> None:
    rso_a = casework.rso_a
    client = client_for(personas.officer_a)

    with audit_insert_fails():
        response = client.get(reverse(url_name, args=[rso_a.pk]))

    assert response.status_code == 500
    body = body_of(response)
    assert "Sorry, there is a problem with the service" in body
    for secret in (rso_a.family_name, rso_a.family_name.upper(), rso_a.visor_reference, rso_a.summary, rso_a.pnc_id):
        assert secret not in body
    assert not AuditEvent.objects.filter(action=Action.CONSULTATION).exists()


def test_aud_11_when_the_consultation_cannot_be_logged_the_list_is_not_shown(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = client_for(personas.officer_a)

    with audit_insert_fails():
        response = client.get(reverse("caseload:rso_list"))

    assert response.status_code == 500
    assert casework.rso_a.visor_reference not in body_of(response)


def test_aud_11_when_a_denial_cannot_be_logged_the_answer_still_discloses_nothing(
    client_for: Any, personas: Personas, casework: Casework
) -> None:
    client = client_for(personas.officer_a)

    with audit_insert_fails():
        response = client.get(reverse("caseload:rso_detail", args=[casework.rso_b.pk]))

    assert response.status_code in (404, 500)
    assert CANARY not in body_of(response)


# Sign-in, sign-out ------------------------------------------------------------------


def sign_in(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_a_successful_sign_in_writes_login_ok(client: Client, personas: Personas) -> None:
    response = sign_in(client, "officer_a", PASSWORD)

    assert response.status_code == 302
    (event,) = AuditEvent.objects.filter(action=Action.LOGIN_OK)
    assert event.actor == personas.officer_a
    assert event.actor_role == "OFFICER"
    assert event.outcome == Outcome.SUCCESS
    assert event.channel == Channel.SCREEN
    assert event.client_ip == "127.0.0.1"
    assert event.request_id == response["X-Request-ID"]


@pytest.mark.parametrize("username", ["officer_a", "nobody_here"], ids=["known user", "unknown user"])
def test_a_wrong_password_writes_login_failed_with_the_username_tried_and_never_the_password(
    client: Client, personas: Personas, username: str
) -> None:
    attempted_password = "Hunter2-wrong-guess-xyz"

    response = sign_in(client, username, attempted_password)

    assert response.status_code == 200
    (event,) = AuditEvent.objects.filter(action=Action.LOGIN_FAILED)
    assert event.actor is None
    assert event.actor_label == f"attempted: {username}"
    assert event.outcome == Outcome.FAILURE
    assert event.client_ip == "127.0.0.1"
    (row,) = AuditEvent.objects.filter(pk=event.pk).values()
    for value in row.values():
        assert attempted_password not in str(value)
        assert PASSWORD not in str(value)
    assert not AuditEvent.objects.filter(action=Action.LOGIN_OK).exists()


def test_signing_out_writes_logout(client_for: Any, personas: Personas) -> None:
    client = client_for(personas.officer_a)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    (event,) = AuditEvent.objects.filter(action=Action.LOGOUT)
    assert event.actor == personas.officer_a
    assert event.channel == Channel.SCREEN
    assert event.request_id == response["X-Request-ID"]
