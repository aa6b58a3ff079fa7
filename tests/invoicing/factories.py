"""Factories for customers and their contacts. A contact takes its organization from its
customer, so every object stays inside one organization, and each keeps the customer's search
vector current, as the services do, so factory-made customers can be searched for."""

from __future__ import annotations

from typing import Any

import factory

from invoicing.models import Contact, Customer, CustomerNote
from invoicing.search import customer_search_refresh
from tests.factories import OrganizationFactory


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    display_name = factory.Sequence(lambda n: f"Customer {n:04d}")
    currency = factory.SelfAttribute("organization.default_currency")

    @factory.post_generation
    def search(obj: Customer, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            customer_search_refresh(org=obj.organization, customer_id=obj.pk)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    organization = factory.SelfAttribute("customer.organization")
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@customer.test")
    is_primary = True

    @factory.post_generation
    def search(obj: Contact, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            customer_search_refresh(org=obj.organization, customer_id=obj.customer_id)


class CustomerNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerNote

    customer = factory.SubFactory(CustomerFactory)
    organization = factory.SelfAttribute("customer.organization")
    body = factory.Sequence(lambda n: f"Note {n}")
