"""The invoices API's actions: ``/api/v1/invoices/<id>/issue/``, ``void/``, ``write-off/``,
``send/`` and ``duplicate/``. Each answers with the invoice as it is afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from invoicing.invoice_api import InvoiceApiView
from invoicing.invoice_api_output import InvoiceOutput
from invoicing.invoice_serializers import ReasonInputSerializer, api_errors, validated
from invoicing.invoice_services import (
    invoice_duplicate,
    invoice_issue,
    invoice_void,
    invoice_write_off,
)
from invoicing.models import Invoice
from invoicing.sending import invoice_send


class _InvoiceActionApi(InvoiceApiView):
    def act(
        self,
        invoice_id: int,
        service: Callable[..., Invoice],
        *,
        with_reason: bool = False,
        code: int = status.HTTP_200_OK,
    ) -> Response:
        """The invoice looked up in the organization (another's is a 404 before the body is
        read), then the reason in the body when the action takes one, then the service; the
        answer is the invoice the service returns."""
        invoice = self.invoice(invoice_id)
        extra: dict[str, Any] = {}
        if with_reason:
            extra["reason"] = validated(ReasonInputSerializer(data=self.request.data))["reason"]
        with api_errors():
            done = service(org=self.org, actor=self.membership.user, invoice=invoice, **extra)
        return self.output(done, code)


@extend_schema(tags=["invoices"])
class InvoiceIssueApi(_InvoiceActionApi):
    @extend_schema(
        operation_id="invoices_issue",
        summary="Issue a draft",
        description="Numbers it, fixes its dates and terms, and opens it for payment, "
        "without sending anything (`send/` issues and sends). An invoice already issued is "
        "returned as it is.",
        request=None,
        responses=InvoiceOutput,
    )
    def post(self, request: Request, invoice_id: int) -> Response:
        return self.act(invoice_id, invoice_issue)


@extend_schema(tags=["invoices"])
class InvoiceVoidApi(_InvoiceActionApi):
    @extend_schema(
        operation_id="invoices_void",
        summary="Void an invoice",
        description="Only an open invoice with no payments; its pay link stops working. For a "
        "paid or part-paid invoice, issue a credit note (400 under `status` says so).",
        request=ReasonInputSerializer,
        responses=InvoiceOutput,
    )
    def post(self, request: Request, invoice_id: int) -> Response:
        return self.act(invoice_id, invoice_void, with_reason=True)


@extend_schema(tags=["invoices"])
class InvoiceWriteOffApi(_InvoiceActionApi):
    @extend_schema(
        operation_id="invoices_write_off",
        summary="Write an invoice off",
        description="Marks what is left as uncollectible: kept for the reports, no longer "
        "chased. Only an unpaid or part-paid issued invoice.",
        request=ReasonInputSerializer,
        responses=InvoiceOutput,
    )
    def post(self, request: Request, invoice_id: int) -> Response:
        return self.act(invoice_id, invoice_write_off, with_reason=True)


@extend_schema(tags=["invoices"])
class InvoiceSendApi(_InvoiceActionApi):
    @extend_schema(
        operation_id="invoices_send",
        summary="Send an invoice",
        description="Issues a draft, then queues the email (with the PDF) and SMS to the "
        "customer's contacts; 202 because delivery happens in the background. Sending an "
        "issued invoice again sends it again.",
        request=None,
        responses={202: InvoiceOutput},
    )
    def post(self, request: Request, invoice_id: int) -> Response:
        return self.act(invoice_id, invoice_send, code=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["invoices"])
class InvoiceDuplicateApi(_InvoiceActionApi):
    @extend_schema(
        operation_id="invoices_duplicate",
        summary="Copy an invoice into a new draft",
        description="Same customer, currency, lines, notes and discount; dates and terms are "
        "set again when the copy is issued. The way to re-issue a voided invoice.",
        request=None,
        responses={201: InvoiceOutput},
    )
    def post(self, request: Request, invoice_id: int) -> Response:
        return self.act(invoice_id, invoice_duplicate, code=status.HTTP_201_CREATED)
