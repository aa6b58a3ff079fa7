"""Waiving a late fee from the invoice page: a POST with the reason, by someone who may operate.
Another organization's fee (or one of another invoice) is a 404; a refusal (no reason, already
waived, already paid) comes back on the invoice page in the service's words."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View

from arhub.money import money_format
from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from invoicing.models import LateFee
from payments.late_fee_services import late_fee_waive


class LateFeeWaiveView(OrgViewMixin, View):
    required_perm = Perm.OPERATE

    def post(self, request: HttpRequest, invoice_pk: int, pk: int) -> HttpResponse:
        fee = get_object_or_404(
            LateFee.objects.for_org(self.org).select_related("invoice"),
            pk=pk,
            invoice_id=invoice_pk,
        )
        try:
            late_fee_waive(
                org=self.org,
                actor=self.membership.user,
                fee=fee,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            amount = money_format(fee.amount, fee.invoice.currency, self.org.locale)
            messages.success(
                request,
                f"Waived the late fee of {amount}. Invoice {fee.invoice.number} no longer owes it.",
            )
        return redirect(reverse("invoice_detail", args=[invoice_pk]) + "#late-fees")
