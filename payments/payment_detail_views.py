"""One payment's page and what can be done to it: apply its unapplied cash to the customer's
open invoices (one click), and reverse it (a bounced cheque) after a page that says what will
happen and asks why. Also the customer page's "Apply" for all their credit in one currency.

Reading needs VIEW; every action needs OPERATE (``OrgViewMixin`` answers 403 otherwise), and
another organization's payment or customer is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from arhub.money import ZERO, money_format
from arhub.permissions import OrgViewMixin, membership_allows
from arhub.roles import Perm
from invoicing.models import OUTSTANDING_STATUSES, Invoice
from invoicing.selectors import customer_get
from payments.credit_services import customer_credit_apply
from payments.forms import CreditApplyForm, ReverseForm
from payments.models import Payment, PaymentAllocation, PaymentRefund
from payments.payment_list_rows import payment_applied, payment_badges
from payments.selectors import payment_get
from payments.services import payment_apply_credit, payment_reverse


def _refusal(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class _PaymentView(OrgViewMixin, View):
    def get_payment(self, pk: int) -> Payment:
        return payment_get(org=self.org, payment_id=pk)

    def money(self, amount: Any, payment: Payment) -> str:
        return money_format(amount, payment.currency, self.org.locale)

    def allocations(self, payment: Payment) -> list[dict[str, Any]]:
        rows = (
            PaymentAllocation.objects.for_org(self.org)
            .filter(payment=payment)
            .select_related("invoice")
            .order_by("pk")
        )
        return [
            {
                "allocation": allocation,
                "invoice": allocation.invoice,
                "amount": self.money(allocation.amount, payment),
                "discount": self.money(allocation.discount, payment) if allocation.discount else "",
            }
            for allocation in rows
        ]


class PaymentDetailView(_PaymentView):
    required_perm = Perm.VIEW

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        payment = self.get_payment(pk)
        operate = membership_allows(self.membership, Perm.OPERATE)
        unapplied = payment.unapplied_amount if not payment.is_reversed else ZERO
        open_invoices: dict[str, Any] = {"count": 0, "owed": None}
        if unapplied > 0:
            open_invoices = (
                Invoice.objects.for_org(self.org)
                .filter(
                    customer_id=payment.customer_id,
                    currency=payment.currency,
                    status__in=OUTSTANDING_STATUSES,
                    balance_due__gt=0,
                )
                .aggregate(count=Count("pk"), owed=Sum("balance_due"))
            )
        refunds = list(
            PaymentRefund.objects.for_org(self.org)
            .filter(payment=payment)
            .select_related("created_by")
            .order_by("created_at", "pk")
        )
        return render(
            request,
            "payments/payment_detail.html",
            {
                "payment": payment,
                "customer": payment.customer,
                "badges": payment_badges(payment),
                "amount": self.money(payment.amount, payment),
                "applied": self.money(payment_applied(payment), payment),
                "unapplied": self.money(unapplied, payment) if unapplied > 0 else "",
                "refunded": self.money(payment.refunded_amount, payment)
                if payment.refunded_amount
                else "",
                "allocations": self.allocations(payment),
                "refunds": [
                    {"refund": refund, "amount": self.money(refund.amount, payment)}
                    for refund in refunds
                ],
                "open_count": open_invoices["count"],
                "open_owed": self.money(open_invoices["owed"], payment)
                if open_invoices["owed"]
                else "",
                "can_apply": operate and unapplied > 0 and open_invoices["count"] > 0,
                "can_reverse": operate
                and not payment.is_reversed
                and not payment.stripe_payment_intent,
            },
        )


class PaymentApplyCreditView(_PaymentView):
    required_perm = Perm.OPERATE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        payment = self.get_payment(pk)
        before = payment.unapplied_amount
        try:
            done = payment_apply_credit(org=self.org, actor=self.membership.user, payment=payment)
        except ValidationError as exc:
            messages.error(request, _refusal(exc))
            return redirect("payment_detail", pk=payment.pk)
        applied = before - done.unapplied_amount
        if applied > 0:
            text = f"Applied {self.money(applied, done)} to open invoices."
            if done.unapplied_amount > 0:
                text += f" {self.money(done.unapplied_amount, done)} is still kept as credit."
            messages.success(request, text)
        else:
            messages.info(
                request,
                f"Nothing was applied: {payment.customer.display_name} has no open invoices "
                f"in {payment.currency}. The credit is kept for their next one.",
            )
        return redirect("payment_detail", pk=payment.pk)


class PaymentReverseView(_PaymentView):
    """Asks why, says what will happen, then reverses."""

    required_perm = Perm.OPERATE

    def render_page(self, request: HttpRequest, payment: Payment, form: ReverseForm) -> Any:
        return render(
            request,
            "payments/payment_reverse.html",
            {
                "payment": payment,
                "form": form,
                "amount": self.money(payment.amount, payment),
                "allocations": [
                    row for row in self.allocations(payment) if row["allocation"].is_live
                ],
            },
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(request, self.get_payment(pk), ReverseForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        payment = self.get_payment(pk)
        form = ReverseForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, payment, form)
        try:
            done = payment_reverse(
                org=self.org,
                actor=self.membership.user,
                payment=payment,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            if "reason" in getattr(exc, "error_dict", {}):
                form.add_error("reason", exc.error_dict["reason"])
                return self.render_page(request, payment, form)
            messages.error(request, _refusal(exc))
            return redirect("payment_detail", pk=payment.pk)
        messages.success(
            request,
            f"Reversed the payment of {self.money(done.amount, done)}. The invoices it paid "
            "owe that amount again.",
        )
        return redirect("payment_detail", pk=done.pk)


class CustomerCreditApplyView(OrgViewMixin, View):
    """The customer page's "Apply": all their unapplied cash in one currency."""

    required_perm = Perm.OPERATE

    def post(self, request: HttpRequest, customer_pk: int) -> HttpResponse:
        customer = customer_get(org=self.org, customer_id=customer_pk)
        back = reverse("customer_detail", kwargs={"pk": customer.pk}) + "#payments"
        form = CreditApplyForm(request.POST)
        if not form.is_valid():
            messages.error(request, "The currency could not be read; reload the page.")
            return redirect(back)
        currency = form.cleaned_data["currency"]
        done = customer_credit_apply(
            org=self.org,
            actor=self.membership.user,
            customer_id=customer.pk,
            currency=currency,
        )
        locale = self.org.locale
        if done.amount > 0:
            text = (
                f"Applied {money_format(done.amount, currency, locale)} of credit to open invoices."
            )
            if done.left > 0:
                text += f" {money_format(done.left, currency, locale)} is still kept as credit."
            messages.success(request, text)
        else:
            messages.info(
                request,
                f"Nothing was applied: there is no {currency} credit, or nothing is owed "
                f"in {currency}.",
            )
        return redirect(back)
