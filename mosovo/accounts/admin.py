from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

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
