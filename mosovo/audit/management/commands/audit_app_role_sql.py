"""Print the SQL that gives the application's database role what it needs, and no more."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from psycopg2 import sql


def app_role_statements(role: str) -> list[sql.Composed]:
    """Return GRANTs for an application role: full use of casework tables, append-only audit.

    Run them as the owner (the role that runs migrations). The application role cannot
    change or remove audit rows, nor disable the triggers that guard them (only the
    owner can).
    """
    who = sql.Identifier(role)
    return [
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(who),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(who),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(who),
        sql.SQL("REVOKE ALL ON audit_auditevent FROM {}").format(who),
        sql.SQL("GRANT SELECT, INSERT ON audit_auditevent TO {}").format(who),
        sql.SQL("REVOKE ALL ON audit_chainhead FROM {}").format(who),
        sql.SQL("GRANT SELECT ON audit_chainhead TO {}").format(who),
    ]


class Command(BaseCommand):
    help = "Print GRANT statements for the application's database role (run them as the owner)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="The role the application connects as.")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            for statement in app_role_statements(options["role"]):
                self.stdout.write(statement.as_string(cursor.connection) + ";")
