from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView

from arhub.form_errors import form_add_service_errors
from arhub.forms import OrganizationCreateForm
from arhub.middleware import SESSION_ORG_KEY
from arhub.models import User
from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from arhub.selectors import membership_list_for_user
from arhub.services.accounts import organization_create
from arhub.services.notices import notices_mark_read


def home(request: HttpRequest) -> HttpResponse:
    return redirect("dashboard" if request.user.is_authenticated else "login")


class NoticesReadView(OrgViewMixin, View):
    """Mark one notice read (``notice``) or all of them; back to the dashboard."""

    required_perm = Perm.OPERATE

    def post(self, request: HttpRequest) -> HttpResponse:
        raw = request.POST.get("notice", "")
        ids = [int(raw)] if raw.isdigit() else None
        count = notices_mark_read(org=self.org, notice_ids=ids)
        if ids is None:
            messages.info(request, f"Marked {count} notice{'s' if count != 1 else ''} read.")
        return redirect("dashboard")


class OrganizationSwitchView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            org_id = int(request.POST.get("organization", ""))
        except ValueError:
            raise Http404("No such organization.") from None
        user = cast(User, request.user)  # LoginRequiredMixin has let only users through
        membership = membership_list_for_user(user=user).filter(organization_id=org_id).first()
        if membership is None:
            raise Http404("No such organization.")
        request.session[SESSION_ORG_KEY] = membership.organization_id
        messages.info(request, f"Switched to {membership.organization.name}.")
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = ""
        return HttpResponseRedirect(target) if target else redirect("dashboard")


class OrganizationCreateView(LoginRequiredMixin, FormView[OrganizationCreateForm]):
    template_name = "arhub/organization_create.html"
    form_class = OrganizationCreateForm

    def form_valid(self, form: OrganizationCreateForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            org = organization_create(
                owner=self.request.user,  # type: ignore[arg-type]
                name=data["org_name"],
                currency=data["currency"],
                timezone=data["timezone"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        self.request.session[SESSION_ORG_KEY] = org.pk
        messages.success(self.request, f"{org.name} is ready. You are its owner.")
        return redirect("dashboard")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["has_orgs"] = getattr(self.request, "membership", None) is not None
        return context
