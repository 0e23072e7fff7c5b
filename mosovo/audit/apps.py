from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "mosovo.audit"
    label = "audit"
    verbose_name = "Audit"
