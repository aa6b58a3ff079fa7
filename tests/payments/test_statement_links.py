"""Statement links follow the pay-link rules: HMAC of a stored nonce, only the hash searched,
one live link per customer, revocable, and never interchangeable with a pay link."""

from __future__ import annotations

import pytest

from arhub.secret_tokens import hash_secret
from invoicing.pay_links import pay_link_active, pay_link_resolve, pay_link_token
from payments.models import StatementLink
from payments.statement_links import (
    statement_link_active,
    statement_link_resolve,
    statement_link_revoke,
    statement_link_token,
    statement_link_url,
)
from tests.conftest import Tenant
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import invoice_make

pytestmark = pytest.mark.django_db


def test_a_link_resolves_to_its_customer_and_only_its_hash_is_stored(tenant: Tenant) -> None:
    customer = CustomerFactory(organization=tenant.org)
    link = statement_link_active(org=tenant.org, customer=customer)
    token = statement_link_token(link)
    assert token.startswith("s") and len(token) == 23
    stored = StatementLink.objects.get(pk=link.pk)
    assert stored.token_hash == hash_secret(token) and token not in stored.nonce
    found = statement_link_resolve(token)
    assert found is not None and found.customer == customer
    assert statement_link_active(org=tenant.org, customer=customer).pk == link.pk
    assert statement_link_url(org=tenant.org, customer=customer).endswith(f"/statement/{token}/")


def test_a_revoked_link_stops_working_and_the_next_one_differs(tenant: Tenant) -> None:
    customer = CustomerFactory(organization=tenant.org)
    old = statement_link_token(statement_link_active(org=tenant.org, customer=customer))
    assert statement_link_revoke(org=tenant.org, customer=customer) == 1
    assert statement_link_resolve(old) is None
    new = statement_link_token(statement_link_active(org=tenant.org, customer=customer))
    assert new != old and statement_link_resolve(new) is not None


def test_pay_and_statement_tokens_never_open_each_other(tenant: Tenant) -> None:
    invoice = invoice_make(tenant.org)
    pay = pay_link_token(pay_link_active(org=tenant.org, invoice=invoice))
    statement = statement_link_token(
        statement_link_active(org=tenant.org, customer=invoice.customer)
    )
    assert statement_link_resolve(pay) is None
    assert statement_link_resolve("s" + pay[1:]) is None
    assert pay_link_resolve(statement) is None
    assert pay_link_resolve("p" + statement[1:]) is None


def test_another_organizations_customer_gets_no_link(tenant: Tenant, other_tenant: Tenant) -> None:
    stranger = CustomerFactory(organization=other_tenant.org)
    with pytest.raises(ValueError, match="another organization"):
        statement_link_active(org=tenant.org, customer=stranger)
    assert not StatementLink.objects.exists()
