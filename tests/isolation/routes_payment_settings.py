"""Isolation sweep entries for Settings -> Payments and ``/api/v1/organization/payments/``.

These routes take no id: they act on the current organization. Each entry gives B saved
payment settings and a connected Stripe account first (its account name is B's name, so it
showing on any of A's pages is caught by the marker check), then makes A's writes really
happen, with valid bodies, and checks they landed on A's row. The sweep's snapshot of every
org-owned table proves B's ``PaymentSettings`` row never changed. Stripe is the local stand-in
(tests/stripe_server.py), started here since the sweep runs outside the ``stripe_api`` fixture.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from http.server import ThreadingHTTPServer

from django.test import override_settings

from arhub.secret_box import secret_decrypt, secret_encrypt
from payments.models import PaymentSettings
from tests.conftest import Tenant
from tests.isolation.sweep import FoundRoute, Route, World, sweep_org_page
from tests.stripe_server import LIVE_KEY, TEST_KEY, StripeStandIn, _handler

A_WEBHOOK = "whsec_acme_sweep_signing_secret_1212"
B_WEBHOOK = "whsec_zenith_sweep_signing_secret_3434"

SETTINGS_FORM = {
    "card_enabled": "on",
    "allow_partial": "on",
    "partial_minimum": "7",
    "cheque_payable_to": "Acme sweep cheques",
    "cheque_address": "1 Pipe Street",
    "send_receipts": "on",
}
SETTINGS_PATCH = {"partial_minimum": "7", "bank_debit_enabled": True, "late_fees_enabled": False}


@contextmanager
def stripe_stand_in() -> Iterator[StripeStandIn]:
    stand_in = StripeStandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stand_in))
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with override_settings(STRIPE_API_BASE_URL=stand_in.url):
            yield stand_in
    finally:
        server.shutdown()
        server.server_close()


def connected(tenant: Tenant, *, key: str, webhook: str, name: str) -> PaymentSettings:
    row, _ = PaymentSettings.objects.update_or_create(
        organization=tenant.org,
        defaults={
            "partial_minimum": Decimal("25.00"),
            "cheque_payable_to": f"{tenant.org.name} cheques",
            "stripe_secret_key": secret_encrypt(key),
            "stripe_webhook_secret": secret_encrypt(webhook),
            "stripe_key_hint": key[-4:],
            "stripe_livemode": key.startswith("sk_live_"),
            "stripe_account_name": name,
        },
    )
    return row


def b_connected(world: World) -> PaymentSettings:
    return connected(world.b, key=LIVE_KEY, webhook=B_WEBHOOK, name=world.b.org.name)


def a_row(world: World) -> PaymentSettings:
    return PaymentSettings.objects.get(organization=world.a.org)


def b_still_connected(world: World) -> None:
    row = PaymentSettings.objects.get(organization=world.b.org)
    assert secret_decrypt(row.stripe_secret_key) == LIVE_KEY, "org B's Stripe key changed"
    assert secret_decrypt(row.stripe_webhook_secret) == B_WEBHOOK


# ---- the sweeps


def sweep_settings(check: Callable[[World], None]) -> Callable[[World, FoundRoute, Route], None]:
    """B connected, A's own request made (and checked) by the standard page sweep, then
    ``check`` proves A's write landed on A."""

    def sweep(world: World, found: FoundRoute, route: Route) -> None:
        b_connected(world)
        with stripe_stand_in():
            sweep_org_page(world, found, route)
        check(world)
        b_still_connected(world)

    return sweep


def a_saved_settings(world: World) -> None:
    row = a_row(world)
    assert row.partial_minimum == Decimal("7.00"), "A's settings were not saved"


def a_connected(world: World) -> None:
    row = a_row(world)
    assert secret_decrypt(row.stripe_secret_key) == TEST_KEY, "A's key was not saved"
    assert row.stripe_account_name == "Acme Plumbing Ltd"


def sweep_connected_first(
    check: Callable[[World], None],
) -> Callable[[World, FoundRoute, Route], None]:
    """For test-connection and disconnect: A is connected too, so they act on something."""

    def sweep(world: World, found: FoundRoute, route: Route) -> None:
        connected(world.a, key=TEST_KEY, webhook=A_WEBHOOK, name="Acme Plumbing Ltd")
        sweep_settings(check)(world, found, route)

    return sweep


def a_checked(world: World) -> None:
    row = a_row(world)
    assert row.stripe_checked_at is not None and row.stripe_check_ok, "A was not checked"


def a_disconnected(world: World) -> None:
    assert not a_row(world).stripe_connected, "A is still connected"


CONNECT_FORM = {"stripe_secret_key": TEST_KEY, "stripe_webhook_secret": A_WEBHOOK}


def sweep_api(world: World, found: FoundRoute, route: Route) -> None:
    """GET and a settings PATCH, then a PATCH that connects Stripe: both land on A only."""
    sweep_settings(a_saved_settings)(world, found, route)
    connect = Route(
        "custom",
        data={"PATCH": {**SETTINGS_PATCH, **CONNECT_FORM}},
        methods=("PATCH",),
        expect={"PATCH": {200}},
    )
    sweep_settings(a_connected)(world, found, connect)


ROUTES: dict[str, Route] = {
    "payment_settings": Route(
        "custom",
        custom=sweep_settings(a_saved_settings),
        data={"POST": SETTINGS_FORM},
        expect={"GET": {200}, "POST": {302}},
    ),
    "payment_settings_stripe": Route(
        "custom",
        custom=sweep_settings(a_connected),
        data={"POST": CONNECT_FORM},
        expect={"POST": {302}},
    ),
    "payment_settings_stripe_test": Route(
        "custom", custom=sweep_connected_first(a_checked), expect={"POST": {302}}
    ),
    "payment_settings_stripe_disconnect": Route(
        "custom", custom=sweep_connected_first(a_disconnected), expect={"POST": {302}}
    ),
    "api_payment_settings": Route(
        "custom",
        custom=sweep_api,
        data={"PATCH": SETTINGS_PATCH},
        expect={"GET": {200}, "PATCH": {200}},
    ),
    "api_payment_settings_test": Route(
        "custom", custom=sweep_connected_first(a_checked), expect={"POST": {200}}
    ),
}
