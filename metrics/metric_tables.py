"""The aging, DSO and CEI reports as :class:`metrics.tables.Table`, for the pages' export links:
one builder per report, the same figures the page shows, in any of the export formats.

The figures are computed by ``metrics.aging``, ``metrics.dso`` and ``metrics.cei``; here they
only become rows. Aging detail streams (one invoice per row, from a cursor); the others are a
few dozen rows at most.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from arhub.models import Organization
from invoicing.models import Customer
from metrics.aging import aging_by_customer, aging_detail
from metrics.aging_edges import aging_edges_text, bucket_limits
from metrics.figures import CeiFigure, DsoFigure
from metrics.tables import Column, Table, period_words


def _aging_filters(as_of: date, currency: str, edges: Sequence[int]) -> dict[str, str]:
    # The currency is printed by the writers themselves, from the table's own.
    return {"As of": as_of.isoformat(), "Bucket edges": aging_edges_text(edges)}


def aging_summary_table(
    *, org: Organization, as_of: date, currency: str, edges: Sequence[int]
) -> Table:
    labels = [label for label, _, _ in bucket_limits(edges)]
    columns = [
        Column("customer", "Customer"),
        *(Column(f"bucket_{i}", label, "money", total=True) for i, label in enumerate(labels)),
        Column("total", "Total", "money", total=True),
        Column("oldest_due", "Oldest due date", "date"),
    ]
    rows = (
        [row.name, *row.amounts, row.total, row.oldest_due_date]
        for row in aging_by_customer(org=org, as_of=as_of, currency=currency, edges=edges)
    )
    return Table(
        title="Aging summary by customer",
        columns=columns,
        rows=rows,
        currency=currency,
        filters=_aging_filters(as_of, currency, edges),
        subtitle="What each customer owed on the day, by days past due.",
    )


def aging_detail_table(
    *,
    org: Organization,
    as_of: date,
    currency: str,
    edges: Sequence[int],
    customer: Customer | None = None,
) -> Table:
    """Every open invoice on ``as_of``; only ``customer``'s when given (then named in the title
    and the filters)."""
    columns = [
        Column("customer", "Customer"),
        Column("number", "Invoice"),
        Column("issue_date", "Issued", "date"),
        Column("due_date", "Due", "date"),
        Column("days_past_due", "Days past due", "int"),
        Column("bucket", "Bucket"),
        Column("open_amount", "Open amount", "money", total=True),
    ]
    rows = (
        [
            row.customer_name,
            row.number,
            row.issue_date,
            row.due_date,
            max(row.days_past_due, 0),
            row.bucket,
            row.open_amount,
        ]
        for row in aging_detail(
            org=org,
            as_of=as_of,
            currency=currency,
            edges=edges,
            customer_id=customer.pk if customer else None,
        )
    )
    filters = _aging_filters(as_of, currency, edges)
    if customer:
        filters["Customer"] = customer.display_name
    return Table(
        title=f"Aging detail: {customer.display_name}" if customer else "Aging detail by invoice",
        columns=columns,
        rows=rows,
        currency=currency,
        filters=filters,
        subtitle="Every invoice with something open on the day.",
    )


def dso_table(
    *,
    simple: Sequence[DsoFigure],
    countback: Sequence[DsoFigure],
    currency: str,
    period_days: int,
) -> Table:
    """One row per month end: both methods side by side, and what the simple one divides."""
    columns = [
        Column("as_of", "Month end", "date"),
        Column("simple", f"DSO, simple ({period_days}-day period)", "decimal"),
        Column("countback", "DSO, count-back", "decimal"),
        Column("receivables", "Receivables", "money"),
        Column("credit_sales", f"Credit sales, {period_days} days", "money"),
    ]
    rows = [
        [one.as_of, one.days, other.days, one.receivables, one.credit_sales]
        for one, other in zip(simple, countback, strict=True)
    ]
    last = simple[-1].as_of if simple else None
    return Table(
        title="Days sales outstanding",
        columns=columns,
        rows=rows,
        currency=currency,
        filters={
            "As of": last.isoformat() if last else "",
            "Simple method period": f"{period_days} days",
        },
        subtitle="Simple: receivables \u00f7 credit sales of the period \u00d7 days in it. "
        "Count-back: receivables matched against credit sales month by month, newest first.",
    )


def cei_table(
    *,
    rows: Sequence[tuple[str, CeiFigure]],
    currency: str,
    title: str,
    start: date,
    end: date,
) -> Table:
    """One row per labelled period ("Chosen period", "Q1 2027", "Mar 2027"); a CEI of None
    (nothing was collectable) is an empty cell."""
    columns = [
        Column("period", "Period"),
        Column("start", "From", "date"),
        Column("end", "To", "date"),
        Column("percent", "CEI", "percent"),
        Column("beginning", "Receivables at start", "money"),
        Column("credit_sales", "Credit sales", "money"),
        Column("ending", "Receivables at end", "money"),
        Column("ending_current", "Of which current", "money"),
    ]
    cells = [
        [label, f.start, f.end, f.percent, f.beginning, f.credit_sales, f.ending, f.ending_current]
        for label, f in rows
    ]
    return Table(
        title=title,
        columns=columns,
        rows=cells,
        currency=currency,
        filters={"Period": period_words(start, end)},
        subtitle="CEI = (receivables at start + credit sales \u2212 receivables at end) \u00f7 "
        "(receivables at start + credit sales \u2212 current receivables at end) \u00d7 100.",
    )
