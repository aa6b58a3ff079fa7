"""What an export may be asked for: every report and format checked before a job exists, each
bad value refused under its own key (``metrics.export_registry``, ``metrics.export_params``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from metrics.export_params import ExportParams
from metrics.export_registry import SPECS, export_request_check
from metrics.models import ReportKind
from tests.conftest import Tenant
from tests.invoicing.factories import CustomerFactory
from tests.metrics.ledger import TODAY, at

pytestmark = pytest.mark.django_db


def errors(tenant: Tenant, report: str, fmt: str, **params: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        export_request_check(org=tenant.org, report=report, format=fmt, params=params)
    return caught.value.message_dict


@pytest.fixture
def ny(tenant: Tenant) -> Tenant:
    tenant.org.timezone = "America/New_York"
    tenant.org.default_currency = "USD"
    tenant.org.save()
    return tenant


def test_every_report_kind_has_a_spec() -> None:
    assert set(SPECS) == set(ReportKind.values)


def test_defaults_are_today_this_month_and_the_default_currency(ny: Tenant) -> None:
    with at(TODAY):
        _, fmt, aging = export_request_check(
            org=ny.org, report="aging_summary", format="xlsx", params={}
        )
        _, _, register = export_request_check(
            org=ny.org, report="invoice_register", format="csv", params={"currency": "eur"}
        )
    assert fmt == "xlsx"
    assert aging == ExportParams(currency="USD", as_of=TODAY)
    assert aging.stored() == {"currency": "USD", "as_of": "2027-04-15"}
    # The register reads a period, not a day: 1 April to today.
    assert register == ExportParams(currency="EUR", start=date(2027, 4, 1), end=TODAY)
    assert ExportParams.from_stored(register.stored()) == register


def test_keys_a_report_does_not_read_are_left_out(ny: Tenant) -> None:
    with at(TODAY):
        _, _, params = export_request_check(
            org=ny.org,
            report="dso",
            format="pdf",
            params={"start": "nonsense", "edges": "x", "as_of": "2027-03-31"},
        )
    assert params.stored() == {"currency": "USD", "as_of": "2027-03-31"}


def test_unknown_report_and_format_name_their_key(ny: Tenant) -> None:
    assert list(errors(ny, "ledger", "csv")) == ["report"]
    assert "Unknown format “docx”" in errors(ny, "aging_summary", "docx")["format"][0]
    # QuickBooks imports CSV only.
    assert errors(ny, "qbo_invoices", "pdf")["format"] == [
        "QuickBooks Online: invoices comes as csv, not pdf."
    ]


def test_bad_filters_are_refused_under_their_own_keys_all_at_once(ny: Tenant) -> None:
    with at(TODAY):
        found = errors(
            ny, "aging_detail", "csv", as_of="2027-04-16", edges="60,30", currency="EURO"
        )
        period = errors(ny, "payments", "csv", start="2027-03-10", end="2027-03-01")
        future_end = errors(ny, "payments", "csv", end="2027-05-01")
        not_a_date = errors(ny, "payments", "csv", start="March")
    assert set(found) == {"as_of", "edges", "currency"}
    assert found["as_of"] == ["2027-04-16 is in the future (today is 2027-04-15)."]
    assert "increase" in found["edges"][0]
    assert found["currency"] == ["“EURO” is not an ISO 4217 currency code."]
    assert list(period) == ["end"]
    assert "before it starts" in period["end"][0]
    assert list(future_end) == ["end"]
    assert not_a_date == {"start": ["“March” is not a date; write it as YYYY-MM-DD."]}


def test_statements_one_customer_as_pdf_or_everyone_as_a_zip(
    ny: Tenant, other_tenant: Tenant
) -> None:
    mine = CustomerFactory(organization=ny.org)
    theirs = CustomerFactory(organization=other_tenant.org)
    _, _, params = export_request_check(
        org=ny.org, report="statements", format="pdf", params={"customer": mine.pk}
    )
    assert params.customer_id == mine.pk
    assert list(errors(ny, "statements", "pdf")) == ["customer"]
    assert list(errors(ny, "statements", "zip", customer=mine.pk)) == ["customer"]
    # Another organization's customer is as if it did not exist.
    assert errors(ny, "statements", "pdf", customer=theirs.pk) == {
        "customer": [f"Customer {theirs.pk} does not exist."]
    }
    assert list(errors(ny, "statements", "csv")) == ["format"]
