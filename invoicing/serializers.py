"""Input and output shapes of the customers API (``invoicing.api``).

Inputs check types and shapes only; the services validate meaning (currency codes, time
zones, phone numbers), so the dashboard and the API refuse the same things with the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from arhub.locales import currency_minor_units, is_currency
from invoicing.models import Contact, Customer, Language, PreferredChannel

MONEY_SCHEMA = {"type": "string", "format": "decimal", "example": "1500.00"}


def money_text(amount: Decimal, currency: str) -> str:
    """``amount`` as a decimal string with the currency's minor units ("0.00", JPY "0")."""
    digits = currency_minor_units(currency) if is_currency(currency) else 2
    return f"{amount.quantize(Decimal(1).scaleb(-digits)):f}"


class DecimalStringField(serializers.DecimalField):
    """A decimal that refuses JSON floats: 0.1 + 0.2 has no exact binary form, and money is
    never rounded by accident at our door. Strings ("1500.00") and JSON integers are exact."""

    default_error_messages = {
        "float": 'Send amounts as decimal strings (e.g. "1500.00"), not as JSON numbers with '
        "a fraction: a float cannot hold every amount exactly.",
    }

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, float):
            self.fail("float")
        return super().to_internal_value(data)


class StrictInput(serializers.Serializer):
    # Not a docstring: the schema would show it as every subclass's description.
    # Refuses fields it does not know, so a misspelt field (credit_limt) is a 400 rather than a
    # silent no-op. Fields only ever output (output_only) are ignored, so a client may send
    # back what it read.

    output_only: frozenset[str] = frozenset()

    def to_internal_value(self, data: Any) -> Any:
        unknown: dict[str, list[str]] = {}
        if isinstance(data, Mapping):
            known = set(self.fields) | self.output_only
            unknown = {name: ["Unknown field."] for name in sorted(set(data) - known)}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**unknown, **exc.detail}) from exc
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


# ---- contacts


class ContactFields(StrictInput):
    """A contact's fields."""

    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="Any common format; stored and shown in E.164 (+14155550123). National "
        "numbers are read in the organization's country.",
    )
    role = serializers.CharField(max_length=100, required=False, allow_blank=True)
    is_primary = serializers.BooleanField(required=False, default=False)
    receives_invoices = serializers.BooleanField(required=False, default=True)
    receives_reminders = serializers.BooleanField(required=False, default=True)


class ContactInputSerializer(ContactFields):
    """One contact, for `/customers/{id}/contacts/`."""

    output_only = frozenset({"id", "created_at"})


class ContactListSerializer(serializers.ListSerializer):
    # DRF 3.18 reports errors in a list by position ({"1": {...}}) by default, older versions
    # as a list with {} for valid entries; the contract is the first whatever DRF is installed.

    def to_internal_value(self, data: Any) -> Any:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = exc.detail
            if isinstance(detail, list) and detail and all(isinstance(e, dict) for e in detail):
                raise serializers.ValidationError(
                    {str(index): errors for index, errors in enumerate(detail) if errors}
                ) from exc
            raise


class CustomerContactInputSerializer(ContactFields):
    """One entry of a customer's `contacts` list: with `id`, that contact is updated in place;
    without, a new contact is added."""

    output_only = frozenset({"created_at"})

    class Meta:
        list_serializer_class = ContactListSerializer

    id = serializers.IntegerField(
        required=False, help_text="An existing contact of this customer, to update in place."
    )


class ContactOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.SerializerMethodField(help_text="E.164, or empty")
    role = serializers.CharField()
    is_primary = serializers.BooleanField()
    receives_invoices = serializers.BooleanField()
    receives_reminders = serializers.BooleanField()
    created_at = serializers.DateTimeField()

    def get_phone(self, contact: Contact) -> str:
        return contact.phone.as_e164 if contact.phone else ""


# ---- customers


class CustomerInputSerializer(StrictInput):
    """A customer's fields, with its primary contact (`email`, `phone`) or every contact
    (`contacts`)."""

    output_only = frozenset({"id", "open_balance", "created_at", "updated_at"})

    name = serializers.CharField(max_length=200, help_text="The customer's display name.")
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(
        max_length=254,
        required=False,
        allow_blank=True,
        help_text="The primary contact's email. Use either `email`/`phone` or `contacts`.",
    )
    phone = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="The primary contact's phone, any common format; stored in E.164.",
    )
    timezone = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="IANA zone (America/Chicago); empty means the organization's.",
    )
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    currency = serializers.CharField(
        max_length=8, required=False, help_text="ISO 4217; defaults to the organization's."
    )
    payment_terms_days = serializers.IntegerField(
        min_value=0,
        max_value=3650,
        required=False,
        allow_null=True,
        help_text="Net days, with the default terms' discount and late fee; null means the "
        "organization's default terms. Given without `payment_terms`, they replace the "
        "customer's named terms; not together with them.",
    )
    payment_terms = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The id of the organization's named payment terms for this customer; null "
        "means net days if given, else the organization's default terms. Left out of an "
        "update (PUT included), the customer keeps its named terms unless "
        "`payment_terms_days` is given. An id that is not this organization's is a 400 "
        "naming this field.",
    )
    preferred_channel = serializers.ChoiceField(choices=PreferredChannel.choices, required=False)
    credit_limit = DecimalStringField(
        max_digits=18,
        decimal_places=3,
        min_value=Decimal(0),
        required=False,
        allow_null=True,
        help_text='A decimal string in the customer\'s currency ("5000.00"); floats are refused.',
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, allow_empty=True
    )
    external_id = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Id in your accounting system; unique within the organization.",
    )
    notes = serializers.CharField(required=False, allow_blank=True)
    billing_address_line1 = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Billing address, printed under the name on invoices. Each part is one line "
        "(line breaks become spaces). Left out of a PUT, the address parts and `tax_id` are "
        "kept, so clients written before they existed do not erase them.",
    )
    billing_address_line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    billing_city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    billing_region = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="State, province or region."
    )
    billing_postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    billing_country = serializers.CharField(
        max_length=8,
        required=False,
        allow_blank=True,
        help_text="ISO 3166-1 alpha-2 code (GB, US), any case; stored upper case. Empty: none.",
    )
    tax_id = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        help_text="The customer's VAT or tax number, printed on their invoices.",
    )
    contacts = CustomerContactInputSerializer(
        many=True,
        required=False,
        help_text="Every contact, for full control. On update the list replaces the contacts: "
        "entries with an `id` update that contact, entries without are added, contacts left "
        "out are deleted. Without a primary, the first becomes primary.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "contacts" in attrs and ({"email", "phone"} & set(attrs)):
            raise serializers.ValidationError(
                "Give either `email`/`phone` (the primary contact) or `contacts` (every "
                "contact), not both."
            )
        limit = attrs.get("credit_limit")
        if limit is not None:
            currency = self._currency(attrs)
            if is_currency(currency) and limit != limit.quantize(
                Decimal(1).scaleb(-currency_minor_units(currency))
            ):
                digits = currency_minor_units(currency)
                raise serializers.ValidationError(
                    {"credit_limit": f"{currency} amounts have at most {digits} decimal places."}
                )
        return attrs

    def _currency(self, attrs: Mapping[str, Any]) -> str:
        if attrs.get("currency"):
            return str(attrs["currency"]).strip().upper()
        customer: Customer | None = self.context.get("customer")
        if customer is not None:
            return customer.currency
        return str(self.context["org"].default_currency)


class CustomerOutputSerializer(serializers.Serializer):
    """A customer with its contacts, primary first."""

    # invoicing.api prefetches ``contacts`` in that order, so a page costs one more query.

    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    company = serializers.CharField()
    email = serializers.SerializerMethodField(help_text="The primary contact's email")
    phone = serializers.SerializerMethodField(help_text="The primary contact's phone (E.164)")
    timezone = serializers.CharField(help_text="Empty: the organization's time zone")
    language = serializers.CharField()
    currency = serializers.CharField()
    payment_terms_days = serializers.IntegerField(allow_null=True)
    payment_terms = serializers.IntegerField(
        source="payment_terms_id",
        allow_null=True,
        help_text="Named payment terms (id); null: net days if set, else the default terms",
    )
    preferred_channel = serializers.CharField()
    credit_limit = serializers.SerializerMethodField()
    tags = serializers.ListField(child=serializers.CharField())
    external_id = serializers.CharField()
    notes = serializers.CharField()
    billing_address_line1 = serializers.CharField()
    billing_address_line2 = serializers.CharField()
    billing_city = serializers.CharField()
    billing_region = serializers.CharField()
    billing_postal_code = serializers.CharField()
    billing_country = serializers.CharField(help_text="ISO 3166-1 alpha-2, or empty")
    tax_id = serializers.CharField(help_text="VAT or tax number, or empty")
    contacts = ContactOutputSerializer(many=True, source="contacts.all")
    open_balance = serializers.SerializerMethodField(
        help_text="What the customer owes on open and part-paid invoices in its own currency "
        "(invoices in other currencies are not converted or included)"
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def _primary(self, customer: Customer) -> Contact | None:
        return next((c for c in customer.contacts.all() if c.is_primary), None)

    def get_email(self, customer: Customer) -> str:
        primary = self._primary(customer)
        return primary.email if primary else ""

    def get_phone(self, customer: Customer) -> str:
        primary = self._primary(customer)
        return primary.phone.as_e164 if primary and primary.phone else ""

    @extend_schema_field({**MONEY_SCHEMA, "nullable": True})
    def get_credit_limit(self, customer: Customer) -> str | None:
        if customer.credit_limit is None:
            return None
        return money_text(customer.credit_limit, customer.currency)

    @extend_schema_field(MONEY_SCHEMA)
    def get_open_balance(self, customer: Customer) -> str:
        # invoicing.selectors.customer_list annotates it; invoicing.api sets it for one customer.
        return money_text(getattr(customer, "open_balance", Decimal(0)), customer.currency)


# ---- service errors


def _field_key(key: str) -> str:
    if key == NON_FIELD_ERRORS:
        return api_settings.NON_FIELD_ERRORS_KEY
    return {"display_name": "name"}.get(key, key)


def customer_errors(exc: DjangoValidationError, *, contacts_sent: int | None) -> dict[str, Any]:
    """A service's ValidationError in the API's shape. Service keys such as
    ``contacts[1].phone`` become DRF's nested shape, keyed by position:
    ``{"contacts": {"1": {"phone": [...]}}}``. With ``contacts_sent=None`` the contacts came
    from top-level ``email``/``phone`` (as entry 0), so their errors are reported under those
    fields."""
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    errors: dict[str, Any] = {}
    nested: dict[str, dict[str, list[str]]] = {}
    for key, messages in exc.message_dict.items():
        if key.startswith("contacts[") and "]." in key:
            index_text, _, field = key[len("contacts[") :].partition("].")
            if contacts_sent is None:
                field = field if field in {"email", "phone"} else "contacts"
                errors.setdefault(field, []).extend(messages)
            else:
                nested.setdefault(index_text, {}).setdefault(field, []).extend(messages)
        else:
            errors.setdefault(_field_key(key), []).extend(messages)
    if nested:
        whole_list = errors.pop("contacts", None)
        errors["contacts"] = dict(sorted(nested.items(), key=lambda item: int(item[0])))
        if whole_list:
            errors["contacts"][api_settings.NON_FIELD_ERRORS_KEY] = whole_list
    return errors


def contact_errors(exc: DjangoValidationError) -> dict[str, Any]:
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    return {_field_key(key): messages for key, messages in exc.message_dict.items()}
