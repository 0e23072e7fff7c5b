from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "Supervision"

    def ready(self) -> None:
        # Demo data: the top layer seeds last, so the deadline sweep sees every other
        # app's demo records (apps register in INSTALLED_APPS order).
        from mosovo.accounts.demo import register_demo_seeder

        from .demo import seed_demo_deadlines, seed_demo_supervision

        register_demo_seeder("supervision", seed_demo_supervision)
        register_demo_seeder("deadlines", seed_demo_deadlines)

        # Agreed actions become tasks in the officer's inbox; vetting and training link
        # to the officer's record.
        from .deadlines import register

        register()

        # An officer's home page lists supervision records to acknowledge and open actions.
        from mosovo.accounts.home import register_home_section

        from .home import home_supervision

        register_home_section(
            roles=["OFFICER"], template="supervision/sessions/home_section.html", provider=home_supervision
        )

        # An officer's home page lists completed plan audits whose feedback is unread.
        from .audit_home import home_audit_feedback

        register_home_section(
            roles=["OFFICER"], template="supervision/audits/home_feedback.html", provider=home_audit_feedback
        )

        # --- approvals queue ---
        # The sergeant's navigation counts what waits in the approvals queue.
        from mosovo.accounts.context_processors import register_nav_badge

        from .selectors import approvals_count

        register_nav_badge(
            "supervision:approvals", lambda user: approvals_count(user=user), text="waiting for your approval"
        )
        # --- end approvals queue ---
