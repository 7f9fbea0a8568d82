from django.contrib.auth.decorators import login_required
from django.urls import path
from django.views.generic import TemplateView

from . import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_code, name="login-code"),
    path("logout/", views.logout_view, name="logout"),
    path("account/two-factor/", views.two_factor, name="two-factor"),
    path("account/sessions/", views.session_list, name="session-list"),
    path("account/password/", login_required(views.PasswordChange.as_view()), name="password-change"),
    path(
        "account/password/done/",
        login_required(TemplateView.as_view(template_name="orgs/password_change_done.html")),
        name="password-change-done",
    ),
    path("account/reset/", views.PasswordReset.as_view(), name="password-reset"),
    path(
        "account/reset/sent/",
        TemplateView.as_view(template_name="orgs/password_reset_done.html"),
        name="password-reset-done",
    ),
    path("account/reset/<uidb64>/<token>/", views.PasswordResetConfirm.as_view(), name="password-reset-confirm"),
    path("agencies/", views.agency_list, name="agency-list"),
    path("agencies/<str:code>/", views.agency_detail, name="agency-detail"),
    path("users/", views.user_list, name="user-list"),
    path("audit/", views.audit_list, name="audit-list"),
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<str:prefix>/revoke/", views.token_revoke, name="token-revoke"),
]
