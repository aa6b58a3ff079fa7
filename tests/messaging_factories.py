"""Factories for customers as messaging sees them, and for the message log. Like every factory,
each object stays inside one organization: children take it from their parent."""

from __future__ import annotations

import factory

from arhub.models import (
    Channel,
    ConsentMethod,
    Message,
    MessageKind,
    MessageStatus,
    MessageTemplate,
    SmsConsent,
    Suppression,
    SuppressionReason,
    SuppressionScope,
)
from invoicing.models import Contact, Customer
from tests.factories import OrganizationFactory


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    organization = factory.SubFactory(OrganizationFactory)
    display_name = factory.Sequence(lambda n: f"Customer {n}")
    currency = "GBP"
    language = "en"
    preferred_channel = "both"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    organization = factory.SelfAttribute("customer.organization")
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@customer.test")
    phone = factory.Sequence(lambda n: f"+1415555{n % 10000:04d}")
    is_primary = True


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    customer = factory.SubFactory(CustomerFactory)
    organization = factory.SelfAttribute("customer.organization")
    channel = Channel.EMAIL
    kind = MessageKind.REMINDER
    recipient = factory.Sequence(lambda n: f"someone{n}@customer.test")
    subject = "A friendly reminder"
    body_text = factory.Sequence(lambda n: f"Reminder body {n}")
    status = MessageStatus.SENT


class MessageTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageTemplate

    organization = factory.SubFactory(OrganizationFactory)
    kind = MessageKind.REMINDER
    channel = Channel.EMAIL
    language = "en"
    subject = "Reminder: {invoice_number}"
    body = "Hello {contact_name}, please pay {amount_due} by {due_date}: {pay_link}"


class SmsConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SmsConsent

    organization = factory.SubFactory(OrganizationFactory)
    phone = "+14155550100"
    method = ConsentMethod.OWNER_ATTESTED


class SuppressionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Suppression

    organization = factory.SubFactory(OrganizationFactory)
    channel = Channel.EMAIL
    address = "someone@customer.test"
    scope = SuppressionScope.ALL
    reason = SuppressionReason.HARD_BOUNCE
