"""A policy's actions on the dashboard: make it the default, and delete it (after a page that
says what happens to its customers). Both need MANAGE_SETTINGS (owner, admin)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from reminders.policies import policy_default
from reminders.policy_services import policy_delete, policy_make_default
from reminders.selectors import policy_customer_counts, policy_get


def customers(count: int) -> str:
    return "1 customer" if count == 1 else f"{count} customers"


class PolicyMakeDefaultView(OrgViewMixin, View):
    required_perm = Perm.MANAGE_SETTINGS

    def post(self, request: HttpRequest, policy_id: int) -> HttpResponse:
        policy = policy_make_default(org=self.org, actor=self.membership.user, policy_id=policy_id)
        messages.success(
            request,
            f"“{policy.name}” is now the default: customers without a policy of their own "
            "follow it from their next reminder on.",
        )
        return redirect("reminders")


class PolicyDeleteView(OrgViewMixin, View):
    required_perm = Perm.MANAGE_SETTINGS

    def get(self, request: HttpRequest, policy_id: int) -> HttpResponse:
        policy = policy_get(org=self.org, policy_id=policy_id)
        count = policy_customer_counts(org=self.org).get(policy.pk, 0)
        return render(
            request,
            "reminders/policy_delete.html",
            {
                "policy": policy,
                "customers": customers(count) if count else "",
                "default": policy_default(org=self.org),
            },
        )

    def post(self, request: HttpRequest, policy_id: int) -> HttpResponse:
        policy = policy_get(org=self.org, policy_id=policy_id)
        try:
            moved = policy_delete(org=self.org, actor=self.membership.user, policy_id=policy.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("reminder_policy", policy_id=policy.pk)
        tail = f" {customers(moved)} went back to the default policy." if moved else ""
        messages.success(request, f"Deleted “{policy.name}”.{tail}")
        return redirect("reminders")
