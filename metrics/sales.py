"""Credit sales of periods: what DSO and CEI divide by.

Credit sales of [first, last] = totals of invoices issued in it (issued, not void; one written
off later was still a sale) + late fees charged in it and not waived by ``last``. Credit notes
are not taken off: like payments, they are one of the ways receivables go down.

Many periods (overlapping or not) cost one query: the rows are summed per day first, so the
join to the periods handles hundreds of rows, never the invoices themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import connection

from arhub.models import Organization
from arhub.money import ZERO, quantize
from metrics.periods import Period

_SALES = """
    WITH periods AS (
        SELECT * FROM unnest(%(starts)s::date[], %(ends)s::date[]) WITH ORDINALITY
            AS p(first_day, last_day, n)
    ),
    daily AS (
        SELECT i.issue_date AS day, NULL::date AS stop_on, SUM(i.total) AS amount
          FROM invoicing_invoice i
         WHERE i.organization_id = %(org)s AND i.currency = %(currency)s
           AND i.status NOT IN ('draft', 'void')
           AND i.issue_date BETWEEN %(first)s AND %(last)s
         GROUP BY i.issue_date
        UNION ALL
        SELECT f.charged_on, (f.waived_at AT TIME ZONE %(tz)s)::date, SUM(f.amount)
          FROM invoicing_latefee f
          JOIN invoicing_invoice i ON i.id = f.invoice_id AND i.organization_id = %(org)s
         WHERE f.organization_id = %(org)s AND i.currency = %(currency)s
           AND i.status NOT IN ('draft', 'void')
           AND f.charged_on BETWEEN %(first)s AND %(last)s
         GROUP BY 1, 2
    )
    SELECT p.n, COALESCE(SUM(d.amount), 0)
      FROM periods p
      LEFT JOIN daily d
        ON d.day BETWEEN p.first_day AND p.last_day
       AND (d.stop_on IS NULL OR d.stop_on > p.last_day)
     GROUP BY p.n
     ORDER BY p.n
"""


def credit_sales(*, org: Organization, currency: str, periods: Sequence[Period]) -> list[Decimal]:
    """Credit sales of each period, in the order given, in one query."""
    if not periods:
        return []
    for first, last in periods:
        if last < first:
            raise ValueError(f"periods: {last.isoformat()} is before {first.isoformat()}.")
    currency = currency.upper()
    params: dict[str, Any] = {
        "org": org.pk,
        "tz": org.timezone,
        "currency": currency,
        "starts": [first for first, _ in periods],
        "ends": [last for _, last in periods],
        "first": min(first for first, _ in periods),
        "last": max(last for _, last in periods),
    }
    with connection.cursor() as cursor:
        cursor.execute(_SALES, params)
        amounts = [amount for _, amount in cursor.fetchall()]
    return [quantize(amount or ZERO, currency) for amount in amounts]
