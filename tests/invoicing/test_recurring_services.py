"""Recurring invoice templates: validation, edits, pause and resume, and issuing one period."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from invoicing import recurring_services
from invoicing.invoice_input import NotInOrganization
from invoicing.invoice_services import invoice_create as real_invoice_create
from invoicing.models import (
    Frequency,
    Invoice,
    InvoiceStatus,
    RecurringInvoice,
    RecurringStatus,
    TermsKind,
)
from invoicing.recurring_input import recurring_data_of
from invoicing.recurring_services import (
    RecurringStateError,
    recurring_catch_up,
    recurring_create,
    recurring_delete,
    recurring_finish,
    recurring_issue_due,
    recurring_pause,
    recurring_resume,
    recurring_update,
)
from tests.invoicing.invoice_factories import PaymentTermsFactory, TaxRateFactory
from tests.invoicing.recurring_factories import (
    customer_make,
    line,
    recurring_data,
    recurring_make,
)

# 20 January 2026, midday in London (the factories' organization zone).
NOW = datetime(2026, 1, 20, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def customer(tenant):
    return customer_make(tenant.org, display_name="Harbour Dental")


@pytest.fixture
def sent(monkeypatch):
    """Invoices handed to the sender, instead of sending them."""
    calls: list[int] = []

    def fake_send(*, org, actor, invoice):
        calls.append(invoice.pk)
        return invoice

    monkeypatch.setattr("invoicing.sending.invoice_send", fake_send)
    return calls


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# ---- creating


def test_create_stores_the_lines_and_the_first_period(tenant, customer):
    rate = TaxRateFactory(organization=tenant.org, name="VAT", percent=Decimal("20"))
    template = recurring_create(
        org=tenant.org,
        actor=tenant.owner.user,
        data=recurring_data(
            customer,
            lines=[line("Retainer", "2", "99.50", tax_rate_ids=[rate.pk], unit="months")],
            day_of_month=None,
            start_date=date(2026, 1, 25),
        ),
    )
    assert template.status == RecurringStatus.ACTIVE
    assert template.currency == "GBP"
    assert template.day_of_month == 25  # the start date's day
    assert template.next_date == date(2026, 1, 25)
    assert template.created_by == tenant.owner.user
    assert template.lines == [
        {
            "kind": "item",
            "description": "Retainer",
            "quantity": "2",
            "unit": "months",
            "unit_price": "99.50",
            "discount_percent": "0",
            "tax_rate_ids": [rate.pk],
        }
    ]


def test_weekly_keeps_no_day_of_month(tenant, customer):
    template = recurring_make(
        tenant.org, customer=customer, frequency=Frequency.WEEKLY, start_date=date(2026, 2, 2)
    )
    assert template.day_of_month is None
    assert template.next_date == date(2026, 2, 2)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"name": "  "}, "name", "Name it"),
        ({"day_of_month": 0}, "day_of_month", "from 1 to 31"),
        ({"day_of_month": 32}, "day_of_month", "from 1 to 31"),
        ({"end_date": date(2026, 1, 1)}, "end_date", "before the start date"),
        ({"currency": "XYZ"}, "currency", "ISO 4217"),
        ({"max_count": 0}, "max_count", "from 1"),
        ({"frequency": "daily"}, "frequency", "weekly, monthly"),
        ({"po_number": "P" * 101}, "po_number", "100 characters"),
        ({"lines": []}, "lines", "at least one line"),
        ({"lines": [line(unit_price="-1")]}, "lines[0].unit_price", "cannot be negative"),
        ({"lines": [line(), line(description="")]}, "lines[1].description", "Describe"),
        ({"lines": [line(unit_price="0")]}, "lines", "more than zero"),
        (
            {"start_date": date(2026, 2, 10), "end_date": date(2026, 2, 20), "day_of_month": 1},
            "end_date",
            "No invoice date",
        ),
        ({"start_date": date(2024, 6, 30)}, "start_date", "invoices would be issued at once"),
    ],
)
def test_create_refuses_bad_input_by_field_and_saves_nothing(
    tenant, customer, fields, field, words
):
    with pytest.raises(ValidationError) as excinfo:
        recurring_create(org=tenant.org, actor=None, data=recurring_data(customer, **fields))
    assert words in " ".join(errors_of(excinfo)[field])
    assert not RecurringInvoice.objects.exists()


def test_all_problems_are_reported_at_once(tenant, customer):
    with pytest.raises(ValidationError) as excinfo:
        recurring_create(
            org=tenant.org,
            actor=None,
            data=recurring_data(customer, name="", day_of_month=40, lines=[line(quantity="-2")]),
        )
    assert set(errors_of(excinfo)) == {"name", "day_of_month", "lines[0].quantity"}


def test_a_backdated_start_within_a_year_is_allowed(tenant, customer):
    template = recurring_make(tenant.org, customer=customer, start_date=date(2025, 10, 31))
    assert template.next_date == date(2025, 10, 31)  # due now: the sweep catches it up


def test_another_organizations_customer_tax_rate_or_terms_is_not_found(
    tenant, other_tenant, customer
):
    theirs = customer_make(other_tenant.org)
    with pytest.raises(NotInOrganization) as excinfo:
        recurring_create(org=tenant.org, actor=None, data=recurring_data(theirs))
    assert excinfo.value.field == "customer"

    their_rate = TaxRateFactory(organization=other_tenant.org)
    with pytest.raises(NotInOrganization) as excinfo:
        recurring_create(
            org=tenant.org,
            actor=None,
            data=recurring_data(customer, lines=[line(tax_rate_ids=[their_rate.pk])]),
        )
    assert excinfo.value.field == "lines[0].tax_rate_ids"

    their_terms = PaymentTermsFactory(organization=other_tenant.org)
    with pytest.raises(NotInOrganization):
        recurring_create(
            org=tenant.org,
            actor=None,
            data=recurring_data(customer, payment_terms_id=their_terms.pk),
        )
    assert not RecurringInvoice.objects.exists()


# ---- issuing one period


def test_issue_due_makes_an_open_invoice_dated_its_period(tenant, customer, clock, sent):
    template = recurring_make(tenant.org, customer=customer, po_number="PO-7", notes="Thanks!")
    assert recurring_issue_due(org=tenant.org, template_id=template.pk) is None  # 31 Jan
    clock.move_to(datetime(2026, 1, 31, 9, tzinfo=UTC))
    invoice = recurring_issue_due(org=tenant.org, template_id=template.pk)
    assert invoice is not None
    assert invoice.status == InvoiceStatus.OPEN
    assert invoice.number
    assert (invoice.recurring_id, invoice.recurring_period) == (template.pk, date(2026, 1, 31))
    assert invoice.issue_date == date(2026, 1, 31)
    assert invoice.due_date == date(2026, 3, 2)  # net 30
    assert (invoice.po_number, invoice.notes, invoice.total) == ("PO-7", "Thanks!", Decimal("250"))
    assert invoice.lines.get().description == "Website maintenance"
    template.refresh_from_db()
    assert (template.issued_count, template.next_date) == (1, date(2026, 2, 28))
    assert sent == []  # auto_send is off
    # Asked again the same day: nothing more is due.
    assert recurring_issue_due(org=tenant.org, template_id=template.pk) is None
    assert Invoice.objects.count() == 1


def test_auto_send_sends_each_issued_invoice_once(tenant, customer, clock, sent):
    template = recurring_make(tenant.org, customer=customer, auto_send=True)
    clock.move_to(datetime(2026, 3, 31, 9, tzinfo=UTC))
    invoices = recurring_catch_up(org=tenant.org, template_id=template.pk)
    assert [i.recurring_period for i in invoices] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]
    assert sent == [i.pk for i in invoices]
    assert recurring_catch_up(org=tenant.org, template_id=template.pk) == []
    assert len(sent) == 3


def test_auto_send_queues_the_real_send_after_commit(
    tenant, customer, clock, monkeypatch, django_capture_on_commit_callbacks
):
    from invoicing.send_tasks import invoice_send_task

    queued: list[tuple] = []
    monkeypatch.setattr(invoice_send_task, "delay", lambda *args: queued.append(args))
    template = recurring_make(tenant.org, customer=customer, auto_send=True)
    clock.move_to(datetime(2026, 1, 31, 9, tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):
        invoice = recurring_issue_due(org=tenant.org, template_id=template.pk)
    assert invoice is not None
    assert [args[:2] for args in queued] == [(tenant.org.pk, invoice.pk)]
    assert Invoice.objects.get(pk=invoice.pk).last_sent_at is not None


def test_a_send_that_cannot_go_out_leaves_the_invoice_issued(tenant, customer, clock, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError({"status": "Nobody to send it to."})

    monkeypatch.setattr("invoicing.sending.invoice_send", refuse)
    template = recurring_make(tenant.org, customer=customer, auto_send=True)
    clock.move_to(datetime(2026, 1, 31, 9, tzinfo=UTC))
    invoice = recurring_issue_due(org=tenant.org, template_id=template.pk)
    assert invoice is not None and invoice.status == InvoiceStatus.OPEN
    assert RecurringInvoice.objects.get(pk=template.pk).issued_count == 1


def test_a_caught_up_period_keeps_its_date_but_is_not_overdue_on_arrival(
    tenant, customer, clock, sent
):
    template = recurring_make(tenant.org, customer=customer, start_date=date(2025, 11, 30))
    # 20 Jan: 30 Nov is past its due date (30 Dec), 31 Dec is not yet due (30 Jan).
    november, december = recurring_catch_up(org=tenant.org, template_id=template.pk)
    assert (november.issue_date, november.recurring_period) == (date(2025, 11, 30),) * 2
    assert november.due_date == date(2026, 2, 19)  # 30 days from the day it was issued
    assert november.terms["kind"] == TermsKind.FIXED
    assert (december.issue_date, december.due_date) == (date(2025, 12, 31), date(2026, 1, 30))
    assert december.terms["kind"] == TermsKind.NET
    # Numbered in the year of their date.
    assert "2025" in november.number and "2025" in december.number


def test_named_terms_of_the_template_apply(tenant, customer, clock, sent):
    terms = PaymentTermsFactory(organization=tenant.org, name="Net 7", days=7)
    template = recurring_make(tenant.org, customer=customer, payment_terms_id=terms.pk)
    clock.move_to(datetime(2026, 1, 31, 9, tzinfo=UTC))
    invoice = recurring_issue_due(org=tenant.org, template_id=template.pk)
    assert invoice.due_date == date(2026, 2, 7)
    assert invoice.terms["name"] == "Net 7"


def test_the_last_period_finishes_the_template(tenant, customer, clock, sent):
    template = recurring_make(tenant.org, customer=customer, max_count=2)
    clock.move_to(datetime(2026, 6, 1, 9, tzinfo=UTC))
    assert len(recurring_catch_up(org=tenant.org, template_id=template.pk)) == 2
    template.refresh_from_db()
    assert (template.status, template.next_date, template.issued_count) == (
        RecurringStatus.FINISHED,
        None,
        2,
    )


def test_the_end_date_finishes_the_template(tenant, customer, clock, sent):
    template = recurring_make(tenant.org, customer=customer, end_date=date(2026, 3, 15))
    clock.move_to(datetime(2026, 6, 1, 9, tzinfo=UTC))
    issued = recurring_catch_up(org=tenant.org, template_id=template.pk)
    assert [i.recurring_period for i in issued] == [date(2026, 1, 31), date(2026, 2, 28)]
    assert RecurringInvoice.objects.get(pk=template.pk).status == RecurringStatus.FINISHED


def test_a_period_already_invoiced_is_not_issued_again(tenant, customer, clock, sent):
    """A beat restarted after the invoice was written but before the template moved on."""
    template = recurring_make(tenant.org, customer=customer)
    clock.move_to(datetime(2026, 1, 31, 9, tzinfo=UTC))
    first = recurring_issue_due(org=tenant.org, template_id=template.pk)
    RecurringInvoice.objects.filter(pk=template.pk).update(
        next_date=date(2026, 1, 31), issued_count=0
    )
    assert recurring_issue_due(org=tenant.org, template_id=template.pk) is None
    template.refresh_from_db()
    assert (template.next_date, template.issued_count) == (date(2026, 2, 28), 1)
    assert list(Invoice.objects.values_list("pk", flat=True)) == [first.pk]


@pytest.mark.django_db(transaction=True)
def test_a_racing_insert_of_the_same_period_counts_as_issued(
    tenant, customer, clock, sent, monkeypatch
):
    """Another writer commits the period between our check and our insert (on its own
    connection, as another process would): the unique constraint refuses ours, and the period
    counts as issued, by the rival's invoice."""
    template = recurring_make(tenant.org, customer=customer, auto_send=True)
    clock.move_to(datetime(2026, 1, 31, 9, tzinfo=UTC))
    rival: list[Invoice] = []

    def rival_commits(data):
        try:
            other = real_invoice_create(org=tenant.org, actor=None, data=data)
            Invoice.objects.filter(pk=other.pk).update(
                recurring=template, recurring_period=date(2026, 1, 31)
            )
            rival.append(other)
        finally:
            connection.close()

    def create_after_a_rival(*, org, actor, data):
        if not rival:
            thread = threading.Thread(target=rival_commits, args=(data,))
            thread.start()
            thread.join(timeout=20)
            assert not thread.is_alive(), "the rival's insert was blocked"
        return real_invoice_create(org=org, actor=actor, data=data)

    monkeypatch.setattr(recurring_services, "invoice_create", create_after_a_rival)
    assert recurring_issue_due(org=tenant.org, template_id=template.pk) is None
    assert list(Invoice.objects.values_list("pk", flat=True)) == [rival[0].pk]
    template.refresh_from_db()
    assert (template.next_date, template.issued_count) == (date(2026, 2, 28), 1)
    assert sent == []


def test_a_template_that_no_longer_validates_waits_without_moving(tenant, customer, clock, sent):
    rate = TaxRateFactory(organization=tenant.org, name="VAT")
    template = recurring_make(tenant.org, customer=customer, lines=[line(tax_rate_ids=[rate.pk])])
    rate.is_active = False
    rate.save()
    clock.move_to(datetime(2026, 1, 31, 9, tzinfo=UTC))
    assert recurring_catch_up(org=tenant.org, template_id=template.pk) == []
    template.refresh_from_db()
    assert (template.next_date, template.issued_count) == (date(2026, 1, 31), 0)
    assert not Invoice.objects.exists()


def test_paused_and_finished_templates_issue_nothing(tenant, customer, clock, sent):
    paused = recurring_make(tenant.org, customer=customer)
    recurring_pause(org=tenant.org, actor=None, template=paused)
    finished = recurring_make(tenant.org, customer=customer)
    recurring_finish(org=tenant.org, actor=None, template=finished)
    clock.move_to(datetime(2026, 2, 1, 9, tzinfo=UTC))
    for template in (paused, finished):
        assert recurring_issue_due(org=tenant.org, template_id=template.pk) is None
    assert not Invoice.objects.exists()


def test_another_organizations_template_is_not_issued(tenant, other_tenant, clock, sent):
    theirs = recurring_make(other_tenant.org)
    clock.move_to(datetime(2026, 2, 1, 9, tzinfo=UTC))
    assert recurring_issue_due(org=tenant.org, template_id=theirs.pk) is None
    assert recurring_catch_up(org=tenant.org, template_id=theirs.pk) == []
    assert not Invoice.objects.exists()


# ---- changing


def test_edits_apply_to_future_periods_only(tenant, customer, clock, sent):
    template = recurring_make(tenant.org, customer=customer)
    clock.move_to(datetime(2026, 1, 31, 9, tzinfo=UTC))
    issued = recurring_issue_due(org=tenant.org, template_id=template.pk)
    data = recurring_data_of(template)
    data.lines = [line("Maintenance, new rate", "1", "300.00")]
    data.day_of_month = 15
    template = recurring_update(org=tenant.org, actor=None, template=template, data=data)
    assert template.next_date == date(2026, 2, 15)  # after the period issued, on the new day
    assert template.lines[0]["unit_price"] == "300.00"
    issued.refresh_from_db()
    assert issued.total == Decimal("250")
    assert issued.lines.get().description == "Website maintenance"


def test_an_edit_keeps_a_period_that_is_due_but_not_yet_issued(tenant, customer, clock, sent):
    template = recurring_make(tenant.org, customer=customer)
    clock.move_to(datetime(2026, 2, 2, 9, tzinfo=UTC))  # 31 Jan is due, the sweep hasn't run
    data = recurring_data_of(template)
    data.name = "Renamed"
    template = recurring_update(org=tenant.org, actor=None, template=template, data=data)
    assert template.next_date == date(2026, 1, 31)


def test_an_edit_cannot_count_below_what_was_issued(tenant, customer, clock, sent):
    template = recurring_make(tenant.org, customer=customer)
    clock.move_to(datetime(2026, 3, 31, 9, tzinfo=UTC))
    recurring_catch_up(org=tenant.org, template_id=template.pk)
    template.refresh_from_db()
    data = recurring_data_of(template)
    data.max_count = 2
    with pytest.raises(ValidationError) as excinfo:
        recurring_update(org=tenant.org, actor=None, template=template, data=data)
    assert "already been issued" in errors_of(excinfo)["max_count"][0]
    data.max_count = 3  # exactly what was issued: nothing more to come
    template = recurring_update(org=tenant.org, actor=None, template=template, data=data)
    assert (template.status, template.next_date) == (RecurringStatus.FINISHED, None)


def test_a_finished_template_is_not_edited(tenant, customer):
    template = recurring_make(tenant.org, customer=customer)
    recurring_finish(org=tenant.org, actor=None, template=template)
    with pytest.raises(RecurringStateError):
        recurring_update(
            org=tenant.org, actor=None, template=template, data=recurring_data_of(template)
        )


def test_resume_skips_the_periods_that_fell_while_paused(tenant, customer, clock, sent):
    template = recurring_make(tenant.org, customer=customer)
    recurring_pause(org=tenant.org, actor=None, template=template)
    clock.move_to(datetime(2026, 4, 10, 9, tzinfo=UTC))
    assert recurring_issue_due(org=tenant.org, template_id=template.pk) is None
    template = recurring_resume(org=tenant.org, actor=None, template=template)
    assert (template.status, template.next_date) == (RecurringStatus.ACTIVE, date(2026, 4, 30))


def test_resume_after_the_end_finishes(tenant, customer, clock):
    template = recurring_make(tenant.org, customer=customer, end_date=date(2026, 2, 28))
    recurring_pause(org=tenant.org, actor=None, template=template)
    clock.move_to(datetime(2026, 3, 5, 9, tzinfo=UTC))
    template = recurring_resume(org=tenant.org, actor=None, template=template)
    assert (template.status, template.next_date) == (RecurringStatus.FINISHED, None)


def test_delete_only_while_nothing_was_issued(tenant, customer, clock, sent):
    unused = recurring_make(tenant.org, customer=customer)
    recurring_delete(org=tenant.org, actor=None, template=unused)
    assert not RecurringInvoice.objects.filter(pk=unused.pk).exists()

    used = recurring_make(tenant.org, customer=customer)
    clock.move_to(datetime(2026, 1, 31, 9, tzinfo=UTC))
    invoice = recurring_issue_due(org=tenant.org, template_id=used.pk)
    with pytest.raises(RecurringStateError) as excinfo:
        recurring_delete(org=tenant.org, actor=None, template=used)
    assert "Finish it instead" in errors_of(excinfo)["status"][0]
    recurring_finish(org=tenant.org, actor=None, template=used)
    assert Invoice.objects.get(pk=invoice.pk).recurring_id == used.pk
