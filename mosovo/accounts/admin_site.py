"""The Django admin site, open to the ADMIN role only."""

from django.contrib import admin
from django.http import HttpRequest

from .choices import Role


class MosovoAdminSite(admin.AdminSite):
    site_header = "mosovo administration"
    site_title = "mosovo administration"
    index_title = "Users, teams and reference data"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_authenticated and getattr(user, "role", None) == Role.ADMIN)
