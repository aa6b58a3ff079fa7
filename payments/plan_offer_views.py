"""The owner's schedule builder: offering a plan to a customer (``/payments/plans/new/``) and
counter-offering a customer's request (``/payments/plans/<pk>/counter/``).

One server-rendered form, no script needed: tick the customer's open invoices (one currency),
choose a count, a frequency and a first date, and "Build the schedule" lays out the instalments
(``plan_schedule``); each date and amount can then be edited, "Update the totals" shows what
the rows add up to against what is owed, and "Send the offer" saves. A schedule left as built
is sent as its count and frequency, an edited one instalment by instalment; the service checks
that it adds up and has the last word.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from arhub.clock import org_today
from arhub.money import ZERO, money_format
from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from invoicing.line_editor import ErrorLink
from invoicing.models import OUTSTANDING_STATUSES, Customer, Invoice
from invoicing.selectors import customer_get, customer_list
from payments.models import PaymentPlan, PaymentPlanInvoice, PlanFrequency, PlanOrigin, PlanStatus
from payments.plan_forms import PlanOfferForm, PlanTermsForm, ScheduleRows
from payments.plan_schedule import plan_schedule
from payments.plan_selectors import plan_get
from payments.plan_services import plan_counter, plan_offer

BUILD, REFRESH, SAVE = "build", "refresh", "save"
MATCH_LIMIT = 20


def open_invoices(*, customer: Customer) -> list[Invoice]:
    """The customer's invoices that still owe and are in no live plan, oldest due first."""
    live = PaymentPlanInvoice.objects.filter(invoice=OuterRef("pk"), released_at__isnull=True)
    return list(
        Invoice.objects.for_org(customer.organization)
        .filter(customer=customer, status__in=OUTSTANDING_STATUSES, balance_due__gt=0)
        .exclude(Exists(live))
        .order_by("due_date", "pk")
    )


def _built(
    *, total: Decimal, currency: str, count: int, frequency: str, start_date: date
) -> tuple[list[tuple[date, Decimal]], str]:
    """The schedule a count, frequency and start date make, or why there is none."""
    try:
        parts = plan_schedule(
            total=total, currency=currency, count=count, frequency=frequency, start_date=start_date
        )
    except ValueError:
        return [], f"{money_format(total, currency)} cannot be split into {count} instalments."
    return [(part.due_date, part.amount) for part in parts], ""


def _terms(form: PlanTermsForm) -> dict[str, Any]:
    return {key: form.cleaned_data[key] for key in ("count", "frequency", "start_date")}


class _ScheduleEditor(OrgViewMixin, View):
    required_perm = Perm.OPERATE
    template_name = "payments/plans/plan_offer.html"

    def initial(self, today: date) -> dict[str, Any]:
        return {
            "count": 3,
            "frequency": PlanFrequency.MONTHLY,
            "start_date": today + timedelta(days=7),
        }

    def render_editor(
        self,
        request: HttpRequest,
        form: PlanTermsForm,
        *,
        customer: Customer,
        invoices: list[Invoice],
        chosen: list[Invoice],
        rows: ScheduleRows | None,
        schedule_errors: list[str],
        judged: bool,
        **extra: Any,
    ) -> HttpResponse:
        locale = self.org.locale
        currency = chosen[0].currency if chosen else (invoices[0].currency if invoices else "")
        owed = sum((invoice.balance_due for invoice in chosen), ZERO)
        summary: list[ErrorLink] = []
        if judged:
            summary = [ErrorLink(str(m), "#plan-form") for m in form.non_field_errors()]
            for name in form.fields:
                bound = form[name]
                target = "id_invoice_0" if name == "invoice" else bound.id_for_label
                summary += [ErrorLink(f"{bound.label}: {m}", f"#{target}") for m in bound.errors]
            summary += [ErrorLink(m, "#schedule") for m in schedule_errors]
            for row in rows.rows if rows else []:
                href = f"#{row.date_id}" if "date" in " ".join(row.errors) else f"#{row.amount_id}"
                summary += [ErrorLink(m, href) for m in row.errors]
        placed = rows.total if rows else ZERO
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "customer": customer,
                "invoices": [
                    {
                        "invoice": invoice,
                        "balance": money_format(invoice.balance_due, invoice.currency, locale),
                        "checked": invoice in chosen,
                    }
                    for invoice in invoices
                ],
                "currencies": sorted({invoice.currency for invoice in invoices}),
                "rows": rows.rows if rows else [],
                "owed": money_format(owed, currency, locale) if currency else "",
                "placed": money_format(placed, currency, locale) if currency else "",
                "difference": money_format(abs(owed - placed), currency, locale)
                if rows and currency and placed != owed
                else "",
                "short": placed < owed,
                "schedule_errors": schedule_errors,
                "error_summary": summary,
                **extra,
            },
        )

    def handle(
        self,
        request: HttpRequest,
        form: PlanTermsForm,
        *,
        customer: Customer,
        invoices: list[Invoice],
        chosen_of: Any,
        save: Any,
        **extra: Any,
    ) -> HttpResponse:
        """The POST of either editor: build, refresh or save."""
        action = request.POST.get("_action", REFRESH)
        valid = form.is_valid()
        if action != SAVE and "message" in form.errors:
            # The message matters when sending; building or adding up needs none yet.
            del form.errors["message"]
            valid = not form.errors
        chosen = chosen_of(form)
        currency = chosen[0].currency if chosen else ""
        owed = sum((invoice.balance_due for invoice in chosen), ZERO)
        rows = ScheduleRows.posted(request.POST, currency) if currency else None
        schedule_errors: list[str] = []
        if action == BUILD or (rows is None and valid and chosen):
            if valid and chosen:
                parts, problem = _built(total=owed, currency=currency, **_terms(form))
                rows = ScheduleRows.built(parts, currency) if parts else None
                schedule_errors += [problem] if problem else []
            return self.render_editor(
                request,
                form,
                customer=customer,
                invoices=invoices,
                chosen=chosen,
                rows=rows,
                schedule_errors=schedule_errors,
                judged=action in (BUILD, SAVE),
                **extra,
            )
        rows_ok = rows.check() if rows is not None else True
        if action == SAVE and valid and rows_ok and rows is not None:
            if rows.total != owed:
                locale = self.org.locale
                schedule_errors.append(
                    f"The instalments add up to {money_format(rows.total, currency, locale)}, "
                    f"but {money_format(owed, currency, locale)} is owed. Change the amounts, "
                    "or build the schedule again."
                )
            else:
                built, _ = _built(total=owed, currency=currency, **_terms(form))
                explicit = None if rows.instalments() == built else rows.instalments()
                try:
                    plan = save(form, chosen, explicit)
                except ValidationError as exc:
                    schedule_errors += self.service_errors(form, exc)
                else:
                    return redirect("plan_detail", pk=plan.pk)
        return self.render_editor(
            request,
            form,
            customer=customer,
            invoices=invoices,
            chosen=chosen,
            rows=rows,
            schedule_errors=schedule_errors,
            judged=action == SAVE,
            **extra,
        )

    def service_errors(self, form: PlanTermsForm, exc: ValidationError) -> list[str]:
        """The service's messages on the fields they name; those about the instalments (or
        anything the form has no field for) are returned for the schedule."""
        if not hasattr(exc, "error_dict"):
            return list(exc.messages)
        rest: list[str] = []
        for key, found in exc.message_dict.items():
            field = "invoice" if key == "invoices" else key
            if field in form.fields:
                form.add_error(field, found)
            else:
                rest += found
        return rest


class PlanOfferView(_ScheduleEditor):
    def get(self, request: HttpRequest) -> HttpResponse:
        raw = request.GET.get("customer", "")
        if not raw.isdigit():
            return self.choose_customer(request)
        customer = customer_get(org=self.org, customer_id=int(raw))
        invoices = open_invoices(customer=customer)
        wanted = request.GET.get("invoice", "")
        chosen = [i for i in invoices if str(i.pk) == wanted] or [
            i for i in invoices if i.currency == customer.currency
        ]
        if not chosen and invoices:
            chosen = [i for i in invoices if i.currency == invoices[0].currency]
        initial = {**self.initial(org_today(self.org)), "invoice": [i.pk for i in chosen]}
        form = PlanOfferForm(initial=initial, invoices=invoices)
        rows = None
        if chosen:
            owed = sum((i.balance_due for i in chosen), ZERO)
            terms = {k: v for k, v in initial.items() if k != "invoice"}
            parts, _ = _built(total=owed, currency=chosen[0].currency, **terms)
            rows = ScheduleRows.built(parts, chosen[0].currency) if parts else None
        return self.render_editor(
            request,
            form,
            customer=customer,
            invoices=invoices,
            chosen=chosen,
            rows=rows,
            schedule_errors=[],
            judged=False,
            mode="offer",
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        raw = request.POST.get("customer", "")
        customer = customer_get(org=self.org, customer_id=int(raw) if raw.isdigit() else 0)
        invoices = open_invoices(customer=customer)
        form = PlanOfferForm(request.POST, invoices=invoices)

        def chosen_of(form: PlanOfferForm) -> list[Invoice]:
            if hasattr(form, "cleaned_data") and "invoice" in form.cleaned_data:
                return form.chosen()
            ticked = set(request.POST.getlist("invoice"))
            return [i for i in invoices if str(i.pk) in ticked]

        def save(form: PlanOfferForm, chosen: list[Invoice], explicit: Any) -> PaymentPlan:
            data = form.cleaned_data
            plan = plan_offer(
                org=self.org,
                actor=self.membership.user,
                customer=customer,
                invoices=chosen,
                count=None if explicit else data["count"],
                frequency=None if explicit else data["frequency"],
                start_date=None if explicit else data["start_date"],
                instalments=explicit,
                message=data["message"],
            )
            messages.success(
                request,
                f"Offer sent. {customer.display_name} can accept it from their pay page; "
                "it starts when they do.",
            )
            return plan

        return self.handle(
            request,
            form,
            customer=customer,
            invoices=invoices,
            chosen_of=chosen_of,
            save=save,
            mode="offer",
        )

    def choose_customer(self, request: HttpRequest) -> HttpResponse:
        search = request.GET.get("q", "").strip()[:100]
        found = (
            list(customer_list(org=self.org, search=search)[: MATCH_LIMIT + 1]) if search else []
        )
        return render(
            request,
            "payments/plans/plan_offer_customer.html",
            {"search": search, "matches": found[:MATCH_LIMIT], "more": len(found) > MATCH_LIMIT},
        )


class PlanCounterView(_ScheduleEditor):
    """A counter-offer to a customer's request: the same invoices, other terms, and a message
    saying why."""

    def plan(self, pk: int) -> PaymentPlan | None:
        plan = plan_get(org=self.org, plan_id=pk)
        if plan.status != PlanStatus.PROPOSED or plan.origin != PlanOrigin.CUSTOMER:
            return None
        return plan

    def invoices(self, plan: PaymentPlan) -> list[Invoice]:
        return [
            link.invoice for link in plan.plan_invoices.select_related("invoice").order_by("pk")
        ]

    def gone(self, request: HttpRequest, pk: int) -> HttpResponse:
        messages.info(request, "This request has already been answered.")
        return redirect("plan_detail", pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.plan(pk)
        if plan is None:
            return self.gone(request, pk)
        today = org_today(self.org)
        instalments = list(plan.instalments.order_by("seq"))
        start = instalments[0].due_date if instalments else today + timedelta(days=7)
        count, frequency = len(instalments) or 3, plan.frequency or PlanFrequency.MONTHLY
        start = max(start, today)
        invoices = self.invoices(plan)
        owed = sum((i.balance_due for i in invoices), ZERO)
        parts, _ = _built(
            total=owed, currency=plan.currency, count=count, frequency=frequency, start_date=start
        )
        initial = {"count": count, "frequency": frequency, "start_date": start}
        return self.render_editor(
            request,
            PlanTermsForm(initial=initial, message_required=True),
            customer=plan.customer,
            invoices=invoices,
            chosen=invoices,
            rows=ScheduleRows.built(parts, plan.currency) if parts else None,
            schedule_errors=[],
            judged=False,
            mode="counter",
            plan=plan,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = self.plan(pk)
        if plan is None:
            return self.gone(request, pk)
        invoices = self.invoices(plan)
        form = PlanTermsForm(request.POST, message_required=True)

        def save(form: PlanTermsForm, chosen: list[Invoice], explicit: Any) -> PaymentPlan:
            data = form.cleaned_data
            offer = plan_counter(
                org=self.org,
                actor=self.membership.user,
                plan=plan,
                count=None if explicit else data["count"],
                frequency=None if explicit else data["frequency"],
                start_date=None if explicit else data["start_date"],
                instalments=explicit,
                message=data["message"],
            )
            messages.success(
                request,
                f"Counter-offer sent. {plan.customer.display_name} can accept it from their "
                "pay page.",
            )
            return offer

        return self.handle(
            request,
            form,
            customer=plan.customer,
            invoices=invoices,
            chosen_of=lambda form: invoices,
            save=save,
            mode="counter",
            plan=plan,
        )
