from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from arhub import api
from arhub.health import healthz
from arhub.views import audit, auth, dashboard, invitations, org_settings, team, tokens
from metrics import dashboard_views

api_v1: list[URLPattern | URLResolver] = [
    path("organization/", api.OrganizationApi.as_view(), name="api_organization"),
    path("members/", api.MemberListApi.as_view(), name="api_members"),
    path("audit-events/", api.AuditEventListApi.as_view(), name="api_audit_events"),
    path("", include("arhub.messaging.api_urls")),
    path("", include("invoicing.api_urls")),
    path("", include("payments.api_urls")),
    path("", include("disputes.api_urls")),
    path("", include("reminders.api_urls")),
    path("", include("metrics.api_urls")),
]

auth_urls = [
    path("signup/", auth.SignupView.as_view(), name="signup"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "invite/<str:secret>/", invitations.InvitationAcceptView.as_view(), name="invitation_accept"
    ),
]

dashboard_urls = [
    path("", dashboard.home, name="home"),
    path("dashboard/", dashboard_views.DashboardView.as_view(), name="dashboard"),
    path("notices/read/", dashboard.NoticesReadView.as_view(), name="notices_read"),
    path("orgs/switch/", dashboard.OrganizationSwitchView.as_view(), name="organization_switch"),
    path("orgs/new/", dashboard.OrganizationCreateView.as_view(), name="organization_create"),
    path("settings/", org_settings.OrganizationSettingsView.as_view(), name="settings"),
    path("settings/logo/", org_settings.OrganizationLogoView.as_view(), name="organization_logo"),
    path("settings/team/", team.TeamView.as_view(), name="team"),
    path("settings/team/members/<int:pk>/role/", team.MemberRoleView.as_view(), name="member_role"),
    path(
        "settings/team/members/<int:pk>/remove/",
        team.MemberRemoveView.as_view(),
        name="member_remove",
    ),
    path(
        "settings/team/invitations/<int:pk>/revoke/",
        team.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path(
        "settings/team/invitations/<int:pk>/resend/",
        team.InvitationResendView.as_view(),
        name="invitation_resend",
    ),
    path("settings/tokens/", tokens.TokenListView.as_view(), name="tokens"),
    path("settings/tokens/<int:pk>/revoke/", tokens.TokenRevokeView.as_view(), name="token_revoke"),
    path("settings/audit/", audit.AuditLogView.as_view(), name="audit_log"),
]

urlpatterns = [
    *auth_urls,
    *dashboard_urls,
    path("", include("arhub.messaging.template_urls")),
    path("", include("arhub.messaging.public_urls")),
    path("", include("invoicing.urls")),
    path("", include("invoicing.import_urls")),
    path("", include("payments.urls")),
    path("", include("payments.pay_urls")),
    path("", include("payments.webhook_urls")),
    path("", include("disputes.urls")),
    path("", include("reminders.urls")),
    path("", include("metrics.urls")),
    path("", include("metrics.export_urls")),
    path("api/v1/", include(api_v1)),
    # The schema and its docs hold no tenant data, so they are public.
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[AllowAny], authentication_classes=[]),
        name="api_schema",
    ),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api_schema", permission_classes=[AllowAny], authentication_classes=[]
        ),
        name="api_docs",
    ),
    path("healthz", healthz, name="healthz"),
]
