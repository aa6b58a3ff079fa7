"""The lines of an invoice as the dashboard edits them, shared by the invoice editor and the
recurring invoice editor: a decimal typed as text, one line's form, the formset of lines, the tax
rates a line may tick, a saved line as the form's initial values, and the non-JavaScript "Add
another line".

The forms check shape (a number is a number); ``invoice_input`` decides what is allowed, and
``line_editor`` puts its errors back on the line and field they name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol, cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from arhub.models import Organization
from arhub.money import plain
from invoicing.invoice_input import MAX_LINES, LineData
from invoicing.models import LineKind, TaxRate

LINES_PREFIX = "lines"

# Digits with an optional decimal point and sign: what people type. Exponents ("1e3"),
# "NaN", "Infinity" and thousands separators are refused rather than guessed at.
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class PlainDecimalField(forms.CharField):
    """A decimal typed as text (``inputmode="decimal"`` brings up the number pad on a phone
    without the browser's own rounding of ``type=number``). Limits are the services' to check."""

    max_digits = 30

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": self.max_digits}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        if len(text) > self.max_digits:
            raise ValidationError("That number is too long.", code="max_length")
        if "," in text:
            raise ValidationError(
                "Use a point for decimals and no thousands separators, e.g. 1250.50.",
                code="comma",
            )
        if not _PLAIN_NUMBER.match(text):
            raise ValidationError(f"“{text}” is not a number. Write it like 12.50.", code="nan")
        return Decimal(text)

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            value = self.to_python(data)
        except ValidationError:
            return True
        return value != (initial if initial not in (None, "") else None)


class LineForm(forms.Form):
    kind = forms.ChoiceField(label="Type", choices=LineKind.choices, initial=LineKind.ITEM)
    description = forms.CharField(
        label="Description",
        max_length=500,
        error_messages={"required": "Describe what this line is for."},
    )
    quantity = PlainDecimalField(
        label="Quantity", initial=Decimal(1), error_messages={"required": "Enter the quantity."}
    )
    unit = forms.CharField(label="Unit", max_length=20, required=False)
    unit_price = PlainDecimalField(
        label="Unit price", error_messages={"required": "Enter the price of one unit."}
    )
    discount_percent = PlainDecimalField(label="Discount %", required=False)
    taxes = forms.TypedMultipleChoiceField(
        label="Taxes", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        *args: Any,
        tax_choices: list[tuple[int, str]],
        unit_hint: str = "e.g. hours",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedMultipleChoiceField, self.fields["taxes"]).choices = tax_choices
        self.fields["unit"].widget.attrs["placeholder"] = unit_hint

    def to_line(self) -> LineData:
        data = self.cleaned_data
        return LineData(
            kind=data["kind"],
            description=data["description"],
            quantity=data["quantity"],
            unit=data["unit"],
            unit_price=data["unit_price"],
            discount_percent=data["discount_percent"] or Decimal(0),
            tax_rate_ids=list(data["taxes"]),
        )


class BaseLineFormSet(forms.BaseFormSet[LineForm]):
    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        # Every row may be left blank and is then skipped, saved ones too: a line is removed by
        # ticking "Remove" or by clearing it, and spare rows to type into cost nothing.
        return {**super().get_form_kwargs(index), "empty_permitted": True}

    def add_fields(self, form: LineForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove"

    def kept(self) -> list[LineForm]:
        """Filled rows not marked for removal, in order."""
        return [
            form
            for form in self.forms
            if form.has_changed() and not (form.cleaned_data or {}).get("DELETE")
        ]


LineFormSet = cast(
    type[BaseLineFormSet],
    forms.formset_factory(
        LineForm,
        formset=BaseLineFormSet,
        extra=0,
        can_delete=True,
        max_num=MAX_LINES,
        absolute_max=MAX_LINES,
        validate_max=True,
    ),
)


def tax_choices(org: Organization, keep: Iterable[int] = ()) -> list[tuple[int, str]]:
    """The organization's active rates, plus any retired one in ``keep`` (the rates the saved
    lines still carry), so it shows, ticked, and the service can say it is retired rather than
    the form calling it an invalid choice."""
    rates = TaxRate.objects.for_org(org).filter(is_active=True)
    kept = [pk for pk in keep if pk]
    if kept:
        rates = TaxRate.objects.for_org(org).filter(
            pk__in=[*rates.values_list("pk", flat=True), *kept]
        )
    return [(rate.pk, str(rate)) for rate in rates.order_by("name", "pk")]


def lines_formset(
    data: QueryDict | None,
    *,
    org: Organization,
    rows: list[dict[str, Any]],
    keep_taxes: Iterable[int] = (),
    unit_hint: str = "e.g. hours",
) -> BaseLineFormSet:
    """The formset of lines, bound to ``data`` or showing ``rows`` (``line_initial``)."""
    return LineFormSet(
        data,
        prefix=LINES_PREFIX,
        initial=rows,
        form_kwargs={"tax_choices": tax_choices(org, keep_taxes), "unit_hint": unit_hint},
    )


class SavedLine(Protocol):
    """What a saved line offers the editor: an invoice's line or a recurring template's."""

    @property
    def kind(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def unit(self) -> str: ...
    @property
    def unit_price(self) -> Decimal: ...
    @property
    def discount_percent(self) -> Decimal: ...


def line_initial(line: SavedLine, tax_rate_ids: list[int]) -> dict[str, Any]:
    """A saved line as a row's initial values, its numbers as people write them (2.5, not
    2.5000)."""
    return {
        "kind": line.kind,
        "description": line.description,
        "quantity": plain(line.quantity),
        "unit": line.unit,
        "unit_price": plain(line.unit_price),
        "discount_percent": plain(line.discount_percent) if line.discount_percent else None,
        "taxes": tax_rate_ids,
    }


def add_blank_line(data: QueryDict) -> int | None:
    """One more row in submitted formset data (the non-JavaScript "Add another line"), which
    starts as one item like the row the script adds; its index, or None when no more fit."""
    key = f"{LINES_PREFIX}-TOTAL_FORMS"
    try:
        count = int(data.get(key, "0"))
    except ValueError:
        return None
    if not 0 <= count < MAX_LINES:
        return None
    data[key] = str(count + 1)
    data[f"{LINES_PREFIX}-{count}-kind"] = LineKind.ITEM
    data[f"{LINES_PREFIX}-{count}-quantity"] = "1"
    return count
