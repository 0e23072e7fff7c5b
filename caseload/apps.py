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

        # Where to act on each kind of task (arms and visits register theirs), and the
        # task counts in the navigation (accounts, a lower layer, does not import caseload).
        from mosovo.accounts.context_processors import register_nav_badge

        from .task_links import register_defaults
        from .task_views import my_tasks_badge, team_tasks_badge

        register_defaults()
        register_nav_badge("caseload:tasks", my_tasks_badge, text="late or due this week")
        register_nav_badge("caseload:team_tasks", team_tasks_badge, text="escalated or over the 20% rule")
