"""The JSON API under /api/ (namespace ``api``): each app's endpoints, listed here."""

from django.urls import path

from arms import apis as arms_apis
from caseload import apis as caseload_apis
from supervision import apis as supervision_apis
from visits import apis as visits_apis

app_name = "api"

urlpatterns = [
    path("rsos/", caseload_apis.RSOListApi.as_view(), name="rso_list"),
    path("rsos/<int:rso_id>/", caseload_apis.RSODetailApi.as_view(), name="rso_detail"),
    path("rsos/<int:rso_id>/convictions/", caseload_apis.RSOConvictionsApi.as_view(), name="rso_convictions"),
    path("rsos/<int:rso_id>/notifications/", caseload_apis.RSONotificationsApi.as_view(), name="rso_notifications"),
    path("rsos/<int:rso_id>/orders/", caseload_apis.RSOOrdersApi.as_view(), name="rso_orders"),
    path("rsos/<int:rso_id>/travel/", caseload_apis.RSOTravelApi.as_view(), name="rso_travel"),
    path("tasks/", caseload_apis.TasksApi.as_view(), name="tasks"),
    path("tasks/team/", caseload_apis.TeamTasksApi.as_view(), name="team_tasks"),
    # --- supervision ---
    path("supervision/dashboard/", supervision_apis.DashboardApi.as_view(), name="supervision-dashboard"),
    path("supervision/rollup/", supervision_apis.RollupApi.as_view(), name="supervision-rollup"),
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
    # --- Visits ---
    path("rsos/<int:rso_id>/visits/", visits_apis.RSOVisitsApi.as_view(), name="visits-rso_visits"),
    path("visits/<int:visit_id>/", visits_apis.VisitDetailApi.as_view(), name="visits-visit_detail"),
    path("visits/<int:visit_id>/safety/", visits_apis.VisitSafetyApi.as_view(), name="visits-visit_safety"),
    path("visits/<int:visit_id>/start/", visits_apis.VisitStartApi.as_view(), name="visits-visit_start"),
    path("visits/<int:visit_id>/record/", visits_apis.VisitRecordApi.as_view(), name="visits-visit_record"),
    path("visits/<int:visit_id>/complete/", visits_apis.VisitCompleteApi.as_view(), name="visits-visit_complete"),
    path("visits/<int:visit_id>/devices/", visits_apis.VisitDevicesApi.as_view(), name="visits-visit_devices"),
    path(
        "visits/<int:visit_id>/devices/<int:device_id>/",
        visits_apis.VisitDeviceApi.as_view(),
        name="visits-visit_device",
    ),
    path(
        "visits/<int:visit_id>/approve-single/",
        visits_apis.VisitApproveSingleApi.as_view(),
        name="visits-visit_approve_single",
    ),
    path("visits/<int:visit_id>/cancel/", visits_apis.VisitCancelApi.as_view(), name="visits-visit_cancel"),
    # --- end of Visits ---
]
