"""Settings -> Invoices, Payment terms and Tax rates in the dashboard: who may change them,
errors at their field with nothing saved, the number and wording previews, and the tabs."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
import time_machine

from arhub.models import AuditEvent
from arhub.roles import Role
from invoicing.invoice_services import invoice_settings_get
from invoicing.models import InvoiceSettings, NumberSequence, PaymentTerms, SequenceKind, TaxRate
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import PaymentTermsFactory, TaxRateFactory, invoice_make

pytestmark = pytest.mark.django_db

TODAY = "2027-03-03 12:00 +00:00"

SETTINGS_FORM = {
    "invoice_prefix": "INV-",
    "credit_note_prefix": "CN-",
    "number_include_year": "on",
    "number_padding": "4",
    "paper_size": "a4",
    "accepted_methods": ["card", "bank_transfer"],
    "payment_instructions": "Barclays · sort code 20-00-00 · account 12345678",
    "default_notes": "Thank you for your business.",
    "footer": "Registered in England, no. 0123456",
}

TERMS_FORM = {
    "name": "2/10 net 30",
    "kind": "net",
    "days": "30",
    "discount_percent": "2",
    "discount_days": "10",
    "late_fee_kind": "percent",
    "late_fee_amount": "",
    "late_fee_percent": "1.5",
    "late_fee_grace_days": "",
    "late_fee_cap_percent": "10",
}


def text(response: Any) -> str:
    return unescape(response.content.decode())


def visible(response: Any) -> str:
    """The page's words, tags removed, spaces collapsed."""
    main = text(response)
    main = main[main.index("<main") :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


# --------------------------------------------------------------------------------------------
# Who may change what

WRITES = [
    ("/settings/invoices/", SETTINGS_FORM),
    ("/settings/payment-terms/new/", TERMS_FORM),
    ("/settings/tax-rates/", {"name": "VAT", "percent": "20"}),
]


@pytest.mark.parametrize(
    ("role", "may_change"),
    [
        (Role.OWNER, True),
        (Role.ADMIN, True),
        (Role.BILLING, False),
        (Role.ACCOUNTANT, False),
        (Role.VIEWER, False),
    ],
)
def test_owners_and_admins_change_the_settings_others_get_403(tenant, role, may_change):
    client = tenant.client(role)
    for url, form in WRITES:
        response = client.post(url, form)
        assert response.status_code == (302 if may_change else 403), url
    terms = PaymentTermsFactory(organization=tenant.org, name="Net 15")
    rate = TaxRateFactory(organization=tenant.org, name="City")
    for url in [
        f"/settings/payment-terms/{terms.pk}/",
        f"/settings/payment-terms/{terms.pk}/default/",
        f"/settings/payment-terms/{terms.pk}/delete/",
        f"/settings/tax-rates/{rate.pk}/",
        f"/settings/tax-rates/{rate.pk}/retire/",
        f"/settings/tax-rates/{rate.pk}/reactivate/",
        f"/settings/tax-rates/{rate.pk}/delete/",
    ]:
        data = {**TERMS_FORM, "name": "Renamed"} if url.endswith(f"{terms.pk}/") else {}
        if url.endswith(f"tax-rates/{rate.pk}/"):
            data = {"name": "City", "percent": "3"}
        status = client.post(url, data).status_code
        assert status == (302 if may_change else 403), url
    if not may_change:
        assert not PaymentTerms.objects.exclude(pk=terms.pk).exists()
        assert list(TaxRate.objects.values_list("name", "percent", "is_active")) == [
            ("City", Decimal("20"), True)
        ]


@pytest.mark.parametrize("role", [Role.BILLING, Role.ACCOUNTANT, Role.VIEWER])
def test_other_roles_read_the_settings_without_controls(tenant, role):
    terms = PaymentTermsFactory(organization=tenant.org, name="Net 15")
    rate = TaxRateFactory(organization=tenant.org, name="City")
    client = tenant.client(role)
    pages = {
        "/settings/invoices/": "can see these settings but not change them",
        "/settings/payment-terms/": "can see the payment terms but not change them",
        f"/settings/payment-terms/{terms.pk}/": "can see these terms but not change them",
        "/settings/tax-rates/": "can see the tax rates but not change them",
        f"/settings/tax-rates/{rate.pk}/": "can see this tax rate but not change it",
    }
    for url, notice in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        page = text(response)
        assert notice in page, url
        assert 'type="submit"' not in page.split('class="tabs"')[1].split("</main>")[0], url
        form = response.context.get("form")
        assert form is None or all(field.disabled for field in form.fields.values()), url
    assert client.get("/settings/payment-terms/new/").status_code == 403


def test_another_organizations_terms_and_rates_are_404(tenant, other_tenant):
    terms = PaymentTermsFactory(organization=other_tenant.org, name="Zenith terms")
    rate = TaxRateFactory(organization=other_tenant.org, name="Zenith tax")
    client = tenant.client()
    for url in [f"/settings/payment-terms/{terms.pk}/", f"/settings/tax-rates/{rate.pk}/"]:
        assert client.get(url).status_code == 404
    for url in [
        f"/settings/payment-terms/{terms.pk}/",
        f"/settings/payment-terms/{terms.pk}/default/",
        f"/settings/payment-terms/{terms.pk}/delete/",
        f"/settings/tax-rates/{rate.pk}/",
        f"/settings/tax-rates/{rate.pk}/retire/",
        f"/settings/tax-rates/{rate.pk}/delete/",
    ]:
        assert client.post(url, {**TERMS_FORM, "percent": "1"}).status_code == 404
    assert PaymentTerms.objects.get(pk=terms.pk).name == "Zenith terms"
    assert not PaymentTerms.objects.get(pk=terms.pk).is_default
    assert TaxRate.objects.get(pk=rate.pk).is_active
    assert "Zenith" not in text(client.get("/settings/payment-terms/"))
    assert "Zenith" not in text(client.get("/settings/tax-rates/"))


def test_the_tabs_mark_the_current_page(tenant):
    terms = PaymentTermsFactory(organization=tenant.org)
    client = tenant.client()
    for url, label in [
        ("/settings/invoices/", "Invoices"),
        ("/settings/payment-terms/", "Payment terms"),
        (f"/settings/payment-terms/{terms.pk}/", "Payment terms"),
        ("/settings/tax-rates/", "Tax rates"),
    ]:
        page = text(client.get(url))
        current = re.findall(r'<a href="[^"]+" aria-current="page">([^<]+)</a>', page)
        assert label in current, url
        assert "Organization" not in current


# --------------------------------------------------------------------------------------------
# Invoices: numbering, paper, payment details


@time_machine.travel(TODAY, tick=False)
def test_the_page_shows_the_next_numbers_and_that_numbers_are_never_reused(tenant):
    NumberSequence.objects.create(
        organization=tenant.org, kind=SequenceKind.INVOICE, year=2027, last_value=42
    )
    client = tenant.client()
    for _ in range(2):
        words = visible(client.get("/settings/invoices/"))
        assert "Next invoice: INV-2027-0043" in words
        assert "Next credit note: CN-2027-0001" in words
        assert "Numbers are never reused" in words
    # Looking took nothing, and nothing was created by a page view.
    assert NumberSequence.objects.get(organization=tenant.org).last_value == 42
    assert not InvoiceSettings.objects.filter(organization=tenant.org).exists()


@time_machine.travel(TODAY, tick=False)
def test_preview_shows_the_new_format_without_saving(tenant):
    invoice_make(tenant.org)  # INV-2027-0001
    response = tenant.client().post(
        "/settings/invoices/",
        {
            **SETTINGS_FORM,
            "invoice_prefix": "INV-2027-",
            "number_include_year": "",
            "action": "preview",
        },
    )
    assert response.status_code == 200
    words = visible(response)
    assert "With the format above: next invoice INV-2027-0002" in words
    assert "Already in use, so skipped: INV-2027-0001" in words
    assert invoice_settings_get(org=tenant.org).invoice_prefix == "INV-"
    assert (
        NumberSequence.objects.get(organization=tenant.org, kind="invoice", year=2027).last_value
        == 1
    )


def test_owner_saves_the_settings(tenant):
    client = tenant.client()
    response = client.post("/settings/invoices/", {**SETTINGS_FORM, "action": "save"})
    assert response.status_code == 302
    assert response["Location"] == "/settings/invoices/"
    settings = invoice_settings_get(org=tenant.org)
    assert settings.accepted_methods == ["card", "bank_transfer"]
    assert settings.footer == "Registered in England, no. 0123456"
    assert AuditEvent.objects.filter(
        organization=tenant.org, action="org.settings_changed"
    ).exists()
    page = text(client.get("/settings/invoices/"))
    assert "Invoice settings saved." in page
    assert re.search(r'value="bank_transfer"[^>]*checked', page)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"credit_note_prefix": "INV-"}, "credit_note_prefix", "prefix of their own"),
        ({"invoice_prefix": "INV/"}, "invoice_prefix", "letters, digits"),
        ({"number_padding": "12"}, "number_padding", "less than or equal to 10"),
        ({"payment_instructions": ""}, "payment_instructions", "bank details"),
        ({"accepted_methods": ["paypal"]}, "accepted_methods", "valid choice"),
    ],
)
def test_bad_settings_are_named_and_nothing_is_saved(tenant, changes, field, words):
    response = tenant.client().post("/settings/invoices/", {**SETTINGS_FORM, **changes})
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors[field])
    assert "Nothing was saved" in text(response)
    assert not InvoiceSettings.objects.filter(organization=tenant.org).exists()


# --------------------------------------------------------------------------------------------
# Payment terms


@time_machine.travel(TODAY, tick=False)
def test_owner_adds_terms_and_the_list_reads_them_as_a_sentence(tenant):
    tenant.org.locale = "en-GB"
    tenant.org.save()
    client = tenant.client()
    new = client.get("/settings/payment-terms/new/")
    # The first terms are offered as the default.
    assert new.context["form"]["is_default"].value() is True
    response = client.post("/settings/payment-terms/new/", {**TERMS_FORM, "is_default": "on"})
    assert response.status_code == 302 and response["Location"] == "/settings/payment-terms/"
    terms = PaymentTerms.objects.get(organization=tenant.org)
    assert terms.is_default and terms.discount_days == 10
    words = visible(client.get("/settings/payment-terms/"))
    assert "Added 2/10 net 30." in words
    assert "2/10 net 30 Default" in words
    assert (
        "Due 2 April 2027 (30 days). 2% discount if paid by 13 March. Payments after 2 April "
        "incur 1.5% per month, up to 10% of the invoice." in words
    )
    assert "Used for every customer without terms of their own" in words


@time_machine.travel(TODAY, tick=False)
def test_preview_reads_the_typed_terms_without_saving(tenant):
    response = tenant.client().post(
        "/settings/payment-terms/new/",
        {**TERMS_FORM, "late_fee_kind": "flat", "late_fee_amount": "25", "action": "preview"},
    )
    assert response.status_code == 200
    words = visible(response)
    assert "(not saved yet)" in words
    assert "Payments after April 2 incur a late fee of £25.00" in words
    assert not PaymentTerms.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"discount_days": "30"}, "discount_days", "fewer than 30 days"),
        ({"late_fee_percent": ""}, "late_fee_percent", "needs a percentage"),
        ({"late_fee_kind": "flat"}, "late_fee_amount", "needs an amount"),
        ({"late_fee_cap_percent": "150"}, "late_fee_cap_percent", "at most 100%"),
        ({"kind": "fixed"}, "kind", "valid choice"),
        ({"days": "thirty"}, "days", "whole number"),
        ({"name": ""}, "name", "required"),
    ],
)
def test_bad_terms_are_named_at_their_field_and_nothing_is_saved(tenant, changes, field, words):
    for action in ("save", "preview"):
        response = tenant.client().post(
            "/settings/payment-terms/new/", {**TERMS_FORM, **changes, "action": action}
        )
        assert response.status_code == 200
        assert words in " ".join(response.context["form"].errors[field])
    assert not PaymentTerms.objects.exists()


def test_editing_terms_keeps_the_form_honest(tenant):
    terms = PaymentTermsFactory(
        organization=tenant.org, name="Net 15", days=15, is_default=True,
        late_fee_kind="percent", late_fee_percent=Decimal("1.500"),
    )  # fmt: skip
    client = tenant.client()
    page = client.get(f"/settings/payment-terms/{terms.pk}/")
    form = page.context["form"]
    # Already the default: there is no box to untick; decimals read as written.
    assert "is_default" not in form.fields
    assert form["late_fee_percent"].value() == "1.5"
    assert "These are your default terms" in text(page)
    response = client.post(
        f"/settings/payment-terms/{terms.pk}/", {**TERMS_FORM, "name": "Net 30 2/10"}
    )
    assert response.status_code == 302
    terms.refresh_from_db()
    assert (terms.name, terms.days, terms.is_default) == ("Net 30 2/10", 30, True)


def test_make_default_moves_the_default(tenant):
    old = PaymentTermsFactory(organization=tenant.org, name="Net 30", is_default=True)
    new = PaymentTermsFactory(organization=tenant.org, name="Net 14")
    response = tenant.client().post(f"/settings/payment-terms/{new.pk}/default/")
    assert response.status_code == 302
    assert list(PaymentTerms.objects.filter(is_default=True)) == [new]
    old.refresh_from_db()
    assert not old.is_default


def test_terms_in_use_are_kept_with_a_clear_message(tenant):
    terms = PaymentTermsFactory(organization=tenant.org, name="Net 15")
    CustomerFactory(organization=tenant.org, display_name="Harbour Tiles", payment_terms=terms)
    client = tenant.client()
    listing = visible(client.get("/settings/payment-terms/"))
    assert "Used by 1 customer." in listing
    response = client.post(f"/settings/payment-terms/{terms.pk}/delete/", follow=True)
    words = visible(response)
    assert "Harbour Tiles uses Net 15. Choose other payment terms for that customer first" in words
    assert PaymentTerms.objects.filter(pk=terms.pk).exists()
    unused = PaymentTermsFactory(organization=tenant.org, name="Net 60")
    words = visible(client.post(f"/settings/payment-terms/{unused.pk}/delete/", follow=True))
    assert "Deleted Net 60." in words
    assert not PaymentTerms.objects.filter(pk=unused.pk).exists()


def test_without_a_default_the_built_in_net_30_is_explained(tenant):
    words = visible(tenant.client().get("/settings/payment-terms/"))
    assert "Your default is the built-in Net 30" in words
    assert "You have no payment terms of your own yet." in words


# --------------------------------------------------------------------------------------------
# Tax rates


def test_owner_adds_edits_retires_and_deletes_rates(tenant):
    client = tenant.client()
    response = client.post(
        "/settings/tax-rates/", {"name": "State", "percent": "6.25", "registration_number": "ST-9"}
    )
    assert response.status_code == 302
    rate = TaxRate.objects.get(organization=tenant.org)
    assert (rate.name, rate.percent, rate.registration_number) == ("State", Decimal("6.25"), "ST-9")
    words = visible(client.get("/settings/tax-rates/"))
    assert "State 6.25% ST-9 Active" in words
    edit = client.get(f"/settings/tax-rates/{rate.pk}/")
    assert edit.context["form"]["percent"].value() == "6.25"
    assert (
        client.post(
            f"/settings/tax-rates/{rate.pk}/",
            {"name": "State", "percent": "6.5", "registration_number": "ST-9"},
        ).status_code
        == 302
    )
    assert TaxRate.objects.get(pk=rate.pk).percent == Decimal("6.5")
    client.post(f"/settings/tax-rates/{rate.pk}/retire/")
    retired = visible(client.get("/settings/tax-rates/"))
    assert "State 6.5% ST-9 Retired" in retired, retired[retired.index("Actions") :]
    client.post(f"/settings/tax-rates/{rate.pk}/reactivate/")
    assert TaxRate.objects.get(pk=rate.pk).is_active
    words = visible(client.post(f"/settings/tax-rates/{rate.pk}/delete/", follow=True))
    assert "Deleted State (6.5%)." in words
    assert not TaxRate.objects.exists()


def test_a_rate_on_an_invoice_offers_retire_not_delete(tenant):
    rate = TaxRateFactory(organization=tenant.org, name="VAT", percent=Decimal("20"))
    invoice_make(tenant.org, lines=[("Work", "1", "100.00", [rate])])
    client = tenant.client()
    page = text(client.get("/settings/tax-rates/"))
    assert f"/settings/tax-rates/{rate.pk}/retire/" in page
    assert f"/settings/tax-rates/{rate.pk}/delete/" not in page
    assert "On invoices" in page
    words = visible(client.post(f"/settings/tax-rates/{rate.pk}/delete/", follow=True))
    assert "VAT is on invoices, so it cannot be deleted. Retire it instead" in words
    response = client.post(f"/settings/tax-rates/{rate.pk}/", {"name": "VAT", "percent": "21"})
    assert response.status_code == 200
    assert "Retire it and add a new rate" in " ".join(response.context["form"].errors["percent"])
    assert TaxRate.objects.get(pk=rate.pk).percent == Decimal("20")


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"name": "", "percent": "5"}, "name", "required"),
        ({"name": "City", "percent": "five"}, "percent", "Enter a number"),
        ({"name": "City", "percent": "120"}, "percent", "between 0 and 100"),
        ({"name": "vat", "percent": "5"}, "name", "already have a tax rate"),
    ],
)
def test_bad_rates_are_named_and_nothing_is_saved(tenant, data, field, words):
    TaxRateFactory(organization=tenant.org, name="VAT")
    response = tenant.client().post("/settings/tax-rates/", data)
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors[field])
    assert TaxRate.objects.count() == 1
