from django.contrib import admin

from .models import Alert, PeriodicTaskStatus


@admin.register(PeriodicTaskStatus)
class PeriodicTaskStatusAdmin(admin.ModelAdmin[PeriodicTaskStatus]):
    list_display = ["name", "last_finished_at", "last_duration_ms", "run_count"]
    readonly_fields = ["name", "last_started_at", "last_finished_at", "last_duration_ms", "run_count", "last_error"]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin[Alert]):
    list_display = ["raised_at", "kind", "message", "resolved_at"]
    list_filter = ["kind", "resolved_at"]
    readonly_fields = ["kind", "message", "raised_at"]
    fields = ["kind", "message", "raised_at", "resolved_at", "resolved_by"]

    def has_add_permission(self, request: object) -> bool:
        return False
