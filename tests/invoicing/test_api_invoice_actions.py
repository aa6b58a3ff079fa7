"""/api/v1/invoices/<id>/issue/, void/, write-off/, send/ and duplicate/."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from arhub.roles import Role
from invoicing.models import Invoice, InvoiceStatus, PayLink
from tests.invoicing.invoice_factories import PaymentTermsFactory, TaxRateFactory, invoice_make
from tests.invoicing.test_api_invoices import counts, customer_of, send

pytestmark = pytest.mark.django_db


def action(invoice_id: int, name: str) -> str:
    return f"/api/v1/invoices/{invoice_id}/{name}/"


def mark_paid(invoice: Invoice) -> None:
    Invoice.objects.filter(pk=invoice.pk).update(
        amount_paid=invoice.total, balance_due=0, status=InvoiceStatus.PAID
    )


# ---- issue


def test_issue_numbers_dates_and_opens_a_draft(tenant):
    PaymentTermsFactory(organization=tenant.org, name="Net 14", days=14, is_default=True)
    with time_machine.travel(date(2027, 5, 3), tick=False):
        draft = invoice_make(tenant.org, issue=False)
        response = send(tenant.api(Role.BILLING), "POST", action(draft.pk, "issue"))
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "open"
    assert data["number"] == "INV-2027-0001"
    assert data["issue_date"] == "2027-05-03"
    assert data["due_date"] == "2027-05-17"
    assert data["terms"]["name"] == "Net 14"
    assert data["terms_sentence"] == "Due May 17, 2027 (14 days)."
    assert data["pay_url"]
    assert data["issued_at"]


def test_issue_is_idempotent(tenant):
    invoice = invoice_make(tenant.org)
    response = send(tenant.api(), "POST", action(invoice.pk, "issue"))
    assert response.status_code == 200
    assert response.json()["number"] == invoice.number
    assert Invoice.objects.for_org(tenant.org).exclude(number="").count() == 1


def test_issue_refuses_a_zero_total(tenant):
    draft = invoice_make(tenant.org, issue=False, lines=[("Free sample", "1", "0")])
    response = send(tenant.api(), "POST", action(draft.pk, "issue"))
    assert response.status_code == 400
    assert "more than zero" in response.json()["lines"][0]
    draft.refresh_from_db()
    assert (draft.status, draft.number) == (InvoiceStatus.DRAFT, "")


# ---- void and write off


def test_void_an_open_invoice_with_a_reason(tenant):
    invoice = invoice_make(tenant.org)
    response = send(tenant.api(), "POST", action(invoice.pk, "void"), {"reason": "Wrong client"})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "void"
    assert data["void_reason"] == "Wrong client"
    assert data["balance_due"] == "0.00"
    assert data["pay_url"] is None
    assert not PayLink.objects.filter(invoice=invoice, revoked_at__isnull=True).exists()


def test_void_a_paid_invoice_is_refused_under_status(tenant):
    invoice = invoice_make(tenant.org)
    mark_paid(invoice)
    response = send(tenant.api(), "POST", action(invoice.pk, "void"), {"reason": "x"})
    assert response.status_code == 400
    assert "credit note" in response.json()["status"][0]
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_void_a_draft_is_refused(tenant):
    draft = invoice_make(tenant.org, issue=False)
    response = send(tenant.api(), "POST", action(draft.pk, "void"))
    assert response.status_code == 400
    assert "deleted, not voided" in response.json()["status"][0]


def test_void_refuses_unknown_fields_and_long_reasons(tenant):
    invoice = invoice_make(tenant.org)
    api = tenant.api()
    assert "resaon" in send(api, "POST", action(invoice.pk, "void"), {"resaon": "x"}).json()
    response = send(api, "POST", action(invoice.pk, "void"), {"reason": "x" * 301})
    assert response.status_code == 400
    assert "reason" in response.json()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN


def test_write_off_an_open_invoice(tenant):
    invoice = invoice_make(tenant.org)
    response = send(tenant.api(), "POST", action(invoice.pk, "write-off"), {"reason": "Gone bust"})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "uncollectible"
    assert data["void_reason"] == "Gone bust"
    assert data["written_off_at"]
    assert data["pay_url"] is None
    assert data["balance_due"] == "300.00"  # kept for the bad-debt reports


def test_write_off_a_draft_or_paid_invoice_is_refused(tenant):
    draft = invoice_make(tenant.org, issue=False)
    paid = invoice_make(tenant.org)
    mark_paid(paid)
    for invoice in (draft, paid):
        response = send(tenant.api(), "POST", action(invoice.pk, "write-off"))
        assert response.status_code == 400
        assert "status" in response.json()


# ---- send


def test_send_issues_a_draft_and_queues_the_messages(tenant, django_capture_on_commit_callbacks):
    draft = invoice_make(tenant.org, issue=False)
    with django_capture_on_commit_callbacks() as queued:
        response = send(tenant.api(Role.BILLING), "POST", action(draft.pk, "send"))
    assert response.status_code == 202, response.json()
    data = response.json()
    assert data["status"] == "open"
    assert data["number"].startswith("INV-")
    assert data["last_sent_at"]
    assert data["pay_url"]
    assert len(queued) == 1  # the delivery task, after commit


def test_send_again_is_a_resend(tenant, django_capture_on_commit_callbacks):
    invoice = invoice_make(tenant.org)
    with django_capture_on_commit_callbacks() as queued:
        response = send(tenant.api(), "POST", action(invoice.pk, "send"))
    assert response.status_code == 202
    assert response.json()["number"] == invoice.number
    assert len(queued) == 1


def test_send_a_void_invoice_is_refused(tenant, django_capture_on_commit_callbacks):
    invoice = invoice_make(tenant.org)
    send(tenant.api(), "POST", action(invoice.pk, "void"))
    with django_capture_on_commit_callbacks() as queued:
        response = send(tenant.api(), "POST", action(invoice.pk, "send"))
    assert response.status_code == 400
    assert "status" in response.json()
    assert queued == []


# ---- duplicate


def test_duplicate_makes_a_new_draft_with_the_same_lines(tenant):
    vat = TaxRateFactory(organization=tenant.org)
    original = invoice_make(
        tenant.org, lines=[("Design", "3", "100.00", [vat])], notes="Thanks", po_number="PO-9"
    )
    send(tenant.api(), "POST", action(original.pk, "void"))
    response = send(tenant.api(), "POST", action(original.pk, "duplicate"))
    assert response.status_code == 201, response.json()
    copy = response.json()
    assert copy["id"] != original.pk
    assert copy["status"] == "draft"
    assert copy["number"] == ""
    assert (copy["notes"], copy["po_number"], copy["total"]) == ("Thanks", "PO-9", "360.00")
    assert copy["lines"][0]["tax_rates"] == [vat.pk]
    original.refresh_from_db()
    assert original.status == InvoiceStatus.VOID


def test_duplicate_with_a_retired_tax_names_the_line(tenant):
    vat = TaxRateFactory(organization=tenant.org)
    original = invoice_make(tenant.org, lines=[("Design", "1", "10.00", [vat])])
    vat.is_active = False
    vat.save()
    before = counts()
    response = send(tenant.api(), "POST", action(original.pk, "duplicate"))
    assert response.status_code == 400
    assert "retired" in response.json()["lines[0].tax_rates"][0]
    assert counts() == before


# ---- roles and tenancy

ACTIONS = [("issue", None), ("void", {"reason": "x"}), ("write-off", {}), ("send", None)]


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.VIEWER])
def test_read_only_roles_cannot_act(tenant, role):
    draft = invoice_make(tenant.org, issue=False)
    issued = invoice_make(tenant.org)
    api = tenant.api(role)
    before = counts()
    for name, body in [*ACTIONS, ("duplicate", None)]:
        for invoice in (draft, issued):
            response = send(api, "POST", action(invoice.pk, name), body)
            assert response.status_code == 403, (name, invoice.status)
    assert counts() == before
    draft.refresh_from_db()
    issued.refresh_from_db()
    assert (draft.status, issued.status) == (InvoiceStatus.DRAFT, InvoiceStatus.OPEN)


def test_another_orgs_invoice_is_404_for_every_action(tenant, other_tenant):
    draft = invoice_make(other_tenant.org, issue=False, notes="Kilo secret")
    issued = invoice_make(other_tenant.org, notes="Kilo secret")
    customer_of(tenant)
    api = tenant.api()
    before = counts()
    for name, body in [*ACTIONS, ("duplicate", None)]:
        for invoice in (draft, issued):
            response = send(api, "POST", action(invoice.pk, name), body)
            assert response.status_code == 404, name
            assert "Kilo" not in response.content.decode()
    assert counts() == before
    draft.refresh_from_db()
    issued.refresh_from_db()
    assert (draft.status, draft.number) == (InvoiceStatus.DRAFT, "")
    assert issued.status == InvoiceStatus.OPEN
    assert issued.total == Decimal("300.00")
