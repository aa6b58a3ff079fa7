"""The report pages' GET forms: the day a report is for, its currency, aging bucket edges, a
period. Every field is optional in the query string (a bare /reports/aging/ is today's report in
the default currency); a value that is given and wrong is an error on its own field, worded by
the metrics functions that refuse it ("as_of: … is in the future") minus the parameter name,
which the error summary puts back as the field's label.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict

from arhub.clock import org_today
from arhub.models import Organization
from invoicing.models import Customer
from metrics.aging_edges import DEFAULT_EDGES, aging_edges_parse, aging_edges_text
from metrics.dashboard_lists import currencies_in_use
from metrics.periods import as_of_check, period_check

# The query-string keys a report page reads; export links and tabs keep exactly these.
REPORT_KEYS = ("as_of", "currency", "edges", "period_days", "start", "end")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _unprefixed(message: str, name: str) -> str:
    """ "as_of: 2031-01-01 is in the future" -> "2031-01-01 is in the future": on screen the
    field's label says which field it is."""
    prefix = f"{name}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


class ReportForm(forms.Form):
    """Currency, and the org the checks are made for. Bound to the query string."""

    currency = forms.ChoiceField(label="Currency")

    def __init__(self, query: QueryDict | dict[str, str], *, org: Organization) -> None:
        self.org = org
        self.today = org_today(org)
        data = {key: value for key, value in query.items() if key in REPORT_KEYS and value}
        super().__init__({**self.defaults(), **data})
        currencies = self.currencies()
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = [(code, code) for code in currencies]
        if len(currencies) == 1:
            self.fields["currency"].help_text = "Every figure is in one currency."
        else:
            self.fields[
                "currency"
            ].help_text = (
                "Every figure is in one currency; amounts in others are not converted or added."
            )

    def currencies(self) -> list[str]:
        return currencies_in_use(org=self.org)

    def defaults(self) -> dict[str, str]:
        return {"currency": self.org.default_currency}

    def errors_text(self) -> str:
        """Every error as "param: message" lines, for an export that cannot be made (400)."""
        lines = [f"{name}: {error}" for name, errors in self.errors.items() for error in errors]
        return "\n".join(lines) + "\n"


class AsOfForm(ReportForm):
    field_order = ["as_of", "currency"]

    as_of = forms.DateField(
        label="As of",
        widget=DateInput(),
        help_text="The day the figures are for: today, or a day in the past.",
    )

    def defaults(self) -> dict[str, str]:
        return {**super().defaults(), "as_of": self.today.isoformat()}

    def clean_as_of(self) -> date:
        as_of: date = self.cleaned_data["as_of"]
        try:
            return as_of_check(org=self.org, as_of=as_of)
        except ValueError as exc:
            raise forms.ValidationError(_unprefixed(str(exc), "as_of")) from None


class AgingForm(AsOfForm):
    edges = forms.CharField(
        label="Bucket edges (days past due)",
        max_length=60,
        help_text="Increasing whole days, separated by commas: 30,60,90 makes Current, 1\u201330, "
        "31\u201360, 61\u201390 and 90+.",
    )

    def defaults(self) -> dict[str, str]:
        return {**super().defaults(), "edges": aging_edges_text(DEFAULT_EDGES)}

    def clean_edges(self) -> tuple[int, ...]:
        try:
            return aging_edges_parse(self.cleaned_data["edges"])
        except ValueError as exc:
            raise forms.ValidationError(_unprefixed(str(exc), "edges")) from None


class CustomerAgingForm(AgingForm):
    """The aging form for one customer's page: in the customer's own currency by default."""

    def __init__(self, query: QueryDict | dict[str, str], *, org: Organization, customer: Customer):
        self.customer = customer
        super().__init__(query, org=org)

    def currencies(self) -> list[str]:
        # A customer billed in a currency nothing has been issued in yet still has a page.
        used = super().currencies()
        return used if self.customer.currency in used else [*used, self.customer.currency]

    def defaults(self) -> dict[str, str]:
        return {**super().defaults(), "currency": self.customer.currency}


class DsoForm(AsOfForm):
    period_days = forms.IntegerField(
        label="Period for the simple method (days)",
        min_value=7,
        max_value=365,
        help_text="Credit sales of this many days up to the as-of day: 90 is usual, 30 for a "
        "month.",
    )

    def defaults(self) -> dict[str, str]:
        return {**super().defaults(), "period_days": "90"}


class PeriodForm(ReportForm):
    """A period of whole days, both ends included, ending no later than today."""

    field_order = ["start", "end", "currency"]

    start = forms.DateField(label="From", widget=DateInput(), help_text="The first day.")
    end = forms.DateField(
        label="To", widget=DateInput(), help_text="The last day, included; today at the latest."
    )

    def defaults(self) -> dict[str, str]:
        first = self.today.replace(day=1)
        return {**super().defaults(), "start": first.isoformat(), "end": self.today.isoformat()}

    def clean_end(self) -> date:
        end: date = self.cleaned_data["end"]
        try:
            as_of_check(org=self.org, as_of=end)
        except ValueError as exc:
            raise forms.ValidationError(_unprefixed(str(exc), "as_of")) from None
        return end

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None:
            try:
                period_check(start=start, end=end)
            except ValueError as exc:
                self.add_error("end", _unprefixed(str(exc), "end"))
        return data


class CeiForm(PeriodForm):
    """CEI's period defaults to the quarter so far: a month is often too short to judge."""

    def defaults(self) -> dict[str, str]:
        quarter = self.today.replace(month=(self.today.month - 1) // 3 * 3 + 1, day=1)
        return {**super().defaults(), "start": quarter.isoformat()}
