"""Pay sessions: the emailed token traded for a short-lived grant in the browser's session, the
address without the token, the privacy headers, expiry, rate limits, and every way a link or a
key fails to open something it should not."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from arhub.models import Organization
from arhub.rate_limit import rate_limit_hit
from invoicing.invoice_services import invoice_void, invoice_write_off
from invoicing.pay_links import pay_link_active, pay_link_revoke, pay_link_token
from payments.pay_sessions import SESSION_KEY
from payments.statement_links import statement_link_active, statement_link_token
from tests.conftest import Tenant
from tests.invoicing.invoice_factories import invoice_make
from tests.payments.pay_page_helpers import (
    ISSUED,
    customer_of,
    noon,
    open_pay_page,
    pay_path,
    plain_invoice,
    statement_path,
    text,
)

pytestmark = pytest.mark.django_db

INVALID = "This link is no longer valid"
TIMED_OUT = "This page has timed out"
PRIVATE = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(tenant: Tenant) -> Organization:
    tenant.org.email_reply_to = "accounts@acme.test"
    tenant.org.save()
    return tenant.org


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(noon(ISSUED + timedelta(days=5)), tick=False) as traveller:
        yield traveller


def assert_private(response: object, where: str) -> None:
    for header, value in PRIVATE.items():
        assert response[header] == value, f"{where}: {header}"  # type: ignore[index]


def comparable(response: object) -> str:
    """The page without what differs per request (CSP nonce)."""
    body = response.content.decode()  # type: ignore[attr-defined]
    return re.sub(r'nonce="[^"]*"', "", body)


# ---- The exchange


def test_the_token_is_traded_for_an_address_without_it(org: Organization, clock: object) -> None:
    invoice = plain_invoice(org)
    path = pay_path(org, invoice)
    token = path.strip("/").split("/")[-1]
    client = Client()

    exchange = client.get(path)
    assert exchange.status_code == 302
    target = exchange["Location"]
    assert re.fullmatch(r"/pay/v/[A-Za-z0-9_-]{16,}/", target)
    assert token not in target
    assert_private(exchange, "the exchange")

    page = client.get(target)
    assert page.status_code == 200
    assert invoice.number in text(page)
    assert token not in page.content.decode()  # not even in the page's own links
    assert_private(page, "the page")

    # The same link opened again in the same browser keeps its address.
    assert client.get(path)["Location"] == target
    # The grant names the invoice, the org and the link; never the token.
    grants = client.session[SESSION_KEY]
    assert token not in repr(grants)
    [grant] = grants.values()
    assert (grant["kind"], grant["org"], grant["subject"]) == ("invoice", org.pk, invoice.pk)


def test_the_address_means_nothing_in_another_browser(org: Organization, clock: object) -> None:
    target, page = open_pay_page(Client(), org, plain_invoice(org))
    assert page.status_code == 200
    other = Client().get(target)
    assert other.status_code == 404
    assert TIMED_OUT in text(other)
    assert_private(other, "another browser")


def test_every_page_is_private(org: Organization, clock: object) -> None:
    invoice = plain_invoice(org)
    client = Client()
    target, page = open_pay_page(client, org, invoice)
    assert_private(page, "page")
    assert_private(client.get(target + "pdf/"), "pdf")
    assert_private(Client().get(reverse("pay_page", args=["pMadeUpTokenAAAAAAAAAAA"])), "invalid")
    assert_private(Client().get(target), "timed out")
    policy = page["Content-Security-Policy"]
    # No third-party script, ever.
    assert re.search(r"script-src 'self'(;|$)", policy), policy


def test_a_grant_times_out_after_the_minutes_without_use(
    org: Organization, clock: time_machine.Traveller, settings: object
) -> None:
    settings.PAY_SESSION_MINUTES = 30  # type: ignore[attr-defined]
    invoice = plain_invoice(org)
    client = Client()
    target, _ = open_pay_page(client, org, invoice)

    # Sliding: each visit starts the 30 minutes again.
    for _ in range(3):
        clock.shift(timedelta(minutes=25))
        assert client.get(target).status_code == 200

    clock.shift(timedelta(minutes=31))
    response = client.get(target)
    assert response.status_code == 404
    assert TIMED_OUT in text(response)
    assert "open the link in your email again" in text(response)
    assert client.get(target + "pdf/").status_code == 404

    # The emailed link still works and opens a fresh session.
    new_target, page = open_pay_page(client, org, invoice)
    assert page.status_code == 200
    assert new_target != target


def test_the_timed_out_page_speaks_the_customers_language(
    org: Organization, clock: time_machine.Traveller
) -> None:
    spanish = customer_of(org, language="es")
    client = Client()
    target, _ = open_pay_page(client, org, plain_invoice(org, customer=spanish))
    clock.shift(timedelta(hours=3))
    response = client.get(target)
    assert '<html lang="es">' in response.content.decode()
    assert "Esta página ha caducado" in text(response)


def test_a_grant_for_one_invoice_never_opens_another(org: Organization, clock: object) -> None:
    first, second = plain_invoice(org), plain_invoice(org)
    client = Client()
    first_target, _ = open_pay_page(client, org, first)
    second_target, _ = open_pay_page(client, org, second)
    assert first_target != second_target
    assert first.number in text(client.get(first_target))
    assert second.number not in text(client.get(first_target))
    assert second.number in text(client.get(second_target))

    # A session edited to point the first key at the second invoice of another link: the
    # link no longer matches, so nothing opens.
    session = client.session
    grants = session[SESSION_KEY]
    key = first_target.strip("/").split("/")[-1]
    grants[key]["subject"] = second.pk
    session[SESSION_KEY] = grants
    session.save()
    response = client.get(first_target)
    assert response.status_code == 404
    assert second.number not in text(response)

    # A statement key is not a pay key.
    statement = client.get(statement_path(org, first.customer))["Location"]
    statement_key = statement.strip("/").split("/")[-1]
    assert client.get(reverse("pay_view", args=[statement_key])).status_code == 404


def test_pay_tokens_of_one_org_never_open_anything_of_another(
    tenant: Tenant, other_tenant: Tenant, clock: object
) -> None:
    theirs = plain_invoice(other_tenant.org)
    their_token = pay_link_token(pay_link_active(org=other_tenant.org, invoice=theirs))
    their_statement = statement_link_token(
        statement_link_active(org=other_tenant.org, customer=theirs.customer)
    )
    client = tenant.client()
    for bad in (
        their_token[:-3] + "AAA",
        their_token[:10],
        "s" + their_token[1:],  # a pay token dressed as a statement token
    ):
        for name in ("pay_page", "statement_page"):
            response = client.get(reverse(name, args=[bad]))
            assert response.status_code == 404, (name, bad)
            assert other_tenant.org.name not in text(response)
    # A pay token is not a statement token, nor the other way round.
    assert client.get(reverse("statement_page", args=[their_token])).status_code == 404
    assert client.get(reverse("pay_page", args=[their_statement])).status_code == 404
    assert SESSION_KEY not in client.session


# ---- Links that open nothing


def test_unknown_revoked_and_dead_links_get_the_same_plain_page(
    org: Organization, clock: object
) -> None:
    pages = {}
    for how in ("revoked", "void", "written off", "draft"):
        invoice = invoice_make(org, customer=customer_of(org), issue=how != "draft")
        path = pay_path(org, invoice)
        if how == "revoked":
            pay_link_revoke(org=org, invoice=invoice)
        elif how == "void":
            invoice_void(org=org, actor=None, invoice=invoice)
        elif how == "written off":
            invoice_write_off(org=org, actor=None, invoice=invoice)
        response = Client().get(path)
        assert response.status_code == 404, how
        assert_private(response, how)
        if invoice.number:
            assert invoice.number not in text(response)
        pages[how] = comparable(response)
    assert len(set(pages.values())) == 1, "the dead links' pages differ"
    page = pages["revoked"]
    assert INVALID in page
    assert f"Please contact {org.name} at accounts@acme.test for" in page

    unknown = Client().get(reverse("pay_page", args=["pNotARealTokenAtAll12"]))
    assert unknown.status_code == 404
    assert INVALID in text(unknown) and org.name not in text(unknown)


def test_revoking_the_link_closes_pages_already_open(org: Organization, clock: object) -> None:
    invoice = plain_invoice(org)
    client = Client()
    target, _ = open_pay_page(client, org, invoice)
    pay_link_revoke(org=org, invoice=invoice)
    response = client.get(target)
    assert response.status_code == 404
    assert INVALID in text(response)
    assert invoice.number not in text(response)


def test_voiding_the_invoice_closes_pages_already_open(org: Organization, clock: object) -> None:
    invoice = invoice_make(org, customer=customer_of(org))
    client = Client()
    target, _ = open_pay_page(client, org, invoice)
    invoice_void(org=org, actor=None, invoice=invoice)
    assert client.get(target).status_code == 404
    assert client.get(target + "pdf/").status_code == 404


def test_tokens_stay_out_of_the_logs(
    org: Organization, clock: object, caplog: pytest.LogCaptureFixture, settings: object
) -> None:
    settings.PAY_LINK_RATE_PER_MINUTE = 2  # type: ignore[attr-defined]
    invoice = plain_invoice(org)
    path = pay_path(org, invoice)
    token = path.strip("/").split("/")[-1]
    pay_link_revoke(org=org, invoice=invoice)
    with caplog.at_level(logging.DEBUG):
        client = Client()
        for _ in range(4):  # refused, refused, then rate-limited twice
            client.get(path)
    assert caplog.records, "the refusals were not logged at all"
    assert all(token not in record.getMessage() for record in caplog.records)
    assert all(token[:12] not in str(record.__dict__) for record in caplog.records)


# ---- Rate limit


def test_link_lookups_are_rate_limited_per_address_then_recover(
    org: Organization, clock: time_machine.Traveller, settings: object
) -> None:
    settings.PAY_LINK_RATE_PER_MINUTE = 3  # type: ignore[attr-defined]
    invoice = plain_invoice(org)
    path = pay_path(org, invoice)
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert client.get(path).status_code == 302
    limited = client.get(path)
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert "Too many attempts" in text(limited)
    assert_private(limited, "429")
    # Made-up tokens count too (that is what the limit is for), and the statement shares it.
    assert client.get(reverse("pay_page", args=["pGuess"])).status_code == 429
    assert client.get(statement_path(org, invoice.customer)).status_code == 429

    # Another address is not held up.
    assert Client(REMOTE_ADDR="203.0.113.8").get(path).status_code == 302

    clock.shift(timedelta(seconds=61))
    assert client.get(path).status_code == 302


def test_the_budget_counts_each_window_separately(clock: time_machine.Traveller) -> None:
    decisions = [rate_limit_hit(scope="t", client="198.51.100.1", limit=2) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert rate_limit_hit(scope="other", client="198.51.100.1", limit=2).allowed
    clock.shift(timedelta(minutes=1))
    assert rate_limit_hit(scope="t", client="198.51.100.1", limit=2).allowed
