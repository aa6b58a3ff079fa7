"""The recurring invoice pages: list, editor, the page of one, and its buttons."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from arhub.roles import Role
from invoicing.models import Invoice, RecurringInvoice, RecurringStatus
from invoicing.recurring_forms import LIST_LIMIT
from invoicing.recurring_services import recurring_issue_due
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import TaxRateFactory
from tests.invoicing.recurring_factories import customer_make, line, recurring_make

NOW = datetime(2026, 1, 20, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def no_sending(monkeypatch):
    monkeypatch.setattr("invoicing.sending.invoice_send", lambda **kwargs: kwargs["invoice"])


@pytest.fixture
def customer(tenant):
    return customer_make(tenant.org, display_name="Harbour Dental")


def form_data(customer, **overrides) -> dict[str, str]:
    data = {
        "name": "Monthly maintenance",
        "customer": str(customer.pk),
        "frequency": "monthly",
        "start_date": "2026-01-31",
        "day_of_month": "31",
        "end_date": "",
        "max_count": "",
        "currency": "",
        "payment_terms": "",
        "po_number": "",
        "notes": "",
        "auto_send": "on",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "500",
        "lines-0-kind": "item",
        "lines-0-description": "Website care",
        "lines-0-quantity": "1",
        "lines-0-unit": "month",
        "lines-0-unit_price": "250.00",
        "lines-1-kind": "item",
        "lines-1-quantity": "1",
        "save": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# ---- the list


@pytest.mark.django_db
def test_an_empty_list_invites_the_first_one(tenant):
    response = tenant.client().get(reverse("recurring_list"))
    assert response.status_code == 200
    assert "No recurring invoices yet" in response.text
    assert reverse("recurring_create") in response.text


@pytest.mark.django_db
def test_the_list_shows_schedule_amount_and_next_date(tenant, customer, other_tenant):
    rate = TaxRateFactory(organization=tenant.org, name="VAT", percent=Decimal("20"))
    recurring_make(tenant.org, customer=customer, lines=[line(tax_rate_ids=[rate.pk])])
    recurring_make(other_tenant.org, name="Zenith secret plan")
    response = tenant.client(Role.VIEWER).get(reverse("recurring_list"))
    text = response.text
    assert "Monthly maintenance" in text and "Harbour Dental" in text
    assert "Monthly on the 31st" in text
    assert "£300.00" in text  # 250 + 20% VAT
    assert "31 Jan 2026" in text
    assert "Zenith secret plan" not in text
    assert "New recurring invoice" not in text  # a viewer cannot create


@pytest.mark.django_db
def test_the_list_filters_by_status_and_customer(tenant, customer):
    paused = recurring_make(tenant.org, customer=customer, name="Paused plan")
    paused.status = RecurringStatus.PAUSED
    paused.save()
    recurring_make(tenant.org, name="Someone else's plan")
    client = tenant.client()
    text = client.get(reverse("recurring_list") + "?status=paused").text
    assert "Paused plan" in text and "Someone else" not in text
    assert 'aria-current="page">Paused' in text
    text = client.get(reverse("recurring_list") + f"?customer={customer.pk}").text
    assert "Paused plan" in text and "Someone else" not in text


# ---- creating and editing


@pytest.mark.django_db
def test_create_with_a_customer_preselected(tenant, customer, other_tenant):
    client = tenant.client()
    response = client.get(reverse("recurring_create") + f"?customer={customer.pk}")
    assert response.status_code == 200
    assert f'<option value="{customer.pk}" selected>' in response.text
    theirs = CustomerFactory(organization=other_tenant.org, display_name="Zenith customer")
    response = client.get(reverse("recurring_create") + f"?customer={theirs.pk}")
    assert response.status_code == 404
    assert "Zenith customer" not in response.text
    assert client.get(reverse("recurring_create") + "?customer=abc").status_code == 404


@pytest.mark.django_db
def test_create_saves_and_shows_the_page(tenant, customer):
    response = tenant.client(Role.BILLING).post(reverse("recurring_create"), form_data(customer))
    template = RecurringInvoice.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("recurring_detail", args=[template.pk])
    assert (template.name, template.auto_send, template.next_date) == (
        "Monthly maintenance",
        True,
        date(2026, 1, 31),
    )
    assert template.lines[0]["unit"] == "month"


@pytest.mark.django_db
def test_errors_are_listed_and_shown_on_their_fields(tenant, customer):
    response = tenant.client().post(
        reverse("recurring_create"),
        form_data(
            customer,
            name="",
            end_date="2026-01-01",
            **{
                "lines-0-unit_price": "-5",
                "lines-1-description": "Extra",
                "lines-1-unit_price": "1,250",
            },
        ),
    )
    assert response.status_code == 200
    text = response.text
    assert "Nothing was saved" in text
    assert 'href="#id_name"' in text
    assert "no thousands separators" in text
    assert not RecurringInvoice.objects.exists()


@pytest.mark.django_db
def test_service_errors_land_on_the_line_they_name(tenant, customer):
    response = tenant.client().post(
        reverse("recurring_create"), form_data(customer, **{"lines-0-unit_price": "-5"})
    )
    assert "Line 1 unit price: The unit price cannot be negative" in response.text
    assert not RecurringInvoice.objects.exists()


@pytest.mark.django_db
def test_add_another_line_keeps_what_was_typed_and_saves_nothing(tenant, customer):
    data = form_data(customer, name="Half typed")
    del data["save"]
    data["add_line"] = ""
    response = tenant.client().post(reverse("recurring_create"), data)
    assert response.status_code == 200
    assert 'value="Half typed"' in response.text
    assert 'name="lines-2-description"' in response.text
    assert "Nothing was saved" not in response.text
    assert not RecurringInvoice.objects.exists()


@pytest.mark.django_db
def test_numbers_are_read_as_written_not_guessed(tenant, customer):
    # The same reading as the invoice editor's: an exponent is refused, not taken as 1000.
    response = tenant.client().post(
        reverse("recurring_create"), form_data(customer, **{"lines-0-quantity": "1e3"})
    )
    assert "Line 1 quantity: “1e3” is not a number." in response.text
    assert not RecurringInvoice.objects.exists()


@pytest.mark.django_db
def test_add_another_line_keeps_a_row_ticked_for_removal_and_focuses_the_new_one(tenant, customer):
    data = form_data(customer, **{"lines-1-description": "Old extra", "lines-1-DELETE": "on"})
    del data["save"]
    data["add_line"] = ""
    page = tenant.client().post(reverse("recurring_create"), data).text
    assert re.search(r'name="lines-1-DELETE"[^>]*checked', page)
    assert re.search(r'<input[^>]*name="lines-2-description"[^>]*autofocus', page)
    assert 'name="lines-TOTAL_FORMS" value="3"' in page


@pytest.mark.django_db
def test_a_row_ticked_for_removal_is_not_in_the_error_summary(tenant, customer):
    data = form_data(
        customer,
        name="",
        **{"lines-1-description": "Old extra", "lines-1-unit_price": "abc", "lines-1-DELETE": "on"},
    )
    page = tenant.client().post(reverse("recurring_create"), data).text
    assert 'href="#id_name"' in page
    assert "Line 2" not in page.split('id="error-summary"')[1].split("</div>")[0]


@pytest.mark.django_db
def test_a_retired_rate_on_a_template_is_named_when_saved(tenant, customer):
    rate = TaxRateFactory(organization=tenant.org, name="Old VAT", percent=Decimal("20"))
    template = recurring_make(tenant.org, customer=customer, lines=[line(tax_rate_ids=[rate.pk])])
    rate.is_active = False
    rate.save()
    client = tenant.client()
    assert re.search(
        rf'name="lines-0-taxes" value="{rate.pk}"[^>]*checked',
        client.get(reverse("recurring_edit", args=[template.pk])).text,
    )
    data = form_data(customer, **{"lines-TOTAL_FORMS": "1", "lines-0-taxes": str(rate.pk)})
    response = client.post(reverse("recurring_edit", args=[template.pk]), data)
    assert response.status_code == 200
    # The service's reason, not the form's "Select a valid choice".
    assert "Line 1 taxes: “Old VAT” is retired." in response.text
    assert "valid choice" not in response.text


@pytest.mark.django_db
def test_a_long_directory_is_searched_instead_of_listed(tenant):
    CustomerFactory.create_batch(LIST_LIMIT, organization=tenant.org)
    wanted = customer_make(tenant.org, display_name="Quayside Opticians")
    client = tenant.client()
    page = client.get(reverse("recurring_create")).text
    assert 'name="customer_search"' in page and "Quayside" not in page
    data = form_data(wanted, customer_search="quayside")
    del data["customer"]
    del data["save"]
    data["find"] = ""
    found = client.post(reverse("recurring_create"), data).text
    assert f'value="{wanted.pk}"' in found and "Quayside Opticians" in found
    saved = client.post(reverse("recurring_create"), form_data(wanted, customer_search="quayside"))
    assert saved.status_code == 302
    assert RecurringInvoice.objects.get().customer == wanted


@pytest.mark.django_db
def test_edit_applies_to_future_invoices_only(tenant, customer, clock):
    template = recurring_make(tenant.org, customer=customer)
    clock.move_to(datetime(2026, 1, 31, 9, tzinfo=UTC))
    issued = recurring_issue_due(org=tenant.org, template_id=template.pk)
    client = tenant.client()
    page = client.get(reverse("recurring_edit", args=[template.pk])).text
    assert "Changes apply to future invoices only" in page
    assert 'value="Website maintenance"' in page
    data = form_data(
        customer,
        **{
            "lines-TOTAL_FORMS": "1",
            "lines-0-description": "Website care, new rate",
            "lines-0-unit_price": "300",
        },
    )
    del data["lines-1-kind"], data["lines-1-quantity"]
    response = client.post(reverse("recurring_edit", args=[template.pk]), data)
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.lines[0]["unit_price"] == "300"
    assert template.next_date == date(2026, 2, 28)
    assert Invoice.objects.get(pk=issued.pk).total == Decimal("250")


@pytest.mark.django_db
def test_read_only_roles_cannot_open_the_editor(tenant, customer):
    template = recurring_make(tenant.org, customer=customer)
    for role in (Role.VIEWER, Role.ACCOUNTANT):
        client = tenant.client(role)
        assert client.get(reverse("recurring_create")).status_code == 403
        assert client.get(reverse("recurring_edit", args=[template.pk])).status_code == 403
        assert client.post(reverse("recurring_pause", args=[template.pk])).status_code == 403


# ---- the page of one


@pytest.mark.django_db
def test_the_page_shows_schedule_next_dates_and_what_it_issued(tenant, customer, clock):
    template = recurring_make(tenant.org, customer=customer)
    clock.move_to(datetime(2026, 1, 31, 9, tzinfo=UTC))
    invoice = recurring_issue_due(org=tenant.org, template_id=template.pk)
    response = tenant.client(Role.VIEWER).get(reverse("recurring_detail", args=[template.pk]))
    text = response.text
    assert "Monthly on the 31st (the last day in shorter months)" in text
    for day in ("Sat 28 Feb 2026", "Tue 31 Mar 2026", "Thu 30 Apr 2026", "Sun 31 May 2026"):
        assert day in text
    assert text.count('<li><time datetime="2026-') == 5
    assert invoice.number in text
    assert "Changes apply to future invoices only" in text
    assert "£250.00" in text
    assert 'action="' + reverse("recurring_pause", args=[template.pk]) not in text  # viewer


@pytest.mark.django_db
def test_the_page_says_why_a_template_cannot_issue(tenant, customer):
    rate = TaxRateFactory(organization=tenant.org, name="Old VAT")
    template = recurring_make(tenant.org, customer=customer, lines=[line(tax_rate_ids=[rate.pk])])
    rate.is_active = False
    rate.save()
    text = tenant.client().get(reverse("recurring_detail", args=[template.pk])).text
    assert "cannot be issued as it stands" in text
    assert "“Old VAT” is retired." in text


@pytest.mark.django_db
def test_pause_resume_and_finish(tenant, customer):
    template = recurring_make(tenant.org, customer=customer)
    client = tenant.client(Role.BILLING)
    page = reverse("recurring_detail", args=[template.pk])
    assert client.post(reverse("recurring_pause", args=[template.pk])).url == page
    assert RecurringInvoice.objects.get(pk=template.pk).status == RecurringStatus.PAUSED
    assert "Resume" in client.get(page).text
    client.post(reverse("recurring_resume", args=[template.pk]))
    assert RecurringInvoice.objects.get(pk=template.pk).status == RecurringStatus.ACTIVE
    client.post(reverse("recurring_finish", args=[template.pk]))
    assert RecurringInvoice.objects.get(pk=template.pk).status == RecurringStatus.FINISHED
    # A finished one is not edited.
    edit = client.get(reverse("recurring_edit", args=[template.pk]))
    assert edit.status_code == 302 and edit.url == page


@pytest.mark.django_db
def test_delete_only_while_nothing_was_issued(tenant, customer, clock):
    unused = recurring_make(tenant.org, customer=customer)
    client = tenant.client()
    page = client.get(reverse("recurring_detail", args=[unused.pk])).text
    assert reverse("recurring_delete", args=[unused.pk]) in page
    response = client.post(reverse("recurring_delete", args=[unused.pk]))
    assert response.url == reverse("recurring_list")
    assert not RecurringInvoice.objects.filter(pk=unused.pk).exists()

    used = recurring_make(tenant.org, customer=customer)
    clock.move_to(datetime(2026, 1, 31, 9, tzinfo=UTC))
    recurring_issue_due(org=tenant.org, template_id=used.pk)
    page = client.get(reverse("recurring_detail", args=[used.pk])).text
    assert reverse("recurring_delete", args=[used.pk]) not in page
    assert reverse("recurring_finish", args=[used.pk]) in page
    response = client.post(reverse("recurring_delete", args=[used.pk]), follow=True)
    assert "Finish it instead" in response.text
    assert RecurringInvoice.objects.filter(pk=used.pk).exists()


@pytest.mark.django_db
def test_another_organizations_template_is_not_found(tenant, other_tenant):
    theirs = recurring_make(other_tenant.org)
    client = tenant.client()
    for name in ("recurring_detail", "recurring_edit"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    for name in ("recurring_pause", "recurring_resume", "recurring_finish", "recurring_delete"):
        assert client.post(reverse(name, args=[theirs.pk])).status_code == 404
    assert RecurringInvoice.objects.get(pk=theirs.pk).status == RecurringStatus.ACTIVE
