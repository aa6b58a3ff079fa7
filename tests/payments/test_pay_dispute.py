"""The customer's side of a dispute on the pay page: the choice, the form (reason, lines,
message, attachments) and its errors in the customer's language, the panel with the status and
the thread (never an internal note), replying, withdrawing, a dispute of another invoice, and
what a request with files may weigh."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from arhub.models import Organization
from disputes.attachments import MAX_BYTES, MAX_PER_DISPUTE
from disputes.models import (
    Author,
    Dispute,
    DisputeAttachment,
    DisputeMessage,
    DisputeOutcome,
    DisputeReason,
    DisputeStatus,
)
from disputes.selectors import active_disputes_by_invoice
from disputes.services import dispute_open, dispute_owner_reply, dispute_resolve
from invoicing.models import Invoice, Language
from payments.pay_dispute_views import REQUEST_MAX_BYTES
from tests.conftest import Tenant
from tests.invoicing.invoice_factories import invoice_make
from tests.payments.pay_page_helpers import (
    ISSUED,
    customer_of,
    open_pay_page,
    pay_part,
    plain_invoice,
    text,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
OPENED = (
    "Thank you — we have your message and have paused reminders for this invoice while we "
    "look into it."
)


@pytest.fixture(autouse=True)
def files_root(settings: Any, tmp_path: Path) -> Iterator[Path]:
    cache.clear()
    root = tmp_path / "dispute-files"
    settings.DISPUTE_FILES_ROOT = root
    yield root
    cache.clear()


@pytest.fixture
def org(tenant: Tenant) -> Organization:
    org = tenant.org
    org.email_reply_to = "accounts@acme.test"
    org.save()
    return org


def two_line_invoice(org: Organization, **customer: Any) -> Invoice:
    return invoice_make(
        org,
        customer=customer_of(org, **customer),
        issue_date=ISSUED,
        lines=(("Boiler service", "1", "150.00"), ("Replacement valve", "2", "40.00")),
    )


def pdf(name: str = "receipt.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def opened(client: Client, org: Organization, invoice: Invoice) -> str:
    """The pay page's own address in this browser."""
    page_path, response = open_pay_page(client, org, invoice)
    assert response.status_code == 200
    return page_path


def valid(invoice: Invoice, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reason": DisputeReason.WRONG_AMOUNT,
        "lines": [invoice.lines.order_by("position")[1].pk],
        "message": "We ordered one valve, not two.",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# The error next to each field the summary links to.
INLINE = {
    "dispute-reason-0": "dispute-reason-error",
    "dispute-line-0": "dispute-lines-error",
    "dispute-message": "dispute-message-error",
    "dispute-files": "dispute-files-error",
}


def error_links(response: Any) -> list[str]:
    summary = re.search(r'id="error-summary".*?</div>', response.content.decode(), re.S)
    assert summary, "no error summary"
    return re.findall(r'href="#([^"]+)"', summary.group(0))


def nothing_saved(root: Path) -> None:
    assert not Dispute.objects.exists()
    assert not DisputeMessage.objects.exists()
    assert not DisputeAttachment.objects.exists()
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


# ---- the choice and the form


def test_the_pay_page_offers_the_choice(org: Organization) -> None:
    invoice = two_line_invoice(org)
    client = Client()
    page_path = opened(client, org, invoice)
    body = client.get(page_path).content.decode()
    assert "Raise a question or dispute" in body
    assert "we pause reminders while we look into it" in body
    assert f'href="{page_path}dispute/"' in body


def test_a_paid_invoice_can_be_disputed_too(org: Organization) -> None:
    invoice = two_line_invoice(org)
    pay_part(org, invoice, str(invoice.balance_due))
    assert invoice.status == "paid"
    client = Client()
    page_path = opened(client, org, invoice)
    assert "Raise a question or dispute" in text(client.get(page_path))
    assert client.get(page_path + "dispute/").status_code == 200


def test_the_form_lists_reasons_and_lines_with_labels(org: Organization) -> None:
    invoice = two_line_invoice(org)
    client = Client()
    response = client.get(opened(client, org, invoice) + "dispute/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body, page = response.content.decode(), text(response)
    assert "<legend>What is wrong?</legend>" in body
    assert "Which lines is it about? (optional)" in page
    for label in ("The amount is wrong", "I have already paid it", "Something else"):
        assert label in page
    assert body.count('type="radio" name="reason"') == len(DisputeReason.values)
    assert "Replacement valve" in page and "£80.00" in page
    for line in invoice.lines.all():
        assert f'name="lines" value="{line.pk}"' in body
    assert 'enctype="multipart/form-data"' in body
    assert 'accept=".pdf,.png,.jpg,.jpeg"' in body and " multiple " in body
    assert "PDF, PNG or JPEG, up to 10 MB each, 5 in all." in page
    for field_id in ("dispute-reason-0", "dispute-line-0", "dispute-message", "dispute-files"):
        assert f'for="{field_id}"' in body


def test_the_form_speaks_spanish(org: Organization) -> None:
    invoice = two_line_invoice(org, language=Language.SPANISH)
    client = Client()
    path = opened(client, org, invoice) + "dispute/"
    page = text(client.get(path))
    assert "¿Qué no está bien?" in page and "Ya la he pagado" in page
    response = client.post(path, valid(invoice, message=""))
    assert "Escriba un mensaje contándonos qué no está bien." in text(response)


# ---- raising one


def test_a_valid_dispute_with_a_pdf_is_opened_and_reminders_hold(
    org: Organization, files_root: Path
) -> None:
    invoice = two_line_invoice(org)
    client = Client()
    page_path = opened(client, org, invoice)
    response = client.post(page_path + "dispute/", {**valid(invoice), "attachments": [pdf()]})
    assert response.status_code == 302
    assert response["Location"] == page_path + "#disputes"

    dispute = Dispute.objects.get()
    assert (dispute.invoice, dispute.status) == (invoice, DisputeStatus.OPEN)
    assert dispute.reason == DisputeReason.WRONG_AMOUNT
    assert [d.line.description for d in dispute.lines.all()] == ["Replacement valve"]
    attachment = DisputeAttachment.objects.get()
    assert (attachment.original_name, attachment.content_type) == ("receipt.pdf", "application/pdf")
    assert attachment.author == Author.CUSTOMER
    assert active_disputes_by_invoice(org=org, invoice_ids=[invoice.pk]) == {invoice.pk: dispute}

    page = text(client.get(page_path))
    assert OPENED in page
    assert "Open — we have it and will reply." in page
    assert "We ordered one valve, not two." in page and "receipt.pdf" in page
    assert "Raise a question or dispute" not in page  # one at a time
    assert OPENED not in text(client.get(page_path))  # said once
    # The form itself now leads back to the page.
    assert client.get(page_path + "dispute/")["Location"] == page_path


@pytest.mark.parametrize(
    ("changes", "files", "field", "message"),
    [
        ({"message": ""}, [], "dispute-message", "Write a message telling us what is wrong."),
        ({"message": "   "}, [], "dispute-message", "Write a message telling us what is wrong."),
        ({"reason": None}, [], "dispute-reason-0", "Choose what is wrong."),
        ({"reason": "lost_my_wallet"}, [], "dispute-reason-0", "Choose what is wrong."),
        (
            {},
            [pdf("notes.pdf", b"Just some text, honest.\n")],
            "dispute-files",
            "notes.pdf is not a PDF, PNG or JPEG file.",
        ),
        (
            {},
            [pdf("setup.pdf", b"MZ\x90\x00" + b"\x00" * 100)],
            "dispute-files",
            "setup.pdf is not a PDF, PNG or JPEG file.",
        ),
        ({}, [pdf("empty.pdf", b"")], "dispute-files", ""),
        (
            {},
            [pdf(f"r{n}.pdf") for n in range(MAX_PER_DISPUTE + 1)],
            "dispute-files",
            "You can send at most 5 files in all; 5 more can be added.",
        ),
    ],
)
def test_bad_input_shows_field_errors_and_saves_nothing(
    org: Organization,
    files_root: Path,
    changes: dict[str, Any],
    files: list[Any],
    field: str,
    message: str,
) -> None:
    invoice = two_line_invoice(org)
    client = Client()
    path = opened(client, org, invoice) + "dispute/"
    data = valid(invoice, **changes)
    response = client.post(path, {**data, "attachments": files} if files else data)
    assert response.status_code == 200
    assert field in error_links(response)
    assert message in text(response)
    body = response.content.decode()
    assert f'id="{INLINE[field]}"' in body
    assert 'aria-invalid="true"' in body
    if files:
        assert "please choose them again" in body
    if "message" in data and data["message"].strip():
        assert "We ordered one valve, not two." in body  # what was typed is kept
    nothing_saved(files_root)


def test_a_line_of_another_invoice_is_refused(org: Organization, files_root: Path) -> None:
    invoice = two_line_invoice(org)
    other = plain_invoice(org, customer=invoice.customer)
    client = Client()
    path = opened(client, org, invoice) + "dispute/"
    for stranger in (other.lines.get().pk, "abc", 987654321):
        response = client.post(path, valid(invoice, lines=[stranger]))
        assert response.status_code == 200
        assert error_links(response) == ["dispute-line-0"]
        assert 'id="dispute-lines-error"' in response.content.decode()
        assert "One of the lines you ticked is not on this invoice." in text(response)
    nothing_saved(files_root)


def test_a_post_made_by_another_site_changes_nothing(org: Organization, files_root: Path) -> None:
    invoice = two_line_invoice(org)
    client = Client()
    path = opened(client, org, invoice) + "dispute/"
    response = client.post(path, valid(invoice), headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200
    assert "What is wrong?" in text(response)
    nothing_saved(files_root)


# ---- what a request may weigh


def test_five_files_at_the_limit_get_through(org: Organization, files_root: Path) -> None:
    invoice = two_line_invoice(org)
    client = Client()
    page_path = opened(client, org, invoice)
    big = PDF + b"\x00" * (MAX_BYTES - len(PDF))
    files = [pdf(f"scan-{n}.pdf", big) for n in range(MAX_PER_DISPUTE)]
    response = client.post(page_path + "dispute/", {**valid(invoice), "attachments": files})
    assert response.status_code == 302, text(response)[:500]
    sizes = DisputeAttachment.objects.values_list("size", flat=True)
    assert list(sizes) == [MAX_BYTES] * MAX_PER_DISPUTE


def test_a_file_over_the_limit_is_a_field_error(org: Organization, files_root: Path) -> None:
    invoice = two_line_invoice(org)
    client = Client()
    path = opened(client, org, invoice) + "dispute/"
    big = pdf("huge.pdf", PDF + b"\x00" * (MAX_BYTES + 1 - len(PDF)))
    response = client.post(path, {**valid(invoice), "attachments": [big]})
    assert response.status_code == 200
    assert "huge.pdf is larger than 10 MB." in text(response)
    nothing_saved(files_root)


def test_a_bigger_request_gets_a_clear_page(org: Organization, files_root: Path) -> None:
    invoice = two_line_invoice(org)
    client = Client()
    path = opened(client, org, invoice) + "dispute/"
    chunk = PDF + b"\x00" * (MAX_BYTES - len(PDF))
    count = REQUEST_MAX_BYTES // MAX_BYTES + 1
    files = [pdf(f"scan-{n}.pdf", chunk) for n in range(count)]
    response = client.post(path, {**valid(invoice), "attachments": files})
    assert response.status_code == 413
    assert response["Cache-Control"] == "no-store"
    page = text(response)
    assert "These files are too large to send" in page and "at most 5 files" in page
    assert f'href="{path}"' in response.content.decode()
    nothing_saved(files_root)


def test_form_fields_over_django_limit_get_the_same_page(
    org: Organization, files_root: Path, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    invoice = two_line_invoice(org)
    client = Client()
    path = opened(client, org, invoice) + "dispute/"
    response = client.post(path, {**valid(invoice, message="x" * 2000), "attachments": [pdf()]})
    assert response.status_code == 413
    assert "These files are too large to send" in text(response)
    nothing_saved(files_root)


# ---- the panel, replying, withdrawing


def customer_dispute(org: Organization, invoice: Invoice, **changes: Any) -> Dispute:
    return dispute_open(
        org=org,
        invoice=invoice,
        reason=changes.get("reason", DisputeReason.QUALITY),
        message=changes.get("message", "The boiler still leaks."),
        files=changes.get("files", ()),
    )


def test_the_thread_shows_replies_but_never_internal_notes(
    tenant: Tenant, org: Organization
) -> None:
    invoice = two_line_invoice(org)
    dispute = customer_dispute(org, invoice, files=[pdf("photo.pdf")])
    owner = tenant.owner.user
    dispute_owner_reply(
        org=org, actor=owner, dispute=dispute, body="INTERNAL-NOTE-7 he is right", internal=True
    )
    dispute_owner_reply(org=org, actor=owner, dispute=dispute, body="Sorry, we will come back.")
    client = Client()
    page_path = opened(client, org, invoice)
    key_pages = [
        client.get(page_path),
        client.get(f"{page_path}dispute/{dispute.pk}/reply/"),
        client.get(f"{page_path}dispute/{dispute.pk}/withdraw/"),
    ]
    for response in key_pages:
        assert response.status_code == 200
        assert "INTERNAL-NOTE-7" not in response.content.decode()
    page = text(key_pages[0])
    assert "Under review — we are looking into it." in page
    assert "The boiler still leaks." in page and "photo.pdf" in page
    assert f"{org.name} " in page and "Sorry, we will come back." in page
    assert "Attachments are kept with" in page
    assert "/attachments/" not in key_pages[0].content.decode()  # names only, no download
    assert f'action="{page_path}dispute/{dispute.pk}/reply/"' in key_pages[0].content.decode()
    assert "Withdraw my dispute" in page


def test_a_reply_with_a_png_is_added_to_the_thread(org: Organization) -> None:
    invoice = two_line_invoice(org)
    dispute = customer_dispute(org, invoice)
    client = Client()
    page_path = opened(client, org, invoice)
    url = f"{page_path}dispute/{dispute.pk}/reply/"
    photo = SimpleUploadedFile("leak.png", PNG, content_type="image/png")
    response = client.post(url, {"message": "Here is a photo.", "attachments": [photo]})
    assert response.status_code == 302
    message = DisputeMessage.objects.filter(dispute=dispute).latest("pk")
    assert (message.author, message.body) == (Author.CUSTOMER, "Here is a photo.")
    assert [a.original_name for a in message.attachments.all()] == ["leak.png"]
    page = text(client.get(page_path))
    assert "Thank you — we have your message." in page and "leak.png" in page


def test_an_empty_reply_is_a_field_error(org: Organization) -> None:
    invoice = two_line_invoice(org)
    dispute = customer_dispute(org, invoice)
    client = Client()
    url = f"{opened(client, org, invoice)}dispute/{dispute.pk}/reply/"
    response = client.post(url, {"message": " "})
    assert response.status_code == 200
    assert error_links(response) == ["dispute-message"]
    assert DisputeMessage.objects.filter(dispute=dispute).count() == 1


def test_withdraw_asks_first_then_withdraws(org: Organization) -> None:
    invoice = two_line_invoice(org)
    dispute = customer_dispute(org, invoice)
    client = Client()
    page_path = opened(client, org, invoice)
    url = f"{page_path}dispute/{dispute.pk}/withdraw/"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Withdraw your dispute?" in text(confirm) and 'method="post"' in confirm.content.decode()
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN

    response = client.post(url, {"message": "Sorted out on the phone, thanks."})
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.WITHDRAWN
    assert active_disputes_by_invoice(org=org, invoice_ids=[invoice.pk]) == {}
    page = text(client.get(page_path))
    assert "You have withdrawn your dispute." in page
    assert "Withdrawn — you withdrew it on" in page
    assert "Sorted out on the phone, thanks." in page
    assert "Withdraw my dispute" not in page
    assert "Raise a question or dispute" in page  # another can be raised
    # Once closed, the reply and withdraw addresses lead back to the page.
    assert client.post(url)["Location"] == page_path
    assert (
        client.post(f"{page_path}dispute/{dispute.pk}/reply/", {"message": "x"}).status_code == 302
    )
    assert DisputeMessage.objects.filter(dispute=dispute).count() == 2


def test_a_resolved_dispute_shows_the_outcome(tenant: Tenant, org: Organization) -> None:
    invoice = two_line_invoice(org, language=Language.SPANISH)
    dispute = customer_dispute(org, invoice)
    dispute_resolve(
        org=org,
        actor=tenant.owner.user,
        dispute=dispute,
        outcome=DisputeOutcome.CREDIT,
        message="Le abonamos una válvula.",
        credit_amount=invoice.lines.order_by("position")[1].amount / 2,
    )
    client = Client()
    page = text(client.get(opened(client, org, invoice)))
    assert "Resuelta" in page and "Hemos abonado un importe en esta factura." in page
    assert page.count("Le abonamos una válvula.") == 1
    assert "Retirar mi reclamación" not in page


def test_a_dispute_of_another_invoice_is_not_found(org: Organization) -> None:
    invoice = two_line_invoice(org)
    other = plain_invoice(org, customer=invoice.customer)
    dispute = customer_dispute(org, other)
    client = Client()
    page_path = opened(client, org, invoice)
    for action in ("reply", "withdraw"):
        url = f"{page_path}dispute/{dispute.pk}/{action}/"
        assert client.get(url).status_code == 404
        assert client.post(url, {"message": "Mine now"}).status_code == 404
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN
    assert DisputeMessage.objects.filter(dispute=dispute).count() == 1
