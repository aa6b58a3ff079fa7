"""Isolation sweep entries for the dashboard's payment pages: the list, recording a payment,
one payment, its apply-credit and reverse actions, and the customer page's "Apply" of credit.

Object routes use the sweep's standard check (B's payment is a 404 for every method, A's own
gets through). The list and the form are custom: B's customer or invoice offered through the
query string or the form is a 404 that saves nothing, a search never offers B's customers, and
filters never bring B's payments in. A payment's reference carries its organization's name, so
B's showing anywhere is also caught by the sweep's marker check.
"""

from __future__ import annotations

from typing import Any

from arhub.clock import org_today
from payments.models import Payment
from tests.isolation.builders import invoice_unchanged, new_invoice
from tests.isolation.routes_payments_api import new_payment, payment_unchanged
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    a_clients,
    check_hidden,
    request_as_a,
    send,
)


def record_form(world: World, customer_id: int, currency: str, **fields: Any) -> dict[str, Any]:
    return {
        "_action": "save",
        "customer": str(customer_id),
        "currency_customer": str(customer_id),
        "amount": "10.00",
        "currency": currency,
        "method": "cash",
        # Today: a payment cannot be received after it.
        "received_on": org_today(world.a.org).isoformat(),
        "reference": "Acme cash",
        "allocation": "auto",
        **fields,
    }


def sweep_payment_list(world: World, found: FoundRoute, route: Route) -> None:
    b_payment = new_payment(world.b)
    a_payment = new_payment(world.a)
    url = "/payments/"
    queries = ["", "?status=unapplied", "?method=cheque", "?q=cheque", "?received_from=2027-01-01"]
    for who, make_client in a_clients(world, found):
        for query in queries:
            response = request_as_a(world, make_client(), "GET", url + query, None, who)
            assert response.status_code == 200, f"GET {url}{query} as {who}: {response}"
            shown = {row.payment.pk for row in response.context["rows"]}
            assert b_payment.pk not in shown, f"GET {url}{query} as {who} lists B's payment"
            assert a_payment.pk in shown, f"control: GET {url}{query} misses A's own payment"
        response = request_as_a(
            world, make_client(), "GET", f"{url}?customer={b_payment.customer_id}", None, who
        )
        check_hidden(response, f"GET {url}?customer=<B's customer> as {who}")


def sweep_payment_create(world: World, found: FoundRoute, route: Route) -> None:
    url = "/payments/new/"
    b_invoice = new_invoice(world.b)
    a_invoice = new_invoice(world.a)
    a_customer, b_customer = a_invoice.customer, b_invoice.customer
    currency = a_customer.currency
    before = Payment.objects.filter(organization=world.a.org).count()
    for who, make_client in a_clients(world, found):
        client = make_client()
        for query in (f"?customer={b_customer.pk}", f"?invoice={b_invoice.pk}"):
            response = request_as_a(world, client, "GET", url + query, None, who)
            check_hidden(response, f"GET {url}{query} (B's) as {who}")
        foreign = [
            record_form(world, b_customer.pk, b_customer.currency),
            record_form(
                world,
                a_customer.pk,
                currency,
                allocation="choose",
                **{f"allocate-{b_invoice.pk}": "1.00"},
            ),
        ]
        for body in foreign:
            response = request_as_a(world, client, "POST", url, body, who)
            check_hidden(response, f"POST {url} with B's ids as {who}")
            invoice_unchanged(b_invoice)
        # "client" is in every customer's name the builders make, A's and B's.
        search = {"_action": "refresh", "customer_search": "client"}
        response = request_as_a(world, client, "POST", url, search, who)
        offered = response.content.decode()
        assert f'name="customer" value="{b_customer.pk}"' not in offered, "B's customer offered"
        assert f'name="customer" value="{a_customer.pk}"' in offered, "control: A's not found"
    assert Payment.objects.filter(organization=world.a.org).count() == before

    # Control: A's own customer and invoice work the same ways.
    client = world.a.client()
    assert send(client, "GET", f"{url}?invoice={a_invoice.pk}", None).status_code == 200
    assert send(client, "GET", f"{url}?customer={a_customer.pk}", None).status_code == 200
    response = send(client, "POST", url, record_form(world, a_customer.pk, currency))
    assert response.status_code == 302, f"control: recording for A's customer gave {response}"


def credit_kwargs(payment: Payment) -> dict[str, int]:
    return {"customer_pk": payment.customer_id}


ROUTES: dict[str, Route] = {
    "payments": Route("custom", custom=sweep_payment_list),
    "payment_create": Route("custom", custom=sweep_payment_create),
    "payment_detail": Route(
        "object", build=new_payment, unchanged=payment_unchanged, expect={"GET": {200}}
    ),
    "payment_apply_credit": Route(
        "object", build=new_payment, unchanged=payment_unchanged, expect={"POST": {302}}
    ),
    "payment_reverse": Route(
        "object",
        build=new_payment,
        unchanged=payment_unchanged,
        data={"POST": {"reason": "Acme cheque bounced"}},
        expect={"GET": {200}, "POST": {302}},
    ),
    "customer_credit_apply": Route(
        "object",
        build=new_payment,
        kwargs=credit_kwargs,
        unchanged=payment_unchanged,
        data={"POST": {"currency": "GBP"}},
        expect={"POST": {302}},
    ),
}
