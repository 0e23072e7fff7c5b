"""Caseload URLs (namespace ``caseload``)."""

from django.urls import URLPattern, URLResolver

app_name = "caseload"

urlpatterns: list[URLPattern | URLResolver] = []
