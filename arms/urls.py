"""ARMS URLs (namespace ``arms``): assessments and risk management plans."""

from django.urls import URLPattern, URLResolver, path

from . import plan_views, views

app_name = "arms"

urlpatterns: list[URLPattern | URLResolver] = [
    # --- Assessments (arms/views.py) ---
    path("rso/<int:rso_id>/assessments/", views.rso_assessments, name="rso_assessments"),
    path("rso/<int:rso_id>/assessments/start/", views.assessment_start, name="assessment_start"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:assessment_id>/sources/", views.assessment_sources, name="assessment_sources"),
    path("assessments/<int:assessment_id>/factors/", views.assessment_factors, name="assessment_factors"),
    path("assessments/<int:assessment_id>/factors/<int:rating_id>/", views.assessment_factor, name="assessment_factor"),
    path("assessments/<int:assessment_id>/other/", views.assessment_other, name="assessment_other"),
    path("assessments/<int:assessment_id>/summary/", views.assessment_summary, name="assessment_summary"),
    path("assessments/<int:assessment_id>/submit/", views.assessment_submit, name="assessment_submit"),
    path("assessments/<int:assessment_id>/review/", views.assessment_review, name="assessment_review"),
    # --- end of assessments ---
    # --- Plans (arms/plan_views.py) ---
    path("rso/<int:rso_id>/plan/", plan_views.rso_plan, name="rso_plan"),
    path("rso/<int:rso_id>/plan/start/", plan_views.plan_start, name="plan_start"),
    path("rso/<int:rso_id>/plan/history/", plan_views.plan_history, name="plan_history"),
    path("plans/<int:plan_id>/", plan_views.plan_detail, name="plan_detail"),
    path("plans/<int:plan_id>/edit/", plan_views.plan_edit, name="plan_edit"),
    path("plans/<int:plan_id>/actions/add/", plan_views.plan_action_add, name="plan_action_add"),
    path("plans/<int:plan_id>/actions/<int:action_id>/edit/", plan_views.plan_action_edit, name="plan_action_edit"),
    path(
        "plans/<int:plan_id>/actions/<int:action_id>/remove/", plan_views.plan_action_remove, name="plan_action_remove"
    ),
    path(
        "plans/<int:plan_id>/actions/<int:action_id>/status/", plan_views.plan_action_status, name="plan_action_status"
    ),
    path("plans/<int:plan_id>/submit/", plan_views.plan_submit, name="plan_submit"),
    path("plans/<int:plan_id>/review/", plan_views.plan_review, name="plan_review"),
    path("plans/<int:plan_id>/pdf/", plan_views.plan_pdf, name="plan_pdf"),
    # --- end of plans ---
]
