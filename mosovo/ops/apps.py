from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "mosovo.ops"
    label = "ops"
    verbose_name = "Operations"
