from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "Supervision"

    def ready(self) -> None:
        # Demo data: the top layer seeds last, so the deadline sweep sees every other
        # app's demo records (apps register in INSTALLED_APPS order).
        from mosovo.accounts.demo import register_demo_seeder

        from .demo import seed_demo_deadlines

        register_demo_seeder("deadlines", seed_demo_deadlines)
