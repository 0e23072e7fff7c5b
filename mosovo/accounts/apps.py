from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "mosovo.accounts"
    label = "accounts"
    verbose_name = "Accounts"


class MosovoAdminConfig(admin_apps.AdminConfig):
    """Django admin, restricted to the ADMIN role (see ``admin_site.MosovoAdminSite``)."""

    default = False
    default_site = "mosovo.accounts.admin_site.MosovoAdminSite"
