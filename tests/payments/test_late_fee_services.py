"""Charging late fees (``late_fees_apply``) and waiving them (``late_fee_waive``): once per
period under row locks, missed periods caught up with their own dates, the org switch, the
waiver restoring the balance and leaving an audit row; the daily sweep through a real worker;
the waive API and the invoice page's fee list and form."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from arhub.models import AuditAction, AuditEvent
from arhub.roles import Role
from invoicing.invoice_input import NotInOrganization
from invoicing.invoice_services import invoice_void
from invoicing.models import Invoice, InvoiceStatus, LateFee
from invoicing.pdf import invoice_pdf
from invoicing.pdf_context import invoice_document
from invoicing.terms import Terms
from payments.late_fee_services import LateFeeStateError, late_fee_waive, late_fees_apply
from payments.models import (
    PaymentPlan,
    PaymentPlanInvoice,
    PaymentSettings,
    PlanOrigin,
    PlanStatus,
)
from payments.services import AllocationInput, payment_record
from payments.tasks import late_fees_sweep
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import PaymentTermsFactory, invoice_make
from tests.invoicing.pdf_helpers import needs_poppler, pdf_words
from tests.payments.factories import open_invoices_bulk

D = Decimal
ISSUED = date(2027, 3, 1)  # due 31 March on net 30; the first overdue day is 1 April


def terms_for(org, **fields):
    fields = {"late_fee_kind": "percent", "late_fee_percent": D("1.5"), **fields}
    return PaymentTermsFactory(organization=org, days=30, **fields)


def overdue_invoice(org, price="1200.00", customer=None, **terms) -> Invoice:
    return invoice_make(
        org,
        customer=customer,
        lines=(("Work", "1", price),),
        issue_date=ISSUED,
        payment_terms_id=terms_for(org, **terms).pk,
    )


def fresh(invoice: Invoice) -> Invoice:
    return Invoice.objects.get(pk=invoice.pk)


def fees_of(invoice: Invoice) -> list[tuple[date, date, Decimal, bool]]:
    return [
        (fee.period_start, fee.charged_on, fee.amount, fee.is_waived)
        for fee in LateFee.objects.filter(invoice=invoice).order_by("period_start")
    ]


# ---- charging


@pytest.mark.django_db
def test_an_overdue_invoice_is_charged_the_day_after_its_due_date(tenant):
    invoice = overdue_invoice(tenant.org)
    assert late_fees_apply(org=tenant.org, day=date(2027, 3, 31)) == []
    (fee,) = late_fees_apply(org=tenant.org, day=date(2027, 4, 1))
    assert (fee.amount, fee.basis, fee.charged_on) == (D("18.00"), D("1200.00"), date(2027, 4, 1))
    assert fee.rule == "1.5% of £1,200.00 unpaid, for April 2027"
    invoice = fresh(invoice)
    assert (invoice.fees_total, invoice.balance_due, invoice.status) == (
        D("18.00"),
        D("1218.00"),
        InvoiceStatus.OPEN,
    )


@pytest.mark.django_db
def test_the_organizations_today_is_the_day(tenant):
    tenant.org.timezone = "Pacific/Auckland"
    tenant.org.save()
    overdue_invoice(tenant.org)
    # 31 March at 13:00 UTC is already 1 April in Auckland.
    with time_machine.travel(datetime(2027, 3, 31, 13, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        assert [fee.period_start for fee in late_fees_apply(org=tenant.org)] == [date(2027, 4, 1)]


@pytest.mark.django_db
def test_running_twice_a_day_or_again_later_charges_each_period_once(tenant):
    invoice = overdue_invoice(tenant.org)
    late_fees_apply(org=tenant.org, day=date(2027, 4, 1))
    assert late_fees_apply(org=tenant.org, day=date(2027, 4, 1)) == []
    assert late_fees_apply(org=tenant.org, day=date(2027, 4, 20)) == []
    assert len(late_fees_apply(org=tenant.org, day=date(2027, 5, 2))) == 1
    assert fees_of(invoice) == [
        (date(2027, 4, 1), date(2027, 4, 1), D("18.00"), False),
        (date(2027, 5, 1), date(2027, 5, 1), D("18.00"), False),
    ]
    assert fresh(invoice).fees_total == D("36.00")


@pytest.mark.django_db
def test_after_an_outage_of_months_each_missed_period_is_charged_once_with_its_own_date(tenant):
    invoice = overdue_invoice(tenant.org)
    charged = late_fees_apply(org=tenant.org, day=date(2027, 7, 15))
    assert [(fee.period_start, fee.charged_on) for fee in charged] == [
        (date(2027, 4, 1), date(2027, 4, 1)),
        (date(2027, 5, 1), date(2027, 5, 1)),
        (date(2027, 6, 1), date(2027, 6, 1)),
        (date(2027, 7, 1), date(2027, 7, 1)),
    ]
    assert fresh(invoice).balance_due == D("1272.00")
    assert late_fees_apply(org=tenant.org, day=date(2027, 7, 15)) == []


@pytest.mark.django_db
def test_a_flat_fee_after_grace_and_a_capped_compounding_one(tenant):
    customer = CustomerFactory(organization=tenant.org)
    flat = overdue_invoice(
        tenant.org,
        customer=customer,
        late_fee_kind="flat",
        late_fee_amount=D("25.00"),
        late_fee_percent=None,
        late_fee_grace_days=10,
    )
    capped = overdue_invoice(
        tenant.org, customer=customer, late_fee_compound=True, late_fee_cap_percent=D(3)
    )
    assert late_fees_apply(org=tenant.org, day=date(2027, 4, 10)) != []  # only the capped one
    assert fees_of(flat) == []
    late_fees_apply(org=tenant.org, day=date(2027, 12, 1))
    assert [amount for _, _, amount, _ in fees_of(flat)] == [D("25.00")]
    # 3% of 1,200.00 caps them at 36.00: May's 18.27 (on 1,218.00) is cut to 18.00.
    assert [amount for _, _, amount, _ in fees_of(capped)] == [D("18.00"), D("18.00")]
    assert fresh(capped).fees_total == D("36.00")
    assert LateFee.objects.get(invoice=capped, period_start=date(2027, 5, 1)).rule == (
        "1.5% of £1,218.00 unpaid (earlier fees included), for May 2027 "
        "(capped at 3% of the invoice)"
    )


@pytest.mark.django_db
def test_only_outstanding_invoices_with_a_fee_in_their_terms_are_charged(tenant, other_tenant):
    customer = CustomerFactory(organization=tenant.org)
    paid = overdue_invoice(tenant.org, customer=customer)
    payment_record(
        org=tenant.org,
        actor=None,
        customer_id=customer.pk,
        amount=D("1200.00"),
        currency=customer.currency,
        method="cash",
        received_on=date(2027, 3, 20),
        allocations=[AllocationInput(invoice_id=paid.pk, amount=D("1200.00"))],
        notify=False,
    )
    void = overdue_invoice(tenant.org, customer=customer)
    invoice_void(org=tenant.org, actor=None, invoice=void, reason="sent twice")
    no_fee = invoice_make(tenant.org, customer=customer, issue_date=ISSUED)
    draft = invoice_make(tenant.org, customer=customer, issue=False)
    theirs = overdue_invoice(other_tenant.org)
    assert late_fees_apply(org=tenant.org, day=date(2027, 9, 1)) == []
    for invoice in (paid, void, no_fee, draft, theirs):
        assert fees_of(invoice) == []


@pytest.mark.django_db
def test_a_partly_paid_invoice_is_charged_on_what_is_unpaid(tenant):
    invoice = overdue_invoice(tenant.org)
    payment_record(
        org=tenant.org,
        actor=None,
        customer_id=invoice.customer_id,
        amount=D("200.00"),
        currency=invoice.currency,
        method="cash",
        received_on=date(2027, 3, 20),
        notify=False,
    )
    (fee,) = late_fees_apply(org=tenant.org, day=date(2027, 4, 1))
    assert (fee.basis, fee.amount) == (D("1000.00"), D("15.00"))
    invoice = fresh(invoice)
    assert (invoice.status, invoice.balance_due) == (InvoiceStatus.PARTIALLY_PAID, D("1015.00"))


@pytest.mark.django_db
def test_nothing_is_charged_when_the_organization_turned_fees_off(tenant, other_tenant):
    mine, theirs = overdue_invoice(tenant.org), overdue_invoice(other_tenant.org)
    PaymentSettings.objects.create(organization=tenant.org, late_fees_enabled=False)
    assert late_fees_apply(org=tenant.org, day=date(2027, 5, 1)) == []
    assert len(late_fees_apply(org=other_tenant.org, day=date(2027, 5, 1))) == 2
    assert fees_of(mine) == []
    assert len(fees_of(theirs)) == 2


def _charge_queries(tenant, count: int) -> int:
    customer = CustomerFactory(organization=tenant.org)
    invoices = open_invoices_bulk(tenant.org, customer, count, first_due=date(2027, 3, 1))
    terms = Terms(late_fee_kind="percent", late_fee_percent=D(2)).to_json()
    Invoice.objects.filter(pk__in=[i.pk for i in invoices]).update(
        terms=terms, due_date=date(2027, 3, 1)
    )
    with CaptureQueriesContext(connection) as queries:
        charged = late_fees_apply(org=tenant.org, day=date(2027, 6, 1))
    assert len(charged) == count * 3  # 2 March, 2 April, 2 May
    LateFee.objects.all().delete()
    Invoice.objects.filter(pk__in=[i.pk for i in invoices]).delete()
    return len(queries)


@pytest.mark.django_db
def test_the_sweep_takes_the_same_queries_for_5_or_150_invoices(tenant):
    few = _charge_queries(tenant, 5)
    many = _charge_queries(tenant, 150)
    assert few == many
    assert few <= 8


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_charge_each_period_once(tenant):
    invoices = [overdue_invoice(tenant.org) for _ in range(3)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait()
            late_fees_apply(org=tenant.org, day=date(2027, 6, 15))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for invoice in invoices:
        assert len(fees_of(invoice)) == 3
        assert fresh(invoice).fees_total == D("54.00")


# ---- waiving


@pytest.fixture
def charged(tenant):
    invoice = overdue_invoice(tenant.org)
    late_fees_apply(org=tenant.org, day=date(2027, 5, 1))
    return invoice, list(LateFee.objects.filter(invoice=invoice).order_by("period_start"))


@pytest.mark.django_db
def test_waiving_restores_the_balance_and_is_audited(tenant, charged):
    invoice, (april, _may) = charged
    owner = tenant.owner.user
    late_fee_waive(org=tenant.org, actor=owner, fee=april, reason="  first time, as a courtesy ")
    april.refresh_from_db()
    assert (april.is_waived, april.waive_reason, april.waived_by) == (
        True,
        "first time, as a courtesy",
        owner,
    )
    invoice = fresh(invoice)
    assert (invoice.fees_total, invoice.balance_due) == (D("18.00"), D("1218.00"))
    event = AuditEvent.objects.get(action=AuditAction.LATE_FEE_WAIVED)
    assert (event.organization_id, event.actor_id) == (tenant.org.pk, owner.pk)
    assert event.data["fee"] == april.pk
    assert "first time, as a courtesy" in event.summary
    # The period stays charged: the sweep does not charge it again.
    assert late_fees_apply(org=tenant.org, day=date(2027, 5, 20)) == []


@pytest.mark.django_db
def test_a_waiver_needs_a_reason_and_happens_once(tenant, charged):
    invoice, (april, _) = charged
    with pytest.raises(ValidationError) as blank:
        late_fee_waive(org=tenant.org, actor=None, fee=april, reason="   ")
    assert "reason" in blank.value.message_dict
    assert not LateFee.objects.get(pk=april.pk).is_waived
    late_fee_waive(org=tenant.org, actor=None, fee=april, reason="courtesy")
    with pytest.raises(LateFeeStateError):
        late_fee_waive(org=tenant.org, actor=None, fee=april, reason="again")
    assert fresh(invoice).fees_total == D("18.00")


@pytest.mark.django_db
def test_a_fee_already_paid_is_not_waived(tenant, charged):
    invoice, (_april, may) = charged
    payment_record(
        org=tenant.org,
        actor=None,
        customer_id=invoice.customer_id,
        amount=D("1236.00"),
        currency=invoice.currency,
        method="cash",
        received_on=date(2027, 5, 2),
        notify=False,
    )
    assert fresh(invoice).status == InvoiceStatus.PAID
    with pytest.raises(LateFeeStateError):
        late_fee_waive(org=tenant.org, actor=None, fee=may, reason="courtesy")


@pytest.mark.django_db
def test_waiving_the_last_fee_owed_closes_the_invoice(tenant, charged):
    invoice, (_april, may) = charged
    payment_record(
        org=tenant.org,
        actor=None,
        customer_id=invoice.customer_id,
        amount=D("1218.00"),
        currency=invoice.currency,
        method="cash",
        received_on=date(2027, 5, 2),
        notify=False,
    )
    late_fee_waive(org=tenant.org, actor=None, fee=may, reason="paid the rest at once")
    invoice = fresh(invoice)
    assert (invoice.status, invoice.balance_due) == (InvoiceStatus.PAID, D(0))


@pytest.mark.django_db
def test_another_organizations_fee_cannot_be_waived(tenant, other_tenant, charged):
    _, (april, _) = charged
    with pytest.raises(NotInOrganization):
        late_fee_waive(org=other_tenant.org, actor=None, fee=april, reason="courtesy")
    assert not LateFee.objects.get(pk=april.pk).is_waived


# ---- the daily sweep, through a real worker


def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_daily_sweep_charges_each_organization_with_fees_on(tenant, other_tenant, worker):
    mine = overdue_invoice(tenant.org)
    theirs = overdue_invoice(other_tenant.org)
    PaymentSettings.objects.create(organization=other_tenant.org, late_fees_enabled=False)
    with time_machine.travel(datetime(2027, 4, 2, 9, 0, tzinfo=ZoneInfo("UTC"))):
        queued = late_fees_sweep.delay().get(timeout=30)
        assert queued >= 1
        wait_for(lambda: fresh(mine).fees_total == D("18.00"))
    time.sleep(0.5)  # give a wrong charge its chance
    assert fees_of(theirs) == []
    assert len(fees_of(mine)) == 1


# ---- the API


@pytest.mark.django_db
def test_the_api_lists_and_waives_a_fee(tenant, charged):
    invoice, (april, _) = charged
    api = tenant.api()
    listed = api.get(f"/api/v1/invoices/{invoice.pk}/late-fees/").json()
    assert [(row["period_start"], row["amount"], row["waived_at"]) for row in listed] == [
        ("2027-04-01", "18.00", None),
        ("2027-05-01", "18.00", None),
    ]
    assert listed[0]["rule"] == "1.5% of £1,200.00 unpaid, for April 2027"
    url = f"/api/v1/invoices/{invoice.pk}/late-fees/{april.pk}/waive/"
    refused = api.post(url, {}, content_type="application/json")
    assert refused.status_code == 400
    assert "reason" in refused.json()
    done = api.post(url, {"reason": "courtesy"}, content_type="application/json")
    assert done.status_code == 200, done.json()
    assert (done.json()["waive_reason"], done.json()["waived_at"] is not None) == ("courtesy", True)
    shown = api.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert (shown["fees_total"], shown["balance_due"]) == ("18.00", "1218.00")
    again = api.post(url, {"reason": "courtesy"}, content_type="application/json")
    assert again.status_code == 400 and "fee" in again.json()


@pytest.mark.django_db
def test_the_api_hides_other_fees_and_refuses_read_only_roles(tenant, other_tenant, charged):
    invoice, (april, _may) = charged
    other = overdue_invoice(tenant.org)
    theirs = tenant.api()
    outsider = other_tenant.api()
    url = f"/api/v1/invoices/{invoice.pk}/late-fees/{april.pk}/waive/"
    body = {"reason": "courtesy"}
    assert outsider.post(url, body, content_type="application/json").status_code == 404
    assert outsider.get(f"/api/v1/invoices/{invoice.pk}/late-fees/").status_code == 404
    wrong_invoice = f"/api/v1/invoices/{other.pk}/late-fees/{april.pk}/waive/"
    assert theirs.post(wrong_invoice, body, content_type="application/json").status_code == 404
    viewer = tenant.api(Role.VIEWER)
    assert viewer.post(url, body, content_type="application/json").status_code == 403
    assert viewer.get(f"/api/v1/invoices/{invoice.pk}/late-fees/").status_code == 200
    assert not LateFee.objects.filter(waived_at__isnull=False).exists()


# ---- the invoice page


@pytest.mark.django_db
def test_the_invoice_page_lists_fees_and_offers_waiving_to_those_who_may(tenant, charged):
    invoice, (april, may) = charged
    late_fee_waive(org=tenant.org, actor=None, fee=april, reason="first time, as a courtesy")
    page = tenant.client().get(f"/invoices/{invoice.pk}/").content.decode()
    assert "Late fees" in page
    assert "1.5% of £1,200.00 unpaid, for May 2027" in page
    assert "<del>1.5% of £1,200.00 unpaid, for April 2027</del>" in page
    assert "first time, as a courtesy" in page
    waive_url = f"/invoices/{invoice.pk}/late-fees/{may.pk}/waive/"
    assert waive_url in page
    assert f"/invoices/{invoice.pk}/late-fees/{april.pk}/waive/" not in page  # already waived
    read_only = tenant.client(Role.VIEWER).get(f"/invoices/{invoice.pk}/").content.decode()
    assert "unpaid, for May 2027" in read_only
    assert waive_url not in read_only


@pytest.mark.django_db
def test_the_waive_form_waives_or_says_why_not(tenant, other_tenant, charged):
    invoice, (april, may) = charged
    url = f"/invoices/{invoice.pk}/late-fees/{april.pk}/waive/"
    client = tenant.client()
    blank = client.post(url, {"reason": ""}, follow=True)
    assert "Say why the fee is waived" in blank.content.decode()
    assert not LateFee.objects.get(pk=april.pk).is_waived
    done = client.post(url, {"reason": "courtesy"})
    assert done.status_code == 302 and done["Location"].endswith("#late-fees")
    assert LateFee.objects.get(pk=april.pk).is_waived
    assert (
        other_tenant.client()
        .post(f"/invoices/{invoice.pk}/late-fees/{may.pk}/waive/", {"reason": "x"})
        .status_code
        == 404
    )
    assert (
        tenant.client(Role.VIEWER)
        .post(f"/invoices/{invoice.pk}/late-fees/{may.pk}/waive/", {"reason": "x"})
        .status_code
        == 403
    )
    assert not LateFee.objects.get(pk=may.pk).is_waived


# ---- the invoice PDF


@needs_poppler
@pytest.mark.django_db
def test_the_invoice_pdf_lists_the_fees_owed_after_the_totals(tenant, charged):
    invoice, (april, _may) = charged
    late_fee_waive(org=tenant.org, actor=None, fee=april, reason="courtesy")
    invoice = fresh(invoice)
    text = pdf_words(invoice_pdf(org=tenant.org, invoice=invoice))
    assert "Total £1,200.00" in text
    assert "Late fee, May 1, 2027 £18.00 1.5% of £1,200.00 unpaid, for May 2027" in text
    assert "for April 2027" not in text  # waived: no longer owed
    assert "Balance due £1,218.00" in text
    # The same rows are in the document the pay page reads.
    document = invoice_document(org=tenant.org, invoice=invoice)
    assert [(row.charged_on, row.amount) for row in document.fees] == [("May 1, 2027", "£18.00")]


@needs_poppler
@pytest.mark.django_db
def test_the_invoice_pdf_names_fees_in_spanish(tenant):
    customer = CustomerFactory(organization=tenant.org, language="es")
    invoice = overdue_invoice(tenant.org, customer=customer)
    late_fees_apply(org=tenant.org, day=date(2027, 4, 1))
    text = pdf_words(invoice_pdf(org=tenant.org, invoice=fresh(invoice)))
    # The rule in the customer's words; dates and amounts as the rest of the PDF writes them.
    assert "Recargo por mora, Apr 1, 2027 £18.00" in text
    assert "1,5% de 1.200,00 GBP pendientes, por abril de 2027" in text
    assert "Saldo pendiente £1,218.00" in text


def _on_active_plan(invoice: Invoice) -> PaymentPlanInvoice:
    plan = PaymentPlan.objects.create(
        organization=invoice.organization,
        customer=invoice.customer,
        currency=invoice.currency,
        total=invoice.balance_due,
        status=PlanStatus.ACTIVE,
        origin=PlanOrigin.CUSTOMER,
    )
    return PaymentPlanInvoice.objects.create(
        organization=invoice.organization,
        plan=plan,
        invoice=invoice,
        balance_at_start=invoice.balance_due,
    )


@pytest.mark.django_db
def test_no_fee_while_an_active_plan_covers_the_invoice_and_its_terms_again_once_it_breaks(
    tenant,
):
    invoice = overdue_invoice(tenant.org)
    other = overdue_invoice(tenant.org)
    link = _on_active_plan(invoice)
    # The invoice beside it, on no plan, is charged as usual.
    assert [fee.invoice_id for fee in late_fees_apply(org=tenant.org, day=date(2027, 4, 1))] == [
        other.pk
    ]
    assert fees_of(invoice) == []

    PaymentPlan.objects.filter(pk=link.plan_id).update(status=PlanStatus.BROKEN)
    PaymentPlanInvoice.objects.filter(pk=link.pk).update(released_at=timezone.now())
    late_fees_apply(org=tenant.org, day=date(2027, 5, 2))
    assert [(start, charged) for start, charged, _, _ in fees_of(invoice)] == [
        (date(2027, 4, 1), date(2027, 4, 1)),
        (date(2027, 5, 1), date(2027, 5, 1)),
    ]
