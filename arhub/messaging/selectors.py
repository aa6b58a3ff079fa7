"""Reads for messaging: the message log, the wording in force, who a message goes to.

Customers and contacts live in ``invoicing``, above the core; they are reached through the
message's lazy foreign keys so no module here imports that app (type hints only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from arhub.messaging.defaults import LANGUAGES, default_text
from arhub.models import Channel, Message, MessageKind, MessageTemplate, Organization

if TYPE_CHECKING:
    from invoicing.models import Contact, Customer, Invoice

# Whose contacts get which kinds: those marked for reminders get reminders, those marked for
# invoices get the money documents; everything else goes to the primary contact.
REMINDER_KINDS = frozenset(
    {MessageKind.REMINDER, MessageKind.REMINDER_DIGEST, MessageKind.PLAN_UPDATE}
)
INVOICE_KINDS = frozenset(
    {MessageKind.INVOICE, MessageKind.STATEMENT, MessageKind.RECEIPT, MessageKind.THANK_YOU}
)
PREVIEW_CUSTOMER_LIMIT = 200


def _customer_model() -> type[Customer]:
    return cast("type[Customer]", Message._meta.get_field("customer").related_model)


def _invoice_model() -> type[Invoice]:
    return cast("type[Invoice]", Message._meta.get_field("invoice").related_model)


def _contact_model() -> type[Contact]:
    return cast("type[Contact]", Message._meta.get_field("contact").related_model)


# ---- The log


def message_list(
    *,
    org: Organization,
    customer_id: int | None = None,
    invoice_id: int | None = None,
    channel: str | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> QuerySet[Message]:
    messages = Message.objects.for_org(org)
    if customer_id is not None:
        messages = messages.filter(customer_id=customer_id)
    if invoice_id is not None:
        messages = messages.filter(invoice_id=invoice_id)
    if channel:
        messages = messages.filter(channel=channel)
    if kind:
        messages = messages.filter(kind=kind)
    if status:
        messages = messages.filter(status=status)
    return messages.order_by("-created_at", "-id")


def message_get(*, org: Organization, message_id: int) -> Message:
    return get_object_or_404(Message.objects.for_org(org), pk=message_id)


# ---- Customers and invoices, as messaging needs them


def message_invoice_get(*, org: Organization, invoice_id: int) -> Invoice:
    """An invoice of this organization, or 404 (another tenant's id included)."""
    return get_object_or_404(_invoice_model().objects.for_org(org), pk=invoice_id)


def message_customer_get(*, org: Organization, customer_id: int) -> Customer:
    """A customer of this organization, or 404 (another tenant's id included)."""
    return get_object_or_404(_customer_model().objects.for_org(org), pk=customer_id)


def message_customer_choices(*, org: Organization) -> QuerySet[Customer]:
    """Customers to preview a message on, by name; capped, as an organization may have tens
    of thousands (any other one can still be asked for by id)."""
    return (
        _customer_model()
        .objects.for_org(org)
        .order_by("display_name", "pk")[:PREVIEW_CUSTOMER_LIMIT]
    )


def message_contact_for(*, customer: Customer, kind: str, channel: str) -> Contact | None:
    """The contact a kind of message goes to: one marked for it with an address on the
    channel (the primary first), else the primary contact."""
    contacts = _contact_model().objects.filter(customer=customer).order_by("-is_primary", "pk")
    field = "email" if channel == Channel.EMAIL else "phone"
    marked = contacts.exclude(**{field: ""})
    if kind in REMINDER_KINDS:
        marked = marked.filter(receives_reminders=True)
    elif kind in INVOICE_KINDS:
        marked = marked.filter(receives_invoices=True)
    else:
        marked = marked.filter(is_primary=True)
    return marked.first() or contacts.filter(is_primary=True).first()


# ---- Wording


@dataclass(frozen=True)
class TemplateText:
    kind: str
    channel: str
    language: str
    subject: str
    body: str
    is_custom: bool
    updated_at: datetime | None = None
    updated_by: str = ""


def message_template_get(
    *, org: Organization, kind: str, channel: str, language: str
) -> MessageTemplate | None:
    return (
        MessageTemplate.objects.for_org(org)
        .filter(kind=kind, channel=channel, language=language)
        .select_related("updated_by")
        .first()
    )


def _as_text(
    kind: str, channel: str, language: str, custom: MessageTemplate | None
) -> TemplateText:
    if custom is not None:
        return TemplateText(
            kind,
            channel,
            language,
            custom.subject,
            custom.body,
            is_custom=True,
            updated_at=custom.updated_at,
            updated_by=custom.updated_by.full_name if custom.updated_by else "",
        )
    default = default_text(kind=kind, channel=channel, language=language)
    return TemplateText(kind, channel, language, default.subject, default.body, is_custom=False)


def message_template_effective(
    *, org: Organization, kind: str, channel: str, language: str
) -> TemplateText:
    """The organization's own wording when it has one, else the built-in text."""
    custom = message_template_get(org=org, kind=kind, channel=channel, language=language)
    return _as_text(kind, channel, language, custom)


def message_template_overview(*, org: Organization) -> list[list[TemplateText]]:
    """One row per kind, one cell per channel and language, in one query."""
    custom = {
        (t.kind, t.channel, t.language): t
        for t in MessageTemplate.objects.for_org(org).select_related("updated_by")
    }
    return [
        [
            _as_text(kind, channel, language, custom.get((kind, channel, language)))
            for channel in Channel.values
            for language, _ in LANGUAGES
        ]
        for kind in MessageKind.values
    ]
