"""Caseload URLs (namespace ``caseload``)."""

from django.urls import path

from . import views

app_name = "caseload"

urlpatterns = [
    path("", views.rso_list, name="rso_list"),
    path("rso/<int:rso_id>/", views.rso_detail, name="rso_detail"),
    path("break-glass/", views.break_glass, name="break_glass"),
]
