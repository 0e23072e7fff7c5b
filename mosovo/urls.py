"""Top-level URLs: pages per app (namespaced), /api/, the admin site, health."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from mosovo.accounts import views as account_views
from mosovo.ops import views as ops_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("mosovo.accounts.urls")),
    path("caseload/", include("caseload.urls")),
    path("arms/", include("arms.urls")),
    path("visits/", include("visits.urls")),
    path("supervision/", include("supervision.urls")),
    path("audit/", include("mosovo.audit.urls")),
    path("ops/status/", ops_views.ops_status, name="ops_status"),
    path("api/", include("mosovo.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("admin/", admin.site.urls),
    path("healthz", ops_views.healthz, name="healthz"),
]

handler403 = "mosovo.ops.views.permission_denied"
handler404 = "mosovo.ops.views.page_not_found"
handler500 = "mosovo.ops.views.server_error"
