from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from arhub.forms import OrganizationSettingsForm
from arhub.models import AuditAction, Organization
from arhub.permissions import OrgViewMixin, membership_allows
from arhub.roles import Perm
from arhub.services.audit import audit_record


class OrganizationSettingsView(OrgViewMixin, View):
    required_perms = {"POST": Perm.MANAGE_SETTINGS}
    template_name = "arhub/settings.html"

    def _render(self, request: HttpRequest, form: OrganizationSettingsForm) -> HttpResponse:
        may_edit = membership_allows(self.membership, Perm.MANAGE_SETTINGS)
        if not may_edit:
            for field in form.fields.values():
                field.disabled = True
        return render(request, self.template_name, {"form": form, "may_edit": may_edit})

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, OrganizationSettingsForm(instance=self.org))

    def post(self, request: HttpRequest) -> HttpResponse:
        # A copy: a ModelForm writes submitted values onto its instance even when they fail
        # validation, and the page around the form still renders from request.org.
        editable = Organization.objects.get(pk=self.org.pk)
        form = OrganizationSettingsForm(request.POST, request.FILES, instance=editable)
        if not form.is_valid():
            return self._render(request, form)
        with transaction.atomic():
            form.save()
            audit_record(
                org=self.org,
                actor=self.membership.user,
                action=AuditAction.SETTINGS_CHANGED,
                summary="Changed " + ", ".join(form.changed_data),
                data={"fields": form.changed_data},
            )
        messages.success(request, "Settings saved.")
        return redirect("settings")


class OrganizationLogoView(OrgViewMixin, View):
    """Streams the current organization's logo to its members; uploads have no public URL."""

    def get(self, request: HttpRequest) -> FileResponse:
        if not self.org.logo:
            raise Http404("No logo uploaded.")
        response = FileResponse(self.org.logo.open("rb"))
        response["Cache-Control"] = "private, max-age=300"
        response["X-Content-Type-Options"] = "nosniff"
        return response
