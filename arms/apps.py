from typing import Any

from django.apps import AppConfig


class ArmsConfig(AppConfig):
    name = "arms"
    verbose_name = "ARMS"

    def ready(self) -> None:
        # caseload (a lower layer) shows the ARMS and plan tabs on the record, and
        # accounts the submissions awaiting a sergeant, without importing arms.
        from caseload.views import register_record_tab

        register_record_tab(key="arms", label="ARMS", url_name="arms:rso_assessments", before="changes")
        register_record_tab(key="plan", label="Plan", url_name="arms:rso_plan", before="changes")

        from mosovo.accounts.home import register_home_section

        from .home import home_approvals

        register_home_section(roles=["SERGEANT"], template="arms/home_approvals.html", provider=home_approvals)

        # Demo data: runs after caseload's seeder (apps register in INSTALLED_APPS order).
        from mosovo.accounts.demo import register_demo_seeder

        from .demo import seed_demo_arms

        register_demo_seeder("arms", seed_demo_arms)

        # "My tasks" sends ARMS reviews to the ARMS tab, where the assessment is started
        # (starting one is a POST from that page).
        from django.urls import reverse

        from caseload.choices import DeadlineKind
        from caseload.task_links import register_task_link

        def assessments(deadline: Any) -> str:
            return reverse("arms:rso_assessments", args=[deadline.rso_id]) if deadline.rso_id else ""

        register_task_link(DeadlineKind.ARMS_REVIEW, assessments, label="Start an ARMS review")
        register_task_link(DeadlineKind.ARMS_CHANGE_REVIEW, assessments, label="Start an ARMS review")
