"""Isolation sweep entries for /api/v1/payments/, one payment and its reverse/ and
apply-credit/ actions.

Object routes use the sweep's standard object check (B's payment is a 404 for every method, A's
own gets through). The list is custom: filtered for B's customer and invoice it still shows
none of B's payments, and a POST naming B's customer or B's invoice is a 404 that changes
nothing. A payment's reference carries its organization's name, so B's showing anywhere is
caught by the sweep's marker check.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from payments.models import Payment, PaymentAllocation
from payments.services import AllocationInput, payment_record
from tests.conftest import Tenant
from tests.isolation.builders import invoice_unchanged, new_invoice
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    a_clients,
    check_hidden,
    request_as_a,
    sweep_object,
)

# ---- builders


def new_payment(tenant: Tenant) -> Payment:
    """500 received against an issued invoice: 100 applied to it, 400 left as credit."""
    invoice = new_invoice(tenant)
    return payment_record(
        org=tenant.org,
        actor=tenant.owner.user,
        customer_id=invoice.customer_id,
        amount=Decimal("500.00"),
        currency=invoice.currency,
        method="cheque",
        received_on=date(2027, 2, 1),
        reference=f"{tenant.org.name} cheque",
        allocations=[AllocationInput(invoice_id=invoice.pk, amount=Decimal("100.00"))],
    )


def payment_unchanged(built: Payment) -> None:
    current = Payment.objects.filter(pk=built.pk).first()
    assert current is not None, "org B's payment was deleted"
    assert (current.organization_id, current.status, current.unapplied_amount) == (
        built.organization_id,
        built.status,
        built.unapplied_amount,
    ), "org B's payment changed"
    allocations = PaymentAllocation.objects.filter(payment_id=built.pk)
    assert list(allocations.values_list("amount", "reversed_at")) == [(Decimal("100.00"), None)], (
        "org B's allocations changed"
    )


def payment_kwargs(payment: Payment) -> dict[str, int]:
    return {"payment_id": payment.pk}


# ---- the list


def sweep_payment_list(world: World, found: FoundRoute, route: Route) -> None:
    b_payment = new_payment(world.b)
    b_invoice = b_payment.allocations.get().invoice
    new_payment(world.a)
    url = "/api/v1/payments/"
    queries = [
        "",
        f"?customer={b_payment.customer_id}",
        f"?invoice={b_invoice.pk}",
        "?status=completed",
        "?method=cheque",
        "?page_size=1",
    ]
    for who, make_client in a_clients(world, found):
        for query in queries:
            response = request_as_a(world, make_client(), "GET", url + query, None, who)
            assert response.status_code == 200, f"GET {url}{query} as {who}: {response}"
            shown = {row["id"] for row in response.json()["results"]}
            assert b_payment.pk not in shown, f"GET {url}{query} as {who} lists org B's payment"

    a_customer = new_invoice(world.a).customer
    body = {
        "customer": a_customer.pk,
        "amount": "10.00",
        "currency": a_customer.currency,
        "method": "cash",
        "received_on": "2027-02-01",
    }
    foreign = [
        {**body, "customer": b_payment.customer_id},
        {**body, "allocations": [{"invoice": b_invoice.pk, "amount": "1.00"}]},
    ]
    for who, make_client in a_clients(world, found):
        for sent in foreign:
            response = request_as_a(world, make_client(), "POST", url, sent, who)
            check_hidden(response, f"POST {url} with org B's ids as {who}")
            invoice_unchanged(b_invoice)
            payment_unchanged(b_payment)
        created = request_as_a(world, make_client(), "POST", url, body, who)
        assert created.status_code == 201, f"POST {url} as {who}: {created.json()}"
        assert Payment.objects.get(pk=created.json()["id"]).organization_id == world.a.org.pk


def sweep_apply_credit(world: World, found: FoundRoute, route: Route) -> None:
    """The standard object check, then B's invoice named in the body for A's own payment."""
    sweep_object(world, found, route)
    a_payment = new_payment(world.a)
    b_invoice = new_invoice(world.b)
    url = f"/api/v1/payments/{a_payment.pk}/apply-credit/"
    body = {"allocations": [{"invoice": b_invoice.pk, "amount": "1.00"}]}
    for who, make_client in a_clients(world, found):
        response = request_as_a(world, make_client(), "POST", url, body, who)
        check_hidden(response, f"POST {url} with org B's invoice as {who}")
        invoice_unchanged(b_invoice)
        a_payment.refresh_from_db()
        assert a_payment.unapplied_amount == Decimal("400.00"), "A's payment changed on a 404"


ROUTES: dict[str, Route] = {
    "api_payments": Route("custom", custom=sweep_payment_list),
    "api_payment": Route(
        "object", build=new_payment, kwargs=payment_kwargs, unchanged=payment_unchanged
    ),
    "api_payment_reverse": Route(
        "object",
        build=new_payment,
        kwargs=payment_kwargs,
        unchanged=payment_unchanged,
        data={"POST": {"reason": "Acme cheque bounced"}},
        expect={"POST": {200}},
    ),
    "api_payment_apply_credit": Route(
        "custom",
        custom=sweep_apply_credit,
        build=new_payment,
        kwargs=payment_kwargs,
        unchanged=payment_unchanged,
        data={"POST": {}},
        expect={"POST": {200}},
    ),
}
