from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from arhub.form_errors import form_add_service_errors
from arhub.forms import InviteForm, RoleForm
from arhub.permissions import OrgViewMixin
from arhub.roles import ROLE_SUMMARIES, Perm, Role
from arhub.selectors import invitation_get, invitation_pending_list, member_get, member_list
from arhub.services.team import (
    assignable_roles,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    membership_change_role,
    membership_remove,
)

EMAIL_FAILED = (
    "The invitation for {email} is saved, but the email could not be sent. "
    "Check the mail settings, then use Resend."
)


def _flash_errors(request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
    for message in exc.messages if isinstance(exc, ValidationError) else [str(exc)]:
        messages.error(request, message)


class TeamView(OrgViewMixin, View):
    required_perms = {"POST": Perm.MANAGE_TEAM}

    def _render(self, request: HttpRequest, form: InviteForm) -> HttpResponse:
        return render(
            request,
            "arhub/team.html",
            {
                "members": member_list(org=self.org),
                "invitations": invitation_pending_list(org=self.org),
                "invite_form": form,
                "roles": [(role, ROLE_SUMMARIES[role]) for role in Role],
                # Offer only the roles this member may hand out (admins cannot make owners).
                "role_choices": assignable_roles(self.membership),
            },
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, InviteForm(roles=assignable_roles(self.membership)))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = InviteForm(request.POST, roles=assignable_roles(self.membership))
        if not form.is_valid():
            return self._render(request, form)
        try:
            invitation, sent = invitation_create(
                org=self.org,
                actor=self.membership,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except PermissionDenied as exc:
            form.add_error("role", str(exc))
            return self._render(request, form)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self._render(request, form)
        if sent:
            messages.success(request, f"Invitation sent to {invitation.email}.")
        else:
            messages.error(request, EMAIL_FAILED.format(email=invitation.email))
        return redirect("team")


class MemberRoleView(OrgViewMixin, View):
    required_perm = Perm.MANAGE_TEAM

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        membership = member_get(org=self.org, membership_id=pk)
        form = RoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose one of the listed roles.")
            return redirect("team")
        try:
            membership_change_role(
                org=self.org, actor=self.membership, membership=membership,
                role=form.cleaned_data["role"],
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            _flash_errors(request, exc)
        else:
            messages.success(
                request, f"{membership.user.full_name} is now {membership.get_role_display()}."
            )
        return redirect("team")


class MemberRemoveView(OrgViewMixin, View):
    required_perm = Perm.MANAGE_TEAM

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        membership = member_get(org=self.org, membership_id=pk)
        try:
            membership_remove(org=self.org, actor=self.membership, membership=membership)
        except (ValidationError, PermissionDenied) as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, f"Removed {membership.user.email} from {self.org.name}.")
        if membership.pk == self.membership.pk:
            return redirect("dashboard")
        return redirect("team")


class InvitationRevokeView(OrgViewMixin, View):
    required_perm = Perm.MANAGE_TEAM

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        invitation = invitation_get(org=self.org, invitation_id=pk)
        invitation_revoke(org=self.org, actor=self.membership, invitation=invitation)
        messages.success(request, f"The invitation for {invitation.email} no longer works.")
        return redirect("team")


class InvitationResendView(OrgViewMixin, View):
    required_perm = Perm.MANAGE_TEAM

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        invitation = invitation_get(org=self.org, invitation_id=pk)
        try:
            sent = invitation_resend(org=self.org, actor=self.membership, invitation=invitation)
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            if sent:
                messages.success(request, f"Sent a fresh link to {invitation.email}.")
            else:
                messages.error(request, EMAIL_FAILED.format(email=invitation.email))
        return redirect("team")
