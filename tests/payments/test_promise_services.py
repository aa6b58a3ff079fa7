"""Promises to pay, the services: making one within the organization's limits (its own today),
what refuses one, keeping it on a full payment only, breaking it after the grace days and not
before, cancelling it with a reason, and the hourly sweep task."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from arhub.models import (
    AuditAction,
    AuditEvent,
    Message,
    MessageKind,
    Notice,
    NoticeKind,
    Organization,
)
from invoicing.credit_services import credit_note_create
from invoicing.invoice_input import NotInOrganization
from invoicing.invoice_services import invoice_void
from invoicing.models import Invoice, InvoiceStatus
from payments import tasks
from payments.models import (
    PaymentPlan,
    PaymentPlanInvoice,
    PaymentSettings,
    PlanOrigin,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)
from payments.promise_selectors import open_promises_by_invoice
from payments.promise_services import (
    promise_cancel,
    promise_make,
    promises_settle,
    promises_sweep,
)
from payments.tasks import promises_sweep_org_task
from tests.conftest import Tenant
from tests.payments.pay_page_helpers import customer_of, noon, pay_part, plain_invoice

pytestmark = pytest.mark.django_db

TODAY = date(2027, 3, 5)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(noon(TODAY), tick=False) as traveller:
        yield traveller


@pytest.fixture
def org(tenant: Tenant) -> Organization:
    return tenant.org


def promised(org: Organization, invoice: Invoice, day: date, **kwargs: object) -> PromiseToPay:
    return promise_make(org=org, invoice=invoice, promised_date=day, **kwargs)  # type: ignore[arg-type]


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# ---- making one


def test_a_promise_up_to_the_limit_is_made_for_the_whole_balance(org, clock):
    invoice = plain_invoice(org)
    pay_part(org, invoice, "100.00")
    # 30 days by default: March 5 + 30 = April 4.
    promise = promised(org, invoice, date(2027, 4, 4), note="  Paid on the 1st of the month  ")
    assert promise.status == PromiseStatus.OPEN
    assert (promise.amount, promise.currency) == (Decimal("200.00"), "GBP")
    assert promise.customer_id == invoice.customer_id
    assert promise.note == "Paid on the 1st of the month"
    assert open_promises_by_invoice(org=org, invoice_ids=[invoice.pk]) == {invoice.pk: promise}


def test_one_day_past_the_limit_is_refused_naming_the_last_date(org, clock):
    invoice = plain_invoice(org)
    with pytest.raises(ValidationError) as excinfo:
        promised(org, invoice, date(2027, 4, 5))
    assert errors_of(excinfo) == {
        "promised_date": [
            "A promise may be at most 30 days ahead: the last allowed date is 4 April 2027."
        ]
    }
    assert not PromiseToPay.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.PROMISE_MADE).exists()


def test_the_limit_is_the_organizations_own(org, clock):
    PaymentSettings.objects.create(organization=org, promise_max_days=7)
    invoice = plain_invoice(org)
    with pytest.raises(ValidationError, match="last allowed date is 12 March 2027"):
        promised(org, invoice, date(2027, 3, 13))
    assert promised(org, invoice, date(2027, 3, 12)).promised_date == date(2027, 3, 12)


def test_today_is_allowed_and_yesterday_is_not(org, clock):
    invoice = plain_invoice(org)
    with pytest.raises(ValidationError) as excinfo:
        promised(org, invoice, date(2027, 3, 4))
    assert errors_of(excinfo)["promised_date"] == [
        "The promised date cannot be in the past; the earliest is 5 March 2027."
    ]
    assert promised(org, invoice, TODAY).promised_date == TODAY


def test_today_is_the_organizations_today(org, clock):
    # Noon in London is 1 a.m. the next day in Auckland.
    org.timezone = "Pacific/Auckland"
    org.save()
    invoice = plain_invoice(org)
    with pytest.raises(ValidationError, match="earliest is 6 March 2027"):
        promised(org, invoice, TODAY)
    assert promised(org, invoice, date(2027, 4, 5)).promised_date == date(2027, 4, 5)


def test_the_customers_promise_tells_the_owner_and_thanks_the_customer(org, clock):
    invoice = plain_invoice(org)
    promise = promised(org, invoice, date(2027, 3, 20))
    event = AuditEvent.objects.get(action=AuditAction.PROMISE_MADE)
    assert event.actor is None
    assert event.summary == (
        f"Promise to pay £300.00 on {invoice.number} by 20 March 2027, on the pay page"
    )
    assert event.data["promise"] == promise.pk
    notice = Notice.objects.get(organization=org)
    assert notice.kind == NoticeKind.PROMISE_MADE
    assert notice.path == reverse("invoice_detail", args=[invoice.pk])
    assert invoice.number in notice.summary and "20 March 2027" in notice.summary
    message = Message.objects.get(invoice=invoice, kind=MessageKind.OTHER)
    assert message.recipient == "payer@example.test"
    assert message.subject == f"Thank you: invoice {invoice.number} by March 20, 2027"
    assert "you will pay invoice" in message.body_text and "March 20, 2027" in message.body_text
    assert "/pay/" in message.body_text


def test_a_spanish_customer_is_thanked_in_spanish(org, clock):
    invoice = plain_invoice(org, customer=customer_of(org, language="es"))
    promised(org, invoice, date(2027, 3, 20))
    message = Message.objects.get(invoice=invoice, kind=MessageKind.OTHER)
    assert (
        message.subject == f"Gracias: factura {invoice.number} a más tardar el 20 de marzo de 2027"
    )


def test_an_owner_records_one_on_the_customers_word_without_a_notice(org, tenant, clock):
    PaymentSettings.objects.create(organization=org, promises_enabled=False)
    invoice = plain_invoice(org)
    promise = promised(org, invoice, date(2027, 3, 20), actor=tenant.owner.user)
    assert promise.created_by == tenant.owner.user
    assert not Notice.objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.PROMISE_MADE)
    assert event.actor == tenant.owner.user and "recorded by" in event.summary


def test_customers_cannot_promise_when_the_business_turned_promises_off(org, clock):
    PaymentSettings.objects.create(organization=org, promises_enabled=False)
    with pytest.raises(ValidationError) as excinfo:
        promised(org, plain_invoice(org), date(2027, 3, 20))
    assert errors_of(excinfo) == {
        "invoice": ["Promises to pay are turned off in Settings → Payments."]
    }


def test_a_paid_or_void_invoice_takes_no_promise(org, clock):
    paid = plain_invoice(org)
    pay_part(org, paid, "300.00")
    void = invoice_void(org=org, actor=None, invoice=plain_invoice(org), reason="duplicate")
    for invoice in (paid, void):
        with pytest.raises(ValidationError) as excinfo:
            promised(org, invoice, date(2027, 3, 20))
        assert errors_of(excinfo) == {
            "invoice": [f"{invoice.number} has nothing left to pay, so it takes no promise."]
        }
    assert not PromiseToPay.objects.exists()


@pytest.mark.parametrize("plan_status", [PlanStatus.PROPOSED, PlanStatus.ACTIVE])
def test_an_invoice_in_a_live_plan_takes_no_promise(org, clock, plan_status):
    invoice = plain_invoice(org)
    plan = PaymentPlan.objects.create(
        organization=org,
        customer=invoice.customer,
        currency="GBP",
        total=invoice.balance_due,
        status=plan_status,
        origin=PlanOrigin.CUSTOMER,
    )
    PaymentPlanInvoice.objects.create(
        organization=org, plan=plan, invoice=invoice, balance_at_start=invoice.balance_due
    )
    with pytest.raises(ValidationError, match="is in a payment plan"):
        promised(org, invoice, date(2027, 3, 20))
    # An ended plan holds nothing.
    plan.status = PlanStatus.BROKEN
    plan.save()
    assert promised(org, invoice, date(2027, 3, 20)).status == PromiseStatus.OPEN


def test_a_second_open_promise_is_refused_naming_the_first(org, tenant, clock):
    invoice = plain_invoice(org)
    promised(org, invoice, date(2027, 3, 20))
    with pytest.raises(ValidationError) as excinfo:
        promised(org, invoice, date(2027, 3, 25), actor=tenant.owner.user)
    assert errors_of(excinfo) == {
        "invoice": [
            f"{invoice.number} already has a promise to pay by 20 March 2027; cancel it first "
            "to record another."
        ]
    }
    assert PromiseToPay.objects.count() == 1


def test_bad_date_and_bad_invoice_are_told_together(org, clock):
    invoice = plain_invoice(org)
    pay_part(org, invoice, "300.00")
    with pytest.raises(ValidationError) as excinfo:
        promised(org, invoice, date(2028, 1, 1), note="x" * 1001)
    assert set(errors_of(excinfo)) == {"invoice", "promised_date", "note"}


def test_another_organizations_invoice_is_not_found(org, other_tenant, clock):
    theirs = plain_invoice(other_tenant.org)
    with pytest.raises(NotInOrganization):
        promised(org, theirs, date(2027, 3, 20))
    assert not PromiseToPay.objects.exists()


# ---- kept


def test_a_full_payment_keeps_the_promise(org, clock):
    invoice = plain_invoice(org)
    promise = promised(org, invoice, date(2027, 3, 20))
    pay_part(org, invoice, "300.00")
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.KEPT
    assert promise.kept_at is not None
    event = AuditEvent.objects.get(action=AuditAction.PROMISE_KEPT)
    assert event.summary == f"Promise to pay {invoice.number} by 20 March 2027 kept"
    assert open_promises_by_invoice(org=org, invoice_ids=[invoice.pk]) == {}


def test_a_part_payment_does_not_keep_it(org, clock):
    invoice = plain_invoice(org)
    promise = promised(org, invoice, date(2027, 3, 20))
    pay_part(org, invoice, "299.99")
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.OPEN
    assert not AuditEvent.objects.filter(action=AuditAction.PROMISE_KEPT).exists()
    promises_settle(org=org, invoice_ids=[invoice.pk])
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.OPEN


def test_the_sweep_keeps_one_paid_off_by_a_credit_note(org, clock):
    invoice = plain_invoice(org)
    promise = promised(org, invoice, date(2027, 3, 20))
    credit_note_create(
        org=org, actor=None, invoice=invoice, amount=Decimal("300.00"), reason="Goodwill"
    )
    assert promises_sweep(org=org) == []
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.KEPT


def test_the_sweep_ends_the_promise_of_a_voided_invoice(org, clock):
    invoice = plain_invoice(org)
    promise = promised(org, invoice, date(2027, 3, 20))
    invoice_void(org=org, actor=None, invoice=invoice, reason="issued in error")
    assert promises_sweep(org=org) == []
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.CANCELLED and promise.cancelled_at is not None


# ---- broken


def test_broken_after_the_grace_days_and_not_before(org, clock):
    invoice = plain_invoice(org)
    promise = promised(org, invoice, date(2027, 3, 10))
    Notice.objects.all().delete()
    # Three grace days by default: the 11th, 12th and 13th.
    clock.move_to(noon(date(2027, 3, 13)))
    assert promises_sweep(org=org) == []
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.OPEN
    clock.move_to(noon(date(2027, 3, 14)))
    assert promises_sweep(org=org) == [promise]
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.BROKEN and promise.broken_at is not None
    event = AuditEvent.objects.get(action=AuditAction.PROMISE_BROKEN)
    assert event.summary == (
        f"Promise to pay {invoice.number} by 10 March 2027 broken: £300.00 still owed"
    )
    notice = Notice.objects.get()
    assert notice.kind == NoticeKind.PROMISE_BROKEN
    assert notice.path == reverse("invoice_detail", args=[invoice.pk])
    # The hold on reminders is gone; a second sweep breaks nothing again.
    assert open_promises_by_invoice(org=org, invoice_ids=[invoice.pk]) == {}
    assert promises_sweep(org=org) == []


def test_the_grace_days_are_the_organizations(org, clock):
    PaymentSettings.objects.create(organization=org, promise_grace_days=0)
    promise = promised(org, plain_invoice(org), date(2027, 3, 10))
    assert promises_sweep(org=org, today=date(2027, 3, 10)) == []
    assert promises_sweep(org=org, today=date(2027, 3, 11)) == [promise]


def test_a_part_payment_does_not_save_it_from_breaking(org, clock):
    invoice = plain_invoice(org)
    promise = promised(org, invoice, date(2027, 3, 10))
    pay_part(org, invoice, "100.00")
    assert promises_sweep(org=org, today=date(2027, 3, 14)) == [promise]
    assert "£200.00 still owed" in AuditEvent.objects.get(action=AuditAction.PROMISE_BROKEN).summary


def test_a_broken_promise_stops_the_customer_not_the_owner(org, tenant, clock):
    invoice = plain_invoice(org)
    promised(org, invoice, date(2027, 3, 10))
    promises_sweep(org=org, today=date(2027, 3, 14))
    with pytest.raises(ValidationError, match="was broken before"):
        promised(org, invoice, date(2027, 3, 20))
    assert promised(org, invoice, date(2027, 3, 20), actor=tenant.owner.user).status == "open"


def test_the_sweep_task_judges_one_organization(org, other_tenant, clock):
    mine = promised(org, plain_invoice(org), date(2027, 3, 5))
    theirs = promised(other_tenant.org, plain_invoice(other_tenant.org), date(2027, 3, 5))
    clock.move_to(noon(date(2027, 3, 9)))
    assert promises_sweep_org_task(org.pk) == 1
    assert promises_sweep_org_task(987654321) == 0
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == (PromiseStatus.BROKEN, PromiseStatus.OPEN)


# ---- cancelled


def test_the_owner_cancels_with_a_reason(org, tenant, clock):
    invoice = plain_invoice(org)
    promise = promised(org, invoice, date(2027, 3, 20))
    owner = tenant.owner.user
    with pytest.raises(ValidationError) as excinfo:
        promise_cancel(org=org, actor=owner, promise=promise, reason="  ")
    assert errors_of(excinfo) == {"reason": ["Say why the promise is cancelled."]}
    done = promise_cancel(org=org, actor=owner, promise=promise, reason="Asked for a plan")
    assert done.status == PromiseStatus.CANCELLED and done.cancelled_at is not None
    event = AuditEvent.objects.get(action=AuditAction.PROMISE_CANCELLED)
    assert event.actor == owner
    assert event.data["reason"] == "Asked for a plan"
    assert event.summary.endswith(": Asked for a plan")
    with pytest.raises(ValidationError) as excinfo:
        promise_cancel(org=org, actor=owner, promise=promise, reason="again")
    assert errors_of(excinfo) == {"status": ["This promise is already cancelled."]}
    # Cancelled, the invoice can take a new one.
    assert promised(org, invoice, date(2027, 3, 25)).status == PromiseStatus.OPEN


def test_invoice_status_after_keeping_is_paid(org, clock):
    invoice = plain_invoice(org)
    promised(org, invoice, date(2027, 3, 20))
    pay_part(org, invoice, "300.00")
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID


def test_the_hourly_task_queues_one_sweep_per_organization_with_an_open_promise(
    org, other_tenant, clock, monkeypatch
):
    promised(org, plain_invoice(org), date(2027, 3, 20))
    promised(org, plain_invoice(org), date(2027, 3, 21))
    kept = promised(other_tenant.org, plain_invoice(other_tenant.org), date(2027, 3, 20))
    pay_part(other_tenant.org, kept.invoice, "300.00")
    queued: list[int] = []
    monkeypatch.setattr(tasks.promises_sweep_org_task, "delay", queued.append)
    assert tasks.promises_sweep_task() == 1
    assert queued == [org.pk]
