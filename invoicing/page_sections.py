"""Sections that the apps above invoicing add to the invoice page and the customer page.

invoicing may not import the apps built on it (payments, disputes, …), yet what they know
belongs on its pages: the payments applied to an invoice, a customer's unapplied cash. Such an
app registers a provider in its ``AppConfig.ready()``; each page asks every provider, includes
the template each one names with its context under ``data``, and shows its actions (links)
beside the page's own.

A provider runs a fixed number of queries however long the history it summarizes, so the pages
stay constant-query, and returns None when it has nothing to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from arhub.models import Membership, Organization
from invoicing.models import Customer, Invoice


@dataclass(frozen=True)
class SectionAction:
    """A link the page shows with its own actions, e.g. "Record a payment" beside "Send"."""

    label: str
    url: str
    primary: bool = False


@dataclass(frozen=True)
class PageSection:
    template_name: str
    context: Mapping[str, Any] = field(default_factory=dict)
    actions: tuple[SectionAction, ...] = ()


class InvoiceSectionProvider(Protocol):
    def __call__(
        self, *, org: Organization, membership: Membership, invoice: Invoice
    ) -> PageSection | None: ...


class CustomerSectionProvider(Protocol):
    def __call__(
        self, *, org: Organization, membership: Membership, customer: Customer
    ) -> PageSection | None: ...


# By name, so registering again (``ready()`` in a test run that reloads apps) replaces the
# provider instead of showing its section twice. Shown in the order first registered.
_invoice_providers: dict[str, InvoiceSectionProvider] = {}
_customer_providers: dict[str, CustomerSectionProvider] = {}


def invoice_section_register(*, name: str, provider: InvoiceSectionProvider) -> None:
    _invoice_providers[name] = provider


def customer_section_register(*, name: str, provider: CustomerSectionProvider) -> None:
    _customer_providers[name] = provider


def invoice_sections(
    *, org: Organization, membership: Membership, invoice: Invoice
) -> list[PageSection]:
    shown = (
        provider(org=org, membership=membership, invoice=invoice)
        for provider in _invoice_providers.values()
    )
    return [section for section in shown if section is not None]


def customer_sections(
    *, org: Organization, membership: Membership, customer: Customer
) -> list[PageSection]:
    shown = (
        provider(org=org, membership=membership, customer=customer)
        for provider in _customer_providers.values()
    )
    return [section for section in shown if section is not None]
