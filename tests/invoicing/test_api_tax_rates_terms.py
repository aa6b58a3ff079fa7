"""/api/v1/tax-rates/ and /api/v1/payment-terms/."""

from __future__ import annotations

from decimal import Decimal

import pytest

from arhub.roles import Role
from invoicing.models import PaymentTerms, TaxRate
from tests.invoicing.invoice_factories import PaymentTermsFactory, TaxRateFactory, invoice_make
from tests.invoicing.test_api_invoices import customer_of, line, send

pytestmark = pytest.mark.django_db

RATES = "/api/v1/tax-rates/"
TERMS = "/api/v1/payment-terms/"


def rate_url(rate_id: int) -> str:
    return f"{RATES}{rate_id}/"


def terms_url(terms_id: int) -> str:
    return f"{TERMS}{terms_id}/"


# ---- tax rates


def test_add_read_and_list_tax_rates(tenant):
    api = tenant.api()
    response = send(
        api, "POST", RATES, {"name": "State", "percent": "8.875", "registration_number": "S-1"}
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["name"], data["percent"], data["is_active"]) == ("State", "8.875", True)
    assert data["registration_number"] == "S-1"
    assert TaxRate.objects.get(pk=data["id"]).organization_id == tenant.org.pk
    send(api, "POST", RATES, {"name": "city", "percent": 2})
    send(api, "POST", RATES, {"name": "VAT", "percent": 12.5, "is_active": False})
    viewer = tenant.api(Role.VIEWER)
    assert viewer.get(rate_url(data["id"])).json() == data
    names = [r["name"] for r in viewer.get(RATES).json()["results"]]
    assert names == ["city", "State", "VAT"]
    active = [r["name"] for r in viewer.get(RATES + "?is_active=false").json()["results"]]
    assert active == ["VAT"]
    pages = viewer.get(RATES + "?page_size=2").json()
    assert [r["name"] for r in viewer.get(pages["next"]).json()["results"]] == ["VAT"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "VAT", "percent": 0.1}, "percent"),
        ({"name": "VAT", "percent": "101"}, "percent"),
        ({"name": "VAT", "percent": "-1"}, "percent"),
        ({"name": "VAT", "percent": "1.23456"}, "percent"),
        ({"name": "VAT", "percent": "twenty"}, "percent"),
        ({"name": "VAT"}, "percent"),
        ({"name": "", "percent": "20"}, "name"),
        ({"name": "vat", "percent": "20"}, "name"),  # the existing "VAT", whatever the case
        ({"name": "New", "percent": "20", "rate": "1"}, "rate"),
    ],
)
def test_bad_tax_rates_are_named_and_not_saved(tenant, body, field):
    TaxRateFactory(organization=tenant.org, name="VAT")
    response = send(tenant.api(), "POST", RATES, body)
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert TaxRate.objects.count() == 1


def test_retire_a_rate_then_new_invoices_cannot_use_it(tenant):
    rate = TaxRateFactory(organization=tenant.org)
    api = tenant.api()
    response = send(api, "PATCH", rate_url(rate.pk), {"is_active": False})
    assert response.status_code == 200, response.json()
    assert response.json()["is_active"] is False
    customer = customer_of(tenant)
    response = send(
        api,
        "POST",
        "/api/v1/invoices/",
        {"customer": customer.pk, "lines": [line(tax_rates=[rate.pk])]},
    )
    assert response.status_code == 400
    assert "retired" in response.json()["lines[0].tax_rates"][0]
    assert send(api, "PATCH", rate_url(rate.pk), {"is_active": True}).json()["is_active"] is True


def test_a_rate_in_use_keeps_its_percentage_and_is_not_deleted(tenant):
    rate = TaxRateFactory(organization=tenant.org, name="VAT", percent=Decimal("20"))
    invoice_make(tenant.org, lines=[("a", "1", "10.00", [rate])])
    api = tenant.api()
    response = send(api, "PATCH", rate_url(rate.pk), {"percent": "21", "name": "VAT UK"})
    assert response.status_code == 400
    assert "Retire it" in response.json()["percent"][0]
    rate.refresh_from_db()
    assert (rate.name, rate.percent) == ("VAT", Decimal("20"))
    # Renaming alone is fine; so is sending the same percentage back.
    response = send(api, "PATCH", rate_url(rate.pk), {"name": "VAT UK", "percent": "20.0"})
    assert response.status_code == 200, response.json()
    response = api.delete(rate_url(rate.pk))
    assert response.status_code == 400
    assert "Retire it" in response.json()["non_field_errors"][0]
    assert TaxRate.objects.filter(pk=rate.pk).exists()


def test_patch_changes_only_what_is_given_and_all_or_nothing(tenant):
    rate = TaxRateFactory(organization=tenant.org, name="VAT", registration_number="GB1")
    TaxRateFactory(organization=tenant.org, name="GST")
    api = tenant.api()
    response = send(api, "PATCH", rate_url(rate.pk), {"percent": "17.5"})
    assert response.json()["registration_number"] == "GB1"
    assert response.json()["percent"] == "17.5"
    response = send(api, "PATCH", rate_url(rate.pk), {"name": "gst", "is_active": False})
    assert response.status_code == 400
    assert "name" in response.json()
    rate.refresh_from_db()
    assert (rate.name, rate.is_active) == ("VAT", True)


def test_delete_an_unused_rate(tenant):
    rate = TaxRateFactory(organization=tenant.org)
    assert tenant.api().delete(rate_url(rate.pk)).status_code == 204
    assert not TaxRate.objects.filter(pk=rate.pk).exists()


# ---- payment terms


def test_add_and_read_payment_terms(tenant):
    api = tenant.api()
    response = send(
        api,
        "POST",
        TERMS,
        {
            "name": "2/10 net 30",
            "days": 30,
            "discount_percent": "2",
            "discount_days": 10,
            "late_fee_kind": "percent",
            "late_fee_percent": 1.5,
            "late_fee_cap_percent": "10",
        },
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["kind"], data["days"], data["discount_percent"]) == ("net", 30, "2")
    assert (data["late_fee_percent"], data["late_fee_cap_percent"]) == ("1.5", "10")
    assert data["is_default"] is False
    assert tenant.api(Role.ACCOUNTANT).get(terms_url(data["id"])).json() == data
    send(api, "POST", TERMS, {"name": "Due on receipt", "kind": "receipt"})
    names = [t["name"] for t in tenant.api(Role.VIEWER).get(TERMS).json()["results"]]
    assert names == ["2/10 net 30", "Due on receipt"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "On the 5th", "kind": "fixed"}, "kind"),
        ({"name": "Weekly", "kind": "weekly"}, "kind"),
        ({"name": "Long", "days": 400}, "days"),
        ({"name": "Half", "discount_percent": "2"}, "discount_days"),
        ({"name": "Late", "late_fee_kind": "flat"}, "late_fee_amount"),
        ({"name": "Late", "late_fee_kind": "percent", "late_fee_percent": 0.1}, "late_fee_percent"),
        ({"name": "net 30"}, "name"),  # the existing "Net 30", whatever the case
        ({"name": "Net 60", "dayz": 60}, "dayz"),
    ],
)
def test_bad_payment_terms_are_named_and_not_saved(tenant, body, field):
    PaymentTermsFactory(organization=tenant.org, name="Net 30")
    response = send(tenant.api(), "POST", TERMS, body)
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert PaymentTerms.objects.count() == 1


def test_one_default_at_a_time(tenant):
    api = tenant.api()
    first = send(api, "POST", TERMS, {"name": "Net 30", "is_default": True}).json()
    second = send(api, "POST", TERMS, {"name": "Net 15", "days": 15}).json()
    assert first["is_default"] is True
    response = send(api, "PATCH", terms_url(second["id"]), {"is_default": True})
    assert response.status_code == 200, response.json()
    assert response.json()["is_default"] is True
    defaults = PaymentTerms.objects.for_org(tenant.org).filter(is_default=True)
    assert list(defaults.values_list("pk", flat=True)) == [second["id"]]
    third = send(api, "POST", TERMS, {"name": "Net 7", "days": 7, "is_default": True}).json()
    assert list(defaults.values_list("pk", flat=True)) == [third["id"]]
    # The default is moved, not un-marked.
    response = send(api, "PATCH", terms_url(third["id"]), {"is_default": False})
    assert response.status_code == 400
    assert "is_default" in response.json()
    assert list(defaults.values_list("pk", flat=True)) == [third["id"]]


def test_patch_terms_changes_only_what_is_given(tenant):
    terms = PaymentTermsFactory(organization=tenant.org, name="Net 30", days=30)
    response = send(tenant.api(), "PATCH", terms_url(terms.pk), {"days": 45})
    assert response.status_code == 200, response.json()
    assert (response.json()["name"], response.json()["days"]) == ("Net 30", 45)


def test_terms_in_use_are_not_deleted(tenant):
    used = PaymentTermsFactory(organization=tenant.org, name="Net 60", days=60)
    customer_of(tenant, display_name="Acme Plumbing", payment_terms=used)
    unused = PaymentTermsFactory(organization=tenant.org, name="Net 7", days=7)
    api = tenant.api()
    response = api.delete(terms_url(used.pk))
    assert response.status_code == 400
    assert "Acme Plumbing" in response.json()["non_field_errors"][0]
    assert PaymentTerms.objects.filter(pk=used.pk).exists()
    assert api.delete(terms_url(unused.pk)).status_code == 204
    assert not PaymentTerms.objects.filter(pk=unused.pk).exists()


# ---- roles and tenancy


@pytest.mark.parametrize("role", [Role.BILLING, Role.ACCOUNTANT, Role.VIEWER])
def test_only_the_settings_right_changes_rates_and_terms(tenant, role):
    # As on the dashboard: tax rates and terms are organization settings (owner, admin).
    rate = TaxRateFactory(organization=tenant.org, name="VAT")
    terms = PaymentTermsFactory(organization=tenant.org, name="Net 30")
    api = tenant.api(role)
    assert api.get(RATES).status_code == 200
    assert api.get(TERMS).status_code == 200
    for method, url, body in [
        ("POST", RATES, {"name": "GST", "percent": "5"}),
        ("PATCH", rate_url(rate.pk), {"is_active": False}),
        ("DELETE", rate_url(rate.pk), None),
        ("POST", TERMS, {"name": "Net 15", "days": 15}),
        ("PATCH", terms_url(terms.pk), {"is_default": True}),
        ("DELETE", terms_url(terms.pk), None),
    ]:
        assert send(api, method, url, body).status_code == 403, (method, url)
    assert TaxRate.objects.count() == PaymentTerms.objects.count() == 1
    rate.refresh_from_db()
    terms.refresh_from_db()
    assert rate.is_active is True
    assert terms.is_default is False


def test_admin_changes_rates_and_terms(tenant):
    api = tenant.api(Role.ADMIN)
    assert send(api, "POST", RATES, {"name": "GST", "percent": "5"}).status_code == 201
    assert send(api, "POST", TERMS, {"name": "Net 15", "days": 15}).status_code == 201


def test_another_orgs_rates_and_terms_are_404(tenant, other_tenant):
    rate = TaxRateFactory(organization=other_tenant.org, name="Kilo tax")
    terms = PaymentTermsFactory(organization=other_tenant.org, name="Kilo terms")
    api = tenant.api()
    for method, url, body in [
        ("GET", rate_url(rate.pk), None),
        ("PATCH", rate_url(rate.pk), {"name": "taken"}),
        ("DELETE", rate_url(rate.pk), None),
        ("GET", terms_url(terms.pk), None),
        ("PATCH", terms_url(terms.pk), {"is_default": True}),
        ("DELETE", terms_url(terms.pk), None),
    ]:
        response = send(api, method, url, body)
        assert response.status_code == 404, (method, url)
        assert "Kilo" not in response.content.decode()
    assert api.get(RATES).json()["results"] == []
    assert api.get(TERMS).json()["results"] == []
    # Names are unique per organization, not across them.
    assert send(api, "POST", RATES, {"name": "Kilo tax", "percent": "1"}).status_code == 201
    rate.refresh_from_db()
    terms.refresh_from_db()
    assert (rate.name, terms.is_default) == ("Kilo tax", False)
