from django.contrib import admin

from .models import PeriodicTaskStatus


@admin.register(PeriodicTaskStatus)
class PeriodicTaskStatusAdmin(admin.ModelAdmin[PeriodicTaskStatus]):
    list_display = ["name", "last_finished_at", "last_duration_ms", "run_count"]
    readonly_fields = ["name", "last_started_at", "last_finished_at", "last_duration_ms", "run_count", "last_error"]

    def has_add_permission(self, request: object) -> bool:
        return False
