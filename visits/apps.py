from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = "Visits"

    def ready(self) -> None:
        # caseload keeps the next visit due date on the RSO; the visits app computes it
        # whenever an input changes (plan approval, risk level, a recorded visit).
        from caseload.schedule import register_schedule_provider

        from .services import rso_visit_schedule

        register_schedule_provider(rso_visit_schedule)
