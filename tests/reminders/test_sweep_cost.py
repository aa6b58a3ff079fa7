"""The sweep's queries do not grow with what it finds: a constant number per organization,
whether one invoice is due or many. Candidates are loaded with only the fields the plan and the
holds read (``sweep.CANDIDATE_FIELDS``); reading any other field of one would cost a query per
candidate, and this count would grow with them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reminders.sweep import reminders_sweep
from tests.conftest import Tenant
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


def sweep_queries(tenant: Tenant, *, customers: int, due: date) -> tuple[int, int]:
    """Add ``customers`` with an invoice due on ``due`` and one due four days later (in the
    sweep's reach, its first step tomorrow), sweep that day: the number of queries, and of
    reminders planned."""
    for _ in range(customers):
        customer = customer_in(tenant.org, ZONE)
        invoice_due(tenant.org, customer, due)
        invoice_due(tenant.org, customer, due + timedelta(days=4))
    with (
        time_machine.travel(local(ZONE, due), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        result = reminders_sweep(enqueue=False)
    return len(queries), len(result.planned)


def test_the_sweep_runs_as_many_queries_for_nine_due_invoices_as_for_one(tenant: Tenant) -> None:
    default_policy(tenant.org, weekdays=EVERY_DAY)
    first, planned = sweep_queries(tenant, customers=1, due=DUE)
    assert planned == 1
    # Ten days on: seven new customers due, and the first customer's two invoices each with a
    # catch-up (day 7 of one, day 3 of the other).
    later, planned = sweep_queries(tenant, customers=7, due=DUE + timedelta(days=10))
    assert planned == 9
    assert later == first
