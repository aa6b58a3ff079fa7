"""What each invoice had open on a day (``receivable_rows``, ``receivables_at``), worked out by
hand from the ledger in tests/metrics/ledger.py; the stored balance agreeing with today's
figure; and another organization's rows never showing, today or as of a past date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoicing.credit_services import credit_note_create
from invoicing.invoice_services import invoice_write_off
from invoicing.models import OUTSTANDING_STATUSES as OUTSTANDING
from invoicing.models import Invoice, InvoiceStatus, LateFee
from metrics.receivables import receivable_rows, receivables_at
from payments.late_fee_services import late_fee_waive, late_fees_apply
from payments.models import Payment
from payments.refund_services import payment_refund
from payments.services import (
    AllocationInput,
    payment_apply_credit,
    payment_record,
    payment_reverse,
)
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import PaymentTermsFactory, invoice_make
from tests.metrics.ledger import NOW, TODAY, at, ledger_make

D = Decimal
pytestmark = pytest.mark.django_db


def open_on(ledger, day, **kwargs) -> dict[str, Decimal]:
    rows = receivable_rows(org=ledger.org, as_of=day, currency="USD", **kwargs)
    by_pk = {invoice.pk: name for name, invoice in ledger.invoices.items()}
    return {by_pk[row.invoice_id]: row.open_amount for row in rows}


def test_today_each_invoice_shows_what_is_left_after_its_history(ledger):
    # A 1000 - 600 paid = 400; B 500 (its payment bounced); C 300 - 100 credit + 15 fee = 215;
    # D 250 untouched; I 300 paid, 120 of it refunded = 120; K 100 (its 20 fee waived);
    # L 200 - 196 paid - 4 discount = 0 (absent); E written off, F void, G draft, H in EUR.
    assert open_on(ledger, TODAY) == {
        "A": D("400.00"),
        "B": D("500.00"),
        "C": D("215.00"),
        "D": D("250.00"),
        "I": D("120.00"),
        "K": D("100.00"),
    }


def test_an_invoice_paid_on_10_march_was_open_on_1_march(ledger):
    # A: nothing received by 1 March: 1000. B: its payment came 5 March: 500. C issued that very
    # day: 300. E not yet written off: 800. K due 3 March, its fee dated 4 March: 100. I paid
    # 15 February: 0. D and L not issued yet.
    assert open_on(ledger, date(2027, 3, 1)) == {
        "A": D("1000.00"),
        "B": D("500.00"),
        "C": D("300.00"),
        "E": D("800.00"),
        "K": D("100.00"),
    }
    assert open_on(ledger, date(2027, 3, 10))["A"] == D("400.00")  # 1000 - 600 that day


def test_a_reversal_counts_from_its_local_date_not_its_utc_date(ledger):
    # B's payment was reversed at 03:00 UTC on 20 March, 23:00 on 19 March in New York: on
    # 18 March it was still paid, on 19 March it was owed again.
    assert "B" not in open_on(ledger, date(2027, 3, 18))
    assert open_on(ledger, date(2027, 3, 19))["B"] == D("500.00")


def test_late_fees_count_from_their_date_until_waived(ledger):
    # K: 100 on 3 March (due that day), 100 + 20 fee from 4 March, 100 again once waived
    # (25 March).
    assert open_on(ledger, date(2027, 3, 3))["K"] == D("100.00")
    assert open_on(ledger, date(2027, 3, 4))["K"] == D("120.00")
    assert open_on(ledger, date(2027, 3, 24))["K"] == D("120.00")
    assert open_on(ledger, date(2027, 3, 25))["K"] == D("100.00")


def test_credit_notes_refunds_and_discounts_count_from_their_dates(ledger):
    # C: 300 until the credit note of 15 March, 200 after, 215 from the fee of 1 April.
    assert open_on(ledger, date(2027, 3, 14))["C"] == D("300.00")
    assert open_on(ledger, date(2027, 3, 15))["C"] == D("200.00")
    assert open_on(ledger, date(2027, 4, 1))["C"] == D("215.00")
    # I: paid until the refund of 5 April (15:00 UTC, 11:00 local), 120 owed from then.
    assert "I" not in open_on(ledger, date(2027, 4, 4))
    assert open_on(ledger, date(2027, 4, 5))["I"] == D("120.00")
    # L: 200 until 196 + 4 discount on 5 April.
    assert open_on(ledger, date(2027, 4, 4))["L"] == D("200.00")
    assert "L" not in open_on(ledger, date(2027, 4, 5))


def test_a_written_off_invoice_leaves_on_its_local_write_off_date(ledger):
    # Written off at 02:00 UTC on 1 April = 22:00 on 31 March in New York.
    assert open_on(ledger, date(2027, 3, 30))["E"] == D("800.00")
    assert "E" not in open_on(ledger, date(2027, 3, 31))


def test_rows_carry_customer_dates_and_days_past_due(ledger):
    rows = {row.number: row for row in receivable_rows(org=ledger.org, as_of=TODAY, currency="usd")}
    a = rows[ledger.invoices["A"].number]
    assert (a.customer_id, a.customer_name) == (ledger.alpha.pk, "Alpha Ltd")
    assert (a.issue_date, a.due_date) == (date(2027, 1, 10), date(2027, 2, 9))
    # 9 Feb -> 9 Mar is 28 days, -> 9 Apr 59, -> 15 Apr 65.
    assert a.days_past_due == 65
    assert rows[ledger.invoices["D"].number].days_past_due == -25  # due 10 May
    # Oldest due first: A (9 Feb), then the 3 March ones, C (31 Mar), D (10 May).
    assert [row.due_date for row in rows.values()] == sorted(row.due_date for row in rows.values())


def test_one_customer(ledger):
    assert open_on(ledger, TODAY, customer_id=ledger.gamma.pk) == {
        "C": D("215.00"),
        "D": D("250.00"),
        "I": D("120.00"),
    }


def test_totals_on_several_days_in_one_query(ledger):
    with CaptureQueriesContext(connection) as queries:
        totals = receivables_at(
            org=ledger.org,
            days=[date(2027, 3, 1), date(2027, 3, 31), TODAY, date(2026, 12, 31)],
            currency="USD",
        )
    assert len(queries) == 1
    # 1 March: 1000 + 500 + 300 + 800 + 100 = 2700; not yet due: B (3 Mar), C, K = 900.
    first = totals[date(2027, 3, 1)]
    assert (first.total, first.current, first.invoice_count) == (D("2700.00"), D("900.00"), 5)
    # 31 March: A 400 + B 500 + C 200 + K 100 = 1200 (E gone); C due that day is current.
    assert (totals[date(2027, 3, 31)].total, totals[date(2027, 3, 31)].current) == (
        D("1200.00"),
        D("200.00"),
    )
    # Today: 400 + 500 + 215 + 250 + 120 + 100 = 1585; only D (due 10 May) is current.
    assert (totals[TODAY].total, totals[TODAY].current, totals[TODAY].overdue) == (
        D("1585.00"),
        D("250.00"),
        D("1335.00"),
    )
    assert totals[date(2026, 12, 31)].total == 0  # before the first invoice


def test_today_matches_the_stored_balance_of_every_counted_invoice(ledger):
    """Payments, a reversal, a refund, a discount, a credit note, late fees charged and waived,
    and a write-off: today's replay agrees with what the services stored."""
    rows = {
        row.invoice_id: row.open_amount
        for row in receivable_rows(org=ledger.org, as_of=TODAY, currency="USD")
    }
    stored = {
        invoice.pk: invoice.balance_due
        for invoice in Invoice.objects.for_org(ledger.org)
        .filter(currency="USD", issue_date__lte=TODAY, balance_due__gt=0)
        .exclude(status__in=[InvoiceStatus.DRAFT, InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE])
    }
    assert rows == stored
    # Every kind of history is in there (the comparison is not of untouched invoices).
    assert ledger.names(stored) == {"A", "B", "C", "D", "I", "K"}


def test_credit_applied_later_and_refund_remainders_count_from_their_own_day(tenant):
    """Two allocations written after the money came in: credit applied to a later invoice, and
    what stays of an allocation a partial refund took from."""
    org = tenant.org
    customer = CustomerFactory(organization=org, currency="GBP")

    def bill(price, issued):
        with at(issued):
            return invoice_make(
                org, customer=customer, lines=(("Work", "1", price),), issue_date=issued
            )

    def pay(amount, on, invoice, applied):
        with at(on):
            return payment_record(
                org=org,
                actor=None,
                customer_id=customer.pk,
                amount=D(amount),
                currency="GBP",
                method="cheque",
                received_on=on,
                allocations=[AllocationInput(invoice_id=invoice.pk, amount=D(applied))],
                notify=False,
            )

    x = bill("100.00", date(2027, 3, 1))
    over = pay("150.00", date(2027, 3, 1), x, "100.00")  # 50.00 left as credit
    y = bill("80.00", date(2027, 3, 5))
    with at(date(2027, 3, 10)):
        payment_apply_credit(org=org, actor=None, payment=over)  # 50.00 of it to Y
    z = bill("100.00", date(2027, 3, 1))
    part = pay("70.00", date(2027, 3, 1), z, "70.00")
    with at(date(2027, 3, 20)):
        payment_refund(org=org, actor=None, payment=part, amount=D("40.00"), reason="Return")

    def open_on(day):
        with at(date(2027, 4, 1)):
            rows = receivable_rows(org=org, as_of=day, currency="GBP")
            return {row.invoice_id: row.open_amount for row in rows}

    # Y: 80 until the credit was applied on 10 March (not from the payment's 1 March), then 30.
    assert open_on(date(2027, 3, 9))[y.pk] == D("80.00")
    assert open_on(date(2027, 3, 10))[y.pk] == D("30.00")
    # Z: 100 - 70 = 30 until the refund; the refund reversed the 70 and wrote the 30 that stays
    # as a new allocation. On 19 March the 30 must not count on top of the 70: still 30 owed,
    # not 0. From 20 March 100 - 30 = 70.
    assert open_on(date(2027, 3, 19))[z.pk] == D("30.00")
    assert open_on(date(2027, 3, 20))[z.pk] == D("70.00")
    assert x.pk not in open_on(date(2027, 3, 1))


def test_a_future_as_of_is_refused(ledger):
    with pytest.raises(ValueError, match=r"as_of: 2027-04-16 is in the future"):
        receivable_rows(org=ledger.org, as_of=date(2027, 4, 16), currency="USD")
    with pytest.raises(ValueError, match="in the future"):
        receivables_at(org=ledger.org, days=[TODAY, date(2027, 5, 1)], currency="USD")


def test_another_organizations_rows_never_show(ledger, other_tenant):
    """Org B holds the same ledger (same dates, customers, amounts): none of it shows in org
    A's figures, today or as of a past date, and org B's customer filters to nothing."""
    with at(date(2027, 1, 1)):
        theirs = ledger_make(other_tenant.org)
    theirs_pks = {invoice.pk for invoice in theirs.invoices.values()}
    with at(NOW):
        for day in (date(2027, 3, 1), date(2027, 3, 19), TODAY):
            rows = list(receivable_rows(org=ledger.org, as_of=day, currency="USD"))
            assert rows and not {row.invoice_id for row in rows} & theirs_pks
        # The same hand-worked totals as without org B.
        totals = receivables_at(org=ledger.org, days=[date(2027, 3, 1), TODAY], currency="USD")
        assert (totals[date(2027, 3, 1)].total, totals[TODAY].total) == (
            D("2700.00"),
            D("1585.00"),
        )
        foreign = receivable_rows(
            org=ledger.org, as_of=date(2027, 3, 1), currency="USD", customer_id=theirs.alpha.pk
        )
        assert list(foreign) == []


# ---- the property: replaying any history gives what was stored on each day


class _Rollback(Exception):
    pass


OPS = st.tuples(
    st.sampled_from(
        ["pay", "overpay", "apply", "credit", "reverse", "refund", "waive", "write_off", "nothing"]
    ),
    st.integers(min_value=0, max_value=2),  # which invoice
    st.integers(min_value=1, max_value=100),  # percent of what is open or left
)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=st.lists(OPS, min_size=1, max_size=12))
def test_as_of_any_day_the_replay_is_what_the_services_stored_that_day(tenant, ops):
    """Each day a late-fee sweep, then one operation through the services; the balances stored
    at the end of each day are what ``receivable_rows`` says as of that day, afterwards."""
    org = tenant.org
    first = date(2027, 3, 1)
    try:
        with transaction.atomic():
            customer = CustomerFactory(organization=org, currency="GBP")
            terms = PaymentTermsFactory(
                organization=org, days=5, late_fee_kind="percent", late_fee_percent=D("1.5")
            )
            with at(first):
                invoices = [
                    invoice_make(
                        org,
                        customer=customer,
                        lines=(("Work", "1", price),),
                        issue_date=first,
                        payment_terms_id=terms.pk,
                    )
                    for price in ("100.00", "250.00", "999.99")
                ]
            stored: dict[date, dict[int, Decimal]] = {}
            for offset, (kind, which, share) in enumerate(ops):
                day = first + timedelta(days=offset)
                with at(day):
                    late_fees_apply(org=org, day=day)
                    _operate(org, customer, invoices[which], kind, share, day)
                stored[day] = _counted_balances(org)
            with at(first + timedelta(days=len(ops))):
                for day, balances in stored.items():
                    rows = receivable_rows(org=org, as_of=day, currency="GBP")
                    assert {row.invoice_id: row.open_amount for row in rows} == balances, day
            raise _Rollback
    except _Rollback:
        pass


def _operate(org, customer, invoice, kind, share, day) -> None:
    invoice.refresh_from_db()
    part = D(share) / 100
    payments = Payment.objects.for_org(org).filter(status="completed").order_by("-pk")
    if kind == "pay" and invoice.is_outstanding:
        amount = max((invoice.balance_due * part).quantize(D("0.01")), D("0.01"))
        payment_record(
            org=org,
            actor=None,
            customer_id=customer.pk,
            amount=amount,
            currency="GBP",
            method="cheque",
            received_on=day,
            allocations=[AllocationInput(invoice_id=invoice.pk, amount=amount)],
            notify=False,
        )
    elif kind == "overpay" and invoice.is_outstanding:
        # The balance and then some: the extra stays on the payment as the customer's credit.
        payment_record(
            org=org,
            actor=None,
            customer_id=customer.pk,
            amount=invoice.balance_due + D(share),
            currency="GBP",
            method="cheque",
            received_on=day,
            allocations=[AllocationInput(invoice_id=invoice.pk, amount=invoice.balance_due)],
            notify=False,
        )
    elif kind == "apply" and (payment := payments.filter(unapplied_amount__gt=0).first()):
        if Invoice.objects.for_org(org).filter(balance_due__gt=0, status__in=OUTSTANDING).exists():
            payment_apply_credit(org=org, actor=None, payment=payment)
    elif kind == "credit" and invoice.can_credit():
        room = invoice.total - sum(invoice.credit_notes.values_list("amount", flat=True), D(0))
        amount = min(max((invoice.total * part).quantize(D("0.01")), D("0.01")), room)
        if amount > 0:
            credit_note_create(org=org, actor=None, invoice=invoice, amount=amount, reason="x")
    elif kind == "reverse" and (payment := payments.first()):
        payment_reverse(org=org, actor=None, payment=payment, reason="Bounced")
    elif kind == "refund" and (payment := payments.first()):
        left = payment.amount - payment.refunded_amount
        amount = min(max((left * part).quantize(D("0.01")), D("0.01")), left)
        if amount > 0:
            payment_refund(org=org, actor=None, payment=payment, amount=amount, reason="Back")
    elif kind == "waive":
        fee = LateFee.objects.filter(invoice=invoice, waived_at__isnull=True).last()
        if fee and invoice.is_outstanding and invoice.balance_due >= fee.amount:
            late_fee_waive(org=org, actor=None, fee=fee, reason="Courtesy")
    elif kind == "write_off" and invoice.can_write_off():
        invoice_write_off(org=org, actor=None, invoice=invoice, reason="Gone")


def _counted_balances(org) -> dict[int, Decimal]:
    return dict(
        Invoice.objects.for_org(org)
        .filter(balance_due__gt=0)
        .exclude(status__in=[InvoiceStatus.DRAFT, InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE])
        .values_list("pk", "balance_due")
    )
