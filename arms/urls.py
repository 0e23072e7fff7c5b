"""ARMS URLs (namespace ``arms``): assessments and risk management plans."""

from django.urls import URLPattern, URLResolver, path

from . import plan_views, views

app_name = "arms"

urlpatterns: list[URLPattern | URLResolver] = [
    # --- Assessments (arms/views.py) ---
    # --- end of assessments ---
    # --- Plans (arms/plan_views.py) ---
    # --- end of plans ---
]
