"""The customer directory's search: built-in PostgreSQL full-text search on prefixes.

Each customer carries a ``search_vector`` of its name, company, external id, billing city and
postal code, and its contacts' names, emails (whole, local part and domain) and phone numbers
(as people type them). A query matches customers having every typed word as the start of one
of theirs ("acme pl" finds "Acme Plumbing"), served by a GIN index, so search stays fast on a
large directory and needs no database extension.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Value

from arhub.models import Organization
from invoicing.models import Contact, Customer

CONFIG = "simple"
# Characters kept inside a query word; everything else separates words. Keeping the query to
# these means nothing the user types can reach tsquery syntax.
_WORD = re.compile(r"[\w@.+-]+", re.UNICODE)


def search_words(text: str) -> list[str]:
    """Lower-cased words of ``text``, with e-mail addresses also split into local part and
    domain."""
    words: list[str] = []
    for word in _WORD.findall(text.lower()):
        word = word.strip(".-+")
        if not word:
            continue
        words.append(word)
        if "@" in word:
            local, _, domain = word.partition("@")
            words += [local, domain]
    return words


def phone_words(e164: str) -> list[str]:
    """A number as people type it: international digits, national digits with and without
    the trunk prefix, and the groups of its national format ("020 7946 0018")."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return []
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    groups = re.findall(r"\d+", national)
    return [e164.lstrip("+"), str(number.national_number), "".join(groups), *groups]


def customer_document(customer: Customer, contacts: Iterable[Contact]) -> str:
    parts = [customer.display_name, customer.company, customer.external_id]
    # Where they are, as people look a customer up ("the one in Leeds"); not the street, which
    # would bring up every customer on a "Harbour Road" for a search of "harbour".
    parts += [customer.billing_city, customer.billing_postal_code]
    words: list[str] = []
    for contact in contacts:
        parts += [contact.name, contact.email]
        if contact.phone:
            words += phone_words(str(contact.phone))
    return " ".join(search_words(" ".join(p for p in parts if p)) + words)


def customer_search_refresh(*, org: Organization, customer_id: int) -> None:
    """Recompute one customer's search vector; called by every service that changes a customer
    or its contacts."""
    customer = Customer.objects.for_org(org).get(pk=customer_id)
    contacts = Contact.objects.for_org(org).filter(customer_id=customer_id)
    document = customer_document(customer, contacts)
    Customer.objects.for_org(org).filter(pk=customer_id).update(
        search_vector=SearchVector(Value(document), config=CONFIG)
    )


def search_query(text: str) -> SearchQuery | None:
    """A prefix query requiring every word, or None when the text has no searchable word."""
    words = [w.strip(".-+") for w in _WORD.findall(text.lower()) if w.strip(".-+")]
    if not words:
        return None
    # Each word is quoted as a tsquery literal (with its quotes doubled) and given :* for prefix.
    terms = " & ".join("'" + w.replace("'", "''") + "':*" for w in words)
    return SearchQuery(terms, search_type="raw", config=CONFIG)
