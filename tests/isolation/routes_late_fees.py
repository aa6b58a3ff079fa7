"""Isolation sweep entries for late fees: waiving one from the invoice page, and the API's list
of an invoice's fees and its waive action.

Each is an object route (B's fee, or B's invoice, is a 404 for every method; A's own gets
through). The waivers also get B's fee under A's own invoice id, which must be a 404 too. A
fee's rule carries its organization's name, so B's showing anywhere is caught by the marker
check.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import F
from django.urls import reverse

from invoicing.models import Invoice, LateFee
from tests.conftest import Tenant
from tests.isolation.builders import new_invoice
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    a_clients,
    check_hidden,
    request_as_a,
    sweep_object,
)

FEE = Decimal("10.00")


def new_fee(tenant: Tenant) -> LateFee:
    """A 10.00 fee on an issued invoice, as the sweep would have charged it."""
    invoice = new_invoice(tenant)
    fee = LateFee.objects.create(
        organization=tenant.org,
        invoice=invoice,
        period_start=date(2027, 4, 1),
        charged_on=date(2027, 4, 1),
        amount=FEE,
        rule=f"{tenant.org.name} late fee for April 2027",
    )
    Invoice.objects.filter(pk=invoice.pk).update(fees_total=FEE, balance_due=F("balance_due") + FEE)
    return fee


def fee_unchanged(built: LateFee) -> None:
    current = LateFee.objects.filter(pk=built.pk).first()
    assert current is not None, "org B's late fee was deleted"
    assert (current.waived_at, current.amount) == (None, FEE), "org B's late fee was waived"
    invoice = Invoice.objects.get(pk=built.invoice_id)
    assert invoice.fees_total == FEE, "org B's invoice lost its fee"


def sweep_waive(world: World, found: FoundRoute, route: Route) -> None:
    """The standard object check, then B's fee under A's own invoice id."""
    sweep_object(world, found, route)
    b_fee = new_fee(world.b)
    a_invoice = new_invoice(world.a)
    kwargs = {"pk": b_fee.pk} if found.name == "late_fee_waive" else {"fee_id": b_fee.pk}
    invoice_kwarg = "invoice_pk" if found.name == "late_fee_waive" else "invoice_id"
    url = reverse(found.name or "", kwargs={invoice_kwarg: a_invoice.pk, **kwargs})
    for who, make_client in a_clients(world, found):
        response = request_as_a(world, make_client(), "POST", url, {"reason": "courtesy"}, who)
        check_hidden(response, f"POST {url} (B's fee under A's invoice) as {who}")
        fee_unchanged(b_fee)


ROUTES: dict[str, Route] = {
    "late_fee_waive": Route(
        "custom",
        custom=sweep_waive,
        build=new_fee,
        kwargs=lambda fee: {"invoice_pk": fee.invoice_id, "pk": fee.pk},
        unchanged=fee_unchanged,
        data={"POST": {"reason": "courtesy"}},
        expect={"POST": {302}},
    ),
    "api_invoice_late_fees": Route(
        "object",
        build=new_fee,
        kwargs=lambda fee: {"invoice_id": fee.invoice_id},
        unchanged=fee_unchanged,
    ),
    "api_invoice_late_fee_waive": Route(
        "custom",
        custom=sweep_waive,
        build=new_fee,
        kwargs=lambda fee: {"invoice_id": fee.invoice_id, "fee_id": fee.pk},
        unchanged=fee_unchanged,
        data={"POST": {"reason": "courtesy"}},
        expect={"POST": {200}},
    ),
}
