"""Caseload URLs (namespace ``caseload``)."""

from django.urls import path

from . import task_views, views

app_name = "caseload"

urlpatterns = [
    path("", views.rso_list, name="rso_list"),
    path("search/", views.rso_search, name="rso_search"),
    path("rso/<int:rso_id>/", views.rso_detail, name="rso_detail"),
    path("rso/<int:rso_id>/audit/", views.rso_audit, name="rso_audit"),
    path("rso/<int:rso_id>/allocate/", views.rso_allocate, name="rso_allocate"),
    # Record details (profile, addresses, contacts, identity, photo)
    path("rso/<int:rso_id>/profile/change/", views.rso_profile_edit, name="rso_profile_edit"),
    path("rso/<int:rso_id>/photo/", views.rso_photo, name="rso_photo"),
    path("rso/<int:rso_id>/photo/upload/", views.rso_photo_upload, name="rso_photo_upload"),
    path("rso/<int:rso_id>/aliases/add/", views.rso_alias_add, name="rso_alias_add"),
    path("rso/<int:rso_id>/aliases/<int:item_id>/remove/", views.rso_alias_delete, name="rso_alias_delete"),
    path("rso/<int:rso_id>/vehicles/add/", views.rso_vehicle_add, name="rso_vehicle_add"),
    path("rso/<int:rso_id>/vehicles/<int:item_id>/remove/", views.rso_vehicle_delete, name="rso_vehicle_delete"),
    path("rso/<int:rso_id>/employment/add/", views.rso_employment_add, name="rso_employment_add"),
    path("rso/<int:rso_id>/employment/<int:item_id>/end/", views.rso_employment_end, name="rso_employment_end"),
    path("rso/<int:rso_id>/associates/add/", views.rso_associate_add, name="rso_associate_add"),
    path("rso/<int:rso_id>/associates/<int:item_id>/remove/", views.rso_associate_delete, name="rso_associate_delete"),
    path("rso/<int:rso_id>/documents/add/", views.rso_identity_document_add, name="rso_identity_document_add"),
    path(
        "rso/<int:rso_id>/documents/<int:item_id>/remove/",
        views.rso_identity_document_delete,
        name="rso_identity_document_delete",
    ),
    path("rso/<int:rso_id>/addresses/", views.rso_addresses, name="rso_addresses"),
    path("rso/<int:rso_id>/addresses/add/", views.rso_address_add, name="rso_address_add"),
    path("rso/<int:rso_id>/addresses/<int:item_id>/end/", views.rso_address_end, name="rso_address_end"),
    path("overrides/<int:override_id>/resolve/", views.cap_override_resolve, name="cap_override_resolve"),
    path("break-glass/", views.break_glass, name="break_glass"),
]

# The record's law tabs: convictions, notifications, travel, orders, risk, changes.
urlpatterns += [
    path("rso/<int:rso_id>/convictions/", views.rso_convictions, name="rso_convictions"),
    path("rso/<int:rso_id>/convictions/add/", views.rso_conviction_add, name="rso_conviction_add"),
    path("rso/<int:rso_id>/convictions/<int:item_id>/edit/", views.rso_conviction_edit, name="rso_conviction_edit"),
    path("rso/<int:rso_id>/notifications/", views.rso_notifications, name="rso_notifications"),
    path("rso/<int:rso_id>/notifications/add/", views.rso_notification_add, name="rso_notification_add"),
    path("rso/<int:rso_id>/travel/", views.rso_travel, name="rso_travel"),
    path("rso/<int:rso_id>/travel/add/", views.rso_travel_add, name="rso_travel_add"),
    path("rso/<int:rso_id>/orders/", views.rso_orders, name="rso_orders"),
    path("rso/<int:rso_id>/orders/add/", views.rso_order_add, name="rso_order_add"),
    path(
        "rso/<int:rso_id>/orders/<int:item_id>/prohibitions/add/",
        views.rso_prohibition_add,
        name="rso_prohibition_add",
    ),
    path("rso/<int:rso_id>/risk/", views.rso_risk, name="rso_risk"),
    path("rso/<int:rso_id>/risk/static-scores/add/", views.rso_static_score_add, name="rso_static_score_add"),
    path("rso/<int:rso_id>/risk/change/", views.rso_risk_change, name="rso_risk_change"),
    path("rso/<int:rso_id>/status/", views.rso_status_change, name="rso_status_change"),
    path("rso/<int:rso_id>/management/", views.rso_management_model, name="rso_management_model"),
    path("rso/<int:rso_id>/reactive-request/", views.rso_reactive_request, name="rso_reactive_request"),
    path("rso/<int:rso_id>/changes/", views.rso_changes, name="rso_changes"),
    path("rso/<int:rso_id>/changes/add/", views.rso_change_add, name="rso_change_add"),
]

# Tasks (the deadline engine's inboxes), closing a task by hand, cap breaches.
urlpatterns += [
    path("tasks/", task_views.tasks, name="tasks"),
    path("tasks/team/", task_views.team_tasks, name="team_tasks"),
    path("tasks/<int:deadline_id>/close/", task_views.deadline_close, name="deadline_close"),
    path("cap-breaches/<int:deadline_id>/", task_views.cap_breach, name="cap_breach"),
    path("cap-breaches/<int:deadline_id>/apply/", task_views.cap_breach_apply, name="cap_breach_apply"),
]
