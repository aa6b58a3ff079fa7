"""Isolation sweep entries for the PDF downloads (dashboard) and the public pay page.

The dashboard downloads are ordinary object routes: B's invoice or credit note id answers 404.
The pay link has no session to scope by: the token in the URL is the credential, traded for a
pay session and a redirect to the page. Whoever holds B's link may see B's invoice (that is
what the link is for), so the custom check proves the rest: made-up and tampered tokens show
nothing of B's, opening B's link changes nothing of B's, and A's own link works (so the 404s
mean something). The pay page's PDF lives under the session's key, swept with the other key
routes (``routes_pay_sessions``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core import mail
from django.test import Client
from django.urls import reverse

from invoicing.models import Invoice
from invoicing.pay_links import pay_link_active, pay_link_token
from tests.conftest import Tenant
from tests.isolation.builders import (
    credit_note_unchanged,
    invoice_unchanged,
    new_credit_note,
    new_invoice,
)
from tests.isolation.routes_pay_sessions import sweep_pay_pdf
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    b_snapshot,
    check_b_untouched,
    check_hidden,
    request_as_a,
)


def token_of(tenant: Tenant, invoice: Invoice) -> str:
    return pay_link_token(pay_link_active(org=tenant.org, invoice=invoice))


def sweep_pay_page(world: World, found: FoundRoute, route: Route) -> None:
    name = found.name or ""
    b_token = token_of(world.b, new_invoice(world.b))
    a_invoice = new_invoice(world.a)
    a_token = token_of(world.a, a_invoice)
    clients = [("anonymous", Client), ("A's owner", world.a.client)]

    # Tokens we never issued, or B's cut short or altered: 404, nothing of B's shown.
    for bad in (b_token[:-4] + "AAAA", b_token[:12], "p" + "A" * 22, "made-up-token"):
        url = reverse(name, args=[bad])
        for who, make_client in clients:
            response = request_as_a(world, make_client(), "GET", url, None, who)
            check_hidden(response, f"GET {url} as {who}")

    # B's real link in A's hands opens B's invoice (the link is the key) and changes nothing:
    # the token is traded for a session and the page shown there.
    b_url = reverse(name, args=[b_token])
    for who, make_client in clients:
        before, outbox_from = b_snapshot(world), len(mail.outbox)
        client = make_client()
        response = client.get(b_url)
        assert response.status_code == 302, f"GET {b_url} as {who}: {response.status_code}"
        assert b_token not in response["Location"]
        assert client.get(response["Location"]).status_code == 200
        check_b_untouched(world, before, outbox_from, f"GET {b_url} as {who}")

    # Control: A's own link works.
    a_url = reverse(name, args=[a_token])
    assert urlsplit(a_url).path.startswith("/pay/")
    response = request_as_a(world, Client(), "GET", a_url, None, "anonymous (A's link)")
    assert response.status_code == 302, f"control: GET {a_url}: {response.status_code}"


ROUTES: dict[str, Route] = {
    "invoice_pdf": Route("object", build=new_invoice, unchanged=invoice_unchanged),
    "invoice_pdf_preview": Route("object", build=new_invoice, unchanged=invoice_unchanged),
    "credit_note_pdf": Route("object", build=new_credit_note, unchanged=credit_note_unchanged),
    "pay_page": Route("custom", custom=sweep_pay_page),
    "pay_page_pdf": Route("custom", custom=sweep_pay_pdf),
}
