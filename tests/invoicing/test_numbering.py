"""Invoice numbers: the format, the yearly count, no gaps, and no duplicates under concurrency."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connections, transaction

from invoicing.invoice_services import invoice_issue, invoice_settings_get
from invoicing.models import Invoice, InvoiceSettings, NumberSequence, SequenceKind
from invoicing.numbering import number_format, number_next
from tests.invoicing.invoice_factories import invoice_make


def test_format():
    assert number_format(prefix="INV-", year=2027, value=42, padding=4) == "INV-2027-0042"
    assert number_format(prefix="", year=None, value=7, padding=3) == "007"
    assert number_format(prefix="A", year=None, value=12345, padding=2) == "A12345"


@pytest.mark.django_db
def test_numbers_count_up_and_start_again_each_year(tenant):
    settings = invoice_settings_get(org=tenant.org)
    with transaction.atomic():
        taken = [
            number_next(
                org=tenant.org, kind=SequenceKind.INVOICE, on=date(2027, 12, 31), settings=settings
            ),
            number_next(
                org=tenant.org, kind=SequenceKind.INVOICE, on=date(2027, 12, 31), settings=settings
            ),
            number_next(
                org=tenant.org, kind=SequenceKind.INVOICE, on=date(2028, 1, 1), settings=settings
            ),
            number_next(
                org=tenant.org,
                kind=SequenceKind.CREDIT_NOTE,
                on=date(2028, 1, 1),
                settings=settings,
            ),
        ]
    assert taken == ["INV-2027-0001", "INV-2027-0002", "INV-2028-0001", "CN-2028-0001"]


@pytest.mark.django_db
def test_a_rolled_back_issue_leaves_no_gap(tenant):
    first = invoice_make(tenant.org, issue=False)
    second = invoice_make(tenant.org, issue=False)

    def issue_then_fail() -> None:
        with transaction.atomic():
            invoice_issue(org=tenant.org, actor=None, invoice=first)
            raise RuntimeError("the request failed after issuing")

    with pytest.raises(RuntimeError):
        issue_then_fail()
    issued = invoice_issue(org=tenant.org, actor=None, invoice=second)
    assert issued.number.endswith("-0001")
    assert Invoice.objects.get(pk=first.pk).number == ""


@pytest.mark.django_db
def test_a_changed_format_never_repeats_a_number(tenant):
    settings = invoice_settings_get(org=tenant.org)
    settings.number_include_year = False
    settings.save()
    old = invoice_make(tenant.org)
    assert old.number == "INV-0001"
    # The owner switches to yearly numbers and back: the no-year counter would hand out
    # INV-0001 again had it been reset; numbers that exist are skipped.
    InvoiceSettings.objects.filter(pk=settings.pk).update(number_include_year=True)
    invoice_make(tenant.org)
    InvoiceSettings.objects.filter(pk=settings.pk).update(number_include_year=False)
    NumberSequence.objects.filter(organization=tenant.org, year=0).update(last_value=0)
    assert invoice_make(tenant.org).number == "INV-0002"


@pytest.mark.django_db(transaction=True)
def test_twenty_invoices_issued_at_once_get_twenty_consecutive_numbers(tenant):
    drafts = [invoice_make(tenant.org, issue=False) for _ in range(20)]
    barrier = threading.Barrier(len(drafts))
    numbers: list[str] = []
    errors: list[BaseException] = []

    def issue(invoice: Invoice) -> None:
        try:
            barrier.wait(timeout=30)
            numbers.append(invoice_issue(org=tenant.org, actor=None, invoice=invoice).number)
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    year = Invoice.objects.filter(pk=drafts[0].pk).get().issue_date.year
    assert sorted(numbers) == [f"INV-{year}-{n:04d}" for n in range(1, 21)]


@pytest.mark.django_db
def test_credit_notes_skip_numbers_that_exist_too(tenant):
    from decimal import Decimal

    from invoicing.credit_services import credit_note_create

    invoice = invoice_make(tenant.org)
    first = credit_note_create(
        org=tenant.org, actor=None, invoice=invoice, amount=Decimal("1"), reason="x"
    )
    NumberSequence.objects.filter(organization=tenant.org, kind=SequenceKind.CREDIT_NOTE).update(
        last_value=0
    )
    second = credit_note_create(
        org=tenant.org, actor=None, invoice=invoice, amount=Decimal("1"), reason="y"
    )
    assert first.number.endswith("-0001") and second.number.endswith("-0002")
