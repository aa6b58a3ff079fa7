"""The customers API: ``/api/v1/customers/`` and each customer's ``contacts/``.

Views are thin: they check the request's shape (``invoicing.serializers``), look objects up
inside the caller's organization (``invoicing.selectors``; another tenant's id is a 404) and
call the services, turning their ValidationErrors into 400s with field messages.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from arhub.api import OrgApiMixin
from arhub.models import Organization
from invoicing.api_pagination import ContactPagination, CustomerPagination
from invoicing.contact_services import (
    contact_create,
    contact_delete,
    contact_update,
    customer_primary_contact_set,
)
from invoicing.invoice_selectors import customer_open_balance
from invoicing.models import Contact, Customer
from invoicing.selectors import contact_list, customer_get, customer_list
from invoicing.serializers import (
    ContactInputSerializer,
    ContactOutputSerializer,
    CustomerInputSerializer,
    CustomerOutputSerializer,
    contact_errors,
    customer_errors,
)
from invoicing.services import (
    BILLING_FIELDS,
    CUSTOMER_WRITABLE_FIELDS,
    ContactInput,
    CustomerInput,
    customer_create,
    customer_update,
)

ERRORS_DESCRIPTION = (
    'Errors are 400 with messages per field, as DRF gives them: `{"currency": ["…"]}`. '
    "Errors in the `contacts` list are keyed by position (from 0), only for the entries "
    'that have them: `{"contacts": {"1": {"phone": ["…"]}}}` names the second entry\'s phone. '
    'Messages about the list as a whole are a list of strings (`{"contacts": ["…"]}`), or '
    "under `non_field_errors` beside entry errors. Errors of the primary "
    "contact given as top-level `email`/`phone` are reported under those fields. Unknown "
    "fields are refused, except fields that are only ever output (`id`, `open_balance`, …), "
    "which are ignored so what was read can be sent back. An id in the URL that is not this "
    "organization's answers 404; a contact `id` in the body that is not this customer's is a "
    "400 naming it, the same whether it exists elsewhere or not at all."
)


def _contacts_prefetch(org: Organization) -> Prefetch:
    # Primary first, as invoicing.selectors.contact_list orders them.
    contacts = Contact.objects.for_org(org).order_by("-is_primary", "pk")
    return Prefetch("contacts", queryset=contacts)


def _customer_output(org: Organization, customer: Customer) -> dict[str, Any]:
    prefetch_related_objects([customer], _contacts_prefetch(org))
    # The directory annotates it; one customer reads it here, in its own currency as there.
    balances = customer_open_balance(org=org, customer_id=customer.pk)
    customer.open_balance = next(  # type: ignore[attr-defined]
        (b.amount for b in balances if b.currency == customer.currency), Decimal(0)
    )
    return CustomerOutputSerializer(customer).data


# API field -> the service's, where they differ.
_INPUT_NAMES = {"name": "display_name", "payment_terms": "payment_terms_id"}


def _customer_input(
    attrs: dict[str, Any], current: Customer | None, existing: Customer | None = None
) -> CustomerInput:
    """The service's input: the fields given, the rest as they are (``current``) or, for a new
    customer or a PUT, the service's defaults.

    Named terms (``payment_terms``) came after net days, and clients written before them never
    send them: on an existing customer, leaving them out keeps them (on a PUT too), and net days
    sent without them replace them, as net days always did."""
    given = {_INPUT_NAMES.get(key, key): value for key, value in attrs.items()}
    fields = CUSTOMER_WRITABLE_FIELDS
    base = {field: getattr(current, field) for field in fields} if current else {}
    values = {**base, **{k: v for k, v in given.items() if k in fields}}
    if existing is not None and "payment_terms" not in attrs:
        values["payment_terms_id"] = (
            None if attrs.get("payment_terms_days") is not None else existing.payment_terms_id
        )
    if existing is not None:
        # The billing address and tax id came later still: kept when left out, as above.
        for name in BILLING_FIELDS:
            if name not in attrs:
                values[name] = getattr(existing, name)
    return CustomerInput(**values)


def _has_overdue(raw: str | None) -> bool | None:
    if raw is None or raw == "":
        return None
    value = {"true": True, "false": False}.get(raw.strip().lower())
    if value is None:
        raise ValidationError({"has_overdue": ["Use true or false."]})
    return value


def _new_contacts(attrs: dict[str, Any]) -> tuple[list[ContactInput], int | None]:
    """A new customer's contacts, and how many entries the client sent (None when the one
    primary contact came from top-level ``email``/``phone``)."""
    if "contacts" in attrs:
        return [ContactInput(**entry) for entry in attrs["contacts"]], len(attrs["contacts"])
    if attrs.get("email") or attrs.get("phone"):
        # Entry 0, so the service's contacts[0] errors map back to `email` and `phone`.
        email, phone = attrs.get("email", ""), attrs.get("phone", "")
        return [ContactInput(email=email, phone=phone, is_primary=True)], None
    return [], None


def _contact_as_input(contact: Contact) -> ContactInput:
    return ContactInput(
        id=contact.pk,
        name=contact.name,
        email=contact.email,
        phone=contact.phone.as_e164 if contact.phone else "",
        role=contact.role,
        is_primary=contact.is_primary,
        receives_invoices=contact.receives_invoices,
        receives_reminders=contact.receives_reminders,
    )


class OptionsMetadata(SimpleMetadata):
    """OPTIONS names the view and its formats only. DRF's "actions" would describe the output
    serializer as the input and look objects up through a queryset these views do not use;
    the OpenAPI schema at /api/schema/ describes every field."""

    def determine_metadata(self, request: Request, view: APIView) -> dict[str, Any]:
        metadata: dict[str, Any] = super().determine_metadata(request, view)
        metadata.pop("actions", None)
        return metadata

    def determine_actions(self, request: Request, view: APIView) -> dict[str, Any]:
        return {}


class CustomerApiView(OrgApiMixin, generics.GenericAPIView):
    # The stubs type this as an instance; DRF wants the class.
    metadata_class = OptionsMetadata  # type: ignore[assignment]


# ---- customers


@extend_schema(tags=["customers"])
class CustomerListCreateApi(CustomerApiView):
    """GET lists the directory; POST adds a customer."""

    pagination_class = CustomerPagination
    serializer_class = CustomerOutputSerializer

    def get_queryset(self) -> QuerySet[Customer]:
        params = self.request.query_params
        customers = customer_list(
            org=self.org,
            search=params.get("search", ""),
            tags=params.getlist("tag"),
            has_overdue=_has_overdue(params.get("has_overdue")),
        )
        # One query for every contact on the page, whatever its size.
        return customers.prefetch_related(_contacts_prefetch(self.org))

    @extend_schema(
        operation_id="customers_list",
        summary="List customers",
        description="Search matches the start of words in names, company, external id, "
        "billing city and postal code, and every contact's name, email and phone; `tag` may "
        "repeat (customers having all); "
        "`has_overdue` keeps customers with (`true`) or without (`false`) an overdue invoice. "
        "Filters combine, and `next` links keep them. `open_balance` is what each customer "
        "owes in its own currency.",
        parameters=[
            OpenApiParameter("search", OpenApiTypes.STR, description="e.g. `acme pl`"),
            OpenApiParameter("tag", OpenApiTypes.STR, many=True, explode=True),
            OpenApiParameter(
                "has_overdue",
                OpenApiTypes.BOOL,
                description="`true`: only customers with an invoice that is open or partly "
                "paid and past its due date, in the organization's time zone (an invoice due "
                "yesterday there is overdue today). `false`: only customers with none. "
                "Left out: every customer. Any other value is a 400.",
            ),
        ],
        responses=CustomerOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CustomerOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="customers_create",
        summary="Add a customer",
        description="Give the primary contact in one call with `email`/`phone`, or every "
        "contact with `contacts`. " + ERRORS_DESCRIPTION,
        request=CustomerInputSerializer,
        responses={201: CustomerOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = CustomerInputSerializer(data=request.data, context={"org": self.org})
        serializer.is_valid(raise_exception=True)
        attrs = serializer.validated_data
        contacts, sent = _new_contacts(attrs)
        try:
            customer = customer_create(
                org=self.org,
                actor=self.membership.user,
                data=_customer_input(attrs, current=None),
                contacts=contacts,
            )
        except DjangoValidationError as exc:
            raise ValidationError(customer_errors(exc, contacts_sent=sent)) from exc
        return Response(_customer_output(self.org, customer), status=status.HTTP_201_CREATED)


@extend_schema(tags=["customers"])
class CustomerDetailApi(CustomerApiView):
    """GET, PUT and PATCH one customer. No DELETE: a customer with history is kept (405)."""

    serializer_class = CustomerOutputSerializer
    http_method_names = ["get", "put", "patch", "options", "head"]

    @extend_schema(
        operation_id="customers_retrieve",
        summary="One customer",
        description="With its contacts, primary first. There is no DELETE: a customer with "
        "history is kept (405).",
    )
    def get(self, request: Request, customer_id: int) -> Response:
        customer = customer_get(org=self.org, customer_id=customer_id)
        return Response(_customer_output(self.org, customer))

    @extend_schema(
        operation_id="customers_update",
        summary="Replace a customer's fields",
        description="Fields left out take their defaults, except named `payment_terms`, the "
        "billing address (`billing_…`) and `tax_id`, which came later and are kept when left "
        "out. Contacts change only when `email`/`phone` or `contacts` are given. "
        + ERRORS_DESCRIPTION,
        request=CustomerInputSerializer,
        responses=CustomerOutputSerializer,
    )
    def put(self, request: Request, customer_id: int) -> Response:
        return self._update(request, customer_id, partial=False)

    @extend_schema(
        operation_id="customers_partial_update",
        summary="Change some of a customer's fields",
        description="Only the fields given change. `email`/`phone` change the primary "
        "contact (creating one if there is none); `contacts` replaces the contacts. "
        + ERRORS_DESCRIPTION,
        request=CustomerInputSerializer(partial=True),
        responses=CustomerOutputSerializer,
    )
    def patch(self, request: Request, customer_id: int) -> Response:
        return self._update(request, customer_id, partial=True)

    def _update(self, request: Request, customer_id: int, *, partial: bool) -> Response:
        # Looked up before the body is read: another tenant's id is a 404 whatever is sent.
        customer = customer_get(org=self.org, customer_id=customer_id)
        serializer = CustomerInputSerializer(
            data=request.data, partial=partial, context={"org": self.org, "customer": customer}
        )
        serializer.is_valid(raise_exception=True)
        attrs = serializer.validated_data
        contacts = attrs.get("contacts")
        errors: dict[str, Any] = {}
        # Both writes or neither; each service's errors are collected so one 400 names every
        # bad field.
        with transaction.atomic():
            try:
                customer = customer_update(
                    org=self.org,
                    actor=self.membership.user,
                    customer=customer,
                    data=_customer_input(
                        attrs, current=customer if partial else None, existing=customer
                    ),
                    contacts=None
                    if contacts is None
                    else [ContactInput(**entry) for entry in contacts],
                )
            except DjangoValidationError as exc:
                sent = None if contacts is None else len(contacts)
                errors.update(customer_errors(exc, contacts_sent=sent))
            if "email" in attrs or "phone" in attrs:
                # Only the primary contact changes: the others, even one added a moment ago
                # by someone else, are left alone.
                try:
                    customer_primary_contact_set(
                        org=self.org,
                        actor=self.membership.user,
                        customer=customer,
                        email=attrs.get("email"),
                        phone=attrs.get("phone"),
                    )
                except DjangoValidationError as exc:
                    errors.update(contact_errors(exc))
                customer.refresh_from_db()  # the contact change moved updated_at
            if errors:
                raise ValidationError(errors)  # leaving the block rolls back both
        return Response(_customer_output(self.org, customer))


# ---- contacts


@extend_schema(tags=["customers"])
class ContactListCreateApi(CustomerApiView):
    """GET lists a customer's contacts (primary first); POST adds one."""

    pagination_class = ContactPagination
    serializer_class = ContactOutputSerializer

    @extend_schema(
        operation_id="customers_contacts_list",
        summary="A customer's contacts",
        description="The primary contact first, then the others oldest first.",
        responses=ContactOutputSerializer(many=True),
    )
    def get(self, request: Request, customer_id: int) -> Response:
        customer = customer_get(org=self.org, customer_id=customer_id)
        page = self.paginate_queryset(contact_list(org=self.org, customer=customer))
        return self.get_paginated_response(ContactOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="customers_contacts_create",
        summary="Add a contact",
        description="With `is_primary` (or as the customer's first contact) it becomes the "
        "primary contact. " + ERRORS_DESCRIPTION,
        request=ContactInputSerializer,
        responses={201: ContactOutputSerializer},
    )
    def post(self, request: Request, customer_id: int) -> Response:
        customer = customer_get(org=self.org, customer_id=customer_id)
        serializer = ContactInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            contact = contact_create(
                org=self.org,
                actor=self.membership.user,
                customer=customer,
                data=ContactInput(**serializer.validated_data),
            )
        except DjangoValidationError as exc:
            raise ValidationError(contact_errors(exc)) from exc
        return Response(ContactOutputSerializer(contact).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["customers"])
class ContactDetailApi(CustomerApiView):
    """GET, PATCH and DELETE one contact of one customer."""

    serializer_class = ContactOutputSerializer
    http_method_names = ["get", "patch", "delete", "options", "head"]

    def _contact(self, customer_id: int, contact_id: int) -> Contact:
        customer = customer_get(org=self.org, customer_id=customer_id)
        return get_object_or_404(contact_list(org=self.org, customer=customer), pk=contact_id)

    @extend_schema(
        operation_id="customers_contacts_retrieve",
        summary="One contact",
        description="404 unless the contact belongs to this customer.",
    )
    def get(self, request: Request, customer_id: int, contact_id: int) -> Response:
        contact = self._contact(customer_id, contact_id)
        return Response(ContactOutputSerializer(contact).data)

    @extend_schema(
        operation_id="customers_contacts_partial_update",
        summary="Change a contact",
        description="`is_primary: true` makes it the primary contact; the primary contact "
        "cannot be un-marked (mark another one instead). " + ERRORS_DESCRIPTION,
        request=ContactInputSerializer(partial=True),
        responses=ContactOutputSerializer,
    )
    def patch(self, request: Request, customer_id: int, contact_id: int) -> Response:
        contact = self._contact(customer_id, contact_id)
        serializer = ContactInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        merged = {**asdict(_contact_as_input(contact)), **serializer.validated_data}
        try:
            contact = contact_update(
                org=self.org,
                actor=self.membership.user,
                contact=contact,
                data=ContactInput(**merged),
            )
        except DjangoValidationError as exc:
            raise ValidationError(contact_errors(exc)) from exc
        return Response(ContactOutputSerializer(contact).data)

    @extend_schema(
        operation_id="customers_contacts_destroy",
        summary="Delete a contact",
        description="Deleting the primary contact makes the oldest remaining contact primary.",
        responses={204: None},
    )
    def delete(self, request: Request, customer_id: int, contact_id: int) -> Response:
        contact = self._contact(customer_id, contact_id)
        contact_delete(org=self.org, actor=self.membership.user, contact=contact)
        return Response(status=status.HTTP_204_NO_CONTENT)
