"""invoicing.terms: due dates, which terms apply, and the sentence the customer reads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from invoicing.models import LateFeeKind, TermsKind
from invoicing.terms import Terms, terms_default, terms_for_customer, terms_sentence
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import PaymentTermsFactory

D = Decimal
ISSUED = date(2027, 2, 13)

TWO_TEN_NET_30_LATE = Terms(
    name="2/10 net 30",
    days=30,
    discount_percent=D("2"),
    discount_days=11,
    late_fee_kind=LateFeeKind.PERCENT,
    late_fee_percent=D("1.5"),
    late_fee_grace_days=7,
)


def sentence(terms: Terms, *, locale: str = "en_GB", language: str = "en", fixed=None) -> str:
    due = terms.due_date(ISSUED, fixed=fixed)
    return terms_sentence(
        terms=terms,
        issue_date=ISSUED,
        due_date=due,
        currency="GBP",
        locale=locale,
        language=language,
    )


def test_the_sentence_from_the_brief():
    assert sentence(TWO_TEN_NET_30_LATE) == (
        "Due 15 March 2027 (30 days). 2% discount if paid by 24 February. "
        "Payments after 22 March incur 1.5% per month."
    )


def test_us_english_and_spanish():
    assert sentence(TWO_TEN_NET_30_LATE, locale="en_US").startswith("Due March 15, 2027 (30 days).")
    assert sentence(TWO_TEN_NET_30_LATE, locale="es", language="es") == (
        "Vence el 15 de marzo de 2027 (30 días). 2% de descuento si se paga antes del "
        "24 de febrero. Los pagos después del 22 de marzo tienen un recargo del 1,5% mensual."
    )


@pytest.mark.parametrize(
    ("terms", "due", "text"),
    [
        (
            Terms(kind=TermsKind.RECEIPT, days=0),
            date(2027, 2, 13),
            "Due on receipt (13 February 2027).",
        ),
        (
            Terms(kind=TermsKind.END_OF_MONTH, days=15),
            date(2027, 3, 15),
            "Due 15 March 2027 (end of month + 15 days).",
        ),
        (Terms(kind=TermsKind.NET, days=14), date(2027, 2, 27), "Due 27 February 2027 (14 days)."),
    ],
)
def test_kinds_of_terms(terms, due, text):
    assert terms.due_date(ISSUED) == due
    assert sentence(terms) == text


def test_fixed_date_flat_fee_and_cap():
    terms = Terms(
        kind=TermsKind.FIXED,
        late_fee_kind=LateFeeKind.FLAT,
        late_fee_amount=D("25"),
        late_fee_cap_percent=D("10"),
    )
    assert sentence(terms, fixed=date(2027, 4, 1)) == (
        "Due 1 April 2027. Payments after 1 April incur a late fee of £25.00, "
        "up to 10% of the invoice."
    )
    with pytest.raises(ValueError, match="need the date"):
        terms.due_date(ISSUED)


def test_compounding_is_said_out_loud():
    terms = Terms(
        late_fee_kind=LateFeeKind.PERCENT, late_fee_percent=D("2"), late_fee_compound=True
    )
    assert "2% per month, compounded." in sentence(terms)


def test_dates_in_another_year_keep_their_year():
    terms = Terms(days=30, discount_percent=D("1"), discount_days=5)
    issued = date(2027, 12, 20)
    text = terms_sentence(
        terms=terms,
        issue_date=issued,
        due_date=terms.due_date(issued),
        currency="GBP",
        locale="en_GB",
    )
    assert text == "Due 19 January 2028 (30 days). 1% discount if paid by 25 December 2027."


def test_round_trip_through_json():
    assert Terms.from_json(TWO_TEN_NET_30_LATE.to_json()) == TWO_TEN_NET_30_LATE
    assert Terms.from_json({}) == Terms()


@pytest.mark.django_db
def test_which_terms_apply(tenant):
    org = tenant.org
    customer = CustomerFactory(organization=org)
    assert terms_for_customer(org=org, customer=customer) == Terms()  # built-in Net 30
    PaymentTermsFactory(
        organization=org,
        name="Net 14",
        days=14,
        is_default=True,
        late_fee_kind="flat",
        late_fee_amount=D("5"),
    )
    assert terms_default(org=org).days == 14
    customer.payment_terms_days = 45
    applied = terms_for_customer(org=org, customer=customer)
    # Net days from the customer record keep the default's late fee.
    assert (applied.name, applied.days, applied.late_fee_amount) == ("Net 45", 45, D("5"))
    customer.payment_terms_days = 0
    assert terms_for_customer(org=org, customer=customer).kind == TermsKind.RECEIPT
    named = PaymentTermsFactory(
        organization=org, name="2/10 net 30", discount_percent=D("2"), discount_days=10
    )
    customer.payment_terms = named
    assert terms_for_customer(org=org, customer=customer).name == "2/10 net 30"
