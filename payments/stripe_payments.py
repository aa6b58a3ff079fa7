"""A payment Stripe says is paid: recorded once per PaymentIntent, on the invoices of our
Checkout Session, or quarantined for the owner with the reason in plain words.

Three events say so (``checkout.session.completed`` with ``payment_status=paid``,
``checkout.session.async_payment_succeeded``, ``payment_intent.succeeded``) and any mix of them
may arrive, in any order, at once. All of them take the PaymentIntent's advisory lock, then look
for the payment already recorded; the ``payment_one_per_intent`` constraint is the backstop.
What is applied is what Stripe says was paid, in the currency it was paid in: the checkout's own
allocations when it is the planned amount and the invoices still owe it, else spread over the
same invoices, oldest first, when they still owe at least that much; else nothing, and the owner
decides.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from arhub.models import Organization
from arhub.money import ZERO, money_format
from invoicing.models import OUTSTANDING_STATUSES, Invoice
from payments.allocation import allocation_plan_auto
from payments.models import (
    CheckoutSession,
    CheckoutStatus,
    Payment,
    PaymentMethod,
    PaymentSettings,
    StripeEvent,
    StripeEventStatus,
)
from payments.services import AllocationInput, _lock_invoices, payment_record
from payments.stripe_facts import (
    PAID_TYPES,
    SESSION_TYPES,
    FactsMissing,
    PaidFacts,
    paid_facts,
    session_paid,
)
from payments.stripe_outcomes import Outcome, applied, ignored, intent_lock, quarantined

NOTHING_RECORDED = "Nothing was recorded."


def _money(amount: Decimal, currency: str, org: Organization) -> str:
    return money_format(amount, currency, org.locale)


def received_on(org: Organization, facts: PaidFacts) -> date:
    """The organization's calendar date when Stripe took the money."""
    return facts.created.astimezone(ZoneInfo(org.timezone)).date()


def mode_problem(event: StripeEvent, payment_settings: PaymentSettings | None) -> str:
    live = payment_settings.stripe_livemode if payment_settings is not None else False
    if event.livemode == live:
        return ""
    if live:
        return (
            "This came from Stripe's test mode, but your Stripe connection is live: no real "
            f"money moved. {NOTHING_RECORDED}"
        )
    return (
        "This is a live payment, but your Stripe connection is set up in test mode. "
        f"{NOTHING_RECORDED} Check the keys in your payment settings."
    )


def checkout_of(org: Organization, facts: PaidFacts) -> CheckoutSession | None:
    """Our checkout the payment names, locked; None when it names another organization or a
    checkout we do not have (another organization's ids are never looked up here)."""
    ref = facts.checkout_ref
    if facts.org_ref != str(org.pk) or not ref.isdigit() or len(ref) > 18:
        return None
    return CheckoutSession.objects.for_org(org).select_for_update().filter(pk=int(ref)).first()


def _planned(checkout: CheckoutSession) -> list[tuple[int, Decimal]] | None:
    try:
        return [
            (int(part["invoice"]), Decimal(str(part["amount"]))) for part in checkout.allocations
        ]
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return None


def _invoice_problem(
    org: Organization, facts: PaidFacts, planned: list[tuple[int, Decimal]]
) -> str:
    refs = facts.invoice_refs
    ids = {int(ref) for ref in refs if ref.isdigit() and len(ref) <= 18}
    ours = set(Invoice.objects.for_org(org).filter(pk__in=ids).values_list("pk", flat=True))
    if len(ours) < len(refs):
        return (
            "The payment names invoices that are not in this organization. "
            f"{NOTHING_RECORDED} Check which Stripe account the customer paid into."
        )
    if refs and ours != {invoice_id for invoice_id, _ in planned}:
        return (
            "The invoices Stripe lists are not the ones of the checkout AR Hub created for "
            f"this payment. {NOTHING_RECORDED}"
        )
    return ""


def _problem(
    org: Organization,
    event: StripeEvent,
    facts: PaidFacts,
    checkout: CheckoutSession | None,
    payment_settings: PaymentSettings | None,
) -> str:
    """Why the payment cannot be applied as it is, before looking at what the invoices owe."""
    problem = mode_problem(event, payment_settings)
    if problem:
        return problem
    if facts.org_ref != str(org.pk):
        return (
            "Stripe says this payment was started from another organization in AR Hub, not "
            f"this one. {NOTHING_RECORDED} Check which Stripe account the customer paid into."
        )
    if checkout is None:
        return (
            "AR Hub has no record of the checkout this payment came from "
            f"(reference “{facts.checkout_ref[:40]}”). {NOTHING_RECORDED}"
        )
    planned = _planned(checkout)
    if not planned:
        return f"The checkout AR Hub created for this payment cannot be read. {NOTHING_RECORDED}"
    problem = _invoice_problem(org, facts, planned)
    if problem:
        return problem
    if facts.session_id and checkout.stripe_session_id not in ("", facts.session_id):
        return (
            "This Stripe Checkout Session is not the one AR Hub created for the checkout it "
            f"names. {NOTHING_RECORDED}"
        )
    if checkout.status == CheckoutStatus.COMPLETED:
        return (
            "AR Hub already recorded a payment for this checkout; this is a second payment for "
            f"the same invoices. {NOTHING_RECORDED}"
        )
    if facts.currency != checkout.currency:
        return (
            f"The customer paid in {facts.currency}, but the invoices are in "
            f"{checkout.currency}. {NOTHING_RECORDED}"
        )
    return ""


def _allocations(
    org: Organization, checkout: CheckoutSession, facts: PaidFacts
) -> list[AllocationInput] | str:
    """Where the money goes, over the checkout's invoices locked by id; or why it cannot go."""
    planned = _planned(checkout) or []
    invoices = _lock_invoices(org, {invoice_id for invoice_id, _ in planned})
    if any(invoice.currency != facts.currency for invoice in invoices.values()):
        return f"The customer paid in {facts.currency}, but the invoices are in another currency."
    owing = [
        invoice
        for invoice in invoices.values()
        if invoice.status in OUTSTANDING_STATUSES and invoice.balance_due > 0
    ]
    still_planned = all(
        invoice_id in invoices
        and invoices[invoice_id] in owing
        and invoices[invoice_id].balance_due >= amount
        for invoice_id, amount in planned
    )
    if facts.amount == checkout.amount and still_planned:
        return [AllocationInput(invoice_id=pk, amount=amount) for pk, amount in planned]
    owed = sum((invoice.balance_due for invoice in owing), ZERO)
    if owing and owed >= facts.amount:
        plan = allocation_plan_auto(facts.amount, owing, on=received_on(org, facts))
        return [AllocationInput(invoice_id=invoice.pk, amount=part) for invoice, part in plan]
    paid = _money(facts.amount, facts.currency, org)
    left = _money(owed, facts.currency, org)
    return (
        f"The customer paid {paid}, but the invoices of this checkout now owe {left} "
        "(perhaps paid another way meanwhile), so it cannot be applied as it is. Record it "
        "as the customer's credit, or refund it in Stripe and dismiss it."
    )


def _quarantine_once(
    org: Organization, event: StripeEvent, facts: PaidFacts, reason: str
) -> Outcome:
    """One entry to review per payment: the other events of a payment already waiting for
    (or given) the owner's review are set aside, pointing at it."""
    intent = facts.payment_intent
    earlier = (
        StripeEvent.objects.for_org(org)
        .filter(
            Q(payload__data__object__payment_intent=intent) | Q(payload__data__object__id=intent),
            status__in=[StripeEventStatus.QUARANTINED, StripeEventStatus.RESOLVED],
            type__in=PAID_TYPES,
        )
        .exclude(pk=event.pk)
        .order_by("received_at", "pk")
        .first()
    )
    if earlier is None:
        return quarantined(reason)
    where = (
        "waits for your review"
        if earlier.status == StripeEventStatus.QUARANTINED
        else ("you already reviewed")
    )
    return ignored(f"The same payment as Stripe event {earlier.event_id}, which {where}.")


def stripe_payment_record(
    *, org: Organization, facts: PaidFacts, customer_id: int, allocations: list[AllocationInput]
) -> tuple[Payment, bool]:
    """Record the Stripe payment (``(payment, True)``), or find the one recorded for the same
    PaymentIntent (``(payment, False)``). Raises ValidationError when it cannot be applied."""
    try:
        with transaction.atomic():
            payment = payment_record(
                org=org,
                actor=None,
                customer_id=customer_id,
                amount=facts.amount,
                currency=facts.currency,
                method=PaymentMethod.STRIPE,
                received_on=received_on(org, facts),
                reference=facts.payment_intent,
                allocations=allocations,
                stripe_payment_intent=facts.payment_intent,
            )
        return payment, True
    except IntegrityError:
        existing = (
            Payment.objects.for_org(org).filter(stripe_payment_intent=facts.payment_intent).first()
        )
        if existing is None:
            raise
        return existing, False


def _checkout_complete(checkout: CheckoutSession | None) -> None:
    if checkout is not None and checkout.status != CheckoutStatus.COMPLETED:
        checkout.status = CheckoutStatus.COMPLETED
        checkout.save(update_fields=["status"])


def paid_event_apply(
    *, org: Organization, event: StripeEvent, payment_settings: PaymentSettings | None
) -> Outcome:
    if event.type in SESSION_TYPES and not session_paid(event.payload):
        return ignored(
            "Stripe has not confirmed the money yet (a bank payment takes a few days). The "
            "payment is recorded when Stripe says it is paid."
        )
    try:
        facts = paid_facts(event.type, event.payload)
    except FactsMissing as exc:
        return quarantined(f"{exc} {NOTHING_RECORDED}")
    if not facts.has_our_metadata:
        return ignored(
            "This payment was not made through AR Hub (it carries none of AR Hub's references), "
            "so nothing was recorded here."
        )
    intent_lock(org, facts.payment_intent)
    checkout = checkout_of(org, facts)
    existing = (
        Payment.objects.for_org(org).filter(stripe_payment_intent=facts.payment_intent).first()
    )
    if existing is not None:
        if checkout is not None and existing.customer_id == checkout.customer_id:
            _checkout_complete(checkout)
        return applied(existing, f"Already recorded as payment {existing.pk}.")
    problem = _problem(org, event, facts, checkout, payment_settings)
    if problem or checkout is None:
        return _quarantine_once(org, event, facts, problem)
    allocations = _allocations(org, checkout, facts)
    if isinstance(allocations, str):
        return _quarantine_once(org, event, facts, allocations)
    try:
        payment, recorded = stripe_payment_record(
            org=org, facts=facts, customer_id=checkout.customer_id, allocations=allocations
        )
    except ValidationError as exc:
        return _quarantine_once(org, event, facts, f"{' '.join(exc.messages)} {NOTHING_RECORDED}")
    if not recorded:
        return applied(payment, f"Already recorded as payment {payment.pk}.")
    _checkout_complete(checkout)
    shown = _money(payment.amount, payment.currency, org)
    return applied(payment, f"Recorded {shown} as payment {payment.pk}.")
