"""The reminder sections on the invoice page (the timeline; pause and resume) and the customer
page (the policy they follow; pause all and resume), and the views behind their forms: POST
only, the operate right, another organization's ids a 404, constant queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arhub.roles import Role
from invoicing.invoice_services import invoice_void
from payments.services import payment_record
from reminders.models import CustomerReminders, InvoiceReminderPause, ReminderPolicy
from reminders.pause_services import customer_reminders_pause
from tests.conftest import Tenant
from tests.invoicing.invoice_factories import invoice_make
from tests.reminders.engine_helpers import customer_in, invoice_due, local, run_at

pytestmark = pytest.mark.django_db

AUCKLAND = "Pacific/Auckland"
NOW = datetime(2027, 3, 8, 12, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def auckland_invoice(tenant: Tenant):
    return invoice_due(tenant.org, customer_in(tenant.org, AUCKLAND), date(2027, 3, 14))


def page(tenant: Tenant, url: str, role: str = Role.OWNER) -> str:
    response = tenant.client(role).get(url)
    assert response.status_code == 200
    return response.content.decode()


# ---- the invoice page


def test_the_invoice_page_shows_the_next_reminder_in_both_zones(tenant, clock):
    invoice = auckland_invoice(tenant)
    body = page(tenant, f"/invoices/{invoice.pk}/")
    assert 'id="reminders-heading"' in body
    assert "Friendly reminder</strong>, 3 days before the due date" in body
    assert '<time datetime="2027-03-10T20:00:00+00:00">Thu 11 Mar, 09:00 in Auckland</time>' in body
    assert "(Wed 10 Mar, 20:00 your time)" in body
    assert "Standard</a> policy (your default)" in body
    assert f'action="/invoices/{invoice.pk}/reminders/pause/"' in body
    assert "No reminder yet." in body
    # Reading the page writes nothing: the default policy is made by the sweep, not a view.
    assert not ReminderPolicy.objects.exists()


def test_read_only_roles_see_the_timeline_but_no_form(tenant, clock):
    invoice = auckland_invoice(tenant)
    for role in (Role.VIEWER, Role.ACCOUNTANT):
        body = page(tenant, f"/invoices/{invoice.pk}/", role)
        assert "Thu 11 Mar, 09:00 in Auckland" in body
        assert "/reminders/pause/" not in body and "Resume reminders" not in body


def test_a_draft_has_no_reminder_section(tenant, clock):
    draft = invoice_make(tenant.org, issue=False)
    assert 'id="reminders-heading"' not in page(tenant, f"/invoices/{draft.pk}/")


def test_a_paid_invoice_says_nothing_more_will_be_sent(tenant, clock):
    invoice = auckland_invoice(tenant)
    payment_record(
        org=tenant.org,
        actor=None,
        customer_id=invoice.customer_id,
        amount=invoice.total,
        currency=invoice.currency,
        method="cheque",
        received_on=date(2027, 3, 8),
    )
    body = page(tenant, f"/invoices/{invoice.pk}/")
    assert "Nothing more will be sent:</strong> Paid: nothing is owed." in body
    assert "/reminders/pause/" not in body


def test_the_sent_history_on_the_page(tenant):
    with time_machine.travel(NOW, tick=False):
        invoice = auckland_invoice(tenant)
    run_at(local(AUCKLAND, date(2027, 3, 11), time(10, 0)))
    with time_machine.travel(local(AUCKLAND, date(2027, 3, 11), time(12, 0)), tick=False):
        body = page(tenant, f"/invoices/{invoice.pk}/")
    assert '<span class="badge msg-sent">Sent</span>' in body
    assert (
        'Thu 11 Mar, 10:00 in Auckland</time><br><span class="hint">Wed 10 Mar, 21:00 your time'
        in body
    )
    assert "Mon 15 Mar, 09:00 in Auckland" in body  # next: the due date's, after the weekend


def test_pause_with_a_reason_then_resume(tenant, clock):
    invoice = auckland_invoice(tenant)
    client = tenant.client()
    response = client.post(
        f"/invoices/{invoice.pk}/reminders/pause/", {"reason": "Paying on the 20th"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/invoices/{invoice.pk}/#reminders"
    pause = InvoiceReminderPause.objects.get(invoice=invoice)
    assert pause.reason == "Paying on the 20th" and pause.paused_by == tenant.owner.user
    body = client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert f"Reminders for invoice {invoice.number} are paused until you resume them." in body
    assert (
        f"Not sending:</strong> Paused by {tenant.owner.user.full_name}: Paying on the 20th" in body
    )
    assert "Would go" in body and "Resume reminders" in body
    assert "/reminders/pause/" not in body

    response = client.post(f"/invoices/{invoice.pk}/reminders/resume/")
    assert response.status_code == 302
    assert not InvoiceReminderPause.objects.exists()
    body = client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert "are back on" in body and "Goes out" in body and "Not sending" not in body


def test_pausing_a_void_invoice_is_refused_in_words(tenant, clock):
    invoice = invoice_make(tenant.org)
    invoice_void(org=tenant.org, actor=None, invoice=invoice, reason="Twice")
    client = tenant.client()
    response = client.post(f"/invoices/{invoice.pk}/reminders/pause/", {"reason": "x"}, follow=True)
    assert (
        "is void: it gets no reminders, so there is nothing to pause." in response.content.decode()
    )
    assert not InvoiceReminderPause.objects.exists()


def test_the_forms_need_the_operate_right_and_post(tenant, clock):
    invoice = auckland_invoice(tenant)
    customer = invoice.customer
    urls = [
        f"/invoices/{invoice.pk}/reminders/pause/",
        f"/invoices/{invoice.pk}/reminders/resume/",
        f"/customers/{customer.pk}/reminders/policy/",
        f"/customers/{customer.pk}/reminders/pause/",
        f"/customers/{customer.pk}/reminders/resume/",
    ]
    for url in urls:
        for role in (Role.VIEWER, Role.ACCOUNTANT):
            assert tenant.client(role).post(url, {"reason": "x"}).status_code == 403, url
        assert tenant.client(Role.BILLING).get(url).status_code == 405, url
    assert not InvoiceReminderPause.objects.exists() and not CustomerReminders.objects.exists()
    response = tenant.client(Role.BILLING).post(urls[0], {"reason": "Billing may"})
    assert response.status_code == 302 and InvoiceReminderPause.objects.exists()


def test_another_organizations_ids_are_not_found(tenant, other_tenant, clock):
    theirs = auckland_invoice(other_tenant)
    their_policy = ReminderPolicy.objects.create(organization=other_tenant.org, name="Theirs")
    mine = auckland_invoice(tenant).customer
    client = tenant.client()
    for url in (
        f"/invoices/{theirs.pk}/reminders/pause/",
        f"/invoices/{theirs.pk}/reminders/resume/",
        f"/customers/{theirs.customer_id}/reminders/pause/",
        f"/customers/{theirs.customer_id}/reminders/policy/",
    ):
        assert client.post(url, {"reason": "x"}).status_code == 404, url
    response = client.post(f"/customers/{mine.pk}/reminders/policy/", {"policy": their_policy.pk})
    assert response.status_code == 404
    response = client.post(f"/customers/{mine.pk}/reminders/policy/", {"policy": "strict"})
    assert response.status_code == 404
    assert not InvoiceReminderPause.objects.exists() and not CustomerReminders.objects.exists()


def test_a_customer_pause_shows_on_the_invoice_with_where_to_lift_it(tenant, clock):
    invoice = auckland_invoice(tenant)
    customer_reminders_pause(
        org=tenant.org, actor=tenant.owner.user, customer=invoice.customer, reason="On holiday"
    )
    body = page(tenant, f"/invoices/{invoice.pk}/")
    assert "Not sending:</strong> Customer&#x27;s reminders paused by" in body
    assert f'href="/customers/{invoice.customer_id}/#reminders">Resume on the customer' in body
    # The invoice itself can still be paused on its own.
    assert f'action="/invoices/{invoice.pk}/reminders/pause/"' in body


def test_invoice_page_queries_do_not_grow_with_reminders(tenant):
    with time_machine.travel(NOW, tick=False):
        customer = customer_in(tenant.org, AUCKLAND)
        invoice = invoice_due(tenant.org, customer, date(2027, 3, 14))
        invoice_due(tenant.org, customer, date(2027, 3, 14))
    run_at(local(AUCKLAND, date(2027, 3, 11), time(10, 0)))
    later = local(AUCKLAND, date(2027, 4, 20), time(12, 0))

    def queries() -> int:
        cache.clear()
        with time_machine.travel(later, tick=False):
            client = tenant.client()  # signed in then, so the session has not expired
            with CaptureQueriesContext(connection) as seen:
                assert client.get(f"/invoices/{invoice.pk}/").status_code == 200
        return len(seen)

    few = queries()
    for day in (15, 17, 22, 29):
        run_at(local(AUCKLAND, date(2027, 3, day), time(10, 0)))
    assert queries() == few


# ---- the customer page


def test_the_customer_page_offers_the_policies_default_first(tenant, clock):
    customer = auckland_invoice(tenant).customer
    strict = ReminderPolicy.objects.create(organization=tenant.org, name="Strict")
    body = page(tenant, f"/customers/{customer.pk}/")
    assert 'id="reminders-heading"' in body
    assert "your default policy, <strong>Standard</strong>" in body
    first, second = body.split('id="customer-reminder-policy"')[1].split("<option")[1:3]
    assert first.startswith(' value="" selected>Organization default (Standard)')
    assert second.startswith(f' value="{strict.pk}">Strict')
    assert "Pause all reminders for this customer" in body

    client = tenant.client()
    response = client.post(f"/customers/{customer.pk}/reminders/policy/", {"policy": strict.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/#reminders"
    assert CustomerReminders.objects.get(customer=customer).policy == strict
    body = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "now follow Strict" in body and "the <strong>Strict</strong> policy, chosen" in body
    assert f'<option value="{strict.pk}" selected>Strict' in body
    client.post(f"/customers/{customer.pk}/reminders/policy/", {"policy": ""})
    assert CustomerReminders.objects.get(customer=customer).policy is None


def test_pause_all_of_a_customers_reminders_then_resume(tenant, clock):
    customer = auckland_invoice(tenant).customer
    client = tenant.client()
    response = client.post(
        f"/customers/{customer.pk}/reminders/pause/", {"reason": "Away until the 20th"}
    )
    assert response.status_code == 302
    body = client.get(f"/customers/{customer.pk}/").content.decode()
    assert f"All reminders to {customer.display_name} are paused</strong> by" in body
    assert ": Away until the 20th" in body and "Resume reminders" in body
    client.post(f"/customers/{customer.pk}/reminders/resume/")
    assert not CustomerReminders.objects.get(customer=customer).paused
    body = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "are back on" in body and "Pause all reminders for this customer" in body


def test_the_customer_page_for_a_viewer_reads_only(tenant, clock):
    customer = auckland_invoice(tenant).customer
    body = page(tenant, f"/customers/{customer.pk}/", Role.VIEWER)
    assert "your default policy, <strong>Standard</strong>" in body
    assert "customer-reminder-policy" not in body and "/reminders/pause/" not in body


def test_customer_page_queries_do_not_grow_with_policies(tenant, clock):
    customer = auckland_invoice(tenant).customer

    def queries() -> int:
        cache.clear()
        client = tenant.client()
        with CaptureQueriesContext(connection) as seen:
            assert client.get(f"/customers/{customer.pk}/").status_code == 200
        return len(seen)

    ReminderPolicy.objects.create(organization=tenant.org, name="Policy 0")
    few = queries()
    for n in range(1, 6):
        ReminderPolicy.objects.create(organization=tenant.org, name=f"Policy {n}")
    customer_reminders_pause(org=tenant.org, actor=tenant.owner.user, customer=customer, reason="")
    assert queries() == few
