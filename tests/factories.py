"""factory_boy factories. Every object a factory makes stays inside one organization: child
factories take their organization from their parent, never from a fresh one."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from arhub.models import ApiToken, AuditEvent, Invitation, Membership, Organization, User
from arhub.roles import Role
from arhub.secret_tokens import hash_secret, new_secret

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Business {n}")
    slug = factory.Sequence(lambda n: f"business-{n}")
    timezone = "Europe/London"
    default_currency = "GBP"
    country = "GB"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.OWNER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    role = Role.BILLING
    token_hash = factory.LazyFunction(lambda: hash_secret(new_secret("inv")))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class ApiTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiToken

    membership = factory.SubFactory(MembershipFactory)
    organization = factory.SelfAttribute("membership.organization")
    name = factory.Sequence(lambda n: f"Token {n}")
    prefix = "arh_test"
    key_hash = factory.LazyFunction(lambda: hash_secret(new_secret("arh")))


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    organization = factory.SubFactory(OrganizationFactory)
    action = "org.settings_changed"
    summary = factory.Sequence(lambda n: f"Changed something {n}")
