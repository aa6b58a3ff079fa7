"""The invoices API: ``/api/v1/invoices/`` and one invoice. Its actions (issue, void, write
off, send, duplicate) are in ``invoice_api_actions``, credit notes in ``invoice_api_credits``,
tax rates and payment terms in ``invoice_api_tax_rates`` and ``invoice_api_terms``.

Views are thin: they check the request's shape (``invoicing.invoice_serializers``), look the
invoice up inside the caller's organization (another tenant's id is a 404) and call the
services, whose ValidationErrors become 400s by field and whose ``NotInOrganization`` (a
customer, terms or tax rate id of another organization, or of none) becomes a 404.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from arhub.api import OrgApiMixin
from arhub.clock import org_today
from arhub.locales import currency_minor_units
from arhub.models import Organization
from arhub.money import is_quantized
from invoicing.api import OptionsMetadata
from invoicing.invoice_api_output import InvoiceOutput, InvoiceSummaryOutput
from invoicing.invoice_api_pagination import InvoicePagination
from invoicing.invoice_input import InvoiceData, LineData, invoice_data_validate
from invoicing.invoice_selectors import STATUS_FILTERS, invoice_get, invoice_list
from invoicing.invoice_serializers import (
    InvoiceInputSerializer,
    api_errors,
    validated,
)
from invoicing.invoice_services import (
    EDIT_ISSUED,
    invoice_create,
    invoice_delete_draft,
    invoice_update,
)
from invoicing.models import (
    DiscountKind,
    Invoice,
    InvoiceLine,
    InvoiceLineTax,
    PayLink,
    PaymentTerms,
)

ERRORS_DESCRIPTION = (
    "Errors are 400 with messages per field, each key naming the field as sent: "
    '`{"customer": ["…"], "lines[2].unit_price": ["…"]}`. Nothing is saved when any field is '
    'refused. Decimals are strings (`"12.50"`); a JSON number is taken only when it is exact '
    "in binary (`12`, `12.5`), so `0.1` is refused. Unknown fields are refused, except fields "
    "that are only ever output, which are ignored so what was read can be sent back. An id in "
    "the body that is not this organization's (`customer`, `payment_terms`, a line's "
    "`tax_rates`) answers 404 in the same shape: "
    '`{"lines[0].tax_rates": ["Tax rate 12 does not exist."]}`.'
)


def live_pay_links(org: Organization) -> Prefetch:
    links = PayLink.objects.for_org(org).filter(revoked_at__isnull=True)
    return Prefetch("pay_links", queryset=links, to_attr="live_pay_links")


def _lines(org: Organization) -> Prefetch:
    taxes = InvoiceLineTax.objects.for_org(org).order_by("pk")
    lines = InvoiceLine.objects.for_org(org).prefetch_related(Prefetch("taxes", queryset=taxes))
    return Prefetch("lines", queryset=lines.order_by("position", "pk"))


def draft_terms_id(org: Organization, invoice: Invoice) -> int | None:
    """The named terms a draft was saved with. A draft keeps a copy of them (``terms``), not
    the id; names are unique in an organization, so the name finds them (None once renamed or
    deleted: the draft then follows the customer's terms)."""
    if not invoice.is_draft or not invoice.terms.get("name"):
        return None
    found: int | None = (
        PaymentTerms.objects.for_org(org)
        .filter(name__iexact=invoice.terms["name"])
        .values_list("pk", flat=True)
        .first()
    )
    return found


def invoice_output(org: Organization, invoice: Invoice) -> dict[str, Any]:
    """The invoice as the detail route shows it, read afresh with its lines and pay link."""
    fresh = (
        Invoice.objects.for_org(org)
        .select_related("customer")
        .prefetch_related(_lines(org), live_pay_links(org))
        .get(pk=invoice.pk)
    )
    context = {
        "org": org,
        "today": org_today(org),
        "payment_terms": draft_terms_id(org, fresh),
    }
    data: dict[str, Any] = InvoiceOutput(fresh, context=context).data
    return data


# ---- from the request to the service's input

_SERVICE_NAMES = {"customer": "customer_id", "payment_terms": "payment_terms_id"}


def _line_data(entry: dict[str, Any]) -> LineData:
    return LineData(
        kind=entry["kind"],
        description=entry["description"],
        quantity=entry["quantity"],
        unit=entry["unit"],
        unit_price=entry["unit_price"],
        discount_percent=entry["discount_percent"],
        tax_rate_ids=list(entry["tax_rates"]),
    )


def _current_data(org: Organization, invoice: Invoice) -> InvoiceData:
    """A draft as the service's input, so a PATCH changes only the fields it gives."""
    lines = invoice.lines.prefetch_related("taxes").order_by("position", "pk")
    return InvoiceData(
        customer_id=invoice.customer_id,
        currency=invoice.currency,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        payment_terms_id=draft_terms_id(org, invoice),
        po_number=invoice.po_number,
        notes=invoice.notes,
        memo=invoice.memo,
        discount_kind=invoice.discount_kind,
        discount_value=invoice.discount_value,
        lines=[
            LineData(
                kind=line.kind,
                description=line.description,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate_ids=[tax.tax_rate_id for tax in line.taxes.all()],
            )
            for line in lines
        ],
    )


def _invoice_data(attrs: dict[str, Any], base: InvoiceData | None) -> InvoiceData:
    changes: dict[str, Any] = {
        _SERVICE_NAMES.get(key, key): value for key, value in attrs.items() if key != "lines"
    }
    if "lines" in attrs:
        changes["lines"] = [_line_data(entry) for entry in attrs["lines"]]
    return replace(base, **changes) if base is not None else InvoiceData(**changes)


def _check(org: Organization, data: InvoiceData) -> None:
    """Everything the service checks (so a 400 comes before any write), and the one thing it
    leaves to callers: a discount amount within the currency's minor units (the service would
    round it)."""
    with api_errors():
        clean = invoice_data_validate(org, data)
    if clean.discount_kind == DiscountKind.AMOUNT and not is_quantized(
        clean.discount_value, clean.currency
    ):
        digits = currency_minor_units(clean.currency)
        raise ValidationError(
            {"discount_value": [f"{clean.currency} amounts have at most {digits} decimal places."]}
        )


class InvoiceFilters(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=STATUS_FILTERS,
        required=False,
        help_text="A status, or `overdue` (outstanding and past due) or `outstanding` (open "
        "or partly paid)",
    )
    customer = serializers.IntegerField(required=False, help_text="A customer's id")
    currency = serializers.CharField(required=False, max_length=8)
    issued_from = serializers.DateField(required=False, help_text="Issue date on or after")
    issued_to = serializers.DateField(required=False, help_text="Issue date on or before")
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="The start of the number or PO number, or part of the customer's name",
    )


class InvoiceApiView(OrgApiMixin, generics.GenericAPIView):
    # The stubs type this as an instance; DRF wants the class.
    metadata_class = OptionsMetadata  # type: ignore[assignment]
    serializer_class = InvoiceOutput

    def invoice(self, invoice_id: int) -> Invoice:
        return invoice_get(org=self.org, invoice_id=invoice_id)

    def output(self, invoice: Invoice, code: int = status.HTTP_200_OK) -> Response:
        return Response(invoice_output(self.org, invoice), status=code)


# ---- invoices


@extend_schema(tags=["invoices"])
class InvoiceListCreateApi(InvoiceApiView):
    """GET lists invoices; POST makes a draft."""

    pagination_class = InvoicePagination

    def get_queryset(self) -> QuerySet[Invoice]:
        filters = validated(InvoiceFilters(data=self.request.query_params))
        invoices = invoice_list(
            org=self.org,
            status=filters.get("status"),
            customer_id=filters.get("customer"),
            currency=filters.get("currency"),
            search=filters.get("q", ""),
            issued_from=filters.get("issued_from"),
            issued_to=filters.get("issued_to"),
        )
        # One query for every pay link on the page, whatever its size.
        return invoices.prefetch_related(live_pay_links(self.org))

    @extend_schema(
        operation_id="invoices_list",
        summary="List invoices",
        description="Newest first unless `ordering` says otherwise. Filters combine. Without "
        "a due date (drafts) an invoice sorts after every date.",
        parameters=[InvoiceFilters],
        responses=InvoiceSummaryOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        context = {"today": org_today(self.org)}
        return self.get_paginated_response(
            InvoiceSummaryOutput(page, many=True, context=context).data
        )

    @extend_schema(
        operation_id="invoices_create",
        summary="Make a draft invoice",
        description="Nothing is numbered or sent until it is issued (`issue/` or `send/`). "
        + ERRORS_DESCRIPTION,
        request=InvoiceInputSerializer,
        responses={201: InvoiceOutput},
    )
    def post(self, request: Request) -> Response:
        attrs = validated(InvoiceInputSerializer(data=request.data))
        data = _invoice_data(attrs, base=None)
        _check(self.org, data)
        with api_errors():
            invoice = invoice_create(org=self.org, actor=self.membership.user, data=data)
        return self.output(invoice, status.HTTP_201_CREATED)


@extend_schema(tags=["invoices"])
class InvoiceDetailApi(InvoiceApiView):
    """GET one invoice; PUT, PATCH and DELETE a draft."""

    http_method_names = ["get", "put", "patch", "delete", "options", "head"]

    @extend_schema(
        operation_id="invoices_retrieve",
        summary="One invoice",
        description="With its lines and their taxes, the tax breakdown, totals, balance, terms "
        "and the sentence the customer reads about them.",
    )
    def get(self, request: Request, invoice_id: int) -> Response:
        return self.output(self.invoice(invoice_id))

    @extend_schema(
        operation_id="invoices_update",
        summary="Replace a draft",
        description="Fields left out take their defaults; `lines` replaces every line. Only "
        "drafts change: an issued invoice answers 400 under `status`. " + ERRORS_DESCRIPTION,
        request=InvoiceInputSerializer,
        responses=InvoiceOutput,
    )
    def put(self, request: Request, invoice_id: int) -> Response:
        return self._update(request, invoice_id, partial=False)

    @extend_schema(
        operation_id="invoices_partial_update",
        summary="Change some of a draft's fields",
        description="Only the fields given change; `lines`, when given, replaces every line. "
        "A new `customer` without `currency` brings the customer's currency. "
        "Only drafts change: an issued invoice answers 400 under `status`. " + ERRORS_DESCRIPTION,
        request=InvoiceInputSerializer(partial=True),
        responses=InvoiceOutput,
    )
    def patch(self, request: Request, invoice_id: int) -> Response:
        return self._update(request, invoice_id, partial=True)

    def _update(self, request: Request, invoice_id: int, *, partial: bool) -> Response:
        # Looked up before the body is read: another tenant's id is a 404 whatever is sent,
        # and an issued invoice is refused for what it is, not for the body's mistakes.
        invoice = self.invoice(invoice_id)
        if not invoice.is_draft:
            raise ValidationError({"status": [EDIT_ISSUED]})
        attrs = validated(InvoiceInputSerializer(data=request.data, partial=partial))
        if partial and "customer" in attrs and "currency" not in attrs:
            attrs["currency"] = ""  # a new customer brings their currency, as on a new draft
        base = _current_data(self.org, invoice) if partial else None
        data = _invoice_data(attrs, base=base)
        _check(self.org, data)
        with api_errors():
            invoice = invoice_update(
                org=self.org, actor=self.membership.user, invoice=invoice, data=data
            )
        return self.output(invoice)

    @extend_schema(
        operation_id="invoices_destroy",
        summary="Delete a draft",
        description="Only drafts are deleted; an issued invoice is voided instead (400).",
        responses={204: None},
    )
    def delete(self, request: Request, invoice_id: int) -> Response:
        invoice = self.invoice(invoice_id)
        with api_errors():
            invoice_delete_draft(org=self.org, actor=self.membership.user, invoice=invoice)
        return Response(status=status.HTTP_204_NO_CONTENT)
