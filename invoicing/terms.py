"""Payment terms as values: which terms apply, the dates they give, and the sentence that tells
the customer, in their language, when the invoice is due, what paying early saves and what
paying late costs."""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal

from arhub.models import Organization
from arhub.money import money_format
from invoicing.models import Customer, LateFeeKind, PaymentTerms, TermsKind

_DECIMAL_FIELDS = (
    "discount_percent",
    "late_fee_amount",
    "late_fee_percent",
    "late_fee_cap_percent",
)


@dataclass(frozen=True)
class Terms:
    name: str = "Net 30"
    kind: str = TermsKind.NET
    days: int = 30
    discount_percent: Decimal | None = None
    discount_days: int | None = None
    late_fee_kind: str = LateFeeKind.NONE
    late_fee_amount: Decimal | None = None
    late_fee_percent: Decimal | None = None
    late_fee_grace_days: int = 0
    late_fee_cap_percent: Decimal | None = None
    late_fee_compound: bool = False

    # ---- storage (Invoice.terms)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in _DECIMAL_FIELDS:
            if data[name] is not None:
                data[name] = str(data[name])
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Terms:
        if not data:
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for name in _DECIMAL_FIELDS:
            if known.get(name) is not None:
                known[name] = Decimal(known[name])
        return cls(**known)

    @classmethod
    def from_model(cls, terms: PaymentTerms) -> Terms:
        return cls(
            name=terms.name,
            kind=terms.kind,
            days=terms.days,
            discount_percent=terms.discount_percent,
            discount_days=terms.discount_days,
            late_fee_kind=terms.late_fee_kind,
            late_fee_amount=terms.late_fee_amount,
            late_fee_percent=terms.late_fee_percent,
            late_fee_grace_days=terms.late_fee_grace_days,
            late_fee_cap_percent=terms.late_fee_cap_percent,
            late_fee_compound=terms.late_fee_compound,
        )

    # ---- dates

    @property
    def has_discount(self) -> bool:
        return bool(self.discount_percent) and self.discount_days is not None

    @property
    def has_late_fee(self) -> bool:
        if self.late_fee_kind == LateFeeKind.FLAT:
            return bool(self.late_fee_amount)
        if self.late_fee_kind == LateFeeKind.PERCENT:
            return bool(self.late_fee_percent)
        return False

    def due_date(self, issue_date: date, fixed: date | None = None) -> date:
        if self.kind == TermsKind.RECEIPT:
            return issue_date
        if self.kind == TermsKind.END_OF_MONTH:
            last = calendar.monthrange(issue_date.year, issue_date.month)[1]
            return issue_date.replace(day=last) + timedelta(days=self.days)
        if self.kind == TermsKind.FIXED:
            if fixed is None:
                raise ValueError("Fixed-date terms need the date.")
            return fixed
        return issue_date + timedelta(days=self.days)

    def discount_deadline(self, issue_date: date) -> date | None:
        """The last day the early-payment discount applies."""
        if not self.has_discount or self.discount_days is None:
            return None
        return issue_date + timedelta(days=self.discount_days)

    def late_fee_from(self, due_date: date) -> date | None:
        """The last day a payment is still free of late fees."""
        if not self.has_late_fee:
            return None
        return due_date + timedelta(days=self.late_fee_grace_days)


BUILT_IN_DEFAULT = Terms()


def terms_default(*, org: Organization) -> Terms:
    default = PaymentTerms.objects.for_org(org).filter(is_default=True).first()
    return Terms.from_model(default) if default else BUILT_IN_DEFAULT


def terms_for_customer(*, org: Organization, customer: Customer) -> Terms:
    """The customer's own named terms; else net days from the customer record (as imports bring
    them) on the organization's default terms; else the organization's default."""
    if customer.payment_terms_id is not None:
        named = PaymentTerms.objects.for_org(org).filter(pk=customer.payment_terms_id).first()
        if named is not None:
            return Terms.from_model(named)
    default = terms_default(org=org)
    if customer.payment_terms_days is not None:
        days = customer.payment_terms_days
        return replace(
            default,
            name="Due on receipt" if days == 0 else f"Net {days}",
            kind=TermsKind.RECEIPT if days == 0 else TermsKind.NET,
            days=days,
        )
    return default


# ---- the sentence


@dataclass(frozen=True)
class _Words:
    due: str
    due_on_receipt: str
    net: str
    end_of_month: str
    discount: str
    late_percent: str
    late_percent_compound: str
    late_flat: str
    cap: str


_WORDS = {
    "en": _Words(
        due="Due {date}",
        due_on_receipt="Due on receipt ({date}).",
        net=" ({days} days).",
        end_of_month=" (end of month + {days} days).",
        discount="{percent}% discount if paid by {date}.",
        late_percent="Payments after {date} incur {percent}% per month",
        late_percent_compound="Payments after {date} incur {percent}% per month, compounded",
        late_flat="Payments after {date} incur a late fee of {amount}",
        cap=", up to {percent}% of the invoice",
    ),
    "es": _Words(
        due="Vence el {date}",
        due_on_receipt="Vence al recibirla ({date}).",
        net=" ({days} días).",
        end_of_month=" (fin de mes + {days} días).",
        discount="{percent}% de descuento si se paga antes del {date}.",
        late_percent="Los pagos después del {date} tienen un recargo del {percent}% mensual",
        late_percent_compound=(
            "Los pagos después del {date} tienen un recargo del {percent}% mensual compuesto"
        ),
        late_flat="Los pagos después del {date} tienen un recargo de {amount}",
        cap=", hasta el {percent}% de la factura",
    ),
}


def sentence_locale(*, org_locale: str, language: str) -> str:
    """The org's locale when it is in the customer's language (en-GB keeps "15 March"), else
    the bare language."""
    org = org_locale.replace("-", "_")
    return org if org.split("_")[0] == language else language


def _percent(value: Decimal, locale: str) -> str:
    # "1.5" in English, "1,5" in Spanish; no trailing zeros ("2", not "2.00").
    return format_decimal(value.normalize(), format="#,##0.###", locale=locale)


def terms_sentence(
    *,
    terms: Terms,
    issue_date: date,
    due_date: date,
    currency: str,
    locale: str,
    language: str = "en",
) -> str:
    """``Due 15 March 2027 (30 days). 2% discount if paid by 24 February. Payments after
    22 March incur 1.5% per month.``"""
    words = _WORDS.get(language, _WORDS["en"])

    def long(day: date) -> str:
        return format_date(day, format="long", locale=locale)

    def short(day: date) -> str:
        # Within the due date's year the year is clear from the first sentence.
        if day.year != due_date.year:
            return long(day)
        return format_skeleton("MMMMd", day, locale=locale)

    parts: list[str] = []
    if terms.kind == TermsKind.RECEIPT:
        parts.append(words.due_on_receipt.format(date=long(due_date)))
    else:
        first = words.due.format(date=long(due_date))
        if terms.kind == TermsKind.NET:
            first += words.net.format(days=(due_date - issue_date).days)
        elif terms.kind == TermsKind.END_OF_MONTH:
            first += words.end_of_month.format(days=terms.days)
        else:
            first += "."
        parts.append(first)

    deadline = terms.discount_deadline(issue_date)
    if deadline is not None and terms.discount_percent is not None:
        parts.append(
            words.discount.format(
                percent=_percent(terms.discount_percent, locale), date=short(deadline)
            )
        )

    fee_from = terms.late_fee_from(due_date)
    if fee_from is not None:
        if terms.late_fee_kind == LateFeeKind.FLAT and terms.late_fee_amount is not None:
            fee = words.late_flat.format(
                date=short(fee_from),
                amount=money_format(terms.late_fee_amount, currency, locale),
            )
        else:
            template = (
                words.late_percent_compound if terms.late_fee_compound else words.late_percent
            )
            fee = template.format(
                date=short(fee_from), percent=_percent(terms.late_fee_percent or Decimal(0), locale)
            )
        if terms.late_fee_cap_percent:
            fee += words.cap.format(percent=_percent(terms.late_fee_cap_percent, locale))
        parts.append(fee + ".")
    return " ".join(parts)
