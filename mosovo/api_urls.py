"""The JSON API under /api/ (namespace ``api``): each app's endpoints, listed here."""

from django.urls import path

from arms import apis as arms_apis
from caseload import apis as caseload_apis

app_name = "api"

urlpatterns = [
    path("rsos/", caseload_apis.RSOListApi.as_view(), name="rso_list"),
    path("rsos/<int:rso_id>/", caseload_apis.RSODetailApi.as_view(), name="rso_detail"),
    path("rsos/<int:rso_id>/convictions/", caseload_apis.RSOConvictionsApi.as_view(), name="rso_convictions"),
    path("rsos/<int:rso_id>/notifications/", caseload_apis.RSONotificationsApi.as_view(), name="rso_notifications"),
    path("rsos/<int:rso_id>/orders/", caseload_apis.RSOOrdersApi.as_view(), name="rso_orders"),
    path("rsos/<int:rso_id>/travel/", caseload_apis.RSOTravelApi.as_view(), name="rso_travel"),
    # --- ARMS ---
    path("rsos/<int:rso_id>/assessments/", arms_apis.RSOAssessmentsApi.as_view(), name="arms-rso_assessments"),
    path("assessments/<int:assessment_id>/", arms_apis.AssessmentDetailApi.as_view(), name="arms-assessment_detail"),
    path(
        "assessments/<int:assessment_id>/ratings/<int:rating_id>/",
        arms_apis.AssessmentRatingApi.as_view(),
        name="arms-assessment_rating",
    ),
    path(
        "assessments/<int:assessment_id>/submit/",
        arms_apis.AssessmentSubmitApi.as_view(),
        name="arms-assessment_submit",
    ),
    path(
        "assessments/<int:assessment_id>/return/",
        arms_apis.AssessmentReturnApi.as_view(),
        name="arms-assessment_return",
    ),
    path(
        "assessments/<int:assessment_id>/approve/",
        arms_apis.AssessmentApproveApi.as_view(),
        name="arms-assessment_approve",
    ),
    path("rsos/<int:rso_id>/plans/", arms_apis.RSOPlansApi.as_view(), name="arms-rso_plans"),
    path("plans/<int:plan_id>/", arms_apis.PlanDetailApi.as_view(), name="arms-plan_detail"),
    path("plans/<int:plan_id>/actions/", arms_apis.PlanActionsApi.as_view(), name="arms-plan_actions"),
    path("plans/<int:plan_id>/actions/<int:action_id>/", arms_apis.PlanActionApi.as_view(), name="arms-plan_action"),
    path("plans/<int:plan_id>/submit/", arms_apis.PlanSubmitApi.as_view(), name="arms-plan_submit"),
    path("plans/<int:plan_id>/return/", arms_apis.PlanReturnApi.as_view(), name="arms-plan_return"),
    path("plans/<int:plan_id>/approve/", arms_apis.PlanApproveApi.as_view(), name="arms-plan_approve"),
    path("arms/factors/", arms_apis.FactorCatalogueApi.as_view(), name="arms-factors"),
    # --- end of ARMS ---
]
