"""Who pays the demo's invoices (``seed_demo``).

The invoice demo decides which invoices get paid, how much and on which day; the payments
themselves belong to the payments app, which this app never imports. Payments registers a payer
here from its ``AppConfig.ready()`` and records each one through its own services, so every
``amount_paid`` in the demo is explained by live payment allocations. With no payer registered
the demo's invoices simply stay unpaid: it never writes ``amount_paid`` itself.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Protocol

from arhub.models import Organization, User
from invoicing.models import Invoice


class DemoPayer(Protocol):
    def __call__(
        self, *, org: Organization, actor: User, invoice: Invoice, amount: Decimal, on: date
    ) -> None:
        """Record ``amount`` (no more than the invoice's balance) received ``on`` for it."""


# By name, so registering again (``ready()`` in a test run that reloads apps) replaces it.
_PAYERS: dict[str, DemoPayer] = {}


def demo_payer_register(*, payer: DemoPayer) -> None:
    _PAYERS["payer"] = payer


def demo_payer() -> DemoPayer | None:
    return _PAYERS.get("payer")
