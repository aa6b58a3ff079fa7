"""Invoice writes: drafts, issuing, voiding, writing off, and what is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from invoicing.invoice_input import InvoiceData, LineData, NotInOrganization
from invoicing.invoice_services import (
    EDIT_ISSUED,
    InvoiceStateError,
    invoice_create,
    invoice_delete_draft,
    invoice_duplicate,
    invoice_issue,
    invoice_status_refresh,
    invoice_update,
    invoice_void,
    invoice_write_off,
)
from invoicing.models import Invoice, InvoiceLine, InvoiceLineTax, InvoiceStatus, PayLink
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import PaymentTermsFactory, TaxRateFactory, invoice_make

pytestmark = pytest.mark.django_db
D = Decimal


def data_for(customer, **overrides) -> InvoiceData:
    values = {
        "customer_id": customer.pk,
        "lines": [LineData(description="Boiler service", quantity=D("1"), unit_price=D("120"))],
    }
    values.update(overrides)
    return InvoiceData(**values)


def test_a_draft_with_taxed_lines(tenant):
    vat = TaxRateFactory(organization=tenant.org, name="VAT", percent=D("20"))
    customer = CustomerFactory(organization=tenant.org, currency="GBP")
    invoice = invoice_create(
        org=tenant.org,
        actor=tenant.user(),
        data=data_for(
            customer,
            lines=[
                LineData(
                    description="Labour",
                    quantity=D("3.5"),
                    unit="hours",
                    unit_price=D("65"),
                    tax_rate_ids=[vat.pk],
                ),
                LineData(description="Call-out", quantity=D("1"), unit_price=D("40"), kind="fee"),
            ],
            discount_kind="percent",
            discount_value=D("10"),
        ),
    )
    assert invoice.status == InvoiceStatus.DRAFT and invoice.number == ""
    assert invoice.currency == "GBP"
    # 227.50 less 10% (22.75) = 204.75, VAT 40.95; the fee is not discounted.
    assert (invoice.subtotal, invoice.discount_total, invoice.tax_total, invoice.total) == (
        D("267.50"),
        D("22.75"),
        D("40.95"),
        D("285.70"),
    )
    assert invoice.balance_due == invoice.total
    assert invoice.tax_breakdown == [{"name": "VAT", "percent": "20", "amount": "40.95"}]
    line = InvoiceLine.objects.get(invoice=invoice, position=0)
    assert line.taxes.get().name == "VAT" and line.organization_id == tenant.org.pk


@time_machine.travel("2027-02-13 10:00 +00:00")
def test_issuing_numbers_dates_terms_and_a_pay_link(tenant):
    PaymentTermsFactory(organization=tenant.org, name="Net 30", days=30, is_default=True)
    invoice = invoice_make(tenant.org, issue=False)
    issued = invoice_issue(org=tenant.org, actor=None, invoice=invoice)
    assert issued.status == InvoiceStatus.OPEN
    assert issued.number == "INV-2027-0001"
    assert (issued.issue_date, issued.due_date) == (date(2027, 2, 13), date(2027, 3, 15))
    assert issued.terms["name"] == "Net 30"
    assert PayLink.objects.filter(invoice=issued, revoked_at__isnull=True).count() == 1
    # Issuing again changes nothing.
    assert invoice_issue(org=tenant.org, actor=None, invoice=issued).number == "INV-2027-0001"


@time_machine.travel("2027-02-13 23:30 +00:00")
def test_today_is_the_organizations_date(tenant):
    tenant.org.timezone = "Asia/Tokyo"  # already 14 February there
    tenant.org.save()
    issued = invoice_make(tenant.org)
    assert issued.issue_date == date(2027, 2, 14)


def test_a_fixed_due_date_overrides_the_terms(tenant):
    customer = CustomerFactory(organization=tenant.org)
    draft = invoice_create(
        org=tenant.org,
        actor=None,
        data=data_for(customer, issue_date=date(2027, 1, 5), due_date=date(2027, 1, 20)),
    )
    issued = invoice_issue(org=tenant.org, actor=None, invoice=draft)
    assert issued.due_date == date(2027, 1, 20)
    assert issued.terms["kind"] == "fixed"


def test_editing_an_issued_invoice_is_refused_and_explained(tenant):
    issued = invoice_make(tenant.org)
    with pytest.raises(InvoiceStateError) as caught:
        invoice_update(org=tenant.org, actor=None, invoice=issued, data=data_for(issued.customer))
    assert caught.value.message_dict == {"status": [EDIT_ISSUED]}
    with pytest.raises(InvoiceStateError):
        invoice_delete_draft(org=tenant.org, actor=None, invoice=issued)


def test_updating_a_draft_replaces_its_lines(tenant):
    draft = invoice_make(tenant.org, issue=False, lines=[("A", "1", "10"), ("B", "2", "5")])
    updated = invoice_update(
        org=tenant.org, actor=None, invoice=draft, data=data_for(draft.customer, po_number="PO-7")
    )
    assert list(updated.lines.values_list("description", flat=True)) == ["Boiler service"]
    assert updated.po_number == "PO-7" and updated.total == D("120.00")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {"lines": [LineData(description="x", quantity=D("-1"), unit_price=D("1"))]},
            "lines[0].quantity",
        ),
        (
            {"lines": [LineData(description="x", quantity=D("1"), unit_price=D("-5"))]},
            "lines[0].unit_price",
        ),
        (
            {"lines": [LineData(description=" ", quantity=D("1"), unit_price=D("5"))]},
            "lines[0].description",
        ),
        (
            {"lines": [LineData(description="x", quantity=D("1.23456"), unit_price=D("5"))]},
            "lines[0].quantity",
        ),
        ({"lines": []}, "lines"),
        ({"currency": "XYZ"}, "currency"),
        ({"issue_date": date(2027, 3, 1), "due_date": date(2027, 2, 1)}, "due_date"),
        ({"discount_kind": "percent", "discount_value": D("120")}, "discount_value"),
        ({"discount_kind": "amount", "discount_value": D("1.005")}, "discount_value"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(tenant, overrides, field):
    customer = CustomerFactory(organization=tenant.org)
    with pytest.raises(ValidationError) as caught:
        invoice_create(org=tenant.org, actor=None, data=data_for(customer, **overrides))
    assert field in caught.value.message_dict
    assert not Invoice.objects.exists() and not InvoiceLine.objects.exists()


def test_another_orgs_customer_and_tax_rate_are_unknown(tenant, other_tenant):
    theirs = CustomerFactory(organization=other_tenant.org)
    with pytest.raises(NotInOrganization) as caught:
        invoice_create(org=tenant.org, actor=None, data=data_for(theirs))
    assert caught.value.field == "customer"
    their_tax = TaxRateFactory(organization=other_tenant.org)
    ours = CustomerFactory(organization=tenant.org)
    line = LineData(
        description="x", quantity=D("1"), unit_price=D("1"), tax_rate_ids=[their_tax.pk]
    )
    with pytest.raises(NotInOrganization) as caught:
        invoice_create(org=tenant.org, actor=None, data=data_for(ours, lines=[line]))
    assert caught.value.field == "lines[0].tax_rate_ids"
    assert not Invoice.objects.exists() and not InvoiceLineTax.objects.exists()


def test_an_empty_or_zero_invoice_is_not_issued(tenant):
    draft = invoice_make(tenant.org, issue=False, lines=[("Free sample", "1", "0")])
    with pytest.raises(InvoiceStateError, match="more than zero"):
        invoice_issue(org=tenant.org, actor=None, invoice=draft)
    assert Invoice.objects.get(pk=draft.pk).number == ""


def test_void_revokes_the_pay_link_and_refuses_paid_invoices(tenant):
    issued = invoice_make(tenant.org)
    voided = invoice_void(org=tenant.org, actor=None, invoice=issued, reason="Wrong customer")
    assert voided.status == InvoiceStatus.VOID and voided.balance_due == 0
    assert not PayLink.objects.filter(invoice=issued, revoked_at__isnull=True).exists()

    paid = invoice_make(tenant.org)
    paid.amount_paid = paid.total
    invoice_status_refresh(paid)
    paid.save()
    assert paid.status == InvoiceStatus.PAID
    with pytest.raises(InvoiceStateError, match="credit note"):
        invoice_void(org=tenant.org, actor=None, invoice=paid)
    assert Invoice.objects.get(pk=paid.pk).status == InvoiceStatus.PAID


def test_partial_payment_status_and_write_off(tenant):
    issued = invoice_make(tenant.org, lines=[("Work", "1", "100")])
    issued.amount_paid = D("40")
    invoice_status_refresh(issued)
    assert (issued.status, issued.balance_due) == (InvoiceStatus.PARTIALLY_PAID, D("60.00"))
    issued.save()
    written_off = invoice_write_off(
        org=tenant.org, actor=None, invoice=issued, reason="Closed down"
    )
    assert written_off.status == InvoiceStatus.UNCOLLECTIBLE
    assert written_off.balance_due == D("60.00")  # kept for the bad-debt report


def test_duplicate_makes_a_draft_copy(tenant):
    vat = TaxRateFactory(organization=tenant.org)
    issued = invoice_make(tenant.org, lines=[("Work", "2", "50", [vat])], po_number="PO-1")
    copy = invoice_duplicate(org=tenant.org, actor=None, invoice=issued)
    assert copy.status == InvoiceStatus.DRAFT and copy.pk != issued.pk
    assert (copy.total, copy.po_number, copy.customer_id) == (
        issued.total,
        "PO-1",
        issued.customer_id,
    )
    assert copy.lines.get().taxes.get().tax_rate_id == vat.pk
