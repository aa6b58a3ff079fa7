"""The invoice editor: the invoice form and its lines (``line_editor`` does what it shares with
the recurring invoice editor: errors mapped back to the row and field they name, the error
summary, showing the input again unvalidated), and the totals of what is on the screen before it
is saved."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError

from arhub.models import Organization
from invoicing.invoice_forms import InvoiceForm
from invoicing.invoice_input import InvoiceData
from invoicing.line_editor import LinesEditor
from invoicing.line_forms import LineForm, PlainDecimalField, line_initial, lines_formset
from invoicing.models import Customer, DiscountKind, Invoice, LineKind, TaxRate
from invoicing.totals import InvoiceTotals, LineInput, TaxInput, TotalsError, invoice_totals


@dataclass
class InvoiceEditor(LinesEditor[InvoiceForm]):
    """The invoice form and its lines, submitted and shown together."""

    customer: Customer | None = None

    form_anchor: ClassVar[str] = "invoice-editor"
    # The customer is a hidden input; its errors belong by the search that sets it.
    form_fields: ClassVar[dict[str, str]] = {"customer": "customer_search"}

    def to_data(self) -> tuple[InvoiceData, list[LineForm]]:
        """The services' input, and the row each line came from (the service names a line by
        its position among the kept ones)."""
        data = self.form.cleaned_data
        sources = self.lines.kept()
        kind = data["discount_kind"]
        return (
            InvoiceData(
                customer_id=data["customer"],
                lines=[row.to_line() for row in sources],
                currency=data["currency"],
                issue_date=data["issue_date"],
                due_date=data["due_date"],
                payment_terms_id=data["payment_terms"],
                po_number=data["po_number"],
                notes=data["notes"],
                memo=data["memo"],
                discount_kind=kind,
                discount_value=(data["discount_value"] or Decimal(0))
                if kind != DiscountKind.NONE
                else Decimal(0),
            ),
            sources,
        )


def invoice_editor(
    *,
    org: Organization,
    data: Any = None,
    invoice: Invoice | None = None,
    customer: Customer | None = None,
    customer_terms: str = "",
) -> InvoiceEditor:
    """The editor for a new invoice (``customer`` preselected, or none), for a draft
    (``invoice``), or bound to what was submitted (``data``)."""
    initial: dict[str, Any] | None = None
    lines: list[dict[str, Any]] = []
    used: list[int] = []
    if invoice is not None:
        saved = list(invoice.lines.prefetch_related("taxes"))
        taxes = [[tax.tax_rate_id for tax in line.taxes.all()] for line in saved]
        # A retired rate the draft still carries stays a choice, on the page and when posted.
        used = [pk for ids in taxes for pk in ids]
        if data is None:
            initial = InvoiceForm.initial_for(invoice)
            lines = [line_initial(line, ids) for line, ids in zip(saved, taxes, strict=True)]
    elif data is None and customer is not None:
        initial = {"customer": customer.pk}
    formset = lines_formset(data, org=org, rows=lines, keep_taxes=used)
    if data is None:
        # One row to type into on a new invoice; a draft shows its lines (and its first row
        # when it somehow has none).
        formset.extra = 0 if lines else 1
    return InvoiceEditor(
        form=InvoiceForm(
            data, org=org, initial=initial, customer=customer, customer_terms=customer_terms
        ),
        lines=formset,
        customer=customer,
    )


# --------------------------------------------------------------------------------------------
# Totals while editing


@dataclass(frozen=True)
class EditorPreview:
    currency: str
    totals: InvoiceTotals
    # Row index in the formset -> that line's amount; rows left out have none.
    line_amounts: dict[int, Decimal]
    # Rows that could not be counted (a price that is not a number, say).
    left_out: int


def _lenient(raw: Any) -> Decimal | None:
    try:
        return PlainDecimalField().to_python(raw)
    except ValidationError:
        return None


def editor_preview(
    *, org: Organization, editor: InvoiceEditor, currency: str
) -> EditorPreview | None:
    """The totals of what is on the screen, typed or saved, errors or not: the lines that read
    as numbers are counted and the others left out (and said to be). The same arithmetic the
    services use, so what is shown is what will be saved."""
    rates = {r.pk: r for r in TaxRate.objects.for_org(org)}
    inputs: list[LineInput] = []
    rows: list[int] = []
    left_out = 0
    for index, row in enumerate(editor.lines.forms):
        if row["DELETE"].value():
            continue
        description = str(row["description"].value() or "").strip()
        raw_price = row["unit_price"].value()
        if not description and raw_price in (None, ""):
            continue
        quantity = _lenient(row["quantity"].value())
        price = _lenient(raw_price)
        discount = _lenient(row["discount_percent"].value()) or Decimal(0)
        if quantity is None or price is None or quantity < 0 or price < 0:
            left_out += 1
            continue
        if not Decimal(0) <= discount <= Decimal(100):
            left_out += 1
            continue
        taxes = []
        for pk in row["taxes"].value() or []:
            rate = rates.get(int(pk)) if str(pk).isdigit() else None
            if rate is not None:
                taxes.append(TaxInput(key=rate.pk, name=rate.name, percent=rate.percent))
        inputs.append(
            LineInput(
                quantity=quantity,
                unit_price=price,
                discount_percent=discount,
                taxes=tuple(taxes),
                discountable=row["kind"].value() in (None, "", LineKind.ITEM),
            )
        )
        rows.append(index)
    if not inputs:
        return None
    kind = str(editor.form["discount_kind"].value() or DiscountKind.NONE)
    value = _lenient(editor.form["discount_value"].value()) or Decimal(0)
    if (
        kind not in DiscountKind.values
        or value < 0
        or (kind == DiscountKind.PERCENT and value > 100)
    ):
        kind, value = DiscountKind.NONE, Decimal(0)
    try:
        totals = invoice_totals(inputs, currency=currency, discount_kind=kind, discount_value=value)
    except (TotalsError, ArithmeticError):
        return None
    return EditorPreview(
        currency=currency,
        totals=totals,
        line_amounts={
            index: figures.amount for index, figures in zip(rows, totals.lines, strict=True)
        },
        left_out=left_out,
    )
