"""``/api/v1/reports/customers/<id>/`` on the hand-worked ledger of tests/metrics/ledger.py
(figures as worked in test_customer_report_views.py): Gamma owes 585.00 on 15 April 2027,
335.00 past due; Beta's one invoice is in EUR."""

from __future__ import annotations

from typing import Any

import pytest

from arhub.roles import Role
from tests.conftest import Tenant
from tests.invoicing.factories import CustomerFactory
from tests.metrics.export_helpers import csv_rows
from tests.metrics.ledger import Ledger

pytestmark = pytest.mark.django_db


def get(tenant: Tenant, pk: int, role: str = Role.VIEWER, **query: Any) -> Any:
    return tenant.api(role).get(f"/api/v1/reports/customers/{pk}/", query)


def test_the_customer_aging_and_habits(tenant: Tenant, ledger: Ledger) -> None:
    response = get(tenant, ledger.gamma.pk)
    assert response.status_code == 200, response.content[:500]
    data = response.json()
    assert (data["as_of"], data["currency"], data["total"], data["overdue"]) == (
        "2027-04-15",
        "USD",
        "585.00",
        "335.00",
    )
    assert [b["amount"] for b in data["buckets"]] == ["250.00", "215.00", "120.00", "0.00", "0.00"]
    assert [i["number"] for i in data["invoices"]] == [
        ledger.invoices[n].number for n in ("I", "C", "D")
    ]
    assert data["invoices"][0]["days_past_due"] == 43  # I, due 3 March
    stats = data["stats"]
    assert (stats["name"], stats["open_balance"], stats["avg_days_to_pay"]) == (
        "Gamma Inc",
        "585.00",
        "4.0",
    )


def test_as_of_a_past_day_and_in_the_customer_currency(tenant: Tenant, ledger: Ledger) -> None:
    past = get(tenant, ledger.gamma.pk, as_of="2027-03-31").json()
    assert (past["total"], past["overdue"], len(past["invoices"])) == ("200.00", "0.00", 1)
    beta = get(tenant, ledger.beta.pk).json()
    assert (beta["currency"], beta["total"]) == ("EUR", "700.00")
    assert get(tenant, ledger.beta.pk, currency="USD").json()["total"] == "0.00"


def test_a_file_for_those_who_may_export(tenant: Tenant, ledger: Ledger) -> None:
    assert get(tenant, ledger.gamma.pk, format="csv").status_code == 403
    response = get(tenant, ledger.gamma.pk, Role.ACCOUNTANT, format="csv")
    rows = csv_rows(b"".join(response.streaming_content))
    assert rows[-1][-1] == "585.00" and len(rows) == 1 + 3 + 1


def test_bad_input_and_foreign_customers(
    tenant: Tenant, other_tenant: Tenant, ledger: Ledger
) -> None:
    response = get(tenant, ledger.gamma.pk, edges="60,30")
    assert response.status_code == 400 and list(response.json()) == ["edges"]
    theirs = CustomerFactory(organization=other_tenant.org)
    assert get(tenant, theirs.pk).status_code == 404
