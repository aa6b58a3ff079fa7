"""Isolation sweep entries for Settings -> Invoices, Payment terms and Tax rates.

Every terms and tax rate a builder makes is named after its organization, so B's showing on
any of A's pages is caught by the sweep's marker check; B's invoice settings carry its name
in the payment instructions and footer, for the same reason.
"""

from __future__ import annotations

from invoicing.models import InvoiceSettings, PaymentTerms, TaxRate
from tests.conftest import Tenant
from tests.isolation.builders import (
    SERIAL,
    new_tax_rate,
    new_terms,
    tax_rate_unchanged,
    terms_unchanged,
)
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    a_clients,
    request_as_a,
    sweep_org_page,
)


def retired_rate(tenant: Tenant) -> TaxRate:
    rate = new_tax_rate(tenant)
    TaxRate.objects.filter(pk=rate.pk).update(is_active=False)
    rate.is_active = False
    return rate


def terms_form() -> dict[str, str]:
    return {
        "name": f"Acme terms form {next(SERIAL)}",
        "kind": "net",
        "days": "30",
        "late_fee_kind": "none",
    }


def rate_form() -> dict[str, str]:
    return {"name": f"Acme rate form {next(SERIAL)}", "percent": "5"}


SETTINGS_FORM = {
    "invoice_prefix": "ACME-",
    "credit_note_prefix": "ACR-",
    "number_padding": "5",
    "paper_size": "letter",
    "accepted_methods": ["card"],
    "payment_instructions": "Acme bank details",
    "footer": "Acme footer",
}


def sweep_invoice_settings(world: World, found: FoundRoute, route: Route) -> None:
    """A saves and previews its own settings; B's stay as they were and never show."""
    InvoiceSettings.objects.create(
        organization=world.b.org,
        invoice_prefix="ZEN-",
        payment_instructions=f"{world.b.org.name} bank: IBAN GB00 ZENITH",
        footer=f"{world.b.org.name} footer",
    )
    url = "/settings/invoices/"
    for who, make_client in a_clients(world, found):
        for method, data in [
            ("GET", None),
            ("POST", {**SETTINGS_FORM, "action": "preview"}),
            ("POST", {**SETTINGS_FORM, "action": "save"}),
        ]:
            response = request_as_a(world, make_client(), method, url, data, who)
            assert response.status_code in {200, 302}, f"{method} {url} as {who}: {response}"
    saved = InvoiceSettings.objects.get(organization=world.a.org)
    assert saved.invoice_prefix == "ACME-"
    assert InvoiceSettings.objects.get(organization=world.b.org).invoice_prefix == "ZEN-"


def sweep_list_with_b_rows(world: World, found: FoundRoute, route: Route) -> None:
    """The lists, with B holding terms (its default among them) and rates, active and retired,
    that must not show or change."""
    default = new_terms(world.b)
    PaymentTerms.objects.filter(pk=default.pk).update(is_default=True)
    new_terms(world.b)
    new_tax_rate(world.b)
    retired_rate(world.b)
    sweep_org_page(world, found, route)


ROUTES: dict[str, Route] = {
    "invoice_settings": Route("custom", custom=sweep_invoice_settings),
    "payment_terms": Route("custom", custom=sweep_list_with_b_rows),
    "payment_terms_create": Route(
        "custom",
        custom=sweep_list_with_b_rows,
        # Making A's new terms the default must leave B's default alone.
        data={"POST": lambda: {**terms_form(), "is_default": "on"}},
        expect={"GET": {200}, "POST": {302}},
    ),
    "payment_terms_edit": Route(
        "object",
        build=new_terms,
        unchanged=terms_unchanged,
        data={"POST": terms_form},
        expect={"GET": {200}, "POST": {302}},
    ),
    "payment_terms_default": Route(
        "object", build=new_terms, unchanged=terms_unchanged, expect={"POST": {302}}
    ),
    "payment_terms_delete": Route(
        "object", build=new_terms, unchanged=terms_unchanged, expect={"POST": {302}}
    ),
    "tax_rates": Route(
        "custom", custom=sweep_list_with_b_rows, data={"POST": rate_form}, expect={"POST": {302}}
    ),
    "tax_rate_edit": Route(
        "object",
        build=new_tax_rate,
        unchanged=tax_rate_unchanged,
        data={"POST": rate_form},
        expect={"GET": {200}, "POST": {302}},
    ),
    "tax_rate_retire": Route(
        "object", build=new_tax_rate, unchanged=tax_rate_unchanged, expect={"POST": {302}}
    ),
    "tax_rate_reactivate": Route(
        "object", build=retired_rate, unchanged=tax_rate_unchanged, expect={"POST": {302}}
    ),
    "tax_rate_delete": Route(
        "object", build=new_tax_rate, unchanged=tax_rate_unchanged, expect={"POST": {302}}
    ),
}
