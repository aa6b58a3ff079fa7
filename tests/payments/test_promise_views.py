"""Promises to pay on the dashboard: the list (open first, soonest first, then broken, kept and
cancelled; filtered by status), the invoice page's "Promise to pay" section, recording one on
the customer's word and cancelling one, with roles and another organization's ids."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from arhub.models import Organization
from arhub.roles import Role
from payments.models import PromiseStatus, PromiseToPay
from payments.promise_services import promise_make, promises_sweep
from tests.conftest import Tenant
from tests.payments.pay_page_helpers import noon, pay_part, plain_invoice, text

pytestmark = pytest.mark.django_db

LIST = "/payments/promises/"


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(noon(date(2027, 3, 5)), tick=False) as traveller:
        yield traveller


@pytest.fixture
def org(tenant: Tenant) -> Organization:
    return tenant.org


def promise_on(org: Organization, day: date, **kwargs: object) -> PromiseToPay:
    return promise_make(org=org, invoice=plain_invoice(org), promised_date=day, **kwargs)  # type: ignore[arg-type]


def invoice_page(tenant: Tenant, invoice_pk: int, role: str = Role.OWNER) -> str:
    response = tenant.client(role).get(reverse("invoice_detail", args=[invoice_pk]))
    assert response.status_code == 200
    return response.content.decode()


# ---- the list


def test_an_empty_list_explains_promises(tenant):
    response = tenant.client().get(LIST)
    assert response.status_code == 200
    assert "No promises yet" in text(response)


def test_open_first_soonest_first_then_broken_kept_and_cancelled(org, tenant):
    broken = promise_on(org, date(2027, 3, 5))
    promises_sweep(org=org, today=date(2027, 3, 9))
    kept = promise_on(org, date(2027, 3, 6))
    pay_part(org, kept.invoice, "300.00")
    late = promise_on(org, date(2027, 3, 30))
    soon = promise_on(org, date(2027, 3, 10))
    cancelled = promise_on(org, date(2027, 3, 11))
    PromiseToPay.objects.filter(pk=cancelled.pk).update(status=PromiseStatus.CANCELLED)
    response = tenant.client(Role.VIEWER).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    order = [p.invoice.number for p in (soon, late, broken, kept, cancelled)]
    positions = [html.index(f">{number}</a>") for number in order]
    assert positions == sorted(positions)
    assert "2 open · 1 kept · 1 broken · 1 cancelled" in text(response)


def test_the_list_filters_by_status(org, tenant):
    open_one = promise_on(org, date(2027, 3, 10))
    kept = promise_on(org, date(2027, 3, 12))
    pay_part(org, kept.invoice, "300.00")
    client = tenant.client()
    html = client.get(LIST + "?status=kept").content.decode()
    assert kept.invoice.number in html and open_one.invoice.number not in html
    # A status we do not know shows them all.
    html = client.get(LIST + "?status=pending").content.decode()
    assert kept.invoice.number in html and open_one.invoice.number in html


def test_the_list_shows_nothing_of_another_organization(org, tenant, other_tenant):
    theirs = promise_on(other_tenant.org, date(2027, 3, 10))
    assert theirs.invoice.number not in tenant.client().get(LIST).content.decode()


# ---- the invoice page


def test_the_invoice_page_offers_to_record_one_to_those_who_may(org, tenant):
    invoice = plain_invoice(org)
    html = invoice_page(tenant, invoice.pk)
    assert 'id="promise-heading">Promise to pay' in html
    assert reverse("invoice_promise_create", args=[invoice.pk]) in html
    assert 'min="2027-03-05" max="2027-04-04"' in html
    # A viewer sees no form, and with no promise there is no section at all.
    assert "Promise to pay</h2>" not in invoice_page(tenant, invoice.pk, Role.VIEWER)


def test_the_invoice_page_shows_the_open_promise_and_earlier_ones(org, tenant):
    first = promise_on(org, date(2027, 3, 6), note="Will pay Friday")
    invoice = first.invoice
    PromiseToPay.objects.filter(pk=first.pk).update(status=PromiseStatus.CANCELLED)
    current = promise_make(
        org=org, invoice=invoice, promised_date=date(2027, 3, 20), actor=tenant.owner.user
    )
    page = text(_response(tenant, invoice.pk))
    assert f"{invoice.customer.display_name} will pay by 20 Mar 2027" in page
    assert f"Recorded by {tenant.owner.user.full_name}" in page
    assert "Earlier promises By 6 Mar 2027, £300.00: Cancelled" in page
    html = invoice_page(tenant, invoice.pk)
    assert reverse("promise_cancel", args=[current.pk]) in html
    assert reverse("invoice_promise_create", args=[invoice.pk]) not in html
    viewer = invoice_page(tenant, invoice.pk, Role.VIEWER)
    assert "will pay by" in viewer and reverse("promise_cancel", args=[current.pk]) not in viewer


def _response(tenant: Tenant, invoice_pk: int):  # type: ignore[no-untyped-def]
    return tenant.client().get(reverse("invoice_detail", args=[invoice_pk]))


# ---- recording and cancelling


def test_recording_one_on_the_customers_word(org, tenant):
    invoice = plain_invoice(org)
    url = reverse("invoice_promise_create", args=[invoice.pk])
    response = tenant.client(Role.BILLING).post(
        url, {"promised_date": "2027-03-20", "note": "On the phone"}, follow=True
    )
    assert response.redirect_chain[-1][0].endswith(f"/invoices/{invoice.pk}/#promise")
    assert f"will pay {invoice.number} by 20 Mar 2027" in text(response)
    promise = PromiseToPay.objects.get(invoice=invoice)
    assert promise.created_by == tenant.user(Role.BILLING)
    assert promise.note == "On the phone"


def test_recording_refused_says_why_and_saves_nothing(org, tenant):
    invoice = plain_invoice(org)
    url = reverse("invoice_promise_create", args=[invoice.pk])
    client = tenant.client()
    late = client.post(url, {"promised_date": "2027-04-05"}, follow=True)
    assert "the last allowed date is 4 April 2027" in text(late)
    missing = client.post(url, {"promised_date": ""}, follow=True)
    assert "No promise recorded: Enter the date the customer will pay by." in text(missing)
    assert not PromiseToPay.objects.exists()


def test_read_only_roles_cannot_record_or_cancel(org, tenant):
    invoice = plain_invoice(org)
    promise = promise_on(org, date(2027, 3, 20))
    for role in (Role.VIEWER, Role.ACCOUNTANT):
        client = tenant.client(role)
        create = client.post(
            reverse("invoice_promise_create", args=[invoice.pk]), {"promised_date": "2027-03-20"}
        )
        assert create.status_code == 403
        cancel = client.post(reverse("promise_cancel", args=[promise.pk]), {"reason": "x"})
        assert cancel.status_code == 403
    assert PromiseToPay.objects.get().status == PromiseStatus.OPEN


def test_cancelling_needs_a_reason(org, tenant):
    promise = promise_on(org, date(2027, 3, 20))
    url = reverse("promise_cancel", args=[promise.pk])
    client = tenant.client()
    refused = client.post(url, {"reason": ""}, follow=True)
    assert "Nothing was cancelled: say why the promise is cancelled." in text(refused)
    assert PromiseToPay.objects.get().status == PromiseStatus.OPEN
    done = client.post(url, {"reason": "Asked for a plan"}, follow=True)
    assert "Cancelled the promise to pay" in text(done)
    assert PromiseToPay.objects.get().status == PromiseStatus.CANCELLED
    again = client.post(url, {"reason": "again"}, follow=True)
    assert "This promise is already cancelled." in text(again)


def test_another_organizations_invoice_or_promise_is_a_404(org, tenant, other_tenant):
    theirs = promise_on(other_tenant.org, date(2027, 3, 20))
    client = tenant.client()
    create = client.post(
        reverse("invoice_promise_create", args=[theirs.invoice_id]), {"promised_date": "2027-03-21"}
    )
    assert create.status_code == 404
    cancel = client.post(reverse("promise_cancel", args=[theirs.pk]), {"reason": "x"})
    assert cancel.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == PromiseStatus.OPEN
    assert PromiseToPay.objects.count() == 1
