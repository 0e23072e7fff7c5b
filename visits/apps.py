from typing import Any

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

        # The record's "Visits" tab (caseload, a lower layer, does not import visits).
        from caseload.views import register_record_tab

        register_record_tab(key="visits", label="Visits", url_name="visits:rso_visits", before="arms")

        # Demo data: runs after the caseload and ARMS seeders (INSTALLED_APPS order).
        from mosovo.accounts.demo import register_demo_seeder

        from .demo import seed_demo_visits

        register_demo_seeder("visits", seed_demo_visits)

        # "My tasks" sends a home visit due to the page that plans one.
        from django.urls import reverse

        from caseload.choices import DeadlineKind
        from caseload.task_links import register_task_link

        def plan_visit(deadline: Any) -> str:
            return reverse("visits:visit_plan", args=[deadline.rso_id]) if deadline.rso_id else ""

        register_task_link(DeadlineKind.VISIT, plan_visit, label="Plan a visit")
