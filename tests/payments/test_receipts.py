"""Receipts: every payment (manual, API, Stripe) thanks the customer once, with the receipt PDF
attached, unless the organization turned receipts off; a reversal sends no second one. The
PDF read back with pdftotext; one email delivered over real SMTP by a real worker."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from arhub.celery import app
from arhub.messaging.consent import sms_consent_record
from arhub.models import Channel, ConsentMethod, Message, MessageKind, MessageStatus
from invoicing.models import Invoice
from payments.late_fee_services import late_fees_apply
from payments.models import Payment, PaymentSettings
from payments.receipt_pdf import receipt_pdf
from payments.receipts import receipt_messages_queue
from payments.services import AllocationInput, payment_record, payment_reverse
from payments.statement_links import statement_link_resolve
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import PaymentTermsFactory, invoice_make
from tests.invoicing.pdf_helpers import needs_poppler, pdf_words
from tests.payments.stripe_webhook_helpers import (
    checkout_make,
    deliver,
    event_make,
    session_object,
)

D = Decimal


@pytest.fixture
def eager() -> Iterator[None]:
    """Tasks run where they are queued: the receipt task, then the message's send task."""
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False
        app.conf.task_eager_propagates = False


class Shop:
    def __init__(self, tenant, *, language: str = "en", preferred: str = "email") -> None:
        self.tenant = tenant
        self.org = tenant.org
        self.customer = CustomerFactory(
            organization=self.org,
            display_name="Bright Dental",
            language=language,
            preferred_channel=preferred,
        )
        self.contact = ContactFactory(
            customer=self.customer, name="Maria", email="maria@bright.test", phone="+447911123456"
        )
        self.terms = PaymentTermsFactory(
            organization=self.org,
            days=30,
            discount_percent=2,
            discount_days=10,
            late_fee_kind="percent",
            late_fee_percent=D("1.5"),
        )

    def invoice(self, price: str, issued: date = date(2027, 3, 1)) -> Invoice:
        return invoice_make(
            self.org,
            customer=self.customer,
            lines=(("Check-up", "1", price),),
            issue_date=issued,
            payment_terms_id=self.terms.pk,
        )

    def pay(self, amount: str, on: date, allocations=None, **options) -> Payment:
        return payment_record(
            org=self.org,
            actor=self.tenant.owner.user,
            customer_id=self.customer.pk,
            amount=D(amount),
            currency=self.customer.currency,
            method="cheque",
            received_on=on,
            reference="Cheque 000123",
            allocations=allocations,
            **options,
        )

    def receipts(self) -> list[Message]:
        return list(
            Message.objects.filter(organization=self.org, kind=MessageKind.RECEIPT).order_by("pk")
        )


@pytest.fixture
def shop(tenant):
    return Shop(tenant)


def to(invoice: Invoice, amount: str) -> list[AllocationInput]:
    return [AllocationInput(invoice_id=invoice.pk, amount=D(amount))]


# ---- one thank-you per payment


@pytest.mark.django_db
def test_a_manual_payment_sends_one_receipt_with_the_pdf(
    shop, eager, django_capture_on_commit_callbacks
):
    invoice = shop.invoice("300.00")
    with django_capture_on_commit_callbacks(execute=True):
        payment = shop.pay("300.00", date(2027, 3, 20), to(invoice, "300.00"))
    (receipt,) = shop.receipts()
    assert (receipt.channel, receipt.status, receipt.payment_id) == (
        Channel.EMAIL,
        MessageStatus.SENT,
        payment.pk,
    )
    (email,) = mail.outbox
    assert email.to == ["maria@bright.test"]
    assert email.subject == f"Receipt for your payment to {shop.org.name}"
    assert "We received your payment of £300.00 on March 20, 2027. Thank you!" in email.body
    assert "Your receipt is attached. Your balance with us is now £0.00," in email.body
    assert "late" not in email.body.lower()
    ((name, content, mimetype),) = email.attachments
    assert (name, mimetype) == (f"receipt-2027-03-20-{payment.pk}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    # The statement link in it opens this customer's statement.
    link = next(word for word in email.body.split() if "/statement/" in word)
    resolved = statement_link_resolve(link.rstrip("/").rsplit("/", 1)[-1])
    assert resolved is not None and resolved.customer_id == shop.customer.pk


@pytest.mark.django_db
def test_the_balance_is_everything_the_customer_still_owes(
    shop, eager, django_capture_on_commit_callbacks
):
    first, second = shop.invoice("300.00"), shop.invoice("120.50")
    with django_capture_on_commit_callbacks(execute=True):
        shop.pay("100.00", date(2027, 3, 20), to(first, "100.00"))
    (email,) = mail.outbox
    assert "Your balance with us is now £320.50," in email.body
    assert second.pk  # both invoices count


@pytest.mark.django_db
def test_the_api_records_and_thanks(shop, eager, django_capture_on_commit_callbacks):
    invoice = shop.invoice("300.00")
    body = {
        "customer": shop.customer.pk,
        "amount": "300.00",
        "currency": "GBP",
        "method": "bank_transfer",
        "received_on": "2027-03-20",
        "allocations": [{"invoice": invoice.pk, "amount": "300.00"}],
    }
    api = shop.tenant.api()
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/payments/", body, content_type="application/json")
    assert created.status_code == 201
    assert [m.payment_id for m in shop.receipts()] == [created.json()["id"]]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_stripe_payment_thanks_the_customer(shop, eager, django_capture_on_commit_callbacks):
    invoice = shop.invoice("300.00")
    checkout = checkout_make(shop.org, shop.customer, [(invoice, "300.00")])
    session = session_object(checkout, payment_intent="pi_receipt_1")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(shop.org, event_make("checkout.session.completed", session))
    payment = Payment.objects.get(stripe_payment_intent="pi_receipt_1")
    assert [m.payment_id for m in shop.receipts()] == [payment.pk]
    (email,) = mail.outbox
    assert email.attachments[0][2] == "application/pdf"


@pytest.mark.django_db
def test_demo_data_and_imports_thank_nobody(shop, django_capture_on_commit_callbacks):
    invoice = shop.invoice("300.00")
    with django_capture_on_commit_callbacks() as callbacks:
        shop.pay("300.00", date(2027, 3, 20), to(invoice, "300.00"), notify=False)
    assert callbacks == []


@pytest.mark.django_db
def test_receipts_turned_off_send_nothing(shop, eager, django_capture_on_commit_callbacks):
    PaymentSettings.objects.create(organization=shop.org, send_receipts=False)
    invoice = shop.invoice("300.00")
    with django_capture_on_commit_callbacks(execute=True):
        shop.pay("300.00", date(2027, 3, 20), to(invoice, "300.00"))
    assert shop.receipts() == []
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_reversal_sends_no_second_receipt(shop, eager, django_capture_on_commit_callbacks):
    invoice = shop.invoice("300.00")
    with django_capture_on_commit_callbacks(execute=True):
        payment = shop.pay("300.00", date(2027, 3, 20), to(invoice, "300.00"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        payment_reverse(org=shop.org, actor=None, payment=payment, reason="cheque bounced")
    assert callbacks == []
    assert len(shop.receipts()) == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_payment_reversed_before_the_task_runs_is_not_thanked_for(
    shop, django_capture_on_commit_callbacks
):
    invoice = shop.invoice("300.00")
    with django_capture_on_commit_callbacks() as callbacks:
        payment = shop.pay("300.00", date(2027, 3, 20), to(invoice, "300.00"))
    assert len(callbacks) == 1  # the receipt task, not run yet
    payment_reverse(org=shop.org, actor=None, payment=payment, reason="cheque bounced")
    assert receipt_messages_queue(org=shop.org, payment_id=payment.pk) == []
    assert shop.receipts() == []


@pytest.mark.django_db
def test_the_task_delivered_twice_writes_one_receipt(shop, django_capture_on_commit_callbacks):
    invoice = shop.invoice("300.00")
    payment = shop.pay("300.00", date(2027, 3, 20), to(invoice, "300.00"))
    with django_capture_on_commit_callbacks():
        first = receipt_messages_queue(org=shop.org, payment_id=payment.pk)
        second = receipt_messages_queue(org=shop.org, payment_id=payment.pk)
    assert (len(first), second) == (1, [])
    assert receipt_messages_queue(org=shop.org, payment_id=0) == []


@pytest.mark.django_db
def test_a_customer_who_prefers_texts_gets_the_receipt_by_sms(
    tenant, eager, sms_outbox, django_capture_on_commit_callbacks
):
    shop = Shop(tenant, preferred="sms")
    sms_consent_record(
        org=shop.org,
        phone="+447911123456",
        method=ConsentMethod.OWNER_ATTESTED,
        customer_id=shop.customer.pk,
        recorded_by=tenant.owner.user,
    )
    invoice = shop.invoice("300.00")
    with django_capture_on_commit_callbacks(execute=True):
        shop.pay("300.00", date(2027, 3, 20), to(invoice, "300.00"))
    (receipt,) = shop.receipts()
    assert (receipt.channel, receipt.status) == (Channel.SMS, MessageStatus.SENT)
    assert mail.outbox == []
    (text,) = sms_outbox
    assert "Thank you Maria! We received £300.00 on Mar 20, 2027." in text.body


@pytest.mark.django_db
def test_a_spanish_speaking_customer_is_thanked_in_spanish(
    tenant, eager, django_capture_on_commit_callbacks
):
    shop = Shop(tenant, language="es")
    invoice = shop.invoice("300.00")
    with django_capture_on_commit_callbacks(execute=True):
        shop.pay("300.00", date(2027, 3, 20), to(invoice, "300.00"))
    (email,) = mail.outbox
    assert email.subject == f"Recibo de su pago a {shop.org.name}"
    assert "¡Muchas gracias!" in email.body


# ---- the PDF


@needs_poppler
@pytest.mark.django_db
def test_the_receipt_pdf_shows_the_payment_where_it_went_and_what_is_owed(shop):
    discounted = shop.invoice("500.00", issued=date(2027, 3, 15))
    partial = shop.invoice("400.00", issued=date(2027, 3, 16))
    payment = shop.pay(
        "1000.00",
        date(2027, 3, 20),
        [
            AllocationInput(invoice_id=discounted.pk, amount=D("490.00")),
            AllocationInput(invoice_id=partial.pk, amount=D("300.00")),
        ],
    )
    text = pdf_words(receipt_pdf(org=shop.org, payment=payment))
    assert "RECEIPT" in text.upper()
    assert shop.org.name in text
    assert "RECEIVED FROM Received on Mar 20, 2027 AMOUNT RECEIVED Bright Dental" in text
    assert "Method Cheque Reference Cheque 000123 £1,000.00" in text
    assert "Thank you for your payment." in text
    assert "EARLY-PAYMENT DISCOUNT AMOUNT APPLIED" in text
    assert f"{discounted.number} Mar 15, 2027 £10.00 £490.00" in text
    assert f"{partial.number} Mar 16, 2027 £300.00" in text
    assert "Amount received £1,000.00" in text
    assert "Applied to invoices £790.00" in text
    assert "Kept as credit on your account £210.00" in text
    # 100.00 still owed on the second invoice, less the 210.00 credit: nothing owed.
    assert "Your balance with us £0.00" in text
    assert "late" not in text.lower()


@needs_poppler
@pytest.mark.django_db
def test_late_fees_are_named_only_when_some_of_the_money_paid_them(shop):
    invoice = shop.invoice("1000.00")
    late_fees_apply(org=shop.org, day=date(2027, 4, 1))
    part = shop.pay("600.00", date(2027, 4, 3), to(invoice, "600.00"))
    assert "late" not in pdf_words(receipt_pdf(org=shop.org, payment=part)).lower()
    payment = shop.pay("415.00", date(2027, 4, 5), to(invoice, "415.00"))
    text = pdf_words(receipt_pdf(org=shop.org, payment=payment))
    assert f"{invoice.number} Mar 1, 2027 £415.00 Including £15.00 in late fees" in text
    assert "Your balance with us £0.00" in text


@needs_poppler
@pytest.mark.django_db
def test_the_receipt_pdf_in_spanish(tenant):
    shop = Shop(tenant, language="es")
    invoice = shop.invoice("300.00")
    payment = shop.pay("300.00", date(2027, 3, 20), to(invoice, "300.00"))
    text = pdf_words(receipt_pdf(org=shop.org, payment=payment))
    assert "RECIBO" in text.upper()
    assert "RECIBIDO DE" in text and "Bright Dental" in text
    assert "Gracias por su pago." in text
    assert "Su saldo con nosotros £0.00" in text


# ---- over real SMTP, by a real worker


def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


@needs_poppler
@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_receipt_reaches_the_mail_server_with_its_pdf(tenant, smtp, worker):
    shop = Shop(tenant)
    invoice = shop.invoice("300.00", issued=date(2027, 3, 15))
    payment = shop.pay("294.00", date(2027, 3, 20), to(invoice, "294.00"))  # committed: queued
    wait_for(lambda: len(smtp.messages) == 1)
    time.sleep(0.5)  # a second receipt would arrive now
    (received,) = smtp.messages
    assert received["To"] == "maria@bright.test"
    assert received["Subject"] == f"Receipt for your payment to {shop.org.name}"
    body = received.get_body(preferencelist=("plain",))
    assert body is not None
    assert "We received your payment of £294.00 on March 20, 2027." in body.get_content()
    (attachment,) = list(received.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"receipt-2027-03-20-{payment.pk}.pdf"
    text = pdf_words(attachment.get_content())
    assert "Amount received £294.00" in text
    assert f"{invoice.number} Mar 15, 2027 £6.00 £294.00" in text
    assert Message.objects.get(payment=payment).status == MessageStatus.SENT
