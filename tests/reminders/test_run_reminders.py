"""``manage.py run_reminders``: ``--dry-run`` says what would go and writes nothing; ``--once``
sweeps and sends in the process; without either it refuses."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from reminders.models import Reminder
from tests.conftest import Tenant
from tests.reminders.arrangement_rows import promise_make
from tests.reminders.engine_helpers import (
    EVERY_DAY,
    customer_in,
    default_policy,
    invoice_due,
    local,
)

pytestmark = pytest.mark.django_db

ZONE = "Europe/London"
DUE = date(2027, 6, 10)


def run(*args: str) -> str:
    out = StringIO()
    with time_machine.travel(local(ZONE, DUE), tick=False):
        call_command("run_reminders", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_says_what_would_go_and_writes_nothing(tenant: Tenant) -> None:
    default_policy(tenant.org, weekdays=EVERY_DAY)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, ZONE), DUE)
    out = run("--dry-run")
    assert f"would send: org {tenant.org.pk} invoice {invoice.number} step +0" in out
    assert "1 reminders and 0 plan and promise messages would be sent." in out
    assert not Reminder.objects.exists() and mail.outbox == []


def test_once_sweeps_and_sends_here(tenant: Tenant) -> None:
    default_policy(tenant.org, weekdays=EVERY_DAY)
    invoice = invoice_due(tenant.org, customer_in(tenant.org, ZONE), DUE)
    out = run("--once")
    assert "1 reminders planned, 0 plan and promise messages, 1 messages sent." in out
    [email] = mail.outbox
    assert invoice.number in email.subject
    assert run("--once").endswith("0 plan and promise messages, 0 messages sent.\n")


def test_it_needs_once_or_dry_run_and_a_known_org(tenant: Tenant) -> None:
    with pytest.raises(CommandError, match="--once"):
        run()
    with pytest.raises(CommandError, match="no-such-org"):
        run("--once", "--org", "no-such-org")


def test_once_sends_a_promises_as_agreed_reminder_too(tenant: Tenant) -> None:
    default_policy(tenant.org, weekdays=EVERY_DAY)
    # Due a month ago and promised for today: the policy holds, the promise's own reminder goes.
    invoice = invoice_due(tenant.org, customer_in(tenant.org, ZONE), date(2027, 5, 10))
    promise_make(invoice, DUE)
    dry = run("--dry-run")
    assert f"would send: org {tenant.org.pk} invoice {invoice.number} promise message" in dry
    assert "0 reminders and 1 plan and promise messages would be sent." in dry
    assert mail.outbox == []
    out = run("--once")
    assert "0 reminders planned, 1 plan and promise messages, 1 messages sent." in out
    [email] = mail.outbox
    assert email.subject == f"As agreed: invoice {invoice.number} today"
    assert run("--once").endswith("0 plan and promise messages, 0 messages sent.\n")
