from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Force, Team, TrainingRecord, User


@admin.register(Force)
class ForceAdmin(admin.ModelAdmin[Force]):
    list_display = ["name", "code"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "force"]
    list_filter = ["force"]


class TrainingInline(admin.TabularInline[TrainingRecord, User]):
    model = TrainingRecord
    extra = 0
    fields = ["course", "completed_on", "expires_on"]


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ["username", "first_name", "last_name", "role", "team", "is_active", "vetting_expires_on"]
    list_filter = ["role", "team", "is_active"]
    inlines = [TrainingInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email", "collar_number")}),
        ("Role and team", {"fields": ("role", "force", "team")}),
        ("Vetting", {"fields": ("vetting_level", "vetting_expires_on")}),
        ("Status", {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2", "role", "force", "team")}),
    )
    readonly_fields = ["last_login", "date_joined"]


# django-otp's own device admins show each device's secret key and QR code, which would let
# an administrator take over a user's second factor. Administrators may only see that a
# device exists and delete it, which makes the user enrol again at their next sign-in.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(admin.ModelAdmin[TOTPDevice]):
    list_display = ["user", "name", "confirmed", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    fields = ["user", "name", "confirmed", "last_used_at"]
    readonly_fields = ["user", "name", "confirmed", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TOTPDevice | None = None) -> bool:
        return False


@admin.register(StaticDevice)
class BackupCodesAdmin(admin.ModelAdmin[StaticDevice]):
    list_display = ["user", "name", "confirmed"]
    search_fields = ["user__username"]
    fields = ["user", "name", "confirmed"]
    readonly_fields = ["user", "name", "confirmed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: StaticDevice | None = None) -> bool:
        return False
