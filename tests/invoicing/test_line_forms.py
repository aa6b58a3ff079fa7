"""The line forms both editors share: a decimal read as written, the spare "Add another line"
row, and which tax rates a line may tick."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from invoicing.invoice_input import MAX_LINES
from invoicing.line_forms import PlainDecimalField, add_blank_line, tax_choices
from tests.invoicing.invoice_factories import TaxRateFactory


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("12.50", Decimal("12.50")), (" 3 ", Decimal(3)), (".5", Decimal("0.5")), ("", None)],
)
def test_a_plain_number_is_read(typed, expected):
    assert PlainDecimalField(required=False).clean(typed) == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [("1e3", "nan"), ("NaN", "nan"), ("Infinity", "nan"), ("1,250", "comma"), ("1" * 31, "max_length")],
)  # fmt: skip
def test_anything_else_is_refused_not_guessed(typed, code):
    with pytest.raises(ValidationError) as caught:
        PlainDecimalField(required=False).clean(typed)
    assert caught.value.code == code


def test_a_number_written_differently_has_not_changed():
    field = PlainDecimalField()
    assert not field.has_changed(Decimal(1), "1.00")
    assert field.has_changed(Decimal(1), "2")
    assert field.has_changed(Decimal(1), "abc")


def test_add_blank_line_appends_one_item_until_full():
    data = QueryDict(mutable=True)
    data["lines-TOTAL_FORMS"] = "2"
    assert add_blank_line(data) == 2
    assert (data["lines-TOTAL_FORMS"], data["lines-2-kind"], data["lines-2-quantity"]) == (
        "3",
        "item",
        "1",
    )
    data["lines-TOTAL_FORMS"] = str(MAX_LINES)
    assert add_blank_line(data) is None
    data["lines-TOTAL_FORMS"] = "many"
    assert add_blank_line(data) is None


@pytest.mark.django_db
def test_retired_rates_are_offered_only_where_a_saved_line_carries_them(tenant, other_tenant):
    vat = TaxRateFactory(organization=tenant.org, name="VAT", percent=Decimal(20))
    old = TaxRateFactory(organization=tenant.org, name="Old levy", percent=Decimal(2))
    old.is_active = False
    old.save()
    theirs = TaxRateFactory(organization=other_tenant.org, name="Zenith tax")
    assert [pk for pk, _ in tax_choices(tenant.org)] == [vat.pk]
    kept = [pk for pk, _ in tax_choices(tenant.org, [old.pk, theirs.pk])]
    assert kept == [old.pk, vat.pk]  # by name; another organization's never
