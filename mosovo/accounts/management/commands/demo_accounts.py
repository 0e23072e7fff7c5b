"""Print the demo accounts and their password (used by `make run`)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from .seed_demo import DEMO_PASSWORD, demo_accounts


class Command(BaseCommand):
    help = "Print the demo sign-in details."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            self.stdout.write("Not in demo mode: there are no demo accounts.")
            return
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for username, description in demo_accounts():
            self.stdout.write(f"  {username:<16} {description}")
