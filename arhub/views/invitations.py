"""Accepting an invitation: signed in with the invited address, or by creating that account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from arhub.forms import InvitationSignupForm
from arhub.middleware import SESSION_ORG_KEY
from arhub.models import Invitation, User
from arhub.services.accounts import user_email_taken
from arhub.services.team import invitation_accept, invitation_find
from arhub.views.auth import MODEL_BACKEND, record_sign_in


class InvitationAcceptView(View):
    template_name = "registration/invitation.html"

    def _render(
        self, request: HttpRequest, invitation: Invitation | None, form: InvitationSignupForm
    ) -> HttpResponse:
        context = {
            "invitation": invitation,
            "form": form,
            "account_exists": invitation is not None and user_email_taken(invitation.email),
        }
        response = render(request, self.template_name, context, status=200 if invitation else 404)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        return response

    def get(self, request: HttpRequest, secret: str) -> HttpResponse:
        return self._render(request, invitation_find(secret=secret), InvitationSignupForm())

    def post(self, request: HttpRequest, secret: str) -> HttpResponse:
        invitation = invitation_find(secret=secret)
        if invitation is None:
            return self._render(request, None, InvitationSignupForm())
        form = InvitationSignupForm(request.POST)
        user: User
        if request.user.is_authenticated:
            user = request.user
        elif user_email_taken(invitation.email):
            messages.info(request, f"Log in as {invitation.email} to accept.")
            return redirect(f"/login/?next=/invite/{secret}/")
        else:
            if not form.is_valid():
                return self._render(request, invitation, form)
            candidate = User(email=invitation.email, full_name=form.cleaned_data["full_name"])
            try:
                validate_password(form.cleaned_data["password"], user=candidate)
            except ValidationError as exc:
                form.add_error("password", exc)
                return self._render(request, invitation, form)
            try:
                with transaction.atomic():
                    user = User.objects.create_user(
                        invitation.email,
                        form.cleaned_data["password"],
                        full_name=form.cleaned_data["full_name"],
                    )
                    membership = invitation_accept(secret=secret, user=user)
            except (IntegrityError, ValidationError) as exc:
                form.add_error(None, getattr(exc, "messages", ["Please try again."]))
                return self._render(request, invitation, form)
            login(request, user, backend=MODEL_BACKEND)
            record_sign_in(request, user)
            return self._joined(request, membership.organization_id, membership.organization.name)
        try:
            membership = invitation_accept(secret=secret, user=user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
            return self._render(request, invitation, form)
        return self._joined(request, membership.organization_id, membership.organization.name)

    def _joined(self, request: HttpRequest, org_id: int, org_name: str) -> HttpResponse:
        request.session[SESSION_ORG_KEY] = org_id
        messages.success(request, f"You have joined {org_name}.")
        return redirect("dashboard")
