"""Visit URLs (namespace ``visits``): visits, the safety assessment, the team calendar."""

from django.urls import URLPattern, URLResolver

app_name = "visits"

urlpatterns: list[URLPattern | URLResolver] = [
    # --- E: visit pages (visits/views.py) ---
    # --- end of E ---
    # --- F: calendar and upcoming (visits/calendar_views.py) ---
    # --- end of F ---
]
