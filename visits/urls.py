"""Visit URLs (namespace ``visits``): visits, the safety assessment, the team calendar."""

from django.urls import URLPattern, URLResolver, path

from . import calendar_views, views

app_name = "visits"

urlpatterns: list[URLPattern | URLResolver] = [
    # --- E: visit pages (visits/views.py) ---
    path("rso/<int:rso_id>/visits/", views.rso_visits, name="rso_visits"),
    path("rso/<int:rso_id>/visits/plan/", views.visit_plan, name="visit_plan"),
    path("visits/<int:visit_id>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:visit_id>/safety/", views.visit_safety, name="visit_safety"),
    path("visits/<int:visit_id>/start/", views.visit_start, name="visit_start"),
    path("visits/<int:visit_id>/record/", views.visit_record, name="visit_record"),
    path("visits/<int:visit_id>/devices/add/", views.device_add, name="device_add"),
    path("visits/<int:visit_id>/devices/<int:device_id>/remove/", views.device_remove, name="device_remove"),
    path("visits/<int:visit_id>/approve-single/", views.visit_approve_single, name="visit_approve_single"),
    path("visits/<int:visit_id>/cancel/", views.visit_cancel, name="visit_cancel"),
    # --- end of E ---
    # --- F: calendar and upcoming (visits/calendar_views.py) ---
    path("calendar/", calendar_views.calendar, name="calendar"),
    path("upcoming/", calendar_views.upcoming, name="upcoming"),
    # --- end of F ---
]
