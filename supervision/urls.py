"""Supervision URLs (namespace ``supervision``)."""

from django.urls import path

from . import approval_views, audit_views, dashboard_views, export_views, record_views, session_views

app_name = "supervision"

urlpatterns = [
    path("", dashboard_views.dashboard, name="dashboard"),
    path("export/", export_views.team_export, name="team_export"),
    path("approvals/", approval_views.approvals, name="approvals"),
    path("sessions/", session_views.session_list, name="session_list"),
    path("sessions/new/", session_views.session_create, name="session_create"),
    path("sessions/<int:session_id>/", session_views.session_detail, name="session_detail"),
    path("sessions/<int:session_id>/acknowledge/", session_views.session_acknowledge, name="session_acknowledge"),
    path("actions/<int:agreed_action_id>/done/", session_views.action_complete, name="action_complete"),
    path("audits/", audit_views.audit_list, name="audit_list"),
    path("audits/sample/", audit_views.audit_sample, name="audit_sample"),
    path("audits/<int:audit_id>/", audit_views.audit_detail, name="audit_detail"),
    path("audits/<int:audit_id>/seen/", audit_views.audit_seen, name="audit_seen"),
    path("me/", record_views.my_record, name="my_record"),
    path("officers/<int:officer_id>/", record_views.officer_record, name="officer_record"),
    path("officers/<int:officer_id>/vetting/", record_views.vetting_edit, name="vetting_edit"),
    path("officers/<int:officer_id>/training/", record_views.training_add, name="training_add"),
    path("training/<int:record_id>/delete/", record_views.training_delete, name="training_delete"),
]

# --- sessions pages ---
urlpatterns += [
    path("sessions/new/cases/", session_views.session_cases, name="session_cases"),
]
# --- end sessions pages ---

# --- approvals queue ---
urlpatterns += [
    path("approvals/assessments/<int:assessment_id>/", approval_views.approval_assessment, name="approval_assessment"),
    path("approvals/plans/<int:plan_id>/", approval_views.approval_plan, name="approval_plan"),
    path("approvals/reactive/<int:reactive_request_id>/", approval_views.approval_reactive, name="approval_reactive"),
    path("approvals/visits/<int:visit_id>/", approval_views.approval_visit, name="approval_visit"),
    path("approvals/overrides/<int:override_id>/", approval_views.approval_override, name="approval_override"),
    path("approvals/break-glass/<int:grant_id>/", approval_views.approval_break_glass, name="approval_break_glass"),
]
# --- end approvals queue ---
