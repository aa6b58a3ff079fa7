"""Which invoices are paid, and on which day (London, today 30 June 2027)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from arhub.models import Organization
from invoicing.credit_services import credit_note_create
from metrics.paid_invoices import paid_invoices_sql
from tests.conftest import Tenant
from tests.metrics.ledger_factories import customer_make, issued, paid, utc

D = date


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(utc(2027, 6, 30), tick=False):
        yield


def _paid_on(org: Organization, **filters: object) -> dict[str, date]:
    sql = f"""
        WITH paid AS ({paid_invoices_sql(currency="currency" in filters,
                                         customer="customer_id" in filters)})
        SELECT i.number, paid.paid_on FROM paid JOIN invoicing_invoice i ON i.id = paid.id
    """  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, {"org": org.pk, **filters})
        return dict(cursor.fetchall())


@pytest.mark.django_db
def test_paid_on(tenant: Tenant, other_tenant: Tenant, clock: None) -> None:
    org = tenant.org
    ada, bo = customer_make(org, "Ada"), customer_make(org, "Bo")
    # Paid 90 on 10 May, the last 10 credited on 20 May: paid on 10 May, the customer's day.
    part_credit = issued(org, ada, "100.00", on=D(2027, 5, 1), due=D(2027, 5, 31))
    paid(org, ada, (part_credit, "90.00"), on=D(2027, 5, 10))
    credit_note_create(
        org=org, actor=None, invoice=part_credit, amount=Decimal(10), reason="x", on=D(2027, 5, 20)
    )
    # Closed by a credit note alone: nothing was paid, not counted.
    credited = issued(org, ada, "50.00", on=D(2027, 5, 1), due=D(2027, 5, 31))
    credit_note_create(org=org, actor=None, invoice=credited, amount=None, reason="x")
    # Part paid: not paid.
    part = issued(org, ada, "50.00", on=D(2027, 5, 1), due=D(2027, 5, 31))
    paid(org, ada, (part, "20.00"), on=D(2027, 5, 10))
    # Paid in two payments: the later one.
    two = issued(org, bo, "80.00", on=D(2027, 5, 1), due=D(2027, 5, 31), currency="EUR")
    paid(org, bo, (two, "30.00"), on=D(2027, 6, 3))
    paid(org, bo, (two, "50.00"), on=D(2027, 5, 30))
    # Org B's paid invoice never shows.
    zed = customer_make(other_tenant.org, "Zed")
    theirs = issued(other_tenant.org, zed, "10.00", on=D(2027, 5, 1), due=D(2027, 5, 31))
    paid(other_tenant.org, zed, (theirs, "10.00"), on=D(2027, 5, 2))

    assert _paid_on(org) == {part_credit.number: D(2027, 5, 10), two.number: D(2027, 6, 3)}
    assert _paid_on(org, currency="EUR") == {two.number: D(2027, 6, 3)}
    assert _paid_on(org, customer_id=ada.pk) == {part_credit.number: D(2027, 5, 10)}
