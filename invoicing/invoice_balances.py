"""Writing the money figures of many locked invoices at once: what a payment, a refund or a
day's late fees changed, in one statement however many invoices they touched.

Not ``bulk_update()``: it builds a CASE WHEN per column over the ids, which cost about 1.7 ms of
Python per invoice (3.4 s for a payment spread over 2,000 invoices). One JSON parameter read back
as typed rows with ``jsonb_to_recordset`` costs tens of microseconds per row. Amounts travel as
exact decimal strings, never floats.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from django.db import connection

from arhub.models import Organization
from invoicing.models import Invoice

BATCH = 5000

_UPDATE = """
    UPDATE invoicing_invoice AS i SET
        amount_paid = d.amount_paid, amount_credited = d.amount_credited,
        amount_discounted = d.amount_discounted, fees_total = d.fees_total,
        balance_due = d.balance_due, status = d.status, paid_at = d.paid_at, updated_at = %s
    FROM jsonb_to_recordset(%s::jsonb) AS d(
        id bigint, amount_paid numeric, amount_credited numeric, amount_discounted numeric,
        fees_total numeric, balance_due numeric, status text, paid_at timestamptz
    )
    WHERE i.id = d.id AND i.organization_id = %s
"""


def invoice_balances_write(
    *, org: Organization, invoices: Sequence[Invoice], now: datetime
) -> None:
    """Store each invoice's amounts, balance, status and paid time as they are on the object.
    For callers that hold the invoices' row locks and ran ``invoice_status_refresh``."""
    with connection.cursor() as cursor:
        for start in range(0, len(invoices), BATCH):
            rows = [
                {
                    "id": invoice.pk,
                    "amount_paid": str(invoice.amount_paid),
                    "amount_credited": str(invoice.amount_credited),
                    "amount_discounted": str(invoice.amount_discounted),
                    "fees_total": str(invoice.fees_total),
                    "balance_due": str(invoice.balance_due),
                    "status": invoice.status,
                    "paid_at": invoice.paid_at.isoformat() if invoice.paid_at else None,
                }
                for invoice in invoices[start : start + BATCH]
            ]
            cursor.execute(_UPDATE, [now, json.dumps(rows), org.pk])
    for invoice in invoices:
        invoice.updated_at = now
