"""Factories for the message log, templates, SMS consent and suppressions. Customers and contacts
come from tests/invoicing/factories.py. Like every factory, each object stays inside one
organization: children take it from their parent."""

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
from tests.factories import OrganizationFactory
from tests.invoicing.factories import ContactFactory, CustomerFactory


class MessagingCustomerFactory(CustomerFactory):
    """A customer messaging can reach on both channels, billed in pounds."""

    currency = "GBP"
    preferred_channel = "both"


class MessagingContactFactory(ContactFactory):
    """A contact of such a customer, with a mobile number as well as an email address."""

    customer = factory.SubFactory(MessagingCustomerFactory)
    phone = factory.Sequence(lambda n: f"+1415555{n % 10000:04d}")


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    customer = factory.SubFactory(MessagingCustomerFactory)
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
