"""How the demo's customers pay their invoices: the payer ``invoicing``'s demo calls
(``invoicing.demo_payer``, registered in ``PaymentsConfig.ready``) each time it settles an
invoice in part or in full.

Each payment goes through ``payment_record`` with ``notify=False`` (demo data never thanks
anyone by email), so the allocations, balances, statuses and audit rows are the real ones. The
method and its reference come from a generator seeded with the invoice's number, amount and
date: the same seed and today give the same payments in every organization, and the invoice
demo's own random sequence is left untouched. Card payments are Stripe's, with a made-up
PaymentIntent id (there is no Stripe account behind the demo) as their reference, like the ones
the webhook records.
"""

from __future__ import annotations

import random
import string
from datetime import date
from decimal import Decimal

from arhub.models import Organization, User
from invoicing.models import Invoice
from payments.amount_due import early_discount
from payments.models import Payment, PaymentMethod
from payments.services import AllocationInput, payment_record

# How customers pay, by currency: cheques and cash are for the organization's home market.
HOME_METHODS = (
    (PaymentMethod.STRIPE, 40),
    (PaymentMethod.BANK_TRANSFER, 30),
    (PaymentMethod.CHEQUE, 20),
    (PaymentMethod.CASH, 10),
)
ABROAD_METHODS = ((PaymentMethod.STRIPE, 55), (PaymentMethod.BANK_TRANSFER, 45))
TRANSFER_SCHEMES = {"USD": "ACH", "EUR": "SEPA", "GBP": "FPS", "AUD": "NPP", "MXN": "SPEI"}


def stripe_intent(pick: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits
    return "pi_demo_" + "".join(pick.choice(alphabet) for _ in range(20))


def reference_for(method: str, currency: str, pick: random.Random) -> str:
    if method == PaymentMethod.CHEQUE:
        return f"Cheque {pick.randrange(1000, 9999)}"
    if method == PaymentMethod.BANK_TRANSFER:
        return f"{TRANSFER_SCHEMES.get(currency, 'Transfer')} {pick.randrange(10**7, 10**8)}"
    if method == PaymentMethod.CASH:
        return f"Counter receipt {pick.randrange(100, 999)}"
    return ""


def demo_payment(
    *,
    org: Organization,
    actor: User,
    invoice: Invoice,
    amount: Decimal,
    on: date,
    method: str,
    pick: random.Random,
    reference: str | None = None,
    extra: Decimal = Decimal(0),
) -> Payment:
    """``amount`` applied to ``invoice`` and ``extra`` left over as the customer's credit."""
    intent = stripe_intent(pick) if method == PaymentMethod.STRIPE else ""
    if intent:
        reference = intent
    elif reference is None:
        reference = reference_for(method, invoice.currency, pick)
    return payment_record(
        org=org,
        # Stripe's payments arrive through the webhook, recorded by nobody.
        actor=None if intent else actor,
        customer_id=invoice.customer_id,
        amount=amount + extra,
        currency=invoice.currency,
        method=method,
        received_on=on,
        reference=reference,
        allocations=[AllocationInput(invoice_id=invoice.pk, amount=amount)],
        stripe_payment_intent=intent,
        notify=False,
    )


def invoice_demo_pay(
    *, org: Organization, actor: User, invoice: Invoice, amount: Decimal, on: date
) -> None:
    """The invoice demo's payer. A customer on early-payment terms who settles the invoice
    inside its window takes the discount, as most do."""
    pick = random.Random(f"{invoice.number}:{amount}:{on}")  # noqa: S311 - demo data
    weights = HOME_METHODS if invoice.currency == org.default_currency else ABROAD_METHODS
    method = pick.choices([m for m, _ in weights], [w for _, w in weights])[0]
    if amount == invoice.balance_due:
        amount -= early_discount(invoice, on=on)
    demo_payment(
        org=org, actor=actor, invoice=invoice, amount=amount, on=on, method=method, pick=pick
    )
