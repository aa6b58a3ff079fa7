"""Which reminders the dashboard says go out today. The organization is in London (BST in
April); "now" is Wednesday 14 April 2027, 10:00 there, inside the default send window (09:00 to
17:00, Monday to Friday). Every invoice was issued on 1 March and the default policy applies:
steps 3 days before, on the day, and 3, 7, 14 and 30 days after the due date."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from invoicing.models import Invoice
from metrics.dashboard_reminders import reminders_today
from reminders.models import InvoiceReminderPause, Reminder, ReminderBatch, ReminderStatus, Tone
from tests.conftest import Tenant
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import invoice_make

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2027, 4, 14, 10, 0, tzinfo=LONDON)


def bill(tenant: Tenant, name: str, due: date) -> Invoice:
    customer = CustomerFactory(organization=tenant.org, display_name=name)
    ContactFactory(customer=customer)
    with time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=LONDON), tick=False):
        return invoice_make(
            tenant.org, customer=customer, issue_date=date(2027, 3, 1), due_date=due
        )


def reminder_row(
    tenant: Tenant, invoice: Invoice, offset: int, status: str, send_after: datetime
) -> None:
    batch = ReminderBatch.objects.create(
        organization=tenant.org,
        customer_id=invoice.customer_id,
        channel="email",
        local_date=send_after.date(),
        status=status,
        send_after=send_after,
    )
    Reminder.objects.create(
        organization=tenant.org,
        invoice=invoice,
        customer_id=invoice.customer_id,
        offset_days=offset,
        tone=Tone.FIRM,
        channel="email",
        batch=batch,
        due_on=send_after.date(),
        status=status,
    )
    # As the sweep writes it: the earlier steps not sent by then are superseded.
    for earlier in (-3, 0, 3):
        Reminder.objects.create(
            organization=tenant.org,
            invoice=invoice,
            customer_id=invoice.customer_id,
            offset_days=earlier,
            tone=Tone.FRIENDLY,
            channel="email",
            due_on=invoice.due_date + timedelta(days=earlier),
            status=ReminderStatus.SKIPPED,
        )


@pytest.fixture
def invoices(tenant: Tenant) -> dict[str, Invoice]:
    tenant.org.timezone = "Europe/London"
    tenant.org.save()
    return {
        # Due today: the on-the-day step (the one 3 days before is superseded by it).
        "today": bill(tenant, "Due Today Ltd", date(2027, 4, 14)),
        # Due a week ago: the 7-day step is today.
        "week": bill(tenant, "Week Late Ltd", date(2027, 4, 7)),
        # Due next Tuesday: 3 days before is Saturday, nothing goes today.
        "later": bill(tenant, "Later Ltd", date(2027, 4, 20)),
        # Due today, but paused by the owner.
        "paused": bill(tenant, "Paused Ltd", date(2027, 4, 14)),
        # A week late, and the 7-day step was already sent this morning.
        "sent": bill(tenant, "Sent Ltd", date(2027, 4, 7)),
        # A week late; its 7-day reminder is written and waits for 15:00.
        "queued": bill(tenant, "Queued Ltd", date(2027, 4, 7)),
    }


def test_the_steps_due_today_and_the_queued_ones(
    tenant: Tenant, invoices: dict[str, Invoice]
) -> None:
    InvoiceReminderPause.objects.create(organization=tenant.org, invoice=invoices["paused"])
    reminder_row(tenant, invoices["sent"], 7, ReminderStatus.SENT, NOW - timedelta(hours=1))
    reminder_row(tenant, invoices["queued"], 7, ReminderStatus.QUEUED, NOW.replace(hour=15))
    with time_machine.travel(NOW, tick=False):
        found = reminders_today(org=tenant.org)
    assert [(item.customer_name, item.step, item.queued) for item in found] == [
        # Both the sweep's next pass (now), then the queued one at 15:00.
        ("Due Today Ltd", "On the due date", False),
        ("Week Late Ltd", "7 days after the due date", False),
        ("Queued Ltd", "7 days after the due date", True),
    ]
    assert found[0].at == NOW and found[2].at == NOW.replace(hour=15)
    assert found[1].tone == "Firm"
    assert found[0].channels == ("email",)  # "both" for a customer who takes email only


def test_after_the_window_closes_nothing_more_goes_today(
    tenant: Tenant, invoices: dict[str, Invoice]
) -> None:
    # 18:00: the window opened at 09:00 and closed at 17:00; the next opening is tomorrow.
    with time_machine.travel(NOW.replace(hour=18), tick=False):
        assert reminders_today(org=tenant.org) == []


def test_nothing_of_another_organization(
    tenant: Tenant, other_tenant: Tenant, invoices: dict[str, Invoice]
) -> None:
    with time_machine.travel(NOW, tick=False):
        assert reminders_today(org=other_tenant.org) == []
