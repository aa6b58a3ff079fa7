"""The payments list (/payments/): newest received first, filters, per-currency totals, keyset
pages, a constant number of queries, the empty state, and roles."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arhub.roles import Role
from invoicing.models import Customer
from payments.models import Payment, PaymentMethod
from payments.services import AllocationInput, payment_record, payment_reverse
from tests.invoicing.factories import CustomerFactory
from tests.payments.factories import open_invoices_bulk

pytestmark = pytest.mark.django_db


def record(
    tenant,
    customer: Customer,
    amount: str,
    *,
    received_on: date = date(2027, 2, 1),
    method: str = PaymentMethod.CHEQUE,
    reference: str = "",
    currency: str | None = None,
) -> Payment:
    return payment_record(
        org=tenant.org,
        actor=tenant.owner.user,
        customer_id=customer.pk,
        amount=Decimal(amount),
        currency=currency or customer.currency,
        method=method,
        received_on=received_on,
        reference=reference,
    )


def bulk_payments(tenant, customer: Customer, count: int) -> None:
    Payment.objects.bulk_create(
        Payment(
            organization=tenant.org,
            customer=customer,
            amount=Decimal("10.00"),
            unapplied_amount=Decimal("10.00"),
            currency=customer.currency,
            method=PaymentMethod.BANK_TRANSFER,
            received_on=date(2027, 1, 1) + timedelta(days=n % 60),
            reference=f"BULK-{n}",
        )
        for n in range(count)
    )


def page_ids(response) -> list[int]:
    return [row.payment.pk for row in response.context["rows"]]


def test_empty_state_says_what_to_do(tenant):
    body = tenant.client().get("/payments/").content.decode()
    assert "No payments yet" in body
    assert 'href="/payments/new/"' in body
    viewer = tenant.client(Role.VIEWER).get("/payments/").content.decode()
    assert "No payments yet" in viewer
    assert "/payments/new/" not in viewer
    assert "ask an owner" in viewer


def test_rows_newest_received_first_with_what_the_owner_needs(tenant):
    customer = CustomerFactory(
        organization=tenant.org, display_name="Harbour Tiles", currency="USD"
    )
    [invoice] = open_invoices_bulk(tenant.org, customer, 1, total=Decimal("100.00"))
    older = record(tenant, customer, "40.00", received_on=date(2027, 1, 5), reference="CHQ-1")
    newer = payment_record(
        org=tenant.org,
        actor=None,
        customer_id=customer.pk,
        amount=Decimal("150.00"),
        currency=customer.currency,
        method=PaymentMethod.BANK_TRANSFER,
        received_on=date(2027, 2, 9),
        reference="TRF-88",
        allocations=[AllocationInput(invoice_id=invoice.pk, amount=Decimal("60.00"))],
    )
    bounced = record(tenant, customer, "25.00", received_on=date(2027, 1, 20))
    payment_reverse(org=tenant.org, actor=None, payment=bounced, reason="Bounced")

    response = tenant.client().get("/payments/")
    assert page_ids(response) == [newer.pk, bounced.pk, older.pk]
    body = response.content.decode()
    assert "Harbour Tiles" in body and "TRF-88" in body and "Bank transfer" in body
    assert "9 Feb 2027" in body
    row = response.context["rows"][0]
    assert (row.amount, row.applied, row.unapplied) == ("$150.00", "$60.00", "$90.00")
    assert [b.text for b in response.context["rows"][1].badges] == ["Reversed"]
    assert [b.text for b in row.badges] == ["Received"]
    assert f'href="/payments/{newer.pk}/"' in body
    assert "Record a payment" in body


def test_refunded_and_chargeback_show_in_words(tenant):
    customer = CustomerFactory(organization=tenant.org)
    payment = record(tenant, customer, "50.00")
    Payment.objects.filter(pk=payment.pk).update(
        refunded_amount=Decimal("20.00"),
        unapplied_amount=Decimal("30.00"),
        chargeback_at="2027-02-03T10:00:00Z",
    )
    row = tenant.client().get("/payments/").context["rows"][0]
    assert [b.text for b in row.badges] == ["Partly refunded", "Chargeback"]


def test_filters_combine_and_say_what_they_show(tenant):
    acme = CustomerFactory(organization=tenant.org, display_name="Acme Joinery")
    other = CustomerFactory(organization=tenant.org, display_name="Casa Verde")
    cheque = record(tenant, acme, "10.00", received_on=date(2027, 1, 10), reference="CHQ-0451")
    transfer = record(
        tenant,
        acme,
        "20.00",
        received_on=date(2027, 1, 20),
        method=PaymentMethod.BANK_TRANSFER,
        reference="BACS 0451",
    )
    theirs = record(tenant, other, "30.00", received_on=date(2027, 1, 15), reference="X")
    bounced = record(tenant, other, "40.00", received_on=date(2027, 1, 16))
    payment_reverse(org=tenant.org, actor=None, payment=bounced, reason="Bounced")
    client = tenant.client()

    def ids(query: str) -> list[int]:
        return page_ids(client.get("/payments/" + query))

    assert ids("?method=cheque") == [bounced.pk, theirs.pk, cheque.pk]
    assert ids("?q=0451") == [transfer.pk, cheque.pk]
    assert ids("?q=chq") == [cheque.pk]
    assert ids("?status=reversed") == [bounced.pk]
    assert ids("?status=unapplied") == [transfer.pk, theirs.pk, cheque.pk]
    assert ids("?received_from=2027-01-15&received_to=2027-01-16") == [bounced.pk, theirs.pk]
    assert ids(f"?customer={acme.pk}&method=bank_transfer") == [transfer.pk]
    response = client.get(f"/payments/?customer={acme.pk}")
    body = response.content.decode()
    assert "Showing payments from" in body and "Acme Joinery" in body
    assert f"/payments/new/?customer={acme.pk}" in body
    nothing = client.get("/payments/?q=nope").content.decode()
    assert "No payments with a reference matching “nope”" in nothing


def test_a_reversed_date_range_is_reported_and_left_out(tenant):
    customer = CustomerFactory(organization=tenant.org)
    payment = record(tenant, customer, "10.00")
    response = tenant.client().get("/payments/?received_from=2027-03-01&received_to=2027-01-01")
    assert "This date is before “Received from”." in response.content.decode()
    assert page_ids(response) == [payment.pk]


def test_totals_per_currency_leave_reversed_payments_out(tenant):
    pounds = CustomerFactory(organization=tenant.org, currency="GBP")
    yen = CustomerFactory(organization=tenant.org, currency="JPY")
    record(tenant, pounds, "100.00")
    record(tenant, pounds, "50.50")
    bounced = record(tenant, pounds, "999.00")
    payment_reverse(org=tenant.org, actor=None, payment=bounced, reason="Bounced")
    record(tenant, yen, "12000")
    totals = tenant.client().get("/payments/").context["totals"]
    assert [(t.currency, t.count, t.received, t.reversed_count) for t in totals] == [
        ("GBP", 2, "£150.50", 1),
        ("JPY", 1, "¥12,000", 0),
    ]
    assert totals[0].unapplied == "£150.50"
    only_cheques = tenant.client().get("/payments/?status=reversed").context["totals"]
    assert [(t.currency, t.count, t.received) for t in only_cheques] == [("GBP", 0, "£0.00")]


def test_pages_by_cursor_without_skipping_or_repeating(tenant):
    customer = CustomerFactory(organization=tenant.org)
    bulk_payments(tenant, customer, 120)
    client = tenant.client()
    first = client.get("/payments/")
    assert len(first.context["rows"]) == 50
    seen = page_ids(first)
    url = first.context["next_url"]
    while url:
        response = client.get("/payments/" + url)
        seen += page_ids(response)
        url = response.context["next_url"]
    expected = list(
        Payment.objects.filter(organization=tenant.org)
        .order_by("-received_on", "-pk")
        .values_list("pk", flat=True)
    )
    assert seen == expected
    second = client.get("/payments/" + first.context["next_url"])
    back = client.get("/payments/" + second.context["previous_url"])
    assert page_ids(back) == page_ids(first)
    # A cursor that cannot be read gives the first page.
    assert page_ids(client.get("/payments/?after=garbage")) == page_ids(first)


def test_filters_survive_paging(tenant):
    customer = CustomerFactory(organization=tenant.org)
    bulk_payments(tenant, customer, 60)
    response = tenant.client().get("/payments/?method=bank_transfer")
    query = parse_qs(urlsplit(response.context["next_url"]).query)
    assert query["method"] == ["bank_transfer"] and "after" in query


def test_list_queries_do_not_grow_with_payments(tenant):
    customer = CustomerFactory(organization=tenant.org)

    def queries(query: str = "") -> int:
        cache.clear()
        client = tenant.client()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/payments/" + query).status_code == 200
        assert not [q["sql"] for q in captured if "COUNT(*)" in q["sql"].upper()]
        return len(captured)

    bulk_payments(tenant, customer, 10)
    few = queries(), queries(f"?customer={customer.pk}&status=unapplied")
    bulk_payments(tenant, customer, 190)
    many = queries(), queries(f"?customer={customer.pk}&status=unapplied")
    assert few == many


def test_another_organizations_payments_never_show(tenant, other_tenant):
    theirs = CustomerFactory(organization=other_tenant.org, display_name="Zenith client")
    payment = record(other_tenant, theirs, "77.00", reference="ZENITH-REF")
    client = tenant.client()
    body = client.get("/payments/").content.decode()
    assert "ZENITH-REF" not in body and "Zenith client" not in body
    assert client.get(f"/payments/?customer={theirs.pk}").status_code == 404
    assert client.get(f"/payments/{payment.pk}/").status_code == 404


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ACCOUNTANT])
def test_read_only_roles_see_the_list_without_the_record_button(tenant, role):
    customer = CustomerFactory(organization=tenant.org)
    record(tenant, customer, "10.00")
    response = tenant.client(role).get("/payments/")
    assert response.status_code == 200
    body = response.content.decode()
    assert not re.search(r'href="/payments/new/', body)


def test_stripe_payments_waiting_for_review_are_flagged_on_the_list(tenant, other_tenant) -> None:
    from payments.models import StripeEvent, StripeEventStatus

    customer = CustomerFactory(organization=tenant.org)
    record(tenant, customer, "10.00")
    page = tenant.client().get("/payments/").content.decode()
    assert "need your review" not in page and "needs your review" not in page

    for org, event_id in ((tenant.org, "evt_mine"), (other_tenant.org, "evt_theirs")):
        StripeEvent.objects.create(
            organization=org,
            event_id=event_id,
            type="checkout.session.completed",
            payload={},
            status=StripeEventStatus.QUARANTINED,
            status_reason="The invoices no longer owe this amount.",
        )
    page = tenant.client().get("/payments/").content.decode()
    assert "1 Stripe payment needs your review" in page
    assert 'href="/payments/review/"' in page
