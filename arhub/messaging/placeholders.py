"""The small placeholder language of owner-written message text.

Owners write plain text with placeholders in single braces, ``Hi {contact_name}``. ``{{`` and
``}}`` write a literal brace. Anything else in braces is an unknown placeholder, reported by
name, so a typo never reaches a customer as ``{invoice_no}``. Owner text is never handed to the
Django template engine: it cannot reach attributes, filters or tags, and needs no sandbox.

Each kind of message offers its own set of placeholders (a receipt has a payment amount, a
reminder has days overdue); the sender of each kind supplies a value for every one of them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency
from django.conf import settings
from django.utils.html import escape

from arhub.models import MessageKind, Organization


@dataclass(frozen=True)
class Placeholder:
    name: str
    meaning: str
    # Shown in the editor's list and used by the preview until the value exists for real.
    example: str
    # Rendered as a clickable link in HTML email.
    is_link: bool = False


_ALL = [
    Placeholder(
        "customer_name", "The customer's name as it appears in your directory.", "Bright Dental"
    ),
    Placeholder(
        "contact_name",
        "The person the message goes to; the customer's name when the contact has none.",
        "Maria",
    ),
    Placeholder("org_name", "Your business name, from Settings.", "Acme Plumbing"),
    Placeholder("invoice_number", "The invoice's number.", "INV-0042"),
    Placeholder("invoice_total", "The invoice's total, with its currency.", "$1,250.00"),
    Placeholder(
        "amount_due",
        "What is still owed on the invoice (or the next plan instalment), with its currency.",
        "$1,250.00",
    ),
    Placeholder("due_date", "When the invoice (or instalment) is due.", "March 12, 2026"),
    Placeholder("days_overdue", "Days past the due date; 0 before it.", "3"),
    Placeholder(
        "pay_link", "The page where the customer sees and pays the invoice; no login.",
        "https://pay.example/i/abc", is_link=True,
    ),
    Placeholder("payment_amount", "The payment just received, with its currency.", "$500.00"),
    Placeholder("payment_date", "The day the payment was received.", "March 14, 2026"),
    Placeholder(
        "balance_due", "Everything the customer still owes you, across invoices.", "$750.00"
    ),
    Placeholder(
        "statement_link", "The customer's statement: every open invoice and payment.",
        "https://pay.example/s/abc", is_link=True,
    ),
    Placeholder("invoice_count", "How many invoices the reminder is about.", "3"),
    Placeholder(
        "total_due", "What is owed on those invoices together, with its currency.", "$2,480.00"
    ),
    Placeholder(
        "invoice_list",
        "One line per invoice: its number, what is owed and when it was due.",
        "INV-0042: $1,250.00, due March 12, 2026\nINV-0047: $1,230.00, due March 19, 2026",
    ),
]  # fmt: skip
PLACEHOLDERS: dict[str, Placeholder] = {p.name: p for p in _ALL}

_COMMON = ("customer_name", "contact_name", "org_name")
_INVOICE = ("invoice_number", "amount_due", "due_date", "pay_link")

# Placeholders each kind of message offers. The code that sends a kind supplies every one.
AVAILABLE: dict[str, tuple[str, ...]] = {
    MessageKind.INVOICE: (*_COMMON, *_INVOICE, "invoice_total"),
    MessageKind.REMINDER: (*_COMMON, *_INVOICE, "days_overdue"),
    MessageKind.REMINDER_DIGEST: (
        *_COMMON, "invoice_count", "total_due", "invoice_list", "statement_link"
    ),
    MessageKind.RECEIPT: (
        *_COMMON, "payment_amount", "payment_date", "balance_due", "statement_link"
    ),
    MessageKind.THANK_YOU: (*_COMMON, "invoice_number", "payment_amount", "payment_date"),
    MessageKind.DISPUTE_UPDATE: (*_COMMON, "invoice_number", "pay_link"),
    MessageKind.PLAN_UPDATE: (*_COMMON, "amount_due", "due_date", "pay_link"),
    MessageKind.STATEMENT: (*_COMMON, "balance_due", "statement_link"),
    MessageKind.OTHER: (*_COMMON, "statement_link"),
}  # fmt: skip

# "{{" and "}}" first, so a doubled brace is never read as the start of a placeholder. A
# placeholder does not span lines: a stray "{" in one paragraph must not swallow the next.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}")


class PlaceholderError(ValueError):
    """Text that cannot be rendered; ``names`` are the offending placeholders, in order."""

    def __init__(self, message: str, names: list[str]) -> None:
        super().__init__(message)
        self.names = names


def _tokens(text: str) -> Iterator[tuple[bool, str]]:
    """(is_placeholder, text or name) pieces of ``text``, in order."""
    position = 0
    for match in _TOKEN.finditer(text):
        if match.start() > position:
            yield False, text[position : match.start()]
        token = match.group(0)
        if token in ("{{", "}}"):
            yield False, token[0]
        else:
            yield True, (match.group(1) or "").strip()
        position = match.end()
    if position < len(text):
        yield False, text[position:]


def placeholders_used(text: str) -> list[str]:
    """Every placeholder name in ``text``, known or not, once each, in order."""
    names: list[str] = []
    for is_placeholder, piece in _tokens(text):
        if is_placeholder and piece not in names:
            names.append(piece)
    return names


def unknown_placeholders(text: str) -> list[str]:
    return [name for name in placeholders_used(text) if name not in PLACEHOLDERS]


def unavailable_placeholders(text: str, kind: str) -> list[str]:
    """Known placeholders that this kind of message has no value for."""
    available = AVAILABLE.get(kind, _COMMON)
    return [
        name for name in placeholders_used(text) if name in PLACEHOLDERS and name not in available
    ]


def _braced(names: list[str]) -> str:
    return ", ".join("{" + name + "}" for name in names)


def template_problems(text: str, kind: str) -> list[str]:
    """What is wrong with owner text for this kind of message, as sentences for a form."""
    problems = []
    available = AVAILABLE.get(kind, _COMMON)
    for name in unknown_placeholders(text):
        # What this kind offers first: a suggestion it cannot use would only be refused next.
        close = difflib.get_close_matches(name, available, n=1) or difflib.get_close_matches(
            name, PLACEHOLDERS, n=1
        )
        hint = f" Did you mean {{{close[0]}}}?" if close else ""
        problems.append(f"Unknown placeholder {{{name}}}.{hint}")
    unavailable = unavailable_placeholders(text, kind)
    if unavailable:
        label = MessageKind(kind).label.lower() if kind in MessageKind.values else kind
        problems.append(
            f"{_braced(unavailable)} cannot be used in {label} messages; "
            f"available: {_braced(list(available))}."
        )
    return problems


def render(text: str, values: Mapping[str, str], *, html: bool) -> str:
    """Fill in ``text``. With ``html`` the result is an HTML fragment: every character of the
    owner's text and of the values is escaped, blank lines make paragraphs, and link values
    become links. Raises PlaceholderError naming unknown placeholders or missing values."""
    unknown = unknown_placeholders(text)
    if unknown:
        raise PlaceholderError(f"Unknown placeholder {_braced(unknown)}.", unknown)
    missing = [name for name in placeholders_used(text) if name not in values]
    if missing:
        raise PlaceholderError(f"No value for {_braced(missing)}.", missing)
    if not html:
        return "".join(values[piece] if is_ph else piece for is_ph, piece in _tokens(text))
    out: list[str] = []
    for is_placeholder, piece in _tokens(text):
        if not is_placeholder:
            out.append(escape(piece))
        elif PLACEHOLDERS[piece].is_link and _is_web_link(values[piece]):
            link = escape(values[piece])
            out.append(f'<a href="{link}">{link}</a>')
        else:
            out.append(escape(values[piece]))
    return _paragraphs("".join(out))


def _is_web_link(value: str) -> bool:
    return value.startswith(("https://", "http://")) and not any(c.isspace() for c in value)


def _paragraphs(escaped: str) -> str:
    # Safe to split and join: escaping has already turned every "<" of the text into "&lt;".
    blocks = re.split(r"\n\s*\n", escaped.replace("\r\n", "\n"))
    paragraphs = []
    for block in blocks:
        lines = block.strip("\n").split("\n")
        if any(lines):
            paragraphs.append("<p>" + "<br>\n".join(lines) + "</p>")
    return "\n".join(paragraphs)


# ---- Values: how amounts and dates read in the customer's language


def value_locale(*, org: Organization, language: str) -> str:
    """The organization's own locale when it speaks the customer's language (en-GB writes
    12 March 2026), else the bare language."""
    return org.locale.replace("-", "_") if org.locale.split("-")[0] == language else language


def format_amount(amount: Decimal, currency: str, *, locale: str) -> str:
    return format_currency(amount, currency, locale=locale)


def format_day(day: date, *, locale: str, short: bool = False) -> str:
    """ "12 March 2026"; ``short`` (for SMS) "12 Mar 2026"."""
    return babel_format_date(day, format="medium" if short else "long", locale=locale)


def sample_values(
    *, org: Organization, language: str, currency: str, today: date, short_dates: bool = False
) -> dict[str, str]:
    """Values for the editor's preview, written as real ones would be (the customer's currency,
    dates in their language, links as long as ours), for what does not exist yet."""
    locale = value_locale(org=org, language=language)
    base = settings.SITE_URL
    return {
        "invoice_number": "INV-0042",
        "invoice_total": format_amount(Decimal("1250.00"), currency, locale=locale),
        "amount_due": format_amount(Decimal("1250.00"), currency, locale=locale),
        "due_date": format_day(today + timedelta(days=14), locale=locale, short=short_dates),
        "days_overdue": "0",
        "pay_link": f"{base}/pay/SAMPLE-b7Qx2Lk9/",
        "payment_amount": format_amount(Decimal("500.00"), currency, locale=locale),
        "payment_date": format_day(today, locale=locale, short=short_dates),
        "balance_due": format_amount(Decimal("750.00"), currency, locale=locale),
        "statement_link": f"{base}/statement/SAMPLE-b7Qx2Lk9/",
    }
