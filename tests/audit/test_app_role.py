"""AUD-10: the application's database role cannot change the audit log, by any means."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg2
import pytest
from django.db import connection

from mosovo.audit.choices import Action
from mosovo.audit.management.commands.audit_app_role_sql import app_role_statements
from mosovo.audit.services import audit_record
from tests.conftest import Personas

ROLE = "mosovo_app_limited_test"


@pytest.fixture
def app_role_connection() -> Iterator[psycopg2.extensions.connection]:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {ROLE}")
        cursor.execute(f"CREATE ROLE {ROLE} LOGIN")
        for statement in app_role_statements(ROLE):
            cursor.execute(statement)
    params = connection.get_connection_params()
    params["user"] = ROLE
    params.pop("password", None)
    params.pop("cursor_factory", None)
    limited = psycopg2.connect(**params)
    limited.autocommit = True
    try:
        yield limited
    finally:
        limited.close()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {ROLE}")
            cursor.execute(f"DROP ROLE {ROLE}")


@pytest.mark.django_db(transaction=True)
def test_aud_10_the_application_role_can_append_but_never_change_the_audit_log(
    personas: Personas, app_role_connection: psycopg2.extensions.connection
) -> None:
    audit_record(action=Action.CONSULTATION, actor=personas.officer_a, rso_ids=[1])
    with app_role_connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (occurred_at, actor_label, actor_role, action, channel, request_id, path,"
            " rso_ids, object_type, object_ids, fields, reason, recipient, outcome, flagged, prev_hash, hash)"
            " VALUES (now(), 'app', '', 'consultation', 'system', '', '', '{}', '', '{}', '{}', '', '', 'success',"
            " false, '', '') RETURNING seq"
        )
        assert cursor.fetchone() == (2,)
        for attempt in (
            "UPDATE audit_auditevent SET reason = 'changed'",
            "DELETE FROM audit_auditevent",
            "TRUNCATE audit_auditevent",
            "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only",
            "UPDATE audit_chainhead SET seq = 0",
        ):
            with pytest.raises(psycopg2.Error):
                cursor.execute(attempt)
    from mosovo.audit.services import audit_chain_verify

    assert audit_chain_verify().intact
    assert audit_chain_verify().checked == 2
