"""The dashboard's PDF downloads: who may, what comes back, and another organization's ids."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from arhub.roles import Role
from invoicing.credit_services import credit_note_create
from tests.conftest import Tenant
from tests.invoicing.invoice_factories import invoice_make
from tests.invoicing.pdf_helpers import needs_poppler, pdf_words

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@needs_poppler
@pytest.mark.parametrize("role", Role.values)
def test_every_member_who_may_view_downloads_the_pdf(tenant: Tenant, role: str) -> None:
    invoice = invoice_make(tenant.org)
    response = tenant.client(role).get(reverse("invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="invoice-{invoice.number}.pdf"'
    assert response["Cache-Control"] == "private, no-cache"
    assert invoice.number in pdf_words(response.content)


def test_the_preview_opens_in_the_browser(tenant: Tenant) -> None:
    invoice = invoice_make(tenant.org, issue=False)
    response = tenant.client(Role.VIEWER).get(reverse("invoice_pdf_preview", args=[invoice.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'inline; filename="draft-invoice-{invoice.pk}.pdf"'
    assert response["Cache-Control"] == "private, no-cache"
    assert response.content.startswith(b"%PDF-")


@needs_poppler
def test_a_credit_note_downloads(tenant: Tenant) -> None:
    invoice = invoice_make(tenant.org)
    note = credit_note_create(
        org=tenant.org, actor=None, invoice=invoice, amount=Decimal("20.00"), reason="Dent"
    )
    response = tenant.client(Role.ACCOUNTANT).get(reverse("credit_note_pdf", args=[note.pk]))
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == f'attachment; filename="credit-note-{note.number}.pdf"'
    )
    assert response["Cache-Control"] == "private, no-cache"
    text = pdf_words(response.content)
    assert note.number in text and "Dent" in text


def test_signed_out_visitors_are_sent_to_log_in(tenant: Tenant) -> None:
    from django.test import Client

    invoice = invoice_make(tenant.org)
    response = Client().get(reverse("invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["invoice_pdf", "invoice_pdf_preview", "credit_note_pdf"])
def test_another_organizations_ids_are_not_found(
    tenant: Tenant, other_tenant: Tenant, name: str
) -> None:
    theirs = invoice_make(other_tenant.org)
    note = credit_note_create(
        org=other_tenant.org, actor=None, invoice=theirs, amount=Decimal("1.00"), reason="x"
    )
    pk = note.pk if name == "credit_note_pdf" else theirs.pk
    response = tenant.client(Role.OWNER).get(reverse(name, args=[pk]))
    assert response.status_code == 404
    assert other_tenant.org.name.encode() not in response.content


def test_ids_that_do_not_exist_are_not_found(tenant: Tenant) -> None:
    assert tenant.client().get(reverse("invoice_pdf", args=[999_999])).status_code == 404
    assert tenant.client().get(reverse("credit_note_pdf", args=[999_999])).status_code == 404


def test_downloads_are_read_only(tenant: Tenant) -> None:
    invoice = invoice_make(tenant.org)
    response = tenant.client().post(reverse("invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 405
