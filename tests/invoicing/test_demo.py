from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min

from arhub.models import Organization, SmsConsent, Suppression
from invoicing.invoice_selectors import overdue_q
from invoicing.models import (
    Contact,
    CreditNote,
    Customer,
    CustomerCredit,
    Frequency,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    PaymentTerms,
    RecurringInvoice,
    TaxRate,
)
from invoicing.selectors import customer_list

pytestmark = pytest.mark.django_db


def seed(slug: str, seed: int = 3, customers: int = 60) -> str:
    out = StringIO()
    call_command(
        "seed_demo", "--org", slug, "--seed", str(seed), "--events", "0",
        "--customers", str(customers), stdout=out,
    )  # fmt: skip
    return out.getvalue()


def directory(slug: str) -> list[tuple]:
    return list(
        Customer.objects.filter(organization__slug=slug)
        .order_by("external_id")
        .values_list("display_name", "timezone", "currency", "language", "tags")
    )


def test_demo_customers_are_realistic_and_deterministic():
    report = seed("one")
    seed("two")
    assert "60 customers" in report
    assert directory("one") == directory("two")
    seed("three", seed=4)
    assert directory("three") != directory("one")
    zones = {row[1].split("/")[0] for row in directory("one")}
    assert {"America", "Europe"} <= zones and len(zones) >= 3  # several continents
    assert {row[3] for row in directory("one")} == {"en", "es"}
    org_contacts = Contact.objects.filter(organization__slug="one")
    assert org_contacts.filter(is_primary=True).count() == 60
    assert SmsConsent.objects.filter(organization__slug="one").exists()
    assert Suppression.objects.filter(organization__slug="one").exists()


def test_demo_customers_are_searchable():
    seed("one")
    org_customer = Customer.objects.filter(organization__slug="one").first()
    found = customer_list(org=org_customer.organization, search=org_customer.external_id)
    assert list(found) == [org_customer]
    email = Contact.objects.filter(customer=org_customer, is_primary=True).get().email
    assert org_customer in customer_list(org=org_customer.organization, search=email)


def test_demo_customers_have_addresses_in_their_countries():
    from invoicing.demo_addresses import BOOKS

    seed("one")
    seed("two")
    customers = Customer.objects.filter(organization__slug="one")
    addressed = list(customers.exclude(billing_country=""))
    assert len(addressed) >= 40  # most of the 60
    for customer in addressed:
        assert customer.billing_country == BOOKS[customer.timezone].country
        assert customer.billing_address_line1 and customer.billing_city
        assert customer.billing_postal_code or customer.billing_country == "MX"
    assert {c.billing_country for c in addressed} >= {"US", "GB", "ES"}
    assert customers.exclude(tax_id="").exists()

    def addresses(slug: str) -> list[tuple]:
        return list(
            Customer.objects.filter(organization__slug=slug)
            .order_by("external_id")
            .values_list("billing_address_line1", "billing_postal_code", "tax_id")
        )

    assert addresses("one") == addresses("two")
    # Found by their town, like customers entered by hand.
    one = addressed[0]
    assert one in customer_list(org=one.organization, search=one.billing_city)


# ---- invoices


TODAY = date(2026, 3, 15)


def seed_invoices(slug: str, *extra: str) -> str:
    out = StringIO()
    call_command(
        "seed_demo", "--org", slug, "--seed", "5", "--events", "0", "--customers", "40",
        "--today", TODAY.isoformat(), *extra, stdout=out,
    )  # fmt: skip
    return out.getvalue()


def ledger(slug: str) -> list[tuple]:
    return list(
        Invoice.objects.filter(organization__slug=slug)
        .order_by("number", "created_at")
        .values_list("number", "status", "currency", "issue_date", "total", "balance_due")
    )


def test_demo_invoices_cover_every_state_over_more_than_a_year():
    report = seed_invoices("inv")
    org = Organization.objects.get(slug="inv")
    invoices = Invoice.objects.for_org(org)
    assert "200 invoices" in report
    assert set(invoices.values_list("status", flat=True)) == set(InvoiceStatus.values)
    assert invoices.filter(overdue_q(org=org, today=TODAY)).count() >= 2
    dates = invoices.exclude(issue_date=None).aggregate(
        first=Min("issue_date"), last=Max("issue_date")
    )
    assert dates["last"] < TODAY
    assert (dates["last"] - dates["first"]).days >= 365
    # Real numbers, terms and money: every balance is what the total, fees, payments, credits
    # and discounts say.
    for row in invoices.exclude(status=InvoiceStatus.DRAFT):
        assert row.number.startswith(f"INV-{row.issue_date.year}-")
        assert row.terms and row.due_date >= row.issue_date
        if row.status not in (InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE):
            # Late fees and early-payment discounts come from payments' part of the demo.
            assert row.balance_due == (
                row.total + row.fees_total - row.amount_paid
                - row.amount_credited - row.amount_discounted
            )  # fmt: skip
    yen = invoices.filter(currency="JPY")
    assert yen.exists() and all(total == total.to_integral() for total in
                                yen.values_list("total", flat=True))  # fmt: skip
    assert invoices.filter(currency="EUR").exists()
    assert InvoiceLine.objects.for_org(org).annotate(n=Count("taxes")).filter(n__gte=2).exists()
    assert {"Net 30", "2/10 net 30"} <= set(
        PaymentTerms.objects.for_org(org).values_list("name", flat=True)
    )
    assert PaymentTerms.objects.for_org(org).filter(late_fee_percent=Decimal("1.5")).exists()


def test_demo_credit_notes_customer_credit_and_a_recurring_template():
    seed_invoices("inv")
    org = Organization.objects.get(slug="inv")
    assert CreditNote.objects.for_org(org).count() >= 3
    assert CreditNote.objects.for_org(org).filter(credit_amount__gt=0).exists()
    assert CustomerCredit.objects.for_org(org).filter(amount__gt=0).exists()
    template = RecurringInvoice.objects.for_org(org).get()
    assert template.frequency == Frequency.MONTHLY and template.next_date > TODAY
    assert template.lines and all(isinstance(line["unit_price"], str) for line in template.lines)
    rate_ids = {pk for line in template.lines for pk in line["tax_rate_ids"]}
    assert rate_ids <= set(TaxRate.objects.for_org(org).values_list("pk", flat=True))
    assert template.invoices.count() == template.issued_count > 0


def test_demo_invoices_are_deterministic_and_not_seeded_twice():
    seed_invoices("inv")
    seed_invoices("inv2")
    assert ledger("inv") == ledger("inv2")
    before = ledger("inv")
    assert "already exists" in seed_invoices("inv", "--if-missing")
    assert ledger("inv") == before
