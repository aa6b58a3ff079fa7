"""The reports API's query parameters (the answers are ``metrics.api_output``).

Queries are checked by the same one-field readers as the export form and the jobs
(``metrics.export_params``), so a bad value reads the same everywhere and a 400 names the
parameter: ``{"as_of": ["2031-01-01 is in the future (today is 2027-04-15)."]}``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rest_framework import serializers

from arhub.clock import org_today
from arhub.models import Organization
from metrics.activity import ACTIVITY_DAYS
from metrics.aging_edges import DEFAULT_EDGES
from metrics.export_params import as_of_read, currency_read, edges_read
from metrics.periods import period_check

FILE_FORMATS = ("csv", "xlsx", "pdf")


class _Checked(serializers.Serializer):
    """A query checked for the caller's organization (``context["org"]``)."""

    @property
    def org(self) -> Organization:
        org: Organization = self.context["org"]
        return org


def _read(reader: Any, value: Any) -> Any:
    try:
        return reader(value)
    except ValueError as exc:
        raise serializers.ValidationError(str(exc)) from None


class ReportQuery(_Checked):
    format = serializers.ChoiceField(
        choices=[("json", "JSON"), *((f, f.upper()) for f in FILE_FORMATS)],
        required=False,
        default="json",
        help_text="`json` (the default) answers with the figures; `csv` (streamed), `xlsx` or "
        "`pdf` downloads the report as a file, which needs a role that may export.",
    )
    currency = serializers.CharField(
        required=False,
        max_length=3,
        help_text="ISO 4217; the organization's default currency if omitted. Every figure is "
        "in this one currency: amounts in others are left out, never converted.",
    )

    def validate_currency(self, value: str) -> str:
        code: str = _read(currency_read, value)
        return code

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs.setdefault("currency", self.org.default_currency)
        return attrs


class AsOfQuery(ReportQuery):
    as_of = serializers.DateField(
        required=False,
        help_text="The day the figures are for; today (the organization's) if "
        "omitted, never in the future.",
    )

    def validate_as_of(self, value: date) -> date:
        day: date = _read(lambda v: as_of_read(org=self.org, text=v), value)
        return day

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs.setdefault("as_of", org_today(self.org))
        return super().validate(attrs)


class AgingQuery(AsOfQuery):
    edges = serializers.CharField(
        required=False,
        max_length=60,
        help_text="Bucket edges in days past due, increasing: `30,60,90` (the default) makes "
        "Current, 1\u201330, 31\u201360, 61\u201390 and 90+.",
    )
    view = serializers.ChoiceField(
        choices=[("summary", "By customer"), ("detail", "By invoice")],
        required=False,
        default="summary",
        help_text="For a file: one row per customer (`summary`) or per invoice (`detail`).",
    )

    def validate_edges(self, value: str) -> tuple[int, ...]:
        edges: tuple[int, ...] = _read(edges_read, value)
        return edges

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs.setdefault("edges", DEFAULT_EDGES)
        return super().validate(attrs)


class DsoQuery(AsOfQuery):
    method = serializers.ChoiceField(
        choices=[("simple", "Simple"), ("countback", "Count-back")],
        required=False,
        default="simple",
        help_text="`simple`: receivables \u00f7 credit sales of the period \u00d7 its days. "
        "`countback`: receivables matched against each month's credit sales, newest first.",
    )
    period_days = serializers.IntegerField(
        required=False,
        default=90,
        min_value=7,
        max_value=365,
        help_text="The simple method's period, in days up to `as_of`.",
    )


class PeriodQuery(ReportQuery):
    start = serializers.DateField(
        required=False, help_text="First day; the first day of `end`'s quarter if omitted."
    )
    end = serializers.DateField(
        required=False, help_text="Last day, included; today if omitted, never in the future."
    )

    def validate_end(self, value: date) -> date:
        day: date = _read(lambda v: as_of_read(org=self.org, text=v), value)
        return day

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs.setdefault("end", org_today(self.org))
        attrs.setdefault("start", self.default_start(attrs["end"]))
        try:
            period_check(start=attrs["start"], end=attrs["end"])
        except ValueError as exc:
            raise serializers.ValidationError({"end": [str(exc).removeprefix("end: ")]}) from None
        return super().validate(attrs)

    def default_start(self, end: date) -> date:
        return end.replace(month=(end.month - 1) // 3 * 3 + 1, day=1)


class ActivityQuery(PeriodQuery):
    """Counts and averages of events, no money: the currency is not asked for."""

    currency = None  # type: ignore[assignment]
    start = serializers.DateField(
        required=False,
        help_text=f"First day; {ACTIVITY_DAYS} days up to `end` (both included) if omitted.",
    )

    def default_start(self, end: date) -> date:
        return end - timedelta(days=ACTIVITY_DAYS - 1)


class CustomersQuery(AsOfQuery):
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=1000,
        help_text="Only the first this many (largest open balance first).",
    )


class ForecastQuery(AsOfQuery):
    weeks = serializers.IntegerField(
        required=False,
        default=13,
        min_value=1,
        max_value=52,
        help_text="Weeks to forecast, the first being `as_of`'s (weeks start on Monday).",
    )
