"""A small hand-worked ledger, built through the real services with the clock moved to each
event's moment, so the stored balances are the ones the app keeps. The metrics tests work their
expected figures out from it by hand.

Organization time zone America/New_York (EST to 13 March 2027, EDT after), USD; "today" is
Thursday 15 April 2027.

| inv | customer | issued | due   | total   | what happens (local dates)                               |
|-----|----------|--------|-------|---------|----------------------------------------------------------|
| A   | Alpha    | 01-10  | 02-09 | 1000.00 | 600.00 received 03-10                                    |
| B   | Alpha    | 02-01  | 03-03 |  500.00 | 500.00 received 03-05, reversed 03-20 03:00 UTC = 03-19  |
| C   | Gamma    | 03-01  | 03-31 |  300.00 | credit note 100.00 on 03-15; flat late fee 15.00 on 04-01|
| D   | Gamma    | 04-10  | 05-10 |  250.00 | -                                                        |
| E   | Alpha    | 01-05  | 02-04 |  800.00 | written off 04-01 02:00 UTC = 03-31 22:00 local          |
| F   | Alpha    | 02-10  | 03-12 |  999.00 | void: never counts                                       |
| G   | Alpha    | draft  |       |   50.00 | draft: never counts                                      |
| H   | Beta     | 02-01  | 03-03 |  700.00 | EUR: never in a USD figure                               |
| I   | Gamma    | 02-01  | 03-03 |  300.00 | 300.00 received 02-15; 120.00 refunded 04-05             |
| K   | Alpha    | 02-01  | 03-03 |  100.00 | flat late fee 20.00 on 03-04, waived 03-25               |
| L   | Gamma    | 04-01  | 05-01 |  200.00 | 2/10 net 30: 196.00 received 04-05, discount 4.00        |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from arhub.models import Organization
from invoicing.credit_services import credit_note_create
from invoicing.invoice_services import invoice_void, invoice_write_off
from invoicing.models import Customer, Invoice, LateFee
from payments.late_fee_services import late_fee_waive, late_fees_apply
from payments.models import Payment
from payments.refund_services import payment_refund
from payments.services import AllocationInput, payment_record, payment_reverse
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import PaymentTermsFactory, invoice_make

D = Decimal
NY = ZoneInfo("America/New_York")
TODAY = date(2027, 4, 15)
NOW = datetime(2027, 4, 15, 12, 0, tzinfo=NY)


def at(moment: date | datetime) -> time_machine.travel:
    """The clock at ``moment``; a bare date means noon in New York that day."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, 12, 0, tzinfo=NY)
    return time_machine.travel(moment, tick=False)


@dataclass
class Ledger:
    org: Organization
    alpha: Customer
    gamma: Customer
    beta: Customer
    invoices: dict[str, Invoice]

    def pk(self, name: str) -> int:
        return self.invoices[name].pk

    def names(self, pks: object) -> set[str]:
        by_pk = {invoice.pk: name for name, invoice in self.invoices.items()}
        return {by_pk[pk] for pk in pks}  # type: ignore[attr-defined]


def _bill(org, customer, price, issued, *, due=None, terms=None, issue=True) -> Invoice:
    with at(issued):
        return invoice_make(
            org,
            customer=customer,
            lines=(("Work", "1", price),),
            issue_date=issued,
            due_date=due,
            payment_terms_id=terms.pk if terms else None,
            issue=issue,
        )


def _pay(org, customer, amount, on, invoice, currency="USD") -> Payment:
    with at(on):
        return payment_record(
            org=org,
            actor=None,
            customer_id=customer.pk,
            amount=D(amount),
            currency=currency,
            method="bank_transfer",
            received_on=on,
            allocations=[AllocationInput(invoice_id=invoice.pk, amount=D(amount))],
            notify=False,
        )


def ledger_make(org: Organization) -> Ledger:
    org.timezone = "America/New_York"
    org.default_currency = "USD"
    org.save()
    alpha = CustomerFactory(organization=org, display_name="Alpha Ltd", currency="USD")
    gamma = CustomerFactory(organization=org, display_name="Gamma Inc", currency="USD")
    beta = CustomerFactory(organization=org, display_name="Beta GmbH", currency="EUR")
    flat15 = PaymentTermsFactory(
        organization=org, days=30, late_fee_kind="flat", late_fee_amount=D("15")
    )
    flat20 = PaymentTermsFactory(
        organization=org, days=30, late_fee_kind="flat", late_fee_amount=D("20")
    )
    two_ten = PaymentTermsFactory(
        organization=org, name="2/10 net 30", days=30, discount_percent=2, discount_days=10
    )
    y = 2027
    inv = {
        "A": _bill(org, alpha, "1000.00", date(y, 1, 10), due=date(y, 2, 9)),
        "B": _bill(org, alpha, "500.00", date(y, 2, 1), due=date(y, 3, 3)),
        "C": _bill(org, gamma, "300.00", date(y, 3, 1), terms=flat15),
        "D": _bill(org, gamma, "250.00", date(y, 4, 10), due=date(y, 5, 10)),
        "E": _bill(org, alpha, "800.00", date(y, 1, 5), due=date(y, 2, 4)),
        "F": _bill(org, alpha, "999.00", date(y, 2, 10), due=date(y, 3, 12)),
        "G": _bill(org, alpha, "50.00", date(y, 2, 10), issue=False),
        "H": _bill(org, beta, "700.00", date(y, 2, 1), due=date(y, 3, 3)),
        "I": _bill(org, gamma, "300.00", date(y, 2, 1), due=date(y, 3, 3)),
        "K": _bill(org, alpha, "100.00", date(y, 2, 1), terms=flat20),
        "L": _bill(org, gamma, "200.00", date(y, 4, 1), terms=two_ten),
    }
    with at(date(y, 2, 11)):
        invoice_void(org=org, actor=None, invoice=inv["F"], reason="Duplicate")
    paid_i = _pay(org, gamma, "300.00", date(y, 2, 15), inv["I"])
    bounced = _pay(org, alpha, "500.00", date(y, 3, 5), inv["B"])
    _pay(org, alpha, "600.00", date(y, 3, 10), inv["A"])
    with at(date(y, 3, 10)):
        late_fees_apply(org=org, day=date(y, 3, 10))  # K: 20.00 dated 03-04
    with at(date(y, 3, 15)):
        credit_note_create(
            org=org, actor=None, invoice=inv["C"], amount=D("100.00"), reason="Short delivery"
        )
    with at(datetime(y, 3, 20, 3, 0, tzinfo=UTC)):
        payment_reverse(org=org, actor=None, payment=bounced, reason="Cheque bounced")
    with at(date(y, 3, 25)):
        fee = LateFee.objects.get(invoice=inv["K"])
        late_fee_waive(org=org, actor=None, fee=fee, reason="First time")
    with at(datetime(y, 4, 1, 2, 0, tzinfo=UTC)):
        invoice_write_off(org=org, actor=None, invoice=inv["E"], reason="Gone bust")
    _pay(org, gamma, "196.00", date(y, 4, 5), inv["L"])
    with at(datetime(y, 4, 5, 15, 0, tzinfo=UTC)):
        payment_refund(org=org, actor=None, payment=paid_i, amount=D("120.00"), reason="Return")
    with at(NOW):
        late_fees_apply(org=org, day=TODAY)  # C: 15.00 dated 04-01
    for invoice in inv.values():
        invoice.refresh_from_db()
    return Ledger(org=org, alpha=alpha, gamma=gamma, beta=beta, invoices=inv)
