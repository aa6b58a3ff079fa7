"""The ways a customer can pay an organization, as the pay page and statement offer them: online
through Stripe Checkout (cards, wallets, Link, and a bank debit where the currency has one), a
bank transfer quoting the invoice number, a cheque to the organization's address, and whatever
else the organization accepts (cash, card by phone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings

from arhub.models import Organization
from invoicing.addresses import country_name, place_lines
from invoicing.invoice_services import invoice_settings_get
from invoicing.models import PaymentMethod
from invoicing.pdf_labels import method_label
from payments.checkout import BANK_DEBITS, checkout_available, payment_method_types
from payments.models import PaymentSettings
from payments.selectors import payment_settings_get

# Where Stripe's hosted Checkout lives: the pay page's form is allowed to end up there.
STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"


@dataclass(frozen=True)
class PayOptions:
    online: bool
    online_words: str
    bank_transfer: bool
    instructions: str
    cheque: bool
    cheque_payable_to: str
    cheque_address: list[str]
    # Accepted some other way (cash, card by phone), in the customer's words.
    others: list[str] = field(default_factory=list)
    # Besides paying online: "bank transfer or cheque", for the "card is unavailable" notice.
    offline_words: str = ""
    allow_partial: bool = False
    partial_minimum: Decimal = Decimal(0)


def checkout_origin() -> str:
    """The origin the "Pay online" form may redirect to (the CSP's form-action): Stripe's, or
    the local stand-in's when tests point the client at one."""
    base = settings.STRIPE_API_BASE_URL
    if base:
        parts = urlsplit(base)
        return f"{parts.scheme}://{parts.netloc}"
    return STRIPE_CHECKOUT_ORIGIN


def _org_address(org: Organization) -> list[str]:
    lines = [org.address_line1, org.address_line2]
    lines += place_lines(
        city=org.city,
        region=org.region,
        postal_code=org.postal_code,
        country=(org.country or "").upper(),
    )
    if org.country:
        lines.append(country_name(org.country.upper(), org.locale))
    return [line for line in lines if line]


def _online(payment_settings: PaymentSettings, currency: str) -> tuple[bool, bool]:
    """Whether Checkout is offered in this currency, and whether it includes a bank debit."""
    if not checkout_available(payment_settings):
        return False, False
    methods = payment_method_types(payment_settings, currency)
    return bool(methods), BANK_DEBITS.get(currency.upper(), "") in methods


def pay_options(
    *, org: Organization, currency: str, words: dict[str, str], language: str
) -> PayOptions:
    payment_settings = payment_settings_get(org=org)
    invoice_settings = invoice_settings_get(org=org)
    accepted = list(invoice_settings.accepted_methods)
    instructions = invoice_settings.payment_instructions.strip()
    online, debit = _online(payment_settings, currency)
    # Instructions with no methods chosen are still how to pay: shown as the transfer details.
    bank_transfer = PaymentMethod.BANK_TRANSFER in accepted or (not accepted and bool(instructions))
    cheque = PaymentMethod.CHEQUE in accepted
    others = [
        method_label(method, language)
        for method in accepted
        if method == PaymentMethod.CASH or (method == PaymentMethod.CARD and not online)
    ]
    offline = [words["bank_transfer"].lower()] if bank_transfer else []
    if cheque:
        offline.append(words["cheque"].lower())
    offline += [other.lower() for other in others]
    offline_words = (
        f" {words['or']} ".join([", ".join(offline[:-1]), offline[-1]])
        if len(offline) > 1
        else "".join(offline)
    )
    return PayOptions(
        online=online,
        online_words=words["online_methods_debit"] if debit else words["online_methods"],
        bank_transfer=bank_transfer,
        instructions=instructions,
        cheque=cheque,
        cheque_payable_to=(
            payment_settings.cheque_payable_to.strip() or org.legal_name or org.name
        ),
        cheque_address=(
            [line for line in payment_settings.cheque_address.splitlines() if line.strip()]
            or _org_address(org)
        ),
        others=others,
        offline_words=offline_words,
        allow_partial=payment_settings.allow_partial,
        partial_minimum=payment_settings.partial_minimum,
    )
