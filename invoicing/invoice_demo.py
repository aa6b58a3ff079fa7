"""Demo invoices for ``seed_demo``: thirteen months of a small business's billing in every state
(draft, open, partly paid, paid, void, written off, overdue), with its tax rates and payment
terms, a Tokyo customer billed in yen and a Madrid one in euros, credit notes and a recurring
template.

Invoices go through ``invoice_create`` and ``invoice_issue`` so numbers, terms, due dates and
totals are the real ones (about 20 queries each; 200 invoices take a few seconds). Only the
timestamps the services stamp with "now" are moved back to the invoice's own dates at the end.
Payments are recorded by the payments app's payer (``invoicing.demo_payer``), never by writing
``amount_paid`` here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import CommandError

from arhub.clock import org_today
from arhub.models import Organization, User
from arhub.money import quantize
from invoicing.credit_services import credit_note_create
from invoicing.demo_addresses import demo_billing
from invoicing.demo_payer import demo_payer
from invoicing.invoice_demo_catalog import (
    CATALOGS,
    CITY_RATE_CHANGED_DAYS_AGO,
    GOODS,
    OLD_CITY_RATE,
    PRICE_FACTOR,
    TAX_RATES,
    Item,
    business_of,
)
from invoicing.invoice_input import InvoiceData, LineData
from invoicing.invoice_services import (
    invoice_create,
    invoice_issue,
    invoice_settings_get,
    invoice_void,
    invoice_write_off,
)
from invoicing.models import (
    Contact,
    Customer,
    DiscountKind,
    Frequency,
    Invoice,
    InvoiceStatus,
    LateFeeKind,
    LineKind,
    PaymentMethod,
    PaymentTerms,
    RecurringInvoice,
    TaxRate,
    TermsKind,
)
from invoicing.recurring_input import RecurringData, recurring_data_validate
from invoicing.recurring_services import recurring_issue_due
from invoicing.search import customer_search_refresh

DAYS_BACK = 400  # a little over thirteen months of history
RECURRING_MONTHS = 6
# Without --invoices: five per customer, but no more than this, as each goes through the
# services one by one (a benchmark's 50,000 customers must not mean 250,000 of them).
PER_CUSTOMER, MOST_BY_DEFAULT = 5, 250


class _Seeder:
    def __init__(self, *, org: Organization, rng: random.Random, owner: User, today: date) -> None:
        self.org, self.rng, self.owner, self.today = org, rng, owner, today
        self.zone = ZoneInfo(org.timezone)
        self.catalog = CATALOGS[business_of(org, rng)]
        # Invoice id -> timestamps to set once the services are done with it.
        self.stamps: dict[int, dict[str, datetime | None]] = {}
        self.credit_notes = 0

    # ---- setup: rates, terms, settings, the yen and euro customers

    def setup(self, customers: list[Customer]) -> None:
        org = self.org
        self.rates = {
            name: TaxRate.objects.create(organization=org, name=name, percent=Decimal(percent))
            for name, percent, _, _ in TAX_RATES
        }
        self.old_city = TaxRate.objects.create(
            organization=org, name=OLD_CITY_RATE[0], percent=Decimal(OLD_CITY_RATE[1])
        )
        PaymentTerms.objects.create(organization=org, name="Net 30", days=30, is_default=True)
        early = PaymentTerms.objects.create(
            organization=org,
            name="2/10 net 30",
            days=30,
            discount_percent=Decimal(2),
            discount_days=10,
        )
        late_fee = PaymentTerms.objects.create(
            organization=org,
            name="Net 15, 1.5% monthly late fee",
            days=15,
            late_fee_kind=LateFeeKind.PERCENT,
            late_fee_percent=Decimal("1.5"),
            late_fee_grace_days=7,
        )
        PaymentTerms.objects.create(organization=org, name="Due on receipt", kind=TermsKind.RECEIPT)
        # Named terms for some customers (they win over the customer's net days).
        for terms, pick in ((early, 2), (late_fee, 4)):
            chosen = [c for i, c in enumerate(customers) if i % 6 == pick]
            Customer.objects.for_org(org).filter(pk__in=[c.pk for c in chosen]).update(
                payment_terms=terms
            )
            for customer in chosen:
                customer.payment_terms = terms
        settings = invoice_settings_get(org=org)
        settings.accepted_methods = [
            PaymentMethod.CARD,
            PaymentMethod.BANK_TRANSFER,
            PaymentMethod.CHEQUE,
        ]
        settings.payment_instructions = (
            f"Bank transfer to {org.legal_name or org.name}, account 000123456789, "
            "routing 021000021. Please quote the invoice number."
        )
        settings.default_notes = "Thank you for your business."
        settings.save()
        self.yen = self._rehome(customers, "JPY", "Asia/Tokyo", "en", ("+813555", 4))
        self.euro = next((c for c in customers if c.currency == "EUR"), None) or self._rehome(
            customers, "EUR", "Europe/Madrid", "es", ("+349155", 5)
        )

    def _rehome(
        self,
        customers: list[Customer],
        currency: str,
        zone: str,
        language: str,
        phone: tuple[str, int],
    ) -> Customer:
        """Move one US customer abroad, so every demo has one billed in ``currency`` while
        keeping the number of customers asked for."""
        home = [c for c in customers if c.currency == "USD" and c.company] or customers
        customer = self.rng.choice(home)
        customer.currency, customer.timezone, customer.language = currency, zone, language
        # An address where they now are, not the one they had in the US.
        address = demo_billing(self.rng, timezone=zone, is_company=True, always=True)
        for name, value in address.items():
            setattr(customer, name, value)
        customer.save(update_fields=["currency", "timezone", "language", *address])
        prefix, length = phone
        digits = "".join(str(self.rng.randrange(10)) for _ in range(length))
        Contact.objects.for_org(self.org).filter(customer=customer).exclude(phone="").update(
            phone=prefix + digits
        )
        customer_search_refresh(org=self.org, customer_id=customer.pk)
        return customer

    # ---- lines

    def _price(self, item: Item, currency: str) -> Decimal:
        price = Decimal(item.price)
        factor = PRICE_FACTOR.get(currency)
        if factor is not None:
            return quantize(price * factor / 10, "JPY") * 10  # to a round ten
        return price

    def _taxes(self, item: Item, currency: str, on: date) -> list[int]:
        ids = []
        for name, _, charged_in, goods_only in TAX_RATES:
            if charged_in != currency or (goods_only and item.nature != GOODS):
                continue
            rate = self.rates[name]
            if name.startswith("City") and (self.today - on).days > CITY_RATE_CHANGED_DAYS_AGO:
                rate = self.old_city
            ids.append(rate.pk)
        return ids

    def _line(self, item: Item, currency: str, on: date) -> LineData:
        return LineData(
            kind=item.kind,
            description=item.description.format(month=on.strftime("%B")),
            quantity=Decimal(self.rng.choice(item.quantities)),
            unit=item.unit,
            unit_price=self._price(item, currency),
            tax_rate_ids=self._taxes(item, currency, on),
        )

    def _lines(self, currency: str, on: date) -> list[LineData]:
        items = [i for i in self.catalog.items if i.kind == LineKind.ITEM]
        chosen = self.rng.sample(items, self.rng.choice((1, 1, 2, 2, 3, 4)))
        extras = [i for i in self.catalog.items if i.kind != LineKind.ITEM]
        if extras and self.rng.random() < 0.4:
            chosen.append(self.rng.choice(extras))
        return [self._line(item, currency, on) for item in chosen]

    # ---- one invoice

    def _at(self, day: date, hour: int = 9) -> datetime:
        return datetime.combine(day, time(hour, self.rng.randrange(60)), tzinfo=self.zone)

    def invoice(
        self,
        customer: Customer,
        issued: date | None,
        *,
        lines: list[LineData] | None = None,
        created: date | None = None,
    ) -> Invoice:
        """A draft (``issued`` None) or an issued, open invoice dated ``issued``."""
        day = issued or created or self.today
        discount = self.rng.random() < 0.1 and "wholesale" in customer.tags
        data = InvoiceData(
            customer_id=customer.pk,
            lines=lines or self._lines(customer.currency, day),
            issue_date=issued,
            po_number=f"PO-{self.rng.randrange(1000, 9999)}" if self.rng.random() < 0.3 else "",
            discount_kind=DiscountKind.PERCENT if discount else DiscountKind.NONE,
            discount_value=Decimal(5) if discount else Decimal(0),
        )
        invoice = invoice_create(org=self.org, actor=self.owner, data=data)
        if issued is not None:
            invoice = invoice_issue(org=self.org, actor=self.owner, invoice=invoice, on=issued)
            stamp = self._at(issued)
            self.stamps[invoice.pk] = {"created_at": stamp, "issued_at": stamp}
        else:
            self.stamps[invoice.pk] = {"created_at": self._at(day)}
        return invoice

    def pay(self, invoice: Invoice, amount: Decimal | None, on: date) -> Invoice:
        """Have ``amount`` (``None``: the balance) paid ``on`` that day by the payer the
        payments app registers (``invoicing.demo_payer``), which records a real payment; the
        invoice's balance and status are what that payment leaves."""
        stamp = self._at(on, hour=14)
        payer = demo_payer()
        value = invoice.balance_due if amount is None else min(amount, invoice.balance_due)
        if payer is None or value <= 0:
            return invoice
        payer(org=self.org, actor=self.owner, invoice=invoice, amount=value, on=on)
        invoice.refresh_from_db()
        self.stamps[invoice.pk]["paid_at"] = stamp if invoice.paid_at else None
        return invoice

    def part(self, invoice: Invoice, share: float) -> Decimal:
        return quantize(invoice.total * Decimal(str(round(share, 2))), invoice.currency)

    @staticmethod
    def paid_on(issued: date, wanted: date, latest: date, spread: int) -> date:
        """``wanted``, or when that has not come yet, one of the days since the invoice was
        issued (``spread`` picks which), so recent payments do not all land on yesterday."""
        if wanted <= latest:
            return wanted
        return issued + timedelta(days=spread % ((latest - issued).days + 1))

    def settle(self, invoice: Invoice, plan: str) -> Invoice:
        """Carry an issued invoice to ``plan``: open, partial, paid, void or written_off."""
        issued = invoice.issue_date or self.today
        due = invoice.due_date or issued
        latest = max(issued, self.today - timedelta(days=1))
        if plan == "paid":
            days = self.rng.randrange(-10, 20)
            on = self.paid_on(issued, due + timedelta(days=days), latest, days + 10)
            return self.pay(invoice, None, max(on, issued))
        if plan == "partial":
            days = self.rng.randrange(3, 40)
            on = self.paid_on(issued, issued + timedelta(days=days), latest, days)
            return self.pay(invoice, self.part(invoice, self.rng.uniform(0.2, 0.7)), on)
        if plan == "void":
            invoice = invoice_void(
                org=self.org,
                actor=self.owner,
                invoice=invoice,
                reason=self.rng.choice(("Issued to the wrong customer", "Duplicate invoice")),
            )
            self.stamps[invoice.pk]["voided_at"] = self._at(min(issued + timedelta(2), latest))
        elif plan == "written_off":
            invoice = invoice_write_off(
                org=self.org,
                actor=self.owner,
                invoice=invoice,
                reason="The business closed; no reply to reminders or calls.",
            )
            self.stamps[invoice.pk]["written_off_at"] = self._at(min(due + timedelta(120), latest))
        return invoice

    def plan(self, invoice: Invoice) -> str:
        """A likely fate for an invoice of this age: old ones are mostly paid."""
        late = (self.today - (invoice.due_date or self.today)).days
        roll = self.rng.random()
        if roll < 0.03:
            return "void"
        if late <= 0:  # not due yet
            return "paid" if roll < 0.25 else "partial" if roll < 0.35 else "open"
        if late > 120 and roll < 0.06:
            return "written_off"
        paid = 0.88 if late > 60 else 0.55
        return "paid" if roll < paid else "partial" if roll < paid + 0.07 else "open"

    def credit(self, invoice: Invoice, amount: Decimal | None, reason: str, on: date) -> None:
        credit_note_create(
            org=self.org, actor=self.owner, invoice=invoice, amount=amount, reason=reason, on=on
        )
        self.credit_notes += 1
        invoice.refresh_from_db()
        # A credit that clears the balance settles the invoice on the credit's date.
        self.stamps[invoice.pk]["paid_at"] = self._at(on, 15) if invoice.paid_at else None

    # ---- the recurring template

    def recurring(self, customer: Customer) -> tuple[RecurringInvoice, list[date]]:
        """A monthly template that has issued the last months (the periods returned) and makes
        its next invoice next month. Checked by the recurring services' own validation against
        the demo's today; its invoices are issued by ``recurring_issue_due`` as the seeding
        reaches each period's date."""
        day = 1 if self.today.day > 1 else 2  # never today: the next period is in the future
        last = self.today.replace(day=day)
        if last >= self.today:
            last = (last.replace(day=1) - timedelta(days=1)).replace(day=day)
        periods = [last]
        while len(periods) < RECURRING_MONTHS:
            periods.insert(0, (periods[0].replace(day=1) - timedelta(days=1)).replace(day=day))
        data = RecurringData(
            customer_id=customer.pk,
            name=self.catalog.recurring_name,
            lines=[
                replace(self._line(item, customer.currency, self.today), description=text)
                for item in self.catalog.recurring_items
                for text in [item.description.replace(", {month}", "")]
            ],
            frequency=Frequency.MONTHLY,
            start_date=periods[0],
            day_of_month=day,
            notes="Thank you for your business.",
        )
        clean = recurring_data_validate(self.org, data, today=self.today)
        template = RecurringInvoice.objects.create(
            organization=self.org,
            customer=clean.customer,
            name=clean.name,
            currency=clean.currency,
            lines=clean.lines_json,
            notes=clean.notes,
            frequency=clean.frequency,
            day_of_month=clean.day_of_month,
            start_date=clean.start_date,
            next_date=periods[0],
            # Off while the history is made (no email for a past month); on once it is.
            auto_send=False,
            created_by=self.owner,
        )
        return template, periods

    def from_template(self, template: RecurringInvoice, period: date) -> Invoice:
        invoice = recurring_issue_due(org=self.org, template_id=template.pk, today=period)
        if invoice is None:
            raise RuntimeError(f"the recurring template did not issue {period}")
        stamp = self._at(period, hour=6)
        self.stamps[invoice.pk] = {"created_at": stamp, "issued_at": stamp}
        return invoice

    def finish(self) -> None:
        rows = list(Invoice.objects.for_org(self.org).filter(pk__in=self.stamps))
        for row in rows:
            for name, value in self.stamps[row.pk].items():
                setattr(row, name, value)
        fields = ["created_at", "issued_at", "paid_at", "voided_at", "written_off_at"]
        Invoice.objects.bulk_update(rows, fields, batch_size=500)
        TaxRate.objects.filter(pk=self.old_city.pk).update(is_active=False)
        RecurringInvoice.objects.for_org(self.org).update(auto_send=True)


@dataclass(frozen=True)
class Planned:
    customer: Customer
    days_ago: int
    fate: str = ""  # blank: by the invoice's age (_Seeder.plan)
    template: RecurringInvoice | None = None


def seed_invoices(
    *, org: Organization, rng: random.Random, owner: User, options: dict[str, Any]
) -> str:
    customers = list(Customer.objects.for_org(org).order_by("pk"))
    if not customers:
        return "0 invoices (no customers)"
    wanted = options.get("invoices")
    count = min(PER_CUSTOMER * len(customers), MOST_BY_DEFAULT) if wanted is None else int(wanted)
    if count < 0:
        raise CommandError("--invoices must be zero or more.")
    if count == 0:
        return "no invoices"
    today: date = options.get("today") or org_today(org)
    seeder = _Seeder(org=org, rng=rng, owner=owner, today=today)
    seeder.setup(customers)
    yen, euro = seeder.yen, seeder.euro
    others = [c for c in customers if c not in (yen, euro)] or customers
    first, last = others[0], others[-1]
    template, periods = seeder.recurring(others[min(1, len(others) - 1)])

    # Every state at least once whatever the seed, and more than a year back.
    planned = [
        Planned(first, 3, "open"),
        Planned(last, 8, "partial"),
        Planned(first, 75, "paid"),
        Planned(last, 40, "void"),
        Planned(first, 380, "written_off"),
        Planned(last, 80, "open"),  # overdue
        Planned(first, 62, "partial"),  # overdue, part paid
        Planned(yen, 50, "paid"),
        Planned(yen, 20, "open"),
        Planned(euro, 95, "open"),  # overdue
        Planned(euro, 12, "open"),
    ]
    planned += [
        Planned(template.customer, (today - period).days, "paid" if n else "open", template)
        for n, period in enumerate(reversed(periods))
    ]
    planned += [
        Planned(rng.choice(customers), rng.randrange(1, DAYS_BACK))
        for _ in range(max(count - len(planned) - 1, 0))
    ]
    made: list[Invoice] = []
    # Oldest first, so numbers run in date order as they would have been issued.
    for spec in sorted(planned, key=lambda p: -p.days_ago):
        on = today - timedelta(days=spec.days_ago)
        if spec.template is not None:
            invoice = seeder.from_template(spec.template, on)
        elif not spec.fate and spec.days_ago < 20 and rng.random() < 0.25:
            seeder.invoice(spec.customer, None, created=on)  # a draft still being written
            continue
        else:
            invoice = seeder.invoice(spec.customer, on)
        made.append(seeder.settle(invoice, spec.fate or seeder.plan(invoice)))
    seeder.invoice(first, None, created=today)

    # Credit notes: part of an open invoice, the whole of another, and one on a part-paid
    # invoice larger than what it still owes (the rest becomes the customer's credit).
    open_ones = [i for i in made if i.status == InvoiceStatus.OPEN and i.recurring_id is None]
    part, whole = open_ones[0], open_ones[-1]
    # None only when no payments app has registered a payer (invoicing.demo_payer).
    partial = next((i for i in made if i.status == InvoiceStatus.PARTIALLY_PAID), None)
    seeder.credit(part, seeder.part(part, 0.1), "Two items were missing from the delivery.",
                  max(part.issue_date or today, today - timedelta(days=2)))  # fmt: skip
    yesterday = today - timedelta(days=1)
    seeder.credit(whole, None, "The order was cancelled before delivery.",
                  max(whole.issue_date or today, yesterday))  # fmt: skip
    if partial is not None:
        seeder.credit(partial, partial.balance_due + seeder.part(partial, 0.1),
                      "Agreed price reduction after a quality complaint.",
                      max(partial.issue_date or today, yesterday))  # fmt: skip
    seeder.finish()
    return (
        f"{len(seeder.stamps)} invoices, {seeder.credit_notes} credit notes,"
        f" recurring “{template.name}”"
    )
