"""The day each paid invoice was paid: the one definition that "days to pay", "days late", the
trend arrow, the forecast's usual lateness and the reminder effect all stand on.

An invoice is *paid* when its status is paid now and at least one live (not reversed) payment
allocation is on it. It was paid on the latest ``received_on`` of those allocations' payments,
but never before its own issue date.

Why not ``Invoice.paid_at``: it is the server's clock at the moment a balance reached zero, not
the day the money came. A cheque received on 1 March and entered on 5 March has paid_at 5 March
and received_on 1 March. paid_at is also stamped when a credit note, not the customer, closes
the balance, and it is a UTC instant, while days are counted in the organization's calendar, as
``received_on`` is.

Why the issue-date floor: credit left over from an earlier payment (an overpayment) can be
applied to a later invoice; its payment was received before the invoice existed, so the
customer had paid it the day it was issued (0 days), not a negative number of days.

An invoice closed by credit notes alone has no allocation and is not counted: nothing was paid.
"""

from __future__ import annotations

PAID_INVOICES_SQL = """
    SELECT i.id, i.customer_id, i.issue_date,
           COALESCE(i.due_date, i.issue_date) AS due_date,
           GREATEST(MAX(p.received_on), i.issue_date) AS paid_on
    FROM invoicing_invoice i
    JOIN payments_paymentallocation a
      ON a.invoice_id = i.id AND a.organization_id = i.organization_id
         AND a.reversed_at IS NULL
    JOIN payments_payment p ON p.id = a.payment_id AND p.organization_id = i.organization_id
    WHERE i.organization_id = %(org)s AND i.status = 'paid' AND i.issue_date IS NOT NULL
      {filters}
    GROUP BY i.id
"""


def paid_invoices_sql(*, currency: bool = False, customer: bool = False) -> str:
    """The paid invoices of the organization ``%(org)s`` as a sub-query with the columns
    ``id, customer_id, issue_date, due_date, paid_on`` (due_date falls back to the issue date
    when an invoice has none). ``currency`` adds ``%(currency)s`` and ``customer``
    ``%(customer_id)s`` as filters, for use in a ``WITH paid AS (...)``."""
    filters = []
    if currency:
        filters.append("AND i.currency = %(currency)s")
    if customer:
        filters.append("AND i.customer_id = %(customer_id)s")
    return PAID_INVOICES_SQL.format(filters=" ".join(filters))
