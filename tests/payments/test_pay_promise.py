"""Promises to pay on the customer's pay page: the "Promise to pay by a date" choice and when it
is offered, the form at /pay/v/<key>/promise/ (GET, POST, every error in the customer's words,
nothing saved), the thank-you back on the page, the open and kept panels, Spanish, and a key
that opens nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from arhub.models import Organization
from payments.models import (
    PaymentPlan,
    PaymentPlanInvoice,
    PaymentSettings,
    PlanOrigin,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)
from payments.promise_services import promise_make
from tests.conftest import Tenant
from tests.payments.pay_page_helpers import (
    customer_of,
    noon,
    open_pay_page,
    pay_part,
    plain_invoice,
    text,
)

pytestmark = pytest.mark.django_db

CHOICE = "Promise to pay by a date"


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(noon(date(2027, 3, 5)), tick=False) as traveller:
        yield traveller


@pytest.fixture
def org(tenant: Tenant) -> Organization:
    return tenant.org


def opened(org: Organization, invoice: object) -> tuple[Client, str, str]:
    """A customer's browser on the invoice's page: the client, the page's path, its text."""
    client = Client()
    page, response = open_pay_page(client, org, invoice)  # type: ignore[arg-type]
    assert response.status_code == 200
    return client, page, text(response)


def test_the_choice_is_offered_with_the_last_date(org):
    words = opened(org, plain_invoice(org))[2]
    assert "Can't pay the full amount today?" in words
    assert f"{CHOICE} Tell us when, up to April 4" in words


def test_the_choice_follows_the_organizations_limit_and_switch(org):
    settings = PaymentSettings.objects.create(organization=org, promise_max_days=10)
    invoice = plain_invoice(org)
    assert "Tell us when, up to March 15" in opened(org, invoice)[2]
    settings.promises_enabled = False
    settings.save()
    assert CHOICE not in opened(org, invoice)[2]


def test_no_choice_on_a_paid_invoice_or_one_in_a_plan(org):
    paid = plain_invoice(org)
    pay_part(org, paid, "300.00")
    assert CHOICE not in opened(org, paid)[2]
    planned = plain_invoice(org)
    plan = PaymentPlan.objects.create(
        organization=org,
        customer=planned.customer,
        currency="GBP",
        total=planned.balance_due,
        status=PlanStatus.ACTIVE,
        origin=PlanOrigin.CUSTOMER,
    )
    PaymentPlanInvoice.objects.create(
        organization=org, plan=plan, invoice=planned, balance_at_start=planned.balance_due
    )
    assert CHOICE not in opened(org, planned)[2]


def test_the_form_asks_for_a_date_within_the_limit(org):
    client, page, _ = opened(org, plain_invoice(org))
    response = client.get(page + "promise/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    html, words = response.content.decode(), text(response)
    assert 'type="date"' in html
    assert 'min="2027-03-05"' in html and 'max="2027-04-04"' in html
    assert '<label for="promise-date">I will pay by</label>' in html
    assert "Any day from March 5, 2027 to April 4, 2027." in words
    assert "Tell us the date by which you will pay £300.00." in words
    assert f'href="{page}"' in html  # back to the invoice
    assert "<script" not in html


def test_making_a_promise_thanks_the_customer_on_the_page(org):
    invoice = plain_invoice(org)
    client, page, _ = opened(org, invoice)
    response = client.post(
        page + "promise/", {"promised_date": "2027-03-20", "note": "Payday is the 19th"}
    )
    assert response.status_code == 302 and response["Location"] == page
    promise = PromiseToPay.objects.get(invoice=invoice)
    assert (promise.promised_date, promise.note, promise.created_by) == (
        date(2027, 3, 20),
        "Payday is the 19th",
        None,
    )
    words = text(client.get(page))
    assert (
        "Thank you. We have noted that you will pay by March 20, and we will not send "
        "reminders about this invoice until then."
    ) in words
    assert "Your promise to pay" in words
    assert CHOICE not in words
    # The thank-you is said once; the promise stays on the page.
    again = text(client.get(page))
    assert "We have noted" not in again
    assert "You told us you would pay by March 20. Thank you." in again
    # The form is not offered again while the promise is open.
    assert client.get(page + "promise/")["Location"] == page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the date by which you will pay."),
        ({"promised_date": "next friday"}, "Enter a real date, like 2027-04-04."),
        (
            {"promised_date": "2027-03-04"},
            "The date cannot be in the past. The earliest is March 5, 2027.",
        ),
        ({"promised_date": "2027-04-05"}, "Choose a date up to April 4, 2027."),
        (
            {"promised_date": "2027-03-20", "note": "x" * 1001},
            "Keep the note under 1000 characters.",
        ),
    ],
)
def test_bad_input_comes_back_on_the_form(org, data, message):
    invoice = plain_invoice(org)
    client, page, _ = opened(org, invoice)
    response = client.post(page + "promise/", data)
    assert response.status_code == 200
    html, words = response.content.decode(), text(response)
    assert f"There is a problem {message}" in words
    assert 'id="error-summary"' in html and 'aria-invalid="true"' in html
    target = "#promise-note" if "note" in message else "#promise-date"
    assert f'<a href="{target}">' in html
    assert not PromiseToPay.objects.exists()


def test_what_was_typed_is_kept_on_the_form(org):
    client, page, _ = opened(org, plain_invoice(org))
    response = client.post(page + "promise/", {"promised_date": "2027-05-01", "note": "Soon"})
    html = response.content.decode()
    assert 'value="2027-05-01"' in html and ">Soon</textarea>" in html


def test_a_post_from_another_site_makes_nothing(org):
    client, page, _ = opened(org, plain_invoice(org))
    response = client.post(
        page + "promise/", {"promised_date": "2027-03-20"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 200
    assert not PromiseToPay.objects.exists()


def test_a_promise_made_meanwhile_by_the_owner_sends_the_customer_back(org, tenant):
    invoice = plain_invoice(org)
    client, page, _ = opened(org, invoice)
    promise_make(org=org, invoice=invoice, promised_date=date(2027, 3, 12), actor=tenant.owner.user)
    response = client.post(page + "promise/", {"promised_date": "2027-03-20"})
    assert response.status_code == 302 and response["Location"] == page
    assert PromiseToPay.objects.get().promised_date == date(2027, 3, 12)


def test_a_kept_promise_is_thanked_for(org):
    invoice = plain_invoice(org)
    promise_make(org=org, invoice=invoice, promised_date=date(2027, 3, 20))
    pay_part(org, invoice, "300.00")
    words = opened(org, invoice)[2]
    assert "Promise kept You paid as you promised. Thank you." in words


def test_a_broken_promise_shows_nothing_and_is_not_offered_again(org):
    invoice = plain_invoice(org)
    promise = promise_make(org=org, invoice=invoice, promised_date=date(2027, 3, 5))
    PromiseToPay.objects.filter(pk=promise.pk).update(status=PromiseStatus.BROKEN)
    words = opened(org, invoice)[2]
    assert "You told us" not in words and CHOICE not in words


def test_in_spanish(org):
    invoice = plain_invoice(org, customer=customer_of(org, language="es"))
    client, page, words = opened(org, invoice)
    assert "Prometer el pago para una fecha Díganos cuándo, hasta el 4 de abril" in words
    form = text(client.get(page + "promise/"))
    assert "Pagaré a más tardar el" in form
    assert "Cualquier día del 5 de marzo de 2027 al 4 de abril de 2027." in form
    bad = text(client.post(page + "promise/", {"promised_date": "2027-04-05"}))
    assert "Hay un problema Elija una fecha hasta el 4 de abril de 2027." in bad
    client.post(page + "promise/", {"promised_date": "2027-03-20"})
    assert "Gracias. Hemos anotado que pagará a más tardar el 20 de marzo" in text(client.get(page))
    assert "Nos dijo que pagaría a más tardar el 20 de marzo. Gracias." in text(client.get(page))


def test_a_key_from_nowhere_opens_nothing(org):
    for method in ("get", "post"):
        response = getattr(Client(), method)("/pay/v/AAAAAAAAAAAAAAAAAAAAAA/promise/")
        assert response.status_code == 404
    assert not PromiseToPay.objects.exists()
