from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    name = "caseload"
    verbose_name = "Caseload"

    def ready(self) -> None:
        # accounts (a lower layer) shows open overrides on the sergeant's home page
        # without importing caseload.
        from mosovo.accounts.home import register_cap_overrides

        from .selectors import cap_overrides_open

        register_cap_overrides(cap_overrides_open)

        from mosovo.accounts.demo import register_demo_seeder

        from .demo import seed_demo_caseload

        register_demo_seeder("caseload", seed_demo_caseload)

        from .schedule import register_schedule_provider
        from .services import rso_arms_review_schedule

        register_schedule_provider(rso_arms_review_schedule)
