"""Paying by card, wallet or bank debit: a Stripe Checkout Session for one or several invoices.

Card data never touches us: the customer goes to Stripe's hosted page and comes back to a return
page of ours, and the payment is recorded only when Stripe's signed webhook says it is paid
(``payments.stripe_events``), never from the return.

Our ``CheckoutSession`` row is written (and committed) before Stripe is called, so its id can
travel in the session's metadata and the webhook always finds what the customer chose. The
idempotency key is derived from the organization, the invoices, the amounts and the attempt: a
double click, a retry after a timeout or two tabs get the same Stripe session, and the same
parameters, as Stripe's idempotency requires. A new attempt (a new Stripe session) is made only
when the last one is older than ``REUSE_FOR`` or ended.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import stripe
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from arhub.clock import org_today
from arhub.models import Organization
from arhub.money import ZERO, is_quantized, money_format
from invoicing.models import OUTSTANDING_STATUSES, Contact, Customer, Invoice
from payments.amount_due import amount_due
from payments.models import CheckoutSession, CheckoutStatus, PaymentSettings
from payments.plan_selectors import active_plans_by_invoice
from payments.selectors import payment_settings_get
from payments.stripe_amounts import to_stripe_amount
from payments.stripe_client import (
    StripeNotConnected,
    StripeUnavailable,
    stripe_client_for,
    stripe_errors_translated,
)

# Stripe keeps a session payable for 24 hours; we hand out the same one for an hour, then make
# a fresh one so the amounts (a discount that ended, a fee) are never stale for long.
REUSE_FOR = timedelta(hours=1)

# The bank debit Stripe offers for a currency (others need mandates we do not collect).
BANK_DEBITS = {
    "USD": "us_bank_account",
    "EUR": "sepa_debit",
    "GBP": "bacs_debit",
    "AUD": "au_becs_debit",
}


@dataclass(frozen=True)
class CheckoutLine:
    invoice: Invoice
    amount: Decimal


def checkout_available(payment_settings: PaymentSettings) -> bool:
    """Whether the pay page offers "Pay online" at all."""
    return payment_settings.stripe_connected and (
        payment_settings.card_enabled or payment_settings.bank_debit_enabled
    )


def payment_method_types(payment_settings: PaymentSettings, currency: str) -> list[str]:
    """Cards (Apple Pay and Google Pay ride on them) and Link, plus the currency's bank debit
    when the organization turned it on."""
    methods: list[str] = []
    if payment_settings.card_enabled:
        methods += ["card", "link"]
    debit = BANK_DEBITS.get(currency.upper())
    if payment_settings.bank_debit_enabled and debit is not None:
        methods.append(debit)
    return methods


def checkout_lines_check(
    *,
    org: Organization,
    customer: Customer,
    lines: Sequence[CheckoutLine],
    payment_settings: PaymentSettings,
    on: date,
) -> None:
    """What the customer asked to pay, checked against what each invoice owes today (with its
    early-payment discount) and the organization's partial-payment rules. Errors are keyed
    ``lines[i]`` with a message the customer can act on."""
    errors: dict[str, str] = {}
    if not lines:
        raise ValidationError({"lines": "Choose at least one invoice to pay."})
    currencies = {line.invoice.currency for line in lines}
    if len(currencies) > 1:
        raise ValidationError({"lines": "Invoices in different currencies are paid separately."})
    seen: set[int] = set()
    # An active payment plan asks for its instalments: paying one is never "too little", even
    # where the organization takes no part payments.
    on_plan = active_plans_by_invoice(org=org, invoice_ids=[line.invoice.pk for line in lines])
    for index, line in enumerate(lines):
        at = f"lines[{index}]"
        invoice = line.invoice
        due = amount_due(invoice, on=on)
        label = invoice.number
        if invoice.organization_id != org.pk or invoice.customer_id != customer.pk:
            errors[at] = "This invoice cannot be paid here."
        elif invoice.pk in seen:
            errors[at] = f"{label} is listed twice."
        elif invoice.status not in OUTSTANDING_STATUSES or due.due_today <= 0:
            errors[at] = f"Nothing is owed on {label} any more."
        elif line.amount <= 0:
            errors[at] = "Enter an amount more than zero."
        elif not is_quantized(line.amount, invoice.currency):
            errors[at] = f"Enter the amount in {invoice.currency} without extra decimals."
        elif line.amount > due.balance:
            owed = money_format(due.balance, invoice.currency, org.locale)
            errors[at] = f"Only {owed} is owed on {label}."
        elif line.amount < due.due_today:
            minimum = min(payment_settings.partial_minimum, due.due_today)
            if not (payment_settings.allow_partial or invoice.pk in on_plan):
                errors[at] = f"{label} is paid in full: {_money(due.due_today, invoice, org)}."
            elif line.amount < minimum:
                errors[at] = f"The smallest payment we can take is {_money(minimum, invoice, org)}."
        seen.add(invoice.pk)
    if errors:
        raise ValidationError(errors)


def _money(amount: Decimal, invoice: Invoice, org: Organization) -> str:
    return money_format(amount, invoice.currency, org.locale)


def _key_base(org: Organization, lines: Sequence[CheckoutLine]) -> str:
    parts = [str(org.pk), lines[0].invoice.currency]
    parts += [f"{line.invoice.pk}:{line.amount}" for line in sorted(lines, key=_by_invoice)]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    return f"arhub-checkout-{org.pk}-{digest}"


def _by_invoice(line: CheckoutLine) -> int:
    return line.invoice.pk


def _reusable(row: CheckoutSession) -> bool:
    return row.status == CheckoutStatus.OPEN and row.created_at > timezone.now() - REUSE_FOR


def _row_for(
    org: Organization, customer: Customer, lines: Sequence[CheckoutLine]
) -> CheckoutSession:
    """The attempt to use: the latest one with these amounts while it is fresh, else a new one.
    Two requests racing for a new attempt meet at the unique key and share one row."""
    base = _key_base(org, lines)
    latest = (
        CheckoutSession.objects.for_org(org)
        .filter(idempotency_key__startswith=base + "-")
        .order_by("-attempt")
        .first()
    )
    if latest is not None and _reusable(latest):
        return latest
    attempt = latest.attempt + 1 if latest is not None else 1
    key = f"{base}-{attempt}"
    try:
        with transaction.atomic():
            return CheckoutSession.objects.create(
                organization=org,
                customer=customer,
                allocations=[
                    {"invoice": line.invoice.pk, "amount": str(line.amount)} for line in lines
                ],
                amount=sum((line.amount for line in lines), ZERO),
                currency=lines[0].invoice.currency,
                attempt=attempt,
                idempotency_key=key,
            )
    except IntegrityError:
        return CheckoutSession.objects.for_org(org).get(idempotency_key=key)


def _return_url(name: str, row: CheckoutSession) -> str:
    return settings.SITE_URL + reverse(name, args=[row.pk])


def _customer_email(customer: Customer) -> str:
    contact = (
        Contact.objects.filter(customer=customer)
        .exclude(email="")
        .order_by("-is_primary", "pk")
        .first()
    )
    return contact.email if contact is not None else ""


def _params(
    org: Organization,
    customer: Customer,
    row: CheckoutSession,
    lines: Sequence[CheckoutLine],
    methods: list[str],
) -> dict[str, object]:
    metadata = {
        "arhub_org": str(org.pk),
        "arhub_checkout": str(row.pk),
        "arhub_invoices": ",".join(str(line.invoice.pk) for line in lines),
    }
    currency = row.currency.lower()
    params: dict[str, object] = {
        "mode": "payment",
        "client_reference_id": str(row.pk),
        "metadata": metadata,
        "payment_intent_data": {
            "metadata": metadata,
            "description": f"{org.name}: " + ", ".join(line.invoice.number for line in lines),
        },
        "payment_method_types": methods,
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency,
                    "unit_amount": to_stripe_amount(line.amount, row.currency),
                    "product_data": {"name": f"Invoice {line.invoice.number}"},
                },
            }
            for line in lines
        ],
        "success_url": _return_url("checkout_return", row),
        "cancel_url": _return_url("checkout_cancel", row),
        "locale": customer.language if customer.language in ("en", "es") else "auto",
    }
    email = _customer_email(customer)
    if email:
        params["customer_email"] = email
    return params


def checkout_start(
    *, org: Organization, customer: Customer, lines: Sequence[CheckoutLine]
) -> CheckoutSession:
    """A Checkout Session for these amounts, with the URL to send the customer to.

    Raises ValidationError for amounts the invoices do not allow, StripeNotConnected when the
    organization takes no online payments, StripeUnavailable when Stripe cannot be reached
    (the pay page then shows the other ways to pay)."""
    payment_settings = payment_settings_get(org=org)
    if not checkout_available(payment_settings):
        raise StripeNotConnected("This business does not take online payments.")
    checkout_lines_check(
        org=org,
        customer=customer,
        lines=lines,
        payment_settings=payment_settings,
        on=org_today(org),
    )
    methods = payment_method_types(payment_settings, lines[0].invoice.currency)
    if not methods:
        raise StripeNotConnected(f"No online payment method takes {lines[0].invoice.currency}.")
    row = _row_for(org, customer, lines)
    if row.url and _reusable(row):
        return row
    client = stripe_client_for(payment_settings)
    try:
        session = client.v1.checkout.sessions.create(
            params=_params(org, customer, row, lines, methods),  # type: ignore[arg-type]
            options={"idempotency_key": row.idempotency_key},
        )
    except stripe.StripeError as exc:
        raise stripe_errors_translated(exc) from None
    url = session.url or ""
    if not url:
        raise StripeUnavailable("Stripe answered without a checkout address.")
    row.stripe_session_id, row.url, row.livemode = session.id, url, bool(session.livemode)
    row.save(update_fields=["stripe_session_id", "url", "livemode"])
    return row
