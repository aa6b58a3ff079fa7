"""The invoice settings services: numbering and its preview, payment details, named payment
terms (validation, the one default, deleting only what nobody uses) and tax rates (retired,
never deleted or re-priced once on an invoice)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from arhub.models import AuditEvent
from invoicing.invoice_services import invoice_settings_get
from invoicing.models import (
    InvoiceSettings,
    LateFeeKind,
    NumberSequence,
    PaymentMethod,
    PaymentTerms,
    RecurringInvoice,
    RecurringStatus,
    SequenceKind,
    TaxRate,
    TermsKind,
)
from invoicing.settings_selectors import payment_terms_list, tax_rate_list, terms_example
from invoicing.settings_services import (
    InvoiceSettingsInput,
    TaxRateInput,
    invoice_numbers_next,
    invoice_settings_update,
    tax_rate_create,
    tax_rate_delete,
    tax_rate_set_active,
    tax_rate_update,
)
from invoicing.settings_terms_services import (
    PaymentTermsInput,
    payment_terms_create,
    payment_terms_delete,
    payment_terms_make_default,
    payment_terms_update,
)
from invoicing.terms import Terms
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import PaymentTermsFactory, TaxRateFactory, invoice_make

pytestmark = pytest.mark.django_db

TODAY = "2027-03-03 12:00 +00:00"


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {key: " ".join(messages) for key, messages in exc.value.message_dict.items()}


# --------------------------------------------------------------------------------------------
# Numbering, paper and payment details


def test_settings_are_saved_normalised_and_audited(tenant):
    settings = invoice_settings_update(
        org=tenant.org,
        actor=tenant.user(),
        data=InvoiceSettingsInput(
            invoice_prefix=" ACME- ",
            credit_note_prefix="CR-",
            number_include_year=False,
            number_padding=6,
            paper_size="letter",
            accepted_methods=["cheque", "bank_transfer", "cheque"],
            payment_instructions="  Barclays, 20-00-00 12345678  ",
            footer="Company no. 0123",
        ),
    )
    settings.refresh_from_db()
    assert (settings.invoice_prefix, settings.number_padding, settings.paper_size) == (
        "ACME-", 6, "letter",
    )  # fmt: skip
    # Each method once, in the order the choices are listed.
    assert settings.accepted_methods == [PaymentMethod.BANK_TRANSFER, PaymentMethod.CHEQUE]
    assert settings.payment_instructions == "Barclays, 20-00-00 12345678"
    event = AuditEvent.objects.get(organization=tenant.org, action="org.settings_changed")
    assert "invoice_prefix" in event.data["fields"] and "number_padding" in event.data["fields"]


def test_saving_unchanged_settings_leaves_no_audit_row(tenant):
    invoice_settings_get(org=tenant.org)
    invoice_settings_update(org=tenant.org, actor=tenant.user(), data=InvoiceSettingsInput())
    assert not AuditEvent.objects.filter(action="org.settings_changed").exists()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"invoice_prefix": "INV 2027/"}, "invoice_prefix", "letters, digits"),
        ({"invoice_prefix": "X" * 21}, "invoice_prefix", "At most 20"),
        ({"credit_note_prefix": "inv-"}, "credit_note_prefix", "prefix of their own"),
        ({"number_padding": 0}, "number_padding", "Between 1 and 10"),
        ({"number_padding": 11}, "number_padding", "Between 1 and 10"),
        ({"paper_size": "a3"}, "paper_size", "not a paper size"),
        ({"accepted_methods": ["bitcoin"]}, "accepted_methods", "bitcoin"),
        ({"accepted_methods": ["bank_transfer"]}, "payment_instructions", "bank details"),
        ({"footer": "x" * 301}, "footer", "At most 300"),
    ],
)
def test_bad_settings_name_the_field_and_change_nothing(tenant, changes, field, words):
    data = replace(InvoiceSettingsInput(), **changes)
    with pytest.raises(ValidationError) as exc:
        invoice_settings_update(org=tenant.org, actor=tenant.user(), data=data)
    assert words in errors_of(exc)[field]
    settings = invoice_settings_get(org=tenant.org)
    assert (settings.invoice_prefix, settings.number_padding) == ("INV-", 4)


@time_machine.travel(TODAY, tick=False)
def test_the_next_numbers_are_shown_without_taking_them(tenant):
    settings = invoice_settings_get(org=tenant.org)
    NumberSequence.objects.create(
        organization=tenant.org, kind=SequenceKind.INVOICE, year=2027, last_value=42
    )
    shown = invoice_numbers_next(org=tenant.org, settings=settings, on=date(2027, 3, 3))
    assert (shown.invoice, shown.credit_note, shown.skipped) == (
        "INV-2027-0043",
        "CN-2027-0001",
        (),
    )
    # Asking again gives the same: nothing was taken from the counter.
    again = invoice_numbers_next(org=tenant.org, settings=settings, on=date(2027, 3, 3))
    assert again.invoice == "INV-2027-0043"
    assert NumberSequence.objects.get(kind="invoice", year=2027).last_value == 42
    assert not NumberSequence.objects.filter(kind="credit_note").exists()
    # And the next invoice issued gets exactly the number shown.
    assert invoice_make(tenant.org).number == "INV-2027-0043"


@time_machine.travel(TODAY, tick=False)
def test_an_unsaved_format_previews_its_own_sequence(tenant):
    NumberSequence.objects.create(
        organization=tenant.org, kind=SequenceKind.INVOICE, year=2027, last_value=7
    )
    draft = InvoiceSettings(
        organization=tenant.org, invoice_prefix="A", number_include_year=False, number_padding=2
    )
    # Numbers without a year have their own counter, which has not started.
    assert (
        invoice_numbers_next(org=tenant.org, settings=draft, on=date(2027, 3, 3)).invoice == "A01"
    )
    assert not InvoiceSettings.objects.filter(invoice_prefix="A").exists()


@time_machine.travel(TODAY, tick=False)
def test_changing_the_format_back_never_reuses_a_number(tenant):
    """INV- with the year gives INV-2027-0001; then INV-2027- without the year would give the
    same string from a fresh counter. The preview and the issue both skip it."""
    first = invoice_make(tenant.org)
    assert first.number == "INV-2027-0001"
    invoice_settings_update(
        org=tenant.org,
        actor=tenant.user(),
        data=InvoiceSettingsInput(invoice_prefix="INV-2027-", number_include_year=False),
    )
    settings = invoice_settings_get(org=tenant.org)
    shown = invoice_numbers_next(org=tenant.org, settings=settings, on=date(2027, 3, 3))
    assert shown.invoice == "INV-2027-0002"
    assert shown.skipped == ("INV-2027-0001",)
    second = invoice_make(tenant.org)
    assert second.number == shown.invoice != first.number


@time_machine.travel(TODAY, tick=False)
def test_another_organizations_numbers_do_not_count(tenant, other_tenant):
    invoice_make(other_tenant.org)
    invoice_make(other_tenant.org)
    settings = invoice_settings_get(org=tenant.org)
    shown = invoice_numbers_next(org=tenant.org, settings=settings, on=date(2027, 3, 3))
    assert (shown.invoice, shown.skipped) == ("INV-2027-0001", ())


# --------------------------------------------------------------------------------------------
# Payment terms

TWO_TEN_NET_30 = PaymentTermsInput(
    name="2/10 net 30",
    kind=TermsKind.NET,
    days=30,
    discount_percent=Decimal("2"),
    discount_days=10,
    late_fee_kind=LateFeeKind.PERCENT,
    late_fee_percent=Decimal("1.5"),
    late_fee_grace_days=5,
    late_fee_cap_percent=Decimal("10"),
)


def terms_input(**changes: Any) -> PaymentTermsInput:
    return replace(TWO_TEN_NET_30, **changes)


def test_terms_are_created_and_read_as_a_plain_sentence(tenant):
    terms = payment_terms_create(org=tenant.org, actor=tenant.user(), data=TWO_TEN_NET_30)
    terms.refresh_from_db()
    assert (terms.discount_percent, terms.discount_days, terms.late_fee_compound) == (
        Decimal("2"), 10, False,
    )  # fmt: skip
    tenant.org.locale = "en-GB"
    sentence = terms_example(
        org=tenant.org, terms=Terms.from_model(terms), issue_date=date(2027, 3, 3)
    )
    assert sentence == (
        "Due 2 April 2027 (30 days). 2% discount if paid by 13 March. "
        "Payments after 7 April incur 1.5% per month, up to 10% of the invoice."
    )
    assert AuditEvent.objects.filter(summary="Added payment terms 2/10 net 30").exists()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": "  "}, "name", "Give the terms a name"),
        ({"kind": TermsKind.FIXED}, "kind", "fixed due date is chosen on the invoice"),
        ({"days": None}, "days", "number of days"),
        ({"days": 0}, "days", "Due on receipt"),
        ({"days": 400}, "days", "Between 0 and 365"),
        ({"discount_days": 30}, "discount_days", "fewer than 30 days"),
        ({"discount_days": None}, "discount_days", "within how many days"),
        ({"discount_percent": None}, "discount_percent", "discount percentage"),
        ({"discount_percent": Decimal("100")}, "discount_percent", "less than 100%"),
        ({"discount_percent": Decimal("1.255")}, "discount_percent", "2 decimal places"),
        (
            {"kind": TermsKind.RECEIPT, "days": None},
            "discount_percent",
            "no time for an early-payment discount",
        ),
        (
            {"kind": TermsKind.END_OF_MONTH, "days": 0},
            "discount_days",
            "leave no time for a discount",
        ),
        ({"kind": TermsKind.END_OF_MONTH, "days": 5}, "discount_days", "fewer than 5 days"),
        ({"late_fee_percent": None}, "late_fee_percent", "needs a percentage"),
        ({"late_fee_percent": Decimal("0")}, "late_fee_percent", "More than 0%"),
        (
            {"late_fee_kind": LateFeeKind.FLAT, "late_fee_percent": None},
            "late_fee_amount",
            "flat fee needs an amount",
        ),
        ({"late_fee_cap_percent": Decimal("101")}, "late_fee_cap_percent", "at most 100%"),
        ({"late_fee_grace_days": 366}, "late_fee_grace_days", "Between 0 and 365"),
        ({"late_fee_kind": "weekly"}, "late_fee_kind", "Choose no late fee"),
    ],
)
def test_bad_terms_name_the_field_and_save_nothing(tenant, changes, field, words):
    with pytest.raises(ValidationError) as exc:
        payment_terms_create(org=tenant.org, actor=tenant.user(), data=terms_input(**changes))
    assert words in errors_of(exc)[field]
    assert not PaymentTerms.objects.exists()


def test_every_bad_field_is_named_at_once(tenant):
    with pytest.raises(ValidationError) as exc:
        payment_terms_create(
            org=tenant.org,
            actor=tenant.user(),
            data=terms_input(name="", discount_days=45, late_fee_percent=None),
        )
    assert set(errors_of(exc)) == {"name", "discount_days", "late_fee_percent"}


def test_names_are_unique_whatever_the_case_but_only_within_the_organization(tenant, other_tenant):
    PaymentTermsFactory(organization=other_tenant.org, name="Net 15")
    payment_terms_create(org=tenant.org, actor=None, data=terms_input(name="Net 15"))
    with pytest.raises(ValidationError) as exc:
        payment_terms_create(org=tenant.org, actor=None, data=terms_input(name="NET 15"))
    assert "already have payment terms called" in errors_of(exc)["name"]


def test_values_left_behind_by_another_kind_of_fee_are_not_kept(tenant):
    terms = payment_terms_create(
        org=tenant.org,
        actor=None,
        data=terms_input(
            late_fee_kind=LateFeeKind.FLAT,
            late_fee_amount=Decimal("25"),
            late_fee_compound=True,  # a percentage's option, left ticked
        ),
    )
    terms.refresh_from_db()
    assert (terms.late_fee_amount, terms.late_fee_percent, terms.late_fee_compound) == (
        Decimal("25"), None, False,
    )  # fmt: skip
    terms = payment_terms_update(
        org=tenant.org, actor=None, terms=terms, data=terms_input(late_fee_kind=LateFeeKind.NONE)
    )
    terms.refresh_from_db()
    assert (terms.late_fee_kind, terms.late_fee_percent, terms.late_fee_cap_percent) == (
        "none", None, None,
    )  # fmt: skip


def test_due_on_receipt_and_end_of_month(tenant):
    receipt = payment_terms_create(
        org=tenant.org,
        actor=None,
        data=PaymentTermsInput(name="On receipt", kind=TermsKind.RECEIPT, days=None),
    )
    assert receipt.days == 0
    eom = payment_terms_create(
        org=tenant.org,
        actor=None,
        data=PaymentTermsInput(
            name="EOM 15", kind=TermsKind.END_OF_MONTH, days=15,
            discount_percent=Decimal("1"), discount_days=10,
        ),
    )  # fmt: skip
    assert Terms.from_model(eom).due_date(date(2027, 2, 10)) == date(2027, 3, 15)


def test_exactly_one_default_however_it_is_chosen(tenant, other_tenant):
    theirs = PaymentTermsFactory(organization=other_tenant.org, is_default=True)
    first = payment_terms_create(
        org=tenant.org, actor=None, data=terms_input(name="Net 30", is_default=True)
    )
    second = payment_terms_create(
        org=tenant.org, actor=None, data=terms_input(name="Net 14", is_default=True)
    )
    assert list(PaymentTerms.objects.filter(organization=tenant.org, is_default=True)) == [second]
    payment_terms_make_default(org=tenant.org, actor=tenant.user(), terms=first)
    assert list(PaymentTerms.objects.filter(organization=tenant.org, is_default=True)) == [first]
    # Making the default the default again changes nothing.
    payment_terms_make_default(org=tenant.org, actor=tenant.user(), terms=first)
    assert PaymentTerms.objects.filter(organization=tenant.org, is_default=True).count() == 1
    theirs.refresh_from_db()
    assert theirs.is_default
    # Saving the default without ticking the box keeps it the default.
    payment_terms_update(org=tenant.org, actor=None, terms=first, data=terms_input(name="Net 30"))
    first.refresh_from_db()
    assert first.is_default
    # The list puts the default first.
    assert payment_terms_list(org=tenant.org).first() == first


def test_terms_a_customer_uses_are_not_deleted(tenant):
    terms = payment_terms_create(org=tenant.org, actor=None, data=terms_input(name="Net 15"))
    CustomerFactory(organization=tenant.org, display_name="Harbour Tiles", payment_terms=terms)
    CustomerFactory(organization=tenant.org, display_name="Quay Supplies", payment_terms=terms)
    with pytest.raises(ValidationError) as exc:
        payment_terms_delete(org=tenant.org, actor=None, terms=terms)
    message = " ".join(exc.value.messages)
    assert "Harbour Tiles, Quay Supplies use Net 15" in message
    assert "Choose other payment terms for those customers first" in message
    assert PaymentTerms.objects.filter(pk=terms.pk).exists()
    assert payment_terms_list(org=tenant.org).get(pk=terms.pk).customer_count == 2


def test_terms_an_active_recurring_invoice_uses_are_not_deleted(tenant):
    terms = payment_terms_create(org=tenant.org, actor=None, data=terms_input(name="Net 15"))
    recurring = RecurringInvoice.objects.create(
        organization=tenant.org, customer=CustomerFactory(organization=tenant.org),
        name="Monthly retainer", currency="GBP", frequency="monthly",
        start_date=date(2027, 1, 1), payment_terms=terms,
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        payment_terms_delete(org=tenant.org, actor=None, terms=terms)
    assert "Monthly retainer uses Net 15" in " ".join(exc.value.messages)
    # A finished one no longer holds them.
    RecurringInvoice.objects.filter(pk=recurring.pk).update(status=RecurringStatus.FINISHED)
    payment_terms_delete(org=tenant.org, actor=None, terms=terms)
    assert not PaymentTerms.objects.filter(pk=terms.pk).exists()


def test_unused_terms_are_deleted_even_the_default(tenant):
    terms = payment_terms_create(
        org=tenant.org, actor=None, data=terms_input(name="Net 15", is_default=True)
    )
    payment_terms_delete(org=tenant.org, actor=tenant.user(), terms=terms)
    assert not PaymentTerms.objects.filter(organization=tenant.org).exists()
    assert AuditEvent.objects.filter(summary="Deleted payment terms Net 15").exists()


# --------------------------------------------------------------------------------------------
# Tax rates


def test_rates_are_created_with_clear_refusals(tenant, other_tenant):
    TaxRateFactory(organization=other_tenant.org, name="VAT")
    rate = tax_rate_create(
        org=tenant.org,
        actor=None,
        data=TaxRateInput(name=" VAT ", percent=Decimal("20"), registration_number="GB123"),
    )
    assert (rate.name, rate.percent, rate.registration_number) == ("VAT", Decimal("20"), "GB123")
    for data, field, words in [
        (TaxRateInput(name="vat", percent=Decimal("5")), "name", "already have a tax rate"),
        (TaxRateInput(name="", percent=Decimal("5")), "name", "Give the rate a name"),
        (TaxRateInput(name="City", percent=None), "percent", "Give the percentage"),
        (TaxRateInput(name="City", percent=Decimal("101")), "percent", "between 0 and 100"),
        (TaxRateInput(name="City", percent=Decimal("2.12345")), "percent", "4 decimal places"),
    ]:
        with pytest.raises(ValidationError) as exc:
            tax_rate_create(org=tenant.org, actor=None, data=data)
        assert words in errors_of(exc)[field]
    assert TaxRate.objects.filter(organization=tenant.org).count() == 1


def test_an_unused_rate_is_edited_and_deleted(tenant):
    rate = TaxRateFactory(organization=tenant.org, name="City", percent=Decimal("2"))
    rate = tax_rate_update(
        org=tenant.org,
        actor=None,
        rate=rate,
        data=TaxRateInput(name="City", percent=Decimal("2.25")),
    )
    assert rate.percent == Decimal("2.25")
    tax_rate_delete(org=tenant.org, actor=None, rate=rate)
    assert not TaxRate.objects.filter(pk=rate.pk).exists()


def test_a_rate_on_an_invoice_keeps_its_percentage_and_is_retired_not_deleted(tenant):
    rate = TaxRateFactory(organization=tenant.org, name="VAT", percent=Decimal("20"))
    invoice = invoice_make(tenant.org, lines=[("Work", "1", "100.00", [rate])])
    # The name may change; the percentage may not.
    rate = tax_rate_update(
        org=tenant.org,
        actor=None,
        rate=rate,
        data=TaxRateInput(name="VAT (standard)", percent=Decimal("20"), registration_number="GB1"),
    )
    with pytest.raises(ValidationError) as exc:
        tax_rate_update(
            org=tenant.org,
            actor=None,
            rate=rate,
            data=TaxRateInput(name="VAT", percent=Decimal("21")),
        )
    assert "Retire it and add a new rate" in errors_of(exc)["percent"]
    with pytest.raises(ValidationError) as exc:
        tax_rate_delete(org=tenant.org, actor=None, rate=rate)
    assert "Retire it instead" in " ".join(exc.value.messages)
    rate = tax_rate_set_active(org=tenant.org, actor=None, rate=rate, active=False)
    assert not TaxRate.objects.get(pk=rate.pk).is_active
    assert [r.in_use for r in tax_rate_list(org=tenant.org)] == [True]
    tax_rate_set_active(org=tenant.org, actor=None, rate=rate, active=True)
    assert TaxRate.objects.get(pk=rate.pk).is_active
    # The invoice kept the name and percentage it was issued with.
    tax = invoice.lines.get().taxes.get()
    assert (tax.name, tax.percent) == ("VAT", Decimal("20"))


def test_a_rate_on_a_recurring_invoice_is_not_deleted(tenant):
    rate = TaxRateFactory(organization=tenant.org, name="VAT")
    RecurringInvoice.objects.create(
        organization=tenant.org, customer=CustomerFactory(organization=tenant.org),
        name="Hosting", currency="GBP", frequency="monthly", start_date=date(2027, 1, 1),
        lines=[{"description": "Hosting", "quantity": "1", "unit_price": "10.00",
                "tax_rate_ids": [rate.pk]}],
    )  # fmt: skip
    with pytest.raises(ValidationError):
        tax_rate_delete(org=tenant.org, actor=None, rate=rate)
    assert TaxRate.objects.filter(pk=rate.pk).exists()
    assert [r.in_use for r in tax_rate_list(org=tenant.org)] == [True]
