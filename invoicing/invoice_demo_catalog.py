"""What the demo organizations sell and charge: line items and a recurring template per kind of
business, prices in other currencies, and the tax rates by currency. Data for
``invoicing.invoice_demo``."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from arhub.models import Organization
from invoicing.models import LineKind

GOODS, SERVICE = "goods", "service"


@dataclass(frozen=True)
class Item:
    description: str  # "{month}" becomes the month of the invoice ("October")
    unit: str
    price: str
    quantities: tuple[str, ...]
    nature: str = GOODS  # goods carry sales tax in the US; services there do not
    kind: str = LineKind.ITEM


@dataclass(frozen=True)
class Catalog:
    items: tuple[Item, ...]
    recurring_name: str
    recurring_items: tuple[Item, ...]


# What each kind of business bills; an organization's name picks its kind (the demo's
# "Larkspur Bakery & Catering" bakes), other demo organizations get one by the seed.
CATALOGS = {
    "bakery": Catalog(
        items=(
            Item("Sourdough loaves, wholesale", "each", "4.50", ("24", "36", "48", "60")),
            Item("Butter croissants", "each", "2.10", ("36", "48", "72")),
            Item("Seeded rye, sliced", "each", "5.25", ("12", "20", "30")),
            Item("Celebration cake, three tiers", "", "480.00", ("1",)),
            Item("Buffet catering", "guests", "18.50", ("25", "40", "60", "120"), SERVICE),
            Item("Event staff", "hours", "32.00", ("3.5", "6", "8", "12"), SERVICE),
            Item("Chafing dish hire", "each", "12.00", ("4", "6", "10"), SERVICE),
            Item("Delivery", "", "25.00", ("1",), SERVICE, LineKind.SHIPPING),
        ),
        recurring_name="Monthly wholesale bread",
        recurring_items=(
            Item("Bread standing order, {month}", "", "620.00", ("1",)),
            Item("Delivery", "", "25.00", ("1",), SERVICE, LineKind.SHIPPING),
        ),
    ),
    "web": Catalog(
        items=(
            Item("Website maintenance, {month}", "", "450.00", ("1",), SERVICE),
            Item("Design work", "hours", "85.00", ("2", "4.5", "8", "12"), SERVICE),
            Item("Landing page build", "", "1200.00", ("1",), SERVICE),
            Item("Content updates", "hours", "60.00", ("1", "2", "3.5"), SERVICE),
            Item("Domain renewal (1 year)", "", "18.00", ("1", "2")),
            Item("Stock photo licence", "each", "29.00", ("2", "5")),
        ),
        recurring_name="Monthly maintenance",
        recurring_items=(
            Item("Website maintenance, {month}", "", "450.00", ("1",), SERVICE),
            Item("Hosting, {month}", "", "35.00", ("1",)),
        ),
    ),
    "plumbing": Catalog(
        items=(
            Item("Plumbing call-out", "", "95.00", ("1",), SERVICE),
            Item("Labour", "hours", "65.00", ("1.5", "2", "3.5", "6"), SERVICE),
            Item("Copper pipe 15mm", "m", "4.20", ("6", "12", "18")),
            Item("Compression fittings 15mm", "each", "2.85", ("4", "8", "12")),
            Item("Thermostatic radiator valve", "each", "24.50", ("1", "2", "4")),
            Item("Boiler service", "", "120.00", ("1",), SERVICE),
            Item("Disposal of old fittings", "", "15.00", ("1",), SERVICE, LineKind.FEE),
        ),
        recurring_name="Monthly maintenance",
        recurring_items=(Item("Heating maintenance plan, {month}", "", "39.00", ("1",), SERVICE),),
    ),
}
# Prices are written in dollars; elsewhere a round figure of about the same worth.
PRICE_FACTOR = {"JPY": Decimal(150), "MXN": Decimal(17), "ZAR": Decimal(18)}
# (name, percent, currencies it is charged in, on goods only)
TAX_RATES = (
    ("State 6%", "6", "USD", True),
    ("City 2.25%", "2.25", "USD", True),
    ("VAT 20%", "20", "GBP", False),
    ("IVA 21%", "21", "EUR", False),
    ("Consumption tax 10%", "10", "JPY", False),
)
# The city's earlier rate: charged on old invoices, retired when the new one took effect.
OLD_CITY_RATE = ("City 2%", "2")
CITY_RATE_CHANGED_DAYS_AGO = 180


def business_of(org: Organization, rng: random.Random) -> str:
    """The kind of business an organization is, by its name; by the seed when it does not say."""
    name = org.name.lower()
    for word, kind in (("bak", "bakery"), ("cater", "bakery"), ("plumb", "plumbing"),
                       ("web", "web"), ("studio", "web")):  # fmt: skip
        if word in name:
            return kind
    return rng.choice(sorted(CATALOGS))
