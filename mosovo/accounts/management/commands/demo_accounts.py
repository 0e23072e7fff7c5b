"""Print the demo accounts, their password and second-factor keys (used by `make run`)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from mosovo.accounts.mfa import base32_secret, demo_device_ensure
from mosovo.accounts.models import User

from .seed_demo import DEMO_PASSWORD, demo_accounts


class Command(BaseCommand):
    help = "Print the demo sign-in details: usernames, the password, and authenticator keys."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            self.stdout.write("Not in demo mode: there are no demo accounts.")
            return
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}). Each needs a security code:")
        self.stdout.write("add its key to an authenticator app, or run `make code ACCOUNT=<username>`.")
        users = {u.username: u for u in User.objects.filter(username__in=[name for name, _ in demo_accounts()])}
        for username, description in demo_accounts():
            user = users.get(username)
            key = base32_secret(demo_device_ensure(user=user)) if user else "(not seeded)"
            self.stdout.write(f"  {username:<16} {description:<28} key {key}")
