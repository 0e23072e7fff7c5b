"""Print the current security code of a demo account (demo mode only)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mosovo.accounts.mfa import current_code, demo_device_ensure
from mosovo.accounts.models import User

from .seed_demo import demo_accounts


class Command(BaseCommand):
    help = "Print the security code a demo account's authenticator shows now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("demo_code only works in demo mode (MOSOVO_DEMO=1).")
        username = options["username"]
        if username not in {name for name, _ in demo_accounts()}:
            raise CommandError(f"{username!r} is not a demo account.")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"{username!r} has not been seeded: run `make run` first.")
        self.stdout.write(current_code(demo_device_ensure(user=user)))
