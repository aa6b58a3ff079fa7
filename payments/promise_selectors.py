"""Reads of promises to pay, always inside one organization."""

from __future__ import annotations

from collections.abc import Iterable

from arhub.models import Organization
from payments.models import PromiseStatus, PromiseToPay


def open_promises_by_invoice(
    *, org: Organization, invoice_ids: Iterable[int]
) -> dict[int, PromiseToPay]:
    """The open promise of each invoice that has one, in one query (at most one each, a
    constraint says so). An open promise past its date stays open through the grace days,
    until it is kept or broken."""
    rows = PromiseToPay.objects.for_org(org).filter(
        invoice_id__in=list(invoice_ids), status=PromiseStatus.OPEN
    )
    return {promise.invoice_id: promise for promise in rows}
