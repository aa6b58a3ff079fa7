"""Payments, Review: the Stripe events set aside for the owner, each with its reason, and the
two ways to close one (record as customer credit, or dismiss with a note).

Reading needs the view permission; acting needs operate (``OrgViewMixin`` answers 403). An
event of another organization is a 404. When the event names no checkout of this organization,
"Record as customer credit" first asks who paid: a search (GET, so the page can be bookmarked
and works without JavaScript), then the matches to pick from.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from arhub.form_errors import form_add_service_errors
from arhub.permissions import OrgViewMixin, membership_allows
from arhub.roles import Perm
from invoicing.invoice_input import NotInOrganization
from invoicing.models import Customer
from invoicing.selectors import customer_list
from payments.stripe_review import stripe_event_dismiss, stripe_event_record_credit
from payments.stripe_review_forms import CreditForm, DismissForm, FindCustomerForm
from payments.stripe_review_selectors import (
    LIST_LIMIT,
    ReviewItem,
    stripe_review_get,
    stripe_review_list,
)

MATCH_LIMIT = 20


class StripeReviewListView(OrgViewMixin, View):
    required_perm = Perm.VIEW

    def get(self, request: HttpRequest) -> HttpResponse:
        reviewed = request.GET.get("show") == "reviewed"
        items = stripe_review_list(org=self.org, reviewed=reviewed)
        return render(
            request,
            "payments/stripe_review_list.html",
            {"items": items, "reviewed": reviewed, "limit": LIST_LIMIT},
        )


class _ReviewPage(OrgViewMixin, View):
    def page(
        self,
        request: HttpRequest,
        item: ReviewItem,
        *,
        credit_form: CreditForm | None = None,
        dismiss_form: DismissForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        find_form = FindCustomerForm(request.GET or None)
        search = ""
        if find_form.is_bound and find_form.is_valid():
            search = find_form.cleaned_data["find"].strip()
        found: list[Customer] = []
        if search and item.customer is None:
            found = list(customer_list(org=self.org, search=search)[: MATCH_LIMIT + 1])
        return render(
            request,
            "payments/stripe_review_detail.html",
            {
                "item": item,
                "event": item.event,
                "can_operate": membership_allows(self.membership, Perm.OPERATE),
                "credit_form": credit_form or CreditForm(),
                "dismiss_form": dismiss_form or DismissForm(),
                "find_form": find_form,
                "search": search,
                "matches": found[:MATCH_LIMIT],
                "more_matches": len(found) > MATCH_LIMIT,
                "match_limit": MATCH_LIMIT,
            },
            status=status,
        )

    def item(self, pk: int) -> ReviewItem:
        return stripe_review_get(org=self.org, event_pk=pk)

    def already_reviewed(self, request: HttpRequest, exc: ValidationError) -> bool:
        """Someone closed the event meanwhile: say so on its page rather than on a form that
        is no longer there."""
        if "status" not in getattr(exc, "error_dict", {}):
            return False
        messages.error(request, " ".join(exc.messages))
        return True


class StripeReviewDetailView(_ReviewPage):
    required_perm = Perm.VIEW

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.page(request, self.item(pk))


class StripeReviewCreditView(_ReviewPage):
    required_perm = Perm.OPERATE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = self.item(pk)
        form = CreditForm(request.POST)
        if form.is_valid():
            try:
                payment = stripe_event_record_credit(
                    org=self.org,
                    actor=self.membership.user,
                    event=item.event,
                    customer_id=form.cleaned_data["customer"],
                )
            except NotInOrganization:
                # A customer id from another organization (or none): as if it did not exist.
                raise Http404("No such customer.") from None
            except ValidationError as exc:
                if self.already_reviewed(request, exc):
                    return redirect("stripe_review_detail", pk=pk)
                form_add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Recorded {item.amount_text} as credit for {payment.customer.display_name}. "
                    "Apply it to their invoices here when you are ready.",
                )
                return redirect("payment_detail", pk=payment.pk)
        return self.page(request, self.item(pk), credit_form=form, status=400)


class StripeReviewDismissView(_ReviewPage):
    required_perm = Perm.OPERATE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = self.item(pk)
        form = DismissForm(request.POST)
        if form.is_valid():
            try:
                stripe_event_dismiss(
                    org=self.org,
                    actor=self.membership.user,
                    event=item.event,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                if self.already_reviewed(request, exc):
                    return redirect("stripe_review_detail", pk=pk)
                form_add_service_errors(form, exc)
            else:
                messages.success(request, f"Dismissed Stripe event {item.event.event_id}.")
                return redirect("stripe_review")
        return self.page(request, self.item(pk), dismiss_form=form, status=400)
