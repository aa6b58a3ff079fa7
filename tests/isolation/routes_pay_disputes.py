"""Isolation sweep entries for the customer's dispute pages under the pay page:
``/pay/v/<key>/dispute/`` and ``/pay/v/<key>/dispute/<pk>/reply/`` and ``.../withdraw/``.

Like the pay page (``routes_pay_sessions``), the key means something only in the browser that
opened the link, so B's key opens nothing in A's browser for any method, nor does a made-up one.
The dispute id in the URL is looked up inside the key's invoice only: B's dispute, and a
dispute of another of A's invoices, are 404 even with A's own key; A's own key and dispute reach
the page (so the 404s mean something).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from disputes.models import ACTIVE_DISPUTE_STATUSES, Dispute, DisputeReason
from disputes.services import dispute_open
from invoicing.models import Invoice
from tests.isolation.builders import new_invoice
from tests.isolation.routes_pay_sessions import pay_key, sweep_key_route
from tests.isolation.sweep import FoundRoute, Route, World, check_hidden, request_as_a


def live_dispute(invoice: Invoice) -> Dispute:
    """The invoice's active dispute, opened when it has none (a withdraw used the last)."""
    found = (
        Dispute.objects.for_org(invoice.organization)
        .filter(invoice=invoice, status__in=ACTIVE_DISPUTE_STATUSES)
        .first()
    )
    if found is not None:
        return found
    return dispute_open(
        org=invoice.organization,
        invoice=invoice,
        reason=DisputeReason.OTHER,
        message=f"{invoice.organization.name} customer questions this invoice",
    )


def dispute_args(key: str, invoice: Invoice) -> list[Any]:
    return [key, live_dispute(invoice).pk]


def sweep_dispute_new(world: World, found: FoundRoute, route: Route) -> None:
    sweep_key_route(
        world,
        found,
        opener=pay_key,
        args=lambda key, _: [key],
        methods=("GET", "POST"),
        control={200},
    )


def sweep_dispute_action(world: World, found: FoundRoute, route: Route) -> None:
    sweep_key_route(
        world,
        found,
        opener=pay_key,
        args=dispute_args,
        methods=("GET", "POST"),
        # GET asks; a POST of A's own with an empty body answers the form's errors (reply) or
        # withdraws and goes back to the page (withdraw).
        control={200, 302},
    )
    # A's own key with B's dispute, or with a dispute of another of A's invoices: nothing.
    name = found.name or ""
    client = world.a.client()
    a_key = pay_key(client, world.a, new_invoice(world.a))
    for stranger in (new_invoice(world.b), new_invoice(world.a)):
        pk = live_dispute(stranger).pk
        url = reverse(name, args=[a_key, pk])
        for method in ("GET", "POST"):
            response = request_as_a(world, client, method, url, {"message": "x"}, "A (A's key)")
            check_hidden(response, f"{method} {url} (a dispute of another invoice)")
            assert live_dispute(stranger).pk == pk, "the stranger's dispute was withdrawn"


ROUTES: dict[str, Route] = {
    "pay_dispute_new": Route("custom", custom=sweep_dispute_new),
    "pay_dispute_reply": Route("custom", custom=sweep_dispute_action),
    "pay_dispute_withdraw": Route("custom", custom=sweep_dispute_action),
}
