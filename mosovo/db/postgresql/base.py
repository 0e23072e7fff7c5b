"""Django's PostgreSQL backend, aware that the audit log refuses TRUNCATE.

The audit table's trigger rejects TRUNCATE, so ``manage.py flush`` fails on a real
database, as it should. The test suite empties tables between transactional tests with
that same flush; with ``AUDIT_ALLOW_TEST_FLUSH`` (test settings only) the flush disables
the trigger for its own statement and restores it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base, operations

AUDIT_TABLE = "audit_auditevent"
TRUNCATE_TRIGGER = "audit_event_no_truncate"


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(
        self, style: Any, tables: Sequence[str], *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        statements: list[str] = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if AUDIT_TABLE in tables and getattr(settings, "AUDIT_ALLOW_TEST_FLUSH", False):
            table = self.quote_name(AUDIT_TABLE)
            statements = [
                f"ALTER TABLE {table} DISABLE TRIGGER {TRUNCATE_TRIGGER}",
                *statements,
                f"ALTER TABLE {table} ENABLE TRIGGER {TRUNCATE_TRIGGER}",
                "UPDATE audit_chainhead SET seq = 0, hash = repeat('0', 64)",
            ]
        return statements


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
