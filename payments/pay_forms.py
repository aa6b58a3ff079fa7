"""The two forms a customer submits: the amount to pay on one invoice (the pay page), and the
invoices to pay together (the statement). Messages speak the customer's language; the amount
rules mirror ``payments.checkout.checkout_lines_check``, which checks them again (and has the
last word) when the Checkout Session is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from arhub.money import is_quantized, quantize
from invoicing.models import Invoice
from invoicing.pdf_context import Formatter
from payments.amount_due import AmountDue

FULL, OTHER = "full", "other"


def amount_parsed(text: str) -> Decimal | None:
    """An amount as a customer types it: "120.50", "$1,200.50", "1.200,50", "120,50". The last
    separator is the decimal one when it is a dot, or a comma followed by one or two digits (or
    after dots); the others group thousands."""
    cleaned = "".join(ch for ch in text if ch.isdigit() or ch in ".,-")
    if not cleaned:
        return None
    dot, comma = cleaned.rfind("."), cleaned.rfind(",")
    if comma > dot and (dot >= 0 or 1 <= len(cleaned) - comma - 1 <= 2):
        whole, _, fraction = cleaned.rpartition(",")
        cleaned = whole.replace(".", "").replace(",", "") + "." + fraction
    else:
        cleaned = cleaned.replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


class PayAmountForm(forms.Form):
    """``pay=full``: the amount due today. ``pay=other``: the amount typed, when the
    organization takes part payments."""

    pay = forms.ChoiceField(choices=[(FULL, FULL), (OTHER, OTHER)])
    amount = forms.CharField(required=False, max_length=40)

    def __init__(
        self,
        *args: Any,
        due: AmountDue,
        allow_partial: bool,
        minimum: Decimal,
        fmt: Formatter,
        words: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.due, self.allow_partial, self.minimum = due, allow_partial, minimum
        self.fmt, self.words = fmt, words
        self.fields["amount"].label = words["amount_label"].format(currency=due.currency)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("pay") != OTHER or not self.allow_partial:
            data["amount_value"] = quantize(self.due.due_today, self.due.currency)
            return data
        text = (data.get("amount") or "").strip()
        value = amount_parsed(text)
        words, money = self.words, self.fmt.money
        if not text:
            self.add_error("amount", words["enter_amount"])
        elif value is None:
            self.add_error("amount", words["amount_not_number"])
        elif value <= 0:
            self.add_error("amount", words["amount_positive"])
        elif not is_quantized(value, self.due.currency):
            self.add_error("amount", words["amount_decimals"].format(currency=self.due.currency))
        elif value > self.due.balance:
            self.add_error(
                "amount", words["amount_too_much"].format(balance=money(self.due.balance))
            )
        elif value < self.minimum:
            self.add_error("amount", words["amount_too_little"].format(minimum=money(self.minimum)))
        else:
            data["amount_value"] = quantize(value, self.due.currency)
        return data


class StatementPayForm(forms.Form):
    """The invoices ticked in one currency's list. Only the customer's own open invoices in
    that currency are choices, so any other id (another customer's, another organization's,
    one paid meanwhile) is refused before anything is made."""

    invoice = forms.TypedMultipleChoiceField(coerce=int)

    def __init__(
        self, *args: Any, invoices: Sequence[Invoice], words: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.by_id = {invoice.pk: invoice for invoice in invoices}
        field = self.fields["invoice"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(invoice.pk, invoice.number) for invoice in invoices]
        field.error_messages = {
            "required": words["choose_one"],
            "invalid_choice": words["cannot_pay_here"],
            "invalid_pk_value": words["cannot_pay_here"],
        }

    def chosen(self) -> list[Invoice]:
        return [self.by_id[pk] for pk in self.cleaned_data["invoice"]]
