"""The JSON API under /api/ (namespace ``api``): each app's endpoints, listed here."""

from django.urls import path

from caseload import apis as caseload_apis

app_name = "api"

urlpatterns = [
    path("rsos/", caseload_apis.RSOListApi.as_view(), name="rso_list"),
    path("rsos/<int:rso_id>/", caseload_apis.RSODetailApi.as_view(), name="rso_detail"),
]
