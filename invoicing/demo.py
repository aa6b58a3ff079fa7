"""Demo customers for ``seed_demo``: realistic, deterministic for a seed, on several continents,
with billing addresses in their countries (``invoicing.demo_addresses``), some with SMS consent
and some who have unsubscribed or replied STOP.

Bulk-inserted (a benchmark asks for 50,000), so it writes rows directly instead of through the
services, and fills the search vectors in one statement per batch.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection

from arhub.models import (
    Channel,
    ConsentMethod,
    Organization,
    SmsConsent,
    Suppression,
    SuppressionReason,
    SuppressionScope,
    User,
)
from invoicing.demo_addresses import demo_billing
from invoicing.invoice_demo import seed_invoices
from invoicing.models import Contact, Customer, PreferredChannel
from invoicing.search import customer_document
from invoicing.selectors import customer_tags_cache_key

BATCH = 2000


@dataclass(frozen=True)
class Region:
    timezone: str
    currency: str
    language: str
    # The number's start (country code and area) and how many digits follow, so each number has
    # its country's length (the US ones use 555, the exchange kept for fiction).
    phone_prefix: str
    phone_digits: int
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


REGIONS = (
    Region("America/Chicago", "USD", "en", "+1312555", 4,
           ("Maya", "Jordan", "Elena", "Marcus", "Priya", "Tom"),
           ("Anderson", "Okafor", "Nguyen", "Kowalski", "Reyes", "Hughes")),
    Region("America/New_York", "USD", "en", "+1212555", 4,
           ("Grace", "Daniel", "Aisha", "Leo", "Hannah", "Sam"),
           ("Bennett", "Rossi", "Cohen", "Park", "Murphy", "Diaz")),
    Region("America/Los_Angeles", "USD", "en", "+1415555", 4,
           ("Kai", "Isabella", "Noah", "Mei", "Carlos", "Zoe"),
           ("Tanaka", "Lopez", "Sullivan", "Chen", "Patel", "Ward")),
    Region("America/Mexico_City", "MXN", "es", "+5255", 8,
           ("Sofía", "Mateo", "Valentina", "Diego", "Camila", "Luis"),
           ("García", "Hernández", "Martínez", "López", "Ramírez", "Flores")),
    Region("Europe/Madrid", "EUR", "es", "+3491", 7,
           ("Lucía", "Pablo", "Carmen", "Javier", "Marta", "Álvaro"),
           ("Fernández", "Sánchez", "Romero", "Navarro", "Torres", "Gil")),
    Region("Europe/London", "GBP", "en", "+4420794", 6,
           ("Olivia", "Harry", "Amelia", "George", "Isla", "Arjun"),
           ("Taylor", "Evans", "Walsh", "Ahmed", "Clarke", "Singh")),
    Region("Australia/Sydney", "AUD", "en", "+6129", 7,
           ("Chloe", "Jack", "Ruby", "Liam", "Ava", "Ethan"),
           ("Wilson", "Nguyen", "Kelly", "Brown", "Martin", "Lee")),
    Region("Africa/Johannesburg", "ZAR", "en", "+2711", 7,
           ("Thabo", "Naledi", "Pieter", "Zanele", "Sipho", "Anika"),
           ("Mokoena", "Naidoo", "van der Merwe", "Dlamini", "Botha", "Khumalo")),
)  # fmt: skip

TRADES = ("Bakery", "Joinery", "Catering", "Florist", "Plumbing", "Print Shop", "Café",
          "Landscaping", "Dental Care", "Studio", "Removals", "Books")  # fmt: skip
PLACES = ("Riverside", "Northgate", "Harbour", "Oak Lane", "Summit", "Maple", "Cedar",
          "Lakeview", "Old Town", "Market Street", "Hillcrest", "Bayside")  # fmt: skip
TAGS = ("wholesale", "retail", "events", "monthly", "vip", "new")


def seed(*, org: Organization, rng: random.Random, owner: User, options: dict[str, Any]) -> str:
    count = int(options.get("customers") or 0)
    customers: list[Customer] = []
    contacts: list[Contact] = []
    for n in range(count):
        region = rng.choice(REGIONS)
        first, last = rng.choice(region.first_names), rng.choice(region.last_names)
        company = f"{rng.choice(PLACES)} {rng.choice(TRADES)}"
        is_company = rng.random() < 0.7
        customer = Customer(
            organization=org,
            display_name=company if is_company else f"{first} {last}",
            company=company if is_company else "",
            timezone=region.timezone,
            language=region.language,
            currency=region.currency,
            payment_terms_days=rng.choice((None, 14, 30, 30, 45)),
            preferred_channel=rng.choice(
                (PreferredChannel.EMAIL, PreferredChannel.EMAIL, PreferredChannel.BOTH)
            ),
            tags=sorted(set(rng.sample(TAGS, rng.randrange(0, 3)))),
            external_id=f"CUST-{n + 1:05d}",
            **demo_billing(rng, timezone=region.timezone, is_company=is_company),
        )
        customers.append(customer)
        domain = _ascii(company).replace(" ", "") + ".test"
        digits = "".join(str(rng.randrange(10)) for _ in range(region.phone_digits))
        phone = region.phone_prefix + ("01" + digits[2:] if region.currency == "USD" else digits)
        contacts.append(
            Contact(
                organization=org,
                customer=customer,
                name=f"{first} {last}",
                email=f"{_ascii(first)}.{_ascii(last).replace(' ', '')}@{domain}",
                phone=phone if rng.random() < 0.8 else "",
                role="Owner" if not is_company else "Accounts payable",
                is_primary=True,
            )
        )
        if is_company and rng.random() < 0.3:
            contacts.append(
                Contact(
                    organization=org,
                    customer=customer,
                    name="Accounts team",
                    email=f"accounts@{domain}",
                    role="Accounts payable",
                    receives_reminders=True,
                    receives_invoices=False,
                )
            )
    Customer.objects.bulk_create(customers, batch_size=BATCH)
    Contact.objects.bulk_create(contacts, batch_size=BATCH)
    _fill_search_vectors(customers, contacts)
    cache.delete(customer_tags_cache_key(org.pk))
    consents, suppressed = _consent_and_suppression(org, owner, rng, contacts)
    invoices = seed_invoices(org=org, rng=rng, owner=owner, options=options)
    return (
        f"{count} customers ({len(contacts)} contacts, {consents} with SMS consent,"
        f" {suppressed} suppressed); {invoices}"
    )


def _ascii(text: str) -> str:
    """Lower-case ASCII for the made-up addresses: "Hernández" -> "hernandez"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return decomposed.encode("ascii", "ignore").decode()


def _fill_search_vectors(customers: list[Customer], contacts: list[Contact]) -> None:
    by_customer: dict[int, list[Contact]] = {}
    for contact in contacts:
        by_customer.setdefault(contact.customer_id, []).append(contact)
    with connection.cursor() as cursor:
        for start in range(0, len(customers), BATCH):
            batch = customers[start : start + BATCH]
            cursor.execute(
                "UPDATE invoicing_customer AS c"
                " SET search_vector = to_tsvector('simple', d.doc)"
                " FROM unnest(%s::bigint[], %s::text[]) AS d(id, doc) WHERE c.id = d.id",
                [
                    [c.pk for c in batch],
                    [customer_document(c, by_customer.get(c.pk, [])) for c in batch],
                ],
            )
        cursor.execute("ANALYZE invoicing_customer")
        cursor.execute("ANALYZE invoicing_contact")


def _consent_and_suppression(
    org: Organization, owner: User, rng: random.Random, contacts: list[Contact]
) -> tuple[int, int]:
    consents: list[SmsConsent] = []
    suppressions: list[Suppression] = []
    for index, contact in enumerate(contacts):
        if contact.phone and rng.random() < 0.4:
            consents.append(
                SmsConsent(
                    organization=org,
                    phone=str(contact.phone),
                    customer_id=contact.customer_id,
                    method=ConsentMethod.OWNER_ATTESTED,
                    recorded_by=owner,
                    note="Agreed on the phone to text reminders",
                )
            )
        if index % 12 == 5 and contact.email:
            suppressions.append(
                Suppression(
                    organization=org,
                    channel=Channel.EMAIL,
                    address=contact.email,
                    scope=SuppressionScope.REMINDERS,
                    reason=SuppressionReason.UNSUBSCRIBED,
                )
            )
        elif index % 17 == 9 and contact.phone:
            suppressions.append(
                Suppression(
                    organization=org,
                    channel=Channel.SMS,
                    address=str(contact.phone),
                    scope=SuppressionScope.ALL,
                    reason=SuppressionReason.STOP_KEYWORD,
                )
            )
    SmsConsent.objects.bulk_create(consents, batch_size=BATCH)
    Suppression.objects.bulk_create(suppressions, batch_size=BATCH, ignore_conflicts=True)
    return len(consents), len(suppressions)
