"""The dashboard's payment plan pages: the list (requests waiting for the owner first, with
their age, then active plans, then the rest) and one plan's page (its customer, the invoices it
covers, the schedule with what is paid, its history) with the owner's decisions: approve,
decline with a message, cancel with a reason, move one instalment. Offering a plan and
counter-offering are ``plan_offer_views``.

Reading needs VIEW; every decision needs OPERATE. Another organization's plan is a 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from arhub.clock import org_today
from arhub.form_errors import form_add_service_errors
from arhub.money import ZERO, money_format
from arhub.permissions import OrgViewMixin, membership_allows
from arhub.roles import Perm
from invoicing.line_editor import ErrorLink
from invoicing.selectors import customer_get
from payments.models import Instalment, PaymentPlan, PlanOrigin, PlanStatus
from payments.pay_plan import instalment_state
from payments.plan_forms import (
    OFFERED,
    STATUS_CHOICES,
    WAITING,
    CancelForm,
    DeclineForm,
    InstalmentMoveForm,
    PlanFilterForm,
)
from payments.plan_history import plan_history
from payments.plan_selectors import plan_get, plan_list
from payments.plan_services import instalment_move, plan_approve, plan_cancel, plan_decline

STATE_WORDS = {"paid": "Paid", "due": "Due", "overdue": "Overdue", "upcoming": "Upcoming"}


def plan_badge(plan: PaymentPlan) -> tuple[str, str]:
    """(key, words) of the plan's state as the owner reads it."""
    if plan.status == PlanStatus.PROPOSED:
        if plan.origin == PlanOrigin.CUSTOMER:
            return WAITING, "Waiting for you"
        return OFFERED, "Offered to the customer"
    return plan.status, plan.get_status_display()


def age_words(days: int) -> str:
    """How long a request has waited: "since today", "for 1 day", "for 3 days"."""
    if days <= 0:
        return "since today"
    return "for 1 day" if days == 1 else f"for {days} days"


def _ordered(plans: Any) -> Any:
    """Requests waiting for the owner first, oldest first; then active plans; then the rest,
    newest first."""
    waiting = Q(status=PlanStatus.PROPOSED, origin=PlanOrigin.CUSTOMER)
    return plans.annotate(
        rank=Case(
            When(waiting, then=Value(0)),
            When(status=PlanStatus.ACTIVE, then=Value(1)),
            When(status=PlanStatus.PROPOSED, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        ),
        waiting_since=Case(When(waiting, then="created_at")),
    ).order_by("rank", "waiting_since", "-created_at", "-pk")


class PlanListView(OrgViewMixin, View):
    required_perm = Perm.VIEW
    page_size = 50

    def get(self, request: HttpRequest) -> HttpResponse:
        org = self.org
        form = PlanFilterForm(request.GET or None)
        status, customer_id = form.values()
        customer = customer_get(org=org, customer_id=customer_id) if customer_id else None
        stored = status if status not in (WAITING, OFFERED, "") else None
        plans = plan_list(org=org, status=stored, customer=customer)
        if status in (WAITING, OFFERED):
            origin = PlanOrigin.CUSTOMER if status == WAITING else PlanOrigin.OWNER
            plans = plans.filter(status=PlanStatus.PROPOSED, origin=origin)
        plans = _ordered(plans.select_related("customer")).prefetch_related(
            "instalments", "plan_invoices__invoice"
        )
        page = Paginator(plans, self.page_size).get_page(request.GET.get("page"))
        kept = {k: v for k, v in {"status": status, "customer": customer_id or ""}.items() if v}
        return render(
            request,
            "payments/plans/plan_list.html",
            {
                "filters": form,
                "status": status,
                "status_words": dict(STATUS_CHOICES).get(status, "").lower(),
                "customer": customer,
                "rows": self.rows(list(page.object_list)),
                "page": page,
                "next_url": "?" + urlencode({**kept, "page": page.next_page_number()})
                if page.has_next()
                else None,
                "previous_url": "?" + urlencode({**kept, "page": page.previous_page_number()})
                if page.has_previous()
                else None,
                "without_customer_url": "?" + urlencode({"status": status})
                if status
                else request.path,
                "nothing_at_all": not page.object_list and not status and customer is None,
            },
        )

    def rows(self, plans: list[PaymentPlan]) -> list[dict[str, Any]]:
        today, locale = org_today(self.org), self.org.locale
        rows = []
        for plan in plans:
            instalments = list(plan.instalments.all())
            paid = sum((item.amount_paid for item in instalments), ZERO)
            unpaid = [item for item in instalments if item.remaining > 0]
            key, words = plan_badge(plan)
            rows.append(
                {
                    "plan": plan,
                    "badge": key,
                    "badge_words": words,
                    "invoices": [link.invoice for link in plan.plan_invoices.all()],
                    "total": money_format(plan.total, plan.currency, locale),
                    "paid": money_format(paid, plan.currency, locale) if paid else "",
                    "count": len(instalments),
                    "frequency": plan.get_frequency_display().lower() if plan.frequency else "",
                    "waiting": age_words((today - plan.created_at.date()).days)
                    if key == WAITING
                    else "",
                    "next": unpaid[0] if unpaid and plan.status == PlanStatus.ACTIVE else None,
                    "next_amount": money_format(unpaid[0].remaining, plan.currency, locale)
                    if unpaid
                    else "",
                    "overdue": any(item.due_date < today for item in unpaid)
                    and plan.status == PlanStatus.ACTIVE,
                }
            )
        return rows


class _PlanView(OrgViewMixin, View):
    def get_plan(self, pk: int) -> PaymentPlan:
        return plan_get(org=self.org, plan_id=pk)

    def money(self, amount: Any, plan: PaymentPlan) -> str:
        return money_format(amount, plan.currency, self.org.locale)

    def move_form(
        self, plan: PaymentPlan, instalments: list[Instalment], data: Any = None
    ) -> InstalmentMoveForm:
        unpaid = [item for item in instalments if item.remaining > 0]
        labels = {
            item.pk: f"Instalment {item.seq}: {self.money(item.remaining, plan)} due "
            f"{item.due_date:%-d %b %Y}"
            for item in unpaid
        }
        return InstalmentMoveForm(data, instalments=unpaid, labels=labels)

    def detail(
        self,
        request: HttpRequest,
        plan: PaymentPlan,
        *,
        decline: DeclineForm | None = None,
        cancel: CancelForm | None = None,
        move: InstalmentMoveForm | None = None,
    ) -> HttpResponse:
        org, today = self.org, org_today(self.org)
        instalments = list(plan.instalments.order_by("seq").prefetch_related("changes__changed_by"))
        links = list(plan.plan_invoices.select_related("invoice").order_by("pk"))
        paid = sum((item.amount_paid for item in instalments), ZERO)
        operate = membership_allows(self.membership, Perm.OPERATE)
        key, words = plan_badge(plan)
        active = plan.status == PlanStatus.ACTIVE
        decline = decline or DeclineForm()
        cancel = cancel or CancelForm()
        move = move or self.move_form(plan, instalments)
        errors: list[ErrorLink] = []
        for form in (decline, cancel, move):
            if not form.is_bound:
                continue
            for name in form.fields:
                bound = form[name]
                href = f"#{bound.id_for_label}"
                errors += [ErrorLink(f"{bound.label}: {e}", href) for e in bound.errors]
            errors += [ErrorLink(str(e), "#actions") for e in form.non_field_errors()]
        rows = []
        for item in instalments:
            state = instalment_state(item, today=today) if active else ""
            rows.append(
                {
                    "item": item,
                    "amount": self.money(item.amount, plan),
                    "paid": self.money(item.amount_paid, plan) if item.amount_paid else "",
                    "state": state,
                    "state_words": STATE_WORDS.get(state, ""),
                    "changes": list(item.changes.all()),
                }
            )
        return render(
            request,
            "payments/plans/plan_detail.html",
            {
                "plan": plan,
                "customer": plan.customer,
                "badge": key,
                "badge_words": words,
                "total": self.money(plan.total, plan),
                "paid": self.money(paid, plan),
                "left": self.money(plan.total - paid, plan),
                "invoices": [
                    {
                        "link": link,
                        "invoice": link.invoice,
                        "at_start": self.money(link.balance_at_start, plan),
                        "now": self.money(link.invoice.balance_due, plan),
                    }
                    for link in links
                ],
                "rows": rows,
                "history": plan_history(org=org, plan=plan, instalments=instalments, links=links),
                "can_decide": operate and key == WAITING,
                "can_withdraw": operate and key == OFFERED,
                "can_cancel": operate and active,
                "can_move": operate and active and bool(move.fields["instalment"].choices),  # type: ignore[attr-defined]
                "decline_form": decline,
                "cancel_form": cancel,
                "move_form": move,
                "error_summary": errors,
            },
        )


class PlanDetailView(_PlanView):
    required_perm = Perm.VIEW

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.detail(request, self.get_plan(pk))


def _refusal(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


class PlanApproveView(_PlanView):
    required_perm = Perm.OPERATE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.get_plan(pk)
        try:
            plan_approve(org=self.org, actor=self.membership.user, plan=plan)
        except ValidationError as exc:
            _refusal(request, exc)
        else:
            messages.success(
                request,
                f"Approved. The plan has started and {plan.customer.display_name} has been told.",
            )
        return redirect("plan_detail", pk=plan.pk)


class PlanDeclineView(_PlanView):
    required_perm = Perm.OPERATE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.get_plan(pk)
        form = DeclineForm(request.POST)
        if form.is_valid():
            try:
                plan_decline(
                    org=self.org,
                    actor=self.membership.user,
                    plan=plan,
                    message=form.cleaned_data["message"],
                )
            except ValidationError as exc:
                if "message" not in getattr(exc, "error_dict", {}):
                    _refusal(request, exc)
                    return redirect("plan_detail", pk=plan.pk)
                form_add_service_errors(form, exc)
            else:
                messages.success(
                    request, f"Declined. {plan.customer.display_name} has your message."
                )
                return redirect("plan_detail", pk=plan.pk)
        return self.detail(request, plan, decline=form)


class PlanCancelView(_PlanView):
    required_perm = Perm.OPERATE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.get_plan(pk)
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                plan_cancel(
                    org=self.org,
                    actor=self.membership.user,
                    plan=plan,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                if "reason" not in getattr(exc, "error_dict", {}):
                    _refusal(request, exc)
                    return redirect("plan_detail", pk=plan.pk)
                form_add_service_errors(form, exc)
            else:
                what = (
                    "offer was withdrawn"
                    if plan.status == PlanStatus.PROPOSED
                    else "plan was cancelled"
                )
                messages.success(
                    request,
                    f"The {what}. What is still owed follows your normal reminders again.",
                )
                return redirect("plan_detail", pk=plan.pk)
        return self.detail(request, plan, cancel=form)


class InstalmentMoveView(_PlanView):
    required_perm = Perm.OPERATE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.get_plan(pk)
        form = self.move_form(plan, list(plan.instalments.order_by("seq")), request.POST)
        if form.is_valid():
            instalment = form.chosen()
            try:
                instalment_move(
                    org=self.org,
                    actor=self.membership.user,
                    instalment=instalment,
                    new_date=form.cleaned_data["new_date"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Instalment {instalment.seq} moved to "
                    f"{form.cleaned_data['new_date']:%-d %b %Y}.",
                )
                return redirect("plan_detail", pk=plan.pk)
        return self.detail(request, plan, move=form)
