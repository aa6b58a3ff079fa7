"""Bulk actions from the invoice list: send, void (with its confirmation page), and the zip of
PDFs built in the background (the job, its claim, its progress page, its download), with roles
and tenancy. One test builds the zip through a real Celery worker."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import timedelta
from decimal import Decimal
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from arhub.roles import Role
from invoicing import bulk_services, bulk_tasks, invoice_list_bulk, pdf
from invoicing.bulk_services import invoice_zip_create, invoice_zip_run
from invoicing.invoice_services import invoice_void, invoice_write_off
from invoicing.models import Invoice, InvoiceBulkJob, InvoiceStatus, JobStatus
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import invoice_make

BULK = "/invoices/bulk/"
VOID = "/invoices/bulk/void/"


def text(response: Any) -> str:
    return unescape(response.content.decode())


def flash(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def customer(org: Any, name: str) -> Any:
    made = CustomerFactory(organization=org, display_name=name)
    ContactFactory(customer=made, email=f"{name.split()[0].lower()}@customer.test")
    return made


def make(org: Any, name: str = "Harbour Tiles", **kwargs: Any) -> Invoice:
    return invoice_make(org, customer=customer(org, name), **kwargs)


def paid(invoice: Invoice) -> Invoice:
    Invoice.objects.filter(pk=invoice.pk).update(
        status=InvoiceStatus.PAID, amount_paid=invoice.total, balance_due=Decimal(0)
    )
    invoice.refresh_from_db()
    return invoice


def part_paid(invoice: Invoice) -> Invoice:
    Invoice.objects.filter(pk=invoice.pk).update(
        status=InvoiceStatus.PARTIALLY_PAID,
        amount_paid=Decimal("10.00"),
        balance_due=invoice.total - Decimal("10.00"),
    )
    invoice.refresh_from_db()
    return invoice


def voided(invoice: Invoice) -> Invoice:
    return invoice_void(org=invoice.organization, actor=None, invoice=invoice, reason="Typo")


def snapshot(org: Any) -> list[dict[str, Any]]:
    return list(Invoice.objects.for_org(org).order_by("pk").values())


@pytest.fixture
def queued_tasks(monkeypatch):
    """Tasks the code sends to the broker, recorded instead of sent (there is no worker)."""
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(bulk_tasks.invoice_zip_run, "delay", lambda *args: sent.append(args))
    return sent


# --------------------------------------------------------------------------------------------
# Send


@pytest.mark.django_db
def test_send_sends_open_and_draft_and_skips_the_rest(tenant, django_capture_on_commit_callbacks):
    org = tenant.org
    open_one = make(org)
    draft = make(org, "Casa Verde", issue=False)
    void_one = voided(make(org, "Pemberton Ltd"))
    paid_one = paid(make(org, "Orchard Farm"))
    written_off = invoice_write_off(org=org, actor=None, invoice=make(org, "Quay Stores"))
    ids = [open_one.pk, draft.pk, void_one.pk, paid_one.pk, written_off.pk]

    with django_capture_on_commit_callbacks() as callbacks:
        response = tenant.client(Role.BILLING).post(
            BULK, {"action": "send", "ids": ids, "back": "status=outstanding&evil=1"}
        )
    assert response.status_code == 302
    assert response["Location"] == "/invoices/?status=outstanding"
    assert flash(response) == ["Sent 2; skipped 3 (1 void, 1 paid, 1 written off)."]

    draft.refresh_from_db()
    assert draft.status == InvoiceStatus.OPEN and draft.number  # issued on the way out
    sent = Invoice.objects.filter(pk__in=[open_one.pk, draft.pk], last_sent_at__isnull=False)
    assert sent.count() == 2
    assert not Invoice.objects.filter(
        pk__in=[void_one.pk, paid_one.pk, written_off.pk], last_sent_at__isnull=False
    ).exists()
    assert len(callbacks) == 2  # one send task each, queued after commit


@pytest.mark.django_db
def test_send_summary_in_the_words_of_the_brief(tenant):
    org = tenant.org
    ids = [make(org, f"Customer {n}").pk for n in range(8)]
    ids += [voided(make(org, f"Gone {n}")).pk for n in range(2)]
    response = tenant.client().post(BULK, {"action": "send", "ids": ids})
    assert flash(response) == ["Sent 8; skipped 2 (void)."]


@pytest.mark.django_db
def test_a_send_that_fails_is_named_and_the_others_go(tenant, monkeypatch):
    from invoicing import sending
    from invoicing.invoice_services import InvoiceStateError

    good, bad = make(tenant.org), make(tenant.org, "Casa Verde")
    real = sending.invoice_send

    def send(*, org: Any, actor: Any, invoice: Invoice) -> Invoice:
        if invoice.pk == bad.pk:
            raise InvoiceStateError({"status": "The customer has no email address."})
        return real(org=org, actor=actor, invoice=invoice)

    monkeypatch.setattr(sending, "invoice_send", send)
    response = tenant.client().post(BULK, {"action": "send", "ids": [good.pk, bad.pk]})
    assert flash(response) == [
        f"Sent 1. Not sent: {bad.number}: The customer has no email address."
    ]
    assert Invoice.objects.get(pk=good.pk).last_sent_at is not None


@pytest.mark.django_db
def test_select_all_on_the_page_works_without_javascript(tenant):
    a, b, c = (make(tenant.org, f"Customer {n}") for n in range(3))
    # No row ticked, the "all on this page" box ticked: the page's ids count.
    response = tenant.client().post(
        BULK, {"action": "send", "all_on_page": "on", "page_ids": [a.pk, b.pk, c.pk]}
    )
    assert flash(response) == ["Sent 3."]
    # Without that box only the ticked rows count.
    response = tenant.client().post(
        BULK, {"action": "send", "ids": [a.pk], "page_ids": [a.pk, b.pk, c.pk]}
    )
    assert flash(response) == ["Sent 1."]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "send"}, "Select at least one invoice first."),
        ({"ids": ["1"]}, "Choose what to do with the selected invoices."),
        ({"action": "", "ids": ["1"]}, "Choose what to do with the selected invoices."),
        ({"action": "send", "ids": ["x"]}, "The selection could not be read; reload the page."),
        ({"action": "burn", "ids": ["1"]}, "Choose one of the actions in the list."),
    ],
)
def test_a_bulk_form_without_a_choice_says_what_is_missing(tenant, data, message):
    response = tenant.client().post(BULK, {**data, "back": "q=tiles"})
    assert response.status_code == 302 and response["Location"] == "/invoices/?q=tiles"
    assert any(m.startswith(message) for m in flash(response)), flash(response)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.VIEWER, Role.ACCOUNTANT])
@pytest.mark.parametrize("action", ["send", "void"])
def test_read_only_roles_cannot_send_or_void(tenant, role, action):
    invoice = make(tenant.org)
    before = snapshot(tenant.org)
    response = tenant.client(role).post(BULK, {"action": action, "ids": [invoice.pk]})
    assert response.status_code == 403
    assert tenant.client(role).get(VOID, {"ids": [invoice.pk]}).status_code == 403
    response = tenant.client(role).post(VOID, {"ids": [invoice.pk], "reason": "x"})
    assert response.status_code == 403
    assert snapshot(tenant.org) == before


# --------------------------------------------------------------------------------------------
# Void


@pytest.mark.django_db
def test_void_asks_for_confirmation_and_a_reason_then_voids_what_it_can(tenant):
    org = tenant.org
    open_one, other_open = make(org), make(org, "Casa Verde")
    draft = make(org, "Orchard Farm", issue=False)
    part = part_paid(make(org, "Pemberton Ltd"))
    already = voided(make(org, "Quay Stores"))
    ids = [open_one.pk, other_open.pk, draft.pk, part.pk, already.pk]
    client = tenant.client(Role.BILLING)

    response = client.post(BULK, {"action": "void", "ids": ids, "back": "sort=due"})
    assert response.status_code == 302
    confirm_url = response["Location"]
    assert urlsplit(confirm_url).path == VOID
    assert parse_qs(urlsplit(confirm_url).query)["ids"] == [str(pk) for pk in ids]
    assert Invoice.objects.filter(status=InvoiceStatus.VOID).count() == 1  # nothing yet

    page = text(client.get(confirm_url))
    assert "<h1>Void 2 invoices</h1>" in page
    will = page[page.index("Will be voided") : page.index("Left as they are")]
    assert open_one.number in will and other_open.number in will
    left = page[page.index("Left as they are") :]
    assert f"{part.number}</strong> · Pemberton Ltd: Payments are recorded on it" in left
    assert "Draft</strong> · Orchard Farm: A draft is deleted, not voided." in left
    assert f"{already.number}</strong> · Quay Stores: Already void." in left
    assert 'href="/invoices/?sort=due">Cancel</a>' in page

    # No reason: nothing is voided, and the field says why.
    response = client.post(VOID, {"ids": ids, "reason": "  ", "back": "sort=due"})
    assert response.status_code == 200
    assert "Say why these invoices are being voided." in text(response)
    assert Invoice.objects.filter(status=InvoiceStatus.VOID).count() == 1

    response = client.post(
        VOID, {"ids": ids, "reason": "Issued to the wrong customer", "back": "sort=due"}
    )
    assert response.status_code == 302 and response["Location"] == "/invoices/?sort=due"
    (message,) = flash(response)
    assert message.startswith(f"Voided 2 invoices: {open_one.number}, {other_open.number}.")
    assert f"1 was already void: {already.number}." in message
    assert f"Not voided: {part.number}: Only an open invoice with no payments" in message
    assert "Not voided: the draft for Orchard Farm: A draft is deleted, not voided." in message
    for invoice in (open_one, other_open):
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.VOID
        assert invoice.void_reason == "Issued to the wrong customer"
    assert Invoice.objects.get(pk=part.pk).status == InvoiceStatus.PARTIALLY_PAID
    assert Invoice.objects.get(pk=draft.pk).status == InvoiceStatus.DRAFT


@pytest.mark.django_db
def test_void_page_when_nothing_can_be_voided(tenant):
    draft = make(tenant.org, issue=False)
    page = text(tenant.client().get(VOID, {"ids": [draft.pk]}))
    assert "Nothing here can be voided" in page and "<form" not in page.split("<main")[1]


@pytest.mark.django_db
def test_void_is_checked_again_when_it_happens(tenant):
    invoice = make(tenant.org)
    client = tenant.client()
    assert "Void 1 invoice" in text(client.get(VOID, {"ids": [invoice.pk]}))
    part_paid(invoice)  # a payment arrives while the page is open
    response = client.post(VOID, {"ids": [invoice.pk], "reason": "Wrong amount"})
    assert "Not voided" in flash(response)[0]
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PARTIALLY_PAID


# --------------------------------------------------------------------------------------------
# Another organization's ids


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["send", "void", "zip"])
def test_another_organizations_ids_are_ignored_and_nothing_of_theirs_changes(
    tenant, other_tenant, queued_tasks, action
):
    theirs = [make(other_tenant.org, "Zenith Flour"), make(other_tenant.org, "Zenith Mill")]
    mine = make(tenant.org)
    before = snapshot(other_tenant.org)
    client = tenant.client()
    ids = [t.pk for t in theirs]

    response = client.post(BULK, {"action": action, "ids": ids})
    if action == "void":
        page = text(client.get(response["Location"], follow=True))
        assert "Zenith" not in page
        response = client.post(VOID, {"ids": ids, "reason": "Mine now"})
    assert response.status_code == 302
    assert not any("Zenith" in m for m in flash(response))
    assert snapshot(other_tenant.org) == before
    assert not InvoiceBulkJob.objects.exists()

    # Mixed with one of mine: only mine is acted on.
    response = client.post(BULK, {"action": action, "ids": [*ids, mine.pk]})
    if action == "void":
        response = client.post(VOID, {"ids": [*ids, mine.pk], "reason": "Wrong"})
        assert Invoice.objects.get(pk=mine.pk).status == InvoiceStatus.VOID
    elif action == "zip":
        job = InvoiceBulkJob.objects.get()
        assert job.invoice_ids == [mine.pk] and job.organization_id == tenant.org.pk
    assert snapshot(other_tenant.org) == before


@pytest.mark.django_db
def test_another_organizations_job_is_a_404(tenant, other_tenant, queued_tasks):
    theirs = invoice_zip_create(
        org=other_tenant.org, actor=None, invoice_ids=[make(other_tenant.org).pk]
    )
    invoice_zip_run(org=other_tenant.org, job_id=theirs.pk)
    client = tenant.client(Role.OWNER)
    for name in ("invoice_export", "invoice_export_progress", "invoice_export_download"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert client.post(reverse("invoice_export", args=[theirs.pk])).status_code == 404
    # The task run with the wrong organization finds nothing either.
    assert invoice_zip_run(org=tenant.org, job_id=theirs.pk) is None


# --------------------------------------------------------------------------------------------
# The zip


def open_zip(job: InvoiceBulkJob) -> zipfile.ZipFile:
    with job.result_file.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.BILLING])
def test_zip_is_queued_after_commit_and_built_with_real_pdfs(
    tenant, settings, tmp_path, queued_tasks, django_capture_on_commit_callbacks, role
):
    settings.MEDIA_ROOT = tmp_path
    org = tenant.org
    first, second = make(org), make(org, "Casa Verde")
    draft = make(org, "Orchard Farm", issue=False)
    client = tenant.client(role)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(BULK, {"action": "zip", "ids": [second.pk, first.pk, draft.pk]})
    job = InvoiceBulkJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/invoices/exports/{job.pk}/"
    assert len(callbacks) == 1 and queued_tasks == [(org.pk, job.pk)]
    assert (job.status, job.total, job.processed) == (JobStatus.QUEUED, 3, 0)
    assert job.invoice_ids == [second.pk, first.pk, draft.pk]  # the order they were listed
    assert job.created_by == tenant.user(role)

    page = text(client.get(response["Location"]))
    assert "Waiting to start: 3 invoices to put in the zip." in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert 'aria-labelledby="progress-heading"' in page and "<progress" in page
    assert client.get(reverse("invoice_export_download", args=[job.pk])).status_code == 404

    assert bulk_tasks.invoice_zip_run(org.pk, job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert (job.status, job.processed, job.error_message) == (JobStatus.DONE, 3, "")
    assert job.finished_at is not None
    archive = open_zip(job)
    assert archive.namelist() == [
        pdf.invoice_pdf_filename(second),
        pdf.invoice_pdf_filename(first),
        pdf.invoice_pdf_filename(draft),
    ]
    assert archive.namelist()[0] == f"invoice-{second.number}.pdf"
    for name in archive.namelist():
        assert archive.read(name).startswith(b"%PDF-")

    progress = client.get(reverse("invoice_export_progress", args=[job.pk])).json()
    assert progress["finished"] is True and progress["percent"] == 100
    page = text(client.get(reverse("invoice_export", args=[job.pk])))
    assert "Your zip is ready" in page and "refresh" not in page
    download = client.get(reverse("invoice_export_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].startswith("attachment;")
    assert (
        f'filename="invoices-{job.created_at:%Y-%m-%d}-{job.pk}.zip"'
        in download["Content-Disposition"]
    )
    body = b"".join(download.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(body)).namelist() == archive.namelist()


@pytest.mark.django_db
def test_the_claim_lets_only_one_delivery_build_the_zip(
    tenant, settings, tmp_path, queued_tasks, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    job = invoice_zip_create(org=tenant.org, actor=None, invoice_ids=[make(tenant.org).pk])
    calls: list[int] = []
    real = pdf.invoice_pdf

    def counting(*, org: Any, invoice: Invoice) -> bytes:
        calls.append(invoice.pk)
        return real(org=org, invoice=invoice)

    monkeypatch.setattr(pdf, "invoice_pdf", counting)
    assert invoice_zip_run(org=tenant.org, job_id=job.pk).status == JobStatus.DONE
    name = InvoiceBulkJob.objects.get(pk=job.pk).result_file.name
    # A second delivery of the same task: already done, nothing is rendered or rewritten.
    assert invoice_zip_run(org=tenant.org, job_id=job.pk).status == JobStatus.DONE
    assert len(calls) == 1
    assert InvoiceBulkJob.objects.get(pk=job.pk).result_file.name == name

    # A job another worker is running right now is left to it.
    other = invoice_zip_create(org=tenant.org, actor=None, invoice_ids=[make(tenant.org).pk])
    InvoiceBulkJob.objects.filter(pk=other.pk).update(status=JobStatus.RUNNING)
    assert invoice_zip_run(org=tenant.org, job_id=other.pk).status == JobStatus.RUNNING
    assert len(calls) == 1
    # One whose worker died (no progress for a long time) is taken over.
    stale = timezone.now() - bulk_services.STALE_RUNNING - timedelta(seconds=1)
    InvoiceBulkJob.objects.filter(pk=other.pk).update(updated_at=stale)
    assert invoice_zip_run(org=tenant.org, job_id=other.pk).status == JobStatus.DONE
    assert len(calls) == 2


@pytest.mark.django_db
def test_a_failed_pdf_fails_the_job_with_a_readable_reason_and_it_can_be_retried(
    tenant, settings, tmp_path, queued_tasks, monkeypatch, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    good, bad = make(tenant.org), make(tenant.org, "Casa Verde")
    job = invoice_zip_create(org=tenant.org, actor=None, invoice_ids=[good.pk, bad.pk])
    real = pdf.invoice_pdf

    def broken(*, org: Any, invoice: Invoice) -> bytes:
        if invoice.pk == bad.pk:
            raise RuntimeError("weasyprint exploded")
        return real(org=org, invoice=invoice)

    monkeypatch.setattr(pdf, "invoice_pdf", broken)
    job = invoice_zip_run(org=tenant.org, job_id=job.pk)
    assert job.status == JobStatus.FAILED
    assert job.error_message.startswith(f"We could not make the PDF of invoice {bad.number}")
    assert "weasyprint" not in job.error_message
    assert not job.result_file

    client = tenant.client(Role.ACCOUNTANT)
    page = text(client.get(reverse("invoice_export", args=[job.pk])))
    assert "The zip could not be made" in page and job.error_message in page
    assert client.get(reverse("invoice_export_download", args=[job.pk])).status_code == 404

    monkeypatch.setattr(pdf, "invoice_pdf", real)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("invoice_export", args=[job.pk]))
    assert response.status_code == 302
    assert queued_tasks == [(tenant.org.pk, job.pk)]
    assert invoice_zip_run(org=tenant.org, job_id=job.pk).status == JobStatus.DONE
    assert len(open_zip(InvoiceBulkJob.objects.get(pk=job.pk)).namelist()) == 2


@pytest.mark.django_db
def test_duplicate_file_names_are_kept_apart(tenant, settings, tmp_path, queued_tasks, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    a, b = make(tenant.org), make(tenant.org, "Casa Verde")
    monkeypatch.setattr(pdf, "invoice_pdf_filename", lambda invoice: "invoice.pdf")
    job = invoice_zip_create(org=tenant.org, actor=None, invoice_ids=[a.pk, b.pk])
    job = invoice_zip_run(org=tenant.org, job_id=job.pk)
    assert open_zip(job).namelist() == ["invoice.pdf", "invoice (2).pdf"]


@pytest.mark.django_db
def test_zip_limit(tenant, queued_tasks, monkeypatch):
    monkeypatch.setattr(bulk_services, "MAX_ZIP_INVOICES", 2)
    monkeypatch.setattr(invoice_list_bulk, "MAX_ZIP_INVOICES", 2)
    ids = [make(tenant.org, f"Customer {n}").pk for n in range(3)]

    response = tenant.client().post(BULK, {"action": "zip", "ids": ids})
    assert flash(response) == [
        "A zip holds at most 2 invoices and 3 were chosen. Narrow the list (for example by "
        "issue date) and download it in parts."
    ]
    response = tenant.client().post(BULK, {"action": "zip", "matching": "1", "back": ""})
    assert flash(response) == [
        "A zip holds at most 2 invoices and more than that match. Narrow the list (for example "
        "by issue date) and download it in parts."
    ]
    assert not InvoiceBulkJob.objects.exists()


@pytest.mark.django_db
def test_zip_every_invoice_matching_the_filters(tenant, queued_tasks):
    harbour = customer(tenant.org, "Harbour Tiles")
    mine = [invoice_make(tenant.org, customer=harbour) for _ in range(2)]
    make(tenant.org, "Casa Verde")
    response = tenant.client(Role.ACCOUNTANT).post(
        BULK, {"action": "zip", "matching": "1", "back": f"customer={harbour.pk}&sort=number"}
    )
    job = InvoiceBulkJob.objects.get()
    assert response["Location"] == f"/invoices/exports/{job.pk}/"
    assert job.invoice_ids == sorted((i.pk for i in mine), reverse=True)

    response = tenant.client().post(BULK, {"action": "zip", "matching": "1", "back": "q=nobody"})
    assert flash(response) == ["No invoices match these filters, so there is nothing to zip."]


@pytest.mark.django_db
def test_invoices_deleted_before_the_run_are_left_out(tenant, settings, tmp_path, queued_tasks):
    from invoicing.invoice_services import invoice_delete_draft

    settings.MEDIA_ROOT = tmp_path
    kept, draft = make(tenant.org), make(tenant.org, "Casa Verde", issue=False)
    job = invoice_zip_create(org=tenant.org, actor=None, invoice_ids=[kept.pk, draft.pk])
    invoice_delete_draft(org=tenant.org, actor=None, invoice=draft)
    job = invoice_zip_run(org=tenant.org, job_id=job.pk)
    assert (job.status, job.total, job.processed) == (JobStatus.DONE, 1, 1)
    assert open_zip(job).namelist() == [pdf.invoice_pdf_filename(kept)]


@pytest.mark.django_db
def test_stale_queued_zips_are_sent_again(tenant, queued_tasks):
    job = invoice_zip_create(org=tenant.org, actor=None, invoice_ids=[make(tenant.org).pk])
    assert bulk_services.invoice_zip_requeue_stale() == 0
    InvoiceBulkJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - timedelta(minutes=11)
    )
    assert bulk_services.invoice_zip_requeue_stale() == 1
    assert queued_tasks == [(tenant.org.pk, job.pk)]


@pytest.mark.django_db
def test_finished_zips_expire(tenant, settings, tmp_path, queued_tasks):
    settings.MEDIA_ROOT = tmp_path
    job = invoice_zip_create(org=tenant.org, actor=None, invoice_ids=[make(tenant.org).pk])
    job = invoice_zip_run(org=tenant.org, job_id=job.pk)
    path = tmp_path / job.result_file.name
    assert path.exists()
    assert bulk_services.invoice_zips_purge_expired() == 0  # a fresh zip is kept

    InvoiceBulkJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=8))
    assert bulk_tasks.invoice_zips_purge_expired() == 1
    assert not path.exists()
    assert InvoiceBulkJob.objects.get(pk=job.pk).result_file.name == ""
    client = tenant.client(Role.ACCOUNTANT)
    assert "This zip has expired" in text(client.get(reverse("invoice_export", args=[job.pk])))
    assert client.get(reverse("invoice_export_download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_after_an_action_the_list_opens_at_the_same_page_and_filters(tenant):
    invoice = make(tenant.org)
    back = "status=outstanding&after=abc&sort=due&next=https://evil.example/"
    response = tenant.client().post(BULK, {"action": "send", "ids": [invoice.pk], "back": back})
    assert response["Location"] == "/invoices/?status=outstanding&sort=due&after=abc"
    # The list writes its own filters and cursor into the form.
    page = text(tenant.client().get("/invoices/", {"status": "outstanding", "after": "xyz"}))
    assert 'name="back" value="status=outstanding&after=xyz"' in page


# --------------------------------------------------------------------------------------------
# Through a real worker


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_zip_is_built_by_a_real_celery_worker(tenant, settings, tmp_path, worker):
    settings.MEDIA_ROOT = tmp_path
    ids = [make(tenant.org, f"Customer {n}").pk for n in range(3)]
    client = tenant.client(Role.ACCOUNTANT)
    response = client.post(BULK, {"action": "zip", "ids": ids})
    job = InvoiceBulkJob.objects.get()
    assert response["Location"] == f"/invoices/exports/{job.pk}/"

    deadline = time.monotonic() + 60
    while job.status not in (JobStatus.DONE, JobStatus.FAILED):
        assert time.monotonic() < deadline, f"zip {job.pk} still {job.status}"
        time.sleep(0.1)
        job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error_message
    assert job.processed == job.total == 3
    download = client.get(reverse("invoice_export_download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert len(archive.namelist()) == 3
    assert all(archive.read(name).startswith(b"%PDF-") for name in archive.namelist())
