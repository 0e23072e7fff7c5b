from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("signed-out/", views.signed_out, name="signed_out"),
    path("security-code/", views.mfa_verify, name="mfa_verify"),
    path("security-code/set-up/", views.mfa_setup, name="mfa_setup"),
    path("security-code/backup-codes/", views.mfa_backup_codes, name="mfa_backup_codes"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("break-glass/<int:grant_id>/acknowledge/", views.break_glass_acknowledge, name="break_glass_acknowledge"),
]
