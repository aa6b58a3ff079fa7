"""Sign up, log in, and the audit row every sign-in leaves in each of the user's organizations."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.views.generic import FormView

from arhub.client_ip import client_ip
from arhub.form_errors import form_add_service_errors
from arhub.forms import EmailAuthenticationForm, SignupForm
from arhub.middleware import SESSION_ORG_KEY
from arhub.models import AuditAction, User
from arhub.selectors import membership_list_for_user
from arhub.services.accounts import user_signup
from arhub.services.audit import audit_record

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def record_sign_in(request: HttpRequest, user: User) -> None:
    for membership in membership_list_for_user(user=user):
        audit_record(
            org=membership.organization,
            actor=user,
            action=AuditAction.SIGNED_IN,
            summary=f"{user.email} signed in",
            ip_address=client_ip(request),
        )


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        record_sign_in(self.request, form.get_user())
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Reset links point at SITE_URL, the address people know, whatever Host the request had."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        site = urlsplit(settings.SITE_URL)
        # The email context is built from these after Django's own Host-derived values.
        self.extra_email_context = {"protocol": site.scheme, "domain": site.netloc}
        return super().form_valid(form)


class SignupView(FormView[SignupForm]):
    template_name = "registration/signup.html"
    form_class = SignupForm
    success_url = reverse_lazy("dashboard")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            return redirect("dashboard")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: SignupForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            user, org = user_signup(
                email=data["email"],
                password=data["password"],
                full_name=data["full_name"],
                org_name=data["org_name"],
                currency=data["currency"],
                timezone=data["timezone"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        login(self.request, user, backend=MODEL_BACKEND)
        self.request.session[SESSION_ORG_KEY] = org.pk
        record_sign_in(self.request, user)
        messages.success(self.request, f"Welcome to AR Hub. {org.name} is ready.")
        return super().form_valid(form)
