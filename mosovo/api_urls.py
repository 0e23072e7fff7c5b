"""The JSON API under /api/ (namespace ``api``): each app's endpoints, listed here."""

from django.urls import path

from caseload import apis as caseload_apis

app_name = "api"

urlpatterns = [
    path("rsos/", caseload_apis.RSOListApi.as_view(), name="rso_list"),
    path("rsos/<int:rso_id>/", caseload_apis.RSODetailApi.as_view(), name="rso_detail"),
    path("rsos/<int:rso_id>/convictions/", caseload_apis.RSOConvictionsApi.as_view(), name="rso_convictions"),
    path("rsos/<int:rso_id>/notifications/", caseload_apis.RSONotificationsApi.as_view(), name="rso_notifications"),
    path("rsos/<int:rso_id>/orders/", caseload_apis.RSOOrdersApi.as_view(), name="rso_orders"),
    path("rsos/<int:rso_id>/travel/", caseload_apis.RSOTravelApi.as_view(), name="rso_travel"),
]
