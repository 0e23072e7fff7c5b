"""Create the first administrator with a generated one-time password."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mosovo.accounts.choices import Role
from mosovo.accounts.models import Force, User
from mosovo.accounts.services import generate_one_time_password, user_create


class Command(BaseCommand):
    help = "Create an ADMIN user with a random password, printed once. There are no default accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--force-code", help="Code of the force the administrator belongs to.")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user called {username!r} already exists.")
        force = None
        if options["force_code"]:
            force = Force.objects.filter(code=options["force_code"]).first()
            if force is None:
                raise CommandError(f"No force has the code {options['force_code']!r}.")
        password = generate_one_time_password()
        user_create(username=username, role=Role.ADMIN, password=password, force=force)
        self.stdout.write(
            f"Created administrator {username}. One-time password (change it at first sign-in): {password}"
        )
