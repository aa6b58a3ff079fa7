from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client

from arhub.celery import app
from arhub.messaging import sms
from arhub.models import Membership, Organization, User
from arhub.roles import Role
from arhub.services.tokens import api_token_create
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

# The `smtp` fixture: a real SMTP server on localhost (tests/smtp_server.py); `stripe_api`: a
# local stand-in for the Stripe API (tests/stripe_server.py).
pytest_plugins = ["tests.smtp_server", "tests.stripe_server"]


@dataclass
class Tenant:
    """One organization with a member of each role, ready to act as any of them."""

    org: Organization
    members: dict[str, Membership]

    @property
    def owner(self) -> Membership:
        return self.members[Role.OWNER]

    def user(self, role: str = Role.OWNER) -> User:
        return self.members[role].user

    def client(self, role: str = Role.OWNER) -> Client:
        client = Client()
        client.force_login(self.user(role))
        session = client.session
        session["arhub_org_id"] = self.org.pk
        session.save()
        return client

    def api(self, role: str = Role.OWNER) -> Client:
        """A client whose every request carries a fresh bearer token for that role."""
        _, secret = api_token_create(org=self.org, membership=self.members[role], name="test")
        return Client(headers={"Authorization": f"Bearer {secret}"})


def make_tenant(name: str) -> Tenant:
    org = OrganizationFactory(name=name)
    members = {
        role: MembershipFactory(
            organization=org, role=role, user=UserFactory(full_name=f"{name} {role}")
        )
        for role in Role.values
    }
    return Tenant(org=org, members=members)


@pytest.fixture
def tenant(db: None) -> Tenant:
    return make_tenant("Acme Plumbing")


@pytest.fixture
def other_tenant(db: None) -> Tenant:
    """A second organization whose data must never show through to the first."""
    return make_tenant("Zenith Bakery")


@pytest.fixture(autouse=True)
def sms_outbox() -> Iterator[list[sms.SmsOutgoing]]:
    """The locmem SMS backend's outbox, empty at the start of every test (as Django empties
    mail.outbox)."""
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def _forget_result_backend() -> None:
    # Celery builds the result backend once per thread, the first time a task is sent, from the
    # configuration of that moment; a test that sent a task without a backend would leave every
    # later worker test in the thread unable to read results.
    app._local.__dict__.pop("backend", None)
    app._backend_cache = None  # type: ignore[attr-defined]


@pytest.fixture
def worker(settings: Any) -> Iterator[None]:
    """A real Celery worker (solo pool, in a thread) consuming the test Redis broker, with Redis
    as the result backend."""
    _forget_result_backend()
    app.conf.result_backend = settings.REDIS_URL
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.result_backend = None
        _forget_result_backend()
