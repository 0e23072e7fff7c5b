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
