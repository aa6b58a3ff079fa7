"""Applying Stripe's payment events: a payment only when Stripe says it is paid, one per
PaymentIntent whatever mix and order of events, the amount actually paid on our checkout's
invoices, and everything doubtful quarantined with a reason instead of applied."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from invoicing.models import Invoice, InvoiceStatus
from payments.models import (
    CheckoutStatus,
    Payment,
    PaymentMethod,
    StripeEvent,
    StripeEventStatus,
)
from payments.services import AllocationInput
from payments.stripe_events import stripe_event_apply, stripe_events_requeue_stale
from payments.tasks import stripe_event_apply_task
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.payments.factories import payment_make
from tests.payments.stripe_webhook_helpers import (
    checkout_make,
    checkout_metadata,
    deliver,
    event_make,
    intent_object,
    session_object,
    store,
    stripe_connect,
    success_events,
)

pytestmark = pytest.mark.django_db


class Shop:
    """One customer with two open invoices (100.00 due first, then 50.00) and a checkout for
    both, in an organization connected to Stripe in test mode."""

    def __init__(self, tenant, *, currency: str = "GBP", prices=("100.00", "50.00")):
        self.org = tenant.org
        stripe_connect(self.org)
        self.customer = CustomerFactory(organization=self.org, currency=currency)
        self.invoices = [
            invoice_make(
                self.org,
                customer=self.customer,
                lines=(("Work", "1", price),),
                issue_date=date(2027, 1, 1) + timedelta(days=n),
            )
            for n, price in enumerate(prices)
        ]
        self.checkout = checkout_make(
            self.org, self.customer, [(invoice, invoice.total) for invoice in self.invoices]
        )

    def fresh(self) -> list[Invoice]:
        return [Invoice.objects.get(pk=invoice.pk) for invoice in self.invoices]

    def balances(self) -> list[Decimal]:
        return [invoice.balance_due for invoice in self.fresh()]

    def payments(self):
        return Payment.objects.filter(organization=self.org)


@pytest.fixture
def shop(tenant):
    return Shop(tenant)


def _nothing_recorded(shop: Shop, balances: list[Decimal] | None = None) -> None:
    assert not shop.payments().exists()
    assert shop.balances() == (balances or [Decimal("100.00"), Decimal("50.00")])
    shop.checkout.refresh_from_db()
    assert shop.checkout.status == CheckoutStatus.OPEN


# ---- Recording


def test_a_paid_checkout_session_records_one_payment_on_the_checkouts_invoices(shop):
    # 23:30 UTC on 30 June is already 1 July in London: the org's date is the one recorded.
    created = int(datetime(2027, 6, 30, 23, 30, tzinfo=UTC).timestamp())
    session = session_object(shop.checkout, payment_intent="pi_paid_1")
    event = deliver(shop.org, event_make("checkout.session.completed", session, created=created))

    payment = shop.payments().get()
    assert (payment.amount, payment.currency, payment.method) == (
        Decimal("150.00"),
        "GBP",
        PaymentMethod.STRIPE,
    )
    assert payment.received_on == date(2027, 7, 1)
    assert payment.reference == payment.stripe_payment_intent == "pi_paid_1"
    assert payment.customer_id == shop.customer.pk
    assert payment.unapplied_amount == 0
    assert sorted(payment.allocations.values_list("invoice_id", "amount")) == sorted(
        [(shop.invoices[0].pk, Decimal("100.00")), (shop.invoices[1].pk, Decimal("50.00"))]
    )
    assert shop.balances() == [0, 0]
    assert {i.status for i in shop.fresh()} == {InvoiceStatus.PAID}
    assert (event.status, event.payment_id) == (StripeEventStatus.APPLIED, payment.pk)
    assert event.processed_at is not None
    assert "Recorded £150.00" in event.status_reason
    shop.checkout.refresh_from_db()
    assert shop.checkout.status == CheckoutStatus.COMPLETED


def test_an_unpaid_session_records_nothing_until_stripe_says_the_money_is_in(shop):
    session = session_object(shop.checkout, payment_intent="pi_debit", payment_status="unpaid")
    first = deliver(shop.org, event_make("checkout.session.completed", session))
    assert first.status == StripeEventStatus.IGNORED
    assert "not confirmed" in first.status_reason
    _nothing_recorded(shop)

    session["payment_status"] = "paid"
    later = deliver(shop.org, event_make("checkout.session.async_payment_succeeded", session))
    assert later.status == StripeEventStatus.APPLIED
    assert shop.payments().get().amount == Decimal("150.00")


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_the_success_events_of_one_payment_in_any_order_record_exactly_one(tenant, order):
    shop = Shop(tenant)
    events = success_events(shop.checkout, payment_intent="pi_shuffled")
    for index in order:
        deliver(shop.org, events[index])
    payment = shop.payments().get()
    assert payment.amount == Decimal("150.00")
    assert shop.balances() == [0, 0]
    stored = StripeEvent.objects.filter(organization=shop.org)
    assert {(e.status, e.payment_id) for e in stored} == {(StripeEventStatus.APPLIED, payment.pk)}
    assert stored.count() == 3


def test_an_intent_event_alone_records_the_payment(shop):
    intent = intent_object(shop.checkout, payment_intent="pi_alone")
    deliver(shop.org, event_make("payment_intent.succeeded", intent))
    assert shop.payments().get().stripe_payment_intent == "pi_alone"
    shop.checkout.refresh_from_db()
    assert shop.checkout.status == CheckoutStatus.COMPLETED


def test_the_unique_constraint_turns_a_second_recording_into_already_recorded(shop, monkeypatch):
    """Should the look-up miss the payment (a race the locks do not cover), the
    ``payment_one_per_intent`` IntegrityError inside a savepoint means "already recorded":
    the event is linked to the payment and nothing of the attempt stays."""
    import payments.stripe_payments as module

    deliver(
        shop.org,
        event_make(
            "checkout.session.completed", session_object(shop.checkout, payment_intent="pi_race")
        ),
    )
    third = invoice_make(shop.org, customer=shop.customer, lines=(("More", "1", "70.00"),))
    other_checkout = checkout_make(shop.org, shop.customer, [(third, "70.00")])
    original = module.Payment.objects.for_org
    calls: list[int] = []

    def blind_once(org):
        calls.append(1)
        rows = original(org)
        return rows.none() if len(calls) == 1 else rows

    monkeypatch.setattr(module.Payment.objects, "for_org", blind_once)
    intent = intent_object(other_checkout, payment_intent="pi_race")
    second = deliver(shop.org, event_make("payment_intent.succeeded", intent))

    payment = shop.payments().get()
    assert (second.status, second.payment_id) == (StripeEventStatus.APPLIED, payment.pk)
    assert "Already recorded" in second.status_reason
    assert Invoice.objects.get(pk=third.pk).balance_due == Decimal("70.00")
    other_checkout.refresh_from_db()
    assert other_checkout.status == CheckoutStatus.OPEN


def test_a_smaller_amount_than_planned_is_spread_oldest_first(shop):
    session = session_object(shop.checkout, payment_intent="pi_less", amount=Decimal("120.00"))
    deliver(shop.org, event_make("checkout.session.completed", session))
    payment = shop.payments().get()
    assert payment.amount == Decimal("120.00")
    assert shop.balances() == [Decimal("0.00"), Decimal("30.00")]


def test_a_larger_amount_than_planned_goes_on_the_same_invoices_when_they_owe_it(tenant):
    shop = Shop(tenant)
    shop.checkout = checkout_make(
        shop.org, shop.customer, [(shop.invoices[0], "40.00"), (shop.invoices[1], "10.00")]
    )
    session = session_object(shop.checkout, payment_intent="pi_more", amount=Decimal("130.00"))
    deliver(shop.org, event_make("checkout.session.completed", session))
    assert shop.payments().get().unapplied_amount == 0
    assert shop.balances() == [Decimal("0.00"), Decimal("20.00")]


def test_the_planned_split_is_kept_when_the_amount_is_as_planned(tenant):
    shop = Shop(tenant)
    # Planned: the newer invoice in full, the older in part; oldest-first would differ.
    shop.checkout = checkout_make(
        shop.org, shop.customer, [(shop.invoices[0], "10.00"), (shop.invoices[1], "50.00")]
    )
    deliver(
        shop.org,
        event_make(
            "checkout.session.completed",
            session_object(shop.checkout, payment_intent="pi_split"),
        ),
    )
    assert shop.balances() == [Decimal("90.00"), Decimal("0.00")]


def test_jpy_amounts_have_no_minor_unit(tenant):
    shop = Shop(tenant, currency="JPY", prices=("12000", "8000"))
    session = session_object(shop.checkout, payment_intent="pi_yen", amount=Decimal("15000"))
    assert session["amount_total"] == 15000
    deliver(shop.org, event_make("checkout.session.completed", session))
    payment = shop.payments().get()
    assert (payment.amount, payment.currency) == (Decimal("15000"), "JPY")
    assert shop.balances() == [Decimal("0"), Decimal("5000")]


def test_a_task_delivered_twice_applies_once(shop):
    event = deliver(
        shop.org,
        event_make(
            "checkout.session.completed", session_object(shop.checkout, payment_intent="pi_2x")
        ),
    )
    assert stripe_event_apply(org=shop.org, event_pk=event.pk) is None
    assert stripe_event_apply_task.run(shop.org.pk, event.pk) == "nothing to do"
    assert shop.payments().count() == 1


def test_the_task_for_a_missing_organization_does_nothing(shop):
    assert stripe_event_apply_task.run(987654321, 1) == "no such organization"


def test_a_failure_while_applying_leaves_the_event_received_and_nothing_written(shop, monkeypatch):
    import payments.stripe_payments as module

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(module, "payment_record", broken)
    event = store(
        shop.org,
        event_make(
            "checkout.session.completed", session_object(shop.checkout, payment_intent="pi_x")
        ),
    )
    with pytest.raises(RuntimeError):
        stripe_event_apply(org=shop.org, event_pk=event.pk)
    event.refresh_from_db()
    assert event.status == StripeEventStatus.RECEIVED
    _nothing_recorded(shop)


# ---- Set aside without a payment


def test_a_payment_not_made_through_ar_hub_is_ignored(shop):
    intent = intent_object(shop.checkout, payment_intent="pi_elsewhere", metadata={})
    event = deliver(shop.org, event_make("payment_intent.succeeded", intent))
    assert event.status == StripeEventStatus.IGNORED
    assert "not made through AR Hub" in event.status_reason
    _nothing_recorded(shop)


def test_event_types_we_do_not_act_on_are_ignored_with_a_reason(shop):
    event = deliver(shop.org, event_make("customer.created", {"id": "cus_1"}))
    assert event.status == StripeEventStatus.IGNORED
    assert event.status_reason
    _nothing_recorded(shop)


# ---- Quarantine


def _quarantined(shop: Shop, event: dict, reason_part: str, balances=None) -> StripeEvent:
    stored = deliver(shop.org, event)
    assert stored.status == StripeEventStatus.QUARANTINED, stored.status_reason
    assert reason_part in stored.status_reason
    assert stored.payment_id is None
    _nothing_recorded(shop, balances)
    return stored


def test_metadata_naming_another_organization_is_quarantined(shop, other_tenant):
    metadata = {**checkout_metadata(shop.checkout), "arhub_org": str(other_tenant.org.pk)}
    session = session_object(shop.checkout, payment_intent="pi_other_org", metadata=metadata)
    _quarantined(shop, event_make("checkout.session.completed", session), "another organization")


def test_an_invoice_of_another_organization_is_quarantined_and_that_invoice_untouched(
    shop, other_tenant
):
    theirs = invoice_make(other_tenant.org, lines=(("Bread", "1", "150.00"),))
    metadata = {**checkout_metadata(shop.checkout), "arhub_invoices": str(theirs.pk)}
    session = session_object(shop.checkout, payment_intent="pi_their_invoice", metadata=metadata)
    _quarantined(
        shop, event_make("checkout.session.completed", session), "not in this organization"
    )
    theirs_now = Invoice.objects.get(pk=theirs.pk)
    assert (theirs_now.balance_due, theirs_now.amount_paid) == (theirs.balance_due, 0)
    assert not Payment.objects.filter(organization=other_tenant.org).exists()


def test_invoices_that_differ_from_the_checkouts_are_quarantined(shop):
    metadata = {**checkout_metadata(shop.checkout), "arhub_invoices": str(shop.invoices[0].pk)}
    session = session_object(shop.checkout, payment_intent="pi_mismatch", metadata=metadata)
    _quarantined(shop, event_make("checkout.session.completed", session), "not the ones")


def test_a_live_event_for_a_test_mode_connection_is_quarantined(shop):
    session = session_object(shop.checkout, payment_intent="pi_live")
    event = event_make("checkout.session.completed", session, livemode=True)
    _quarantined(shop, event, "test mode")


def test_a_test_event_for_a_live_connection_is_quarantined(shop):
    stripe_connect(shop.org, live=True)
    session = session_object(shop.checkout, payment_intent="pi_test_in_live")
    _quarantined(shop, event_make("checkout.session.completed", session), "no real money")


def test_a_currency_other_than_the_invoices_is_quarantined(shop):
    session = session_object(shop.checkout, payment_intent="pi_eur", currency="EUR")
    _quarantined(shop, event_make("checkout.session.completed", session), "paid in EUR")


def test_an_amount_the_invoices_no_longer_owe_is_quarantined(shop):
    # A cheque paid the first invoice meanwhile: the 150 paid in Stripe no longer fits.
    payment_make(
        shop.org,
        shop.customer,
        "100.00",
        allocations=[AllocationInput(invoice_id=shop.invoices[0].pk, amount=Decimal("100.00"))],
        method=PaymentMethod.CHEQUE,
    )
    session = session_object(shop.checkout, payment_intent="pi_too_late")
    stored = deliver(shop.org, event_make("checkout.session.completed", session))
    assert stored.status == StripeEventStatus.QUARANTINED
    assert "now owe £50.00" in stored.status_reason
    assert shop.payments().count() == 1  # the cheque
    assert shop.balances() == [Decimal("0.00"), Decimal("50.00")]


def test_an_unknown_checkout_is_quarantined(shop):
    metadata = {**checkout_metadata(shop.checkout), "arhub_checkout": "999999"}
    session = session_object(shop.checkout, payment_intent="pi_unknown", metadata=metadata)
    session["client_reference_id"] = "999999"
    _quarantined(
        shop, event_make("checkout.session.completed", session), "no record of the checkout"
    )


def test_another_stripe_session_than_ours_is_quarantined(shop):
    session = session_object(shop.checkout, payment_intent="pi_other_session")
    session["id"] = "cs_test_not_ours"
    _quarantined(shop, event_make("checkout.session.completed", session), "not the one")


def test_a_second_payment_for_a_completed_checkout_is_quarantined(shop):
    deliver(
        shop.org,
        event_make(
            "checkout.session.completed", session_object(shop.checkout, payment_intent="pi_one")
        ),
    )
    second = deliver(
        shop.org,
        event_make(
            "payment_intent.succeeded", intent_object(shop.checkout, payment_intent="pi_two")
        ),
    )
    assert second.status == StripeEventStatus.QUARANTINED
    assert "second payment" in second.status_reason
    assert shop.payments().count() == 1


def test_an_event_without_its_payment_intent_is_quarantined(shop):
    session = session_object(shop.checkout, payment_intent="")
    _quarantined(shop, event_make("checkout.session.completed", session), "PaymentIntent")


def test_the_other_events_of_a_quarantined_payment_point_at_the_first(shop):
    events = success_events(shop.checkout, payment_intent="pi_doubtful", currency="EUR")
    first = deliver(shop.org, events[0])
    assert first.status == StripeEventStatus.QUARANTINED
    second = deliver(shop.org, events[2])
    assert second.status == StripeEventStatus.IGNORED
    assert first.event_id in second.status_reason
    assert StripeEvent.objects.filter(status=StripeEventStatus.QUARANTINED).count() == 1


# ---- The stale sweep


def test_the_sweep_requeues_only_events_left_received_for_five_minutes(
    shop, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[tuple[int, int]] = []
    monkeypatch.setattr(stripe_event_apply_task, "delay", lambda *args: queued.append(args))
    now = timezone.now()
    with time_machine.travel(now - timedelta(minutes=6), tick=False):
        old = store(shop.org, event_make("customer.created", {"id": "cus_old"}))
    with time_machine.travel(now - timedelta(minutes=4), tick=False):
        store(shop.org, event_make("customer.created", {"id": "cus_new"}))
    with time_machine.travel(now - timedelta(minutes=7), tick=False):
        done = deliver(shop.org, event_make("customer.created", {"id": "cus_done"}))
    assert done.status == StripeEventStatus.IGNORED
    with (
        time_machine.travel(now, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        count = stripe_events_requeue_stale()
    assert count == 1
    assert queued == [(shop.org.pk, old.pk)]


def test_the_beat_schedule_runs_the_sweep_every_five_minutes():
    from arhub.celery import app

    entry = app.conf.beat_schedule["requeue-stale-stripe-events"]
    assert entry["task"] == "payments.tasks.stripe_events_requeue_stale"
    assert entry["schedule"] == timedelta(minutes=5)
    assert entry["task"] in app.tasks


@pytest.mark.parametrize(
    ("paid_at", "status", "discount"),
    [
        # 23:30 UTC on 14 January is still the 14th in London: the last day of the window.
        (datetime(2027, 1, 14, 23, 30, tzinfo=UTC), InvoiceStatus.PAID, Decimal("2.00")),
        (datetime(2027, 1, 15, 0, 30, tzinfo=UTC), InvoiceStatus.PARTIALLY_PAID, Decimal(0)),
    ],
)
def test_the_early_payment_discount_is_judged_on_the_day_stripe_took_the_money(
    tenant, paid_at, status, discount
):
    """98.00 paid in the window of "2/10 net 30" closes a 100.00 invoice with 2.00 allowed; a
    day late, it is a part payment."""
    from tests.invoicing.invoice_factories import PaymentTermsFactory

    stripe_connect(tenant.org)
    customer = CustomerFactory(organization=tenant.org, currency="GBP")
    terms = PaymentTermsFactory(
        organization=tenant.org, name="2/10 net 30", days=30, discount_percent=2, discount_days=10
    )
    invoice = invoice_make(
        tenant.org,
        customer=customer,
        lines=(("Work", "1", "100.00"),),
        issue_date=date(2027, 1, 4),
        payment_terms_id=terms.pk,
    )
    checkout = checkout_make(tenant.org, customer, [(invoice, "98.00")])
    session = session_object(checkout, payment_intent="pi_discount")
    event = event_make("checkout.session.completed", session, created=int(paid_at.timestamp()))
    deliver(tenant.org, event)
    settled = Invoice.objects.get(pk=invoice.pk)
    assert (settled.status, settled.amount_paid, settled.amount_discounted) == (
        status,
        Decimal("98.00"),
        discount,
    )
    assert Payment.objects.get(organization=tenant.org).allocations.get().discount == discount
