"""The forms of the exports pages: a new background export, and the member's monthly email.

The export form only gathers what was typed; the service checks it (``metrics.export_registry``
and ``export_params``), so a form, a job and the API refuse the same input with the same words,
and each message lands on its field (``arhub.form_errors``).
"""

from __future__ import annotations

from typing import Any

from django import forms

from arhub.clock import org_today
from arhub.models import Organization
from metrics.aging_edges import DEFAULT_EDGES, aging_edges_text
from metrics.dashboard_lists import currencies_in_use
from metrics.export_registry import SPECS
from metrics.models import ExportFormat
from metrics.report_forms import DateInput
from metrics.schedule_services import DEFAULT_REPORTS, LAST_DAY, SCHEDULE_FORMATS
from metrics.statement_zip import customers_owing

REPORT_CHOICES = [(kind, spec.label) for kind, spec in SPECS.items()]


class ExportForm(forms.Form):
    report = forms.ChoiceField(label="Report", choices=REPORT_CHOICES)
    format = forms.ChoiceField(
        label="Format",
        choices=ExportFormat.choices,
        help_text="Reports come as CSV, Excel or PDF. QuickBooks and Xero imports are CSV "
        "only; statements are a ZIP of PDFs, or one customer's PDF.",
    )
    as_of = forms.CharField(
        label="As of",
        required=False,
        widget=DateInput(),
        help_text="Aging and DSO: the day the figures are for (today if blank).",
    )
    start = forms.CharField(
        label="From",
        required=False,
        widget=DateInput(),
        help_text="Registers and imports: the first day (the 1st of this month if blank).",
    )
    end = forms.CharField(
        label="To",
        required=False,
        widget=DateInput(),
        help_text="The last day, included (today if blank).",
    )
    currency = forms.ChoiceField(label="Currency", required=False)
    edges = forms.CharField(
        label="Aging bucket edges (days past due)",
        required=False,
        max_length=60,
        help_text="E.g. 30,60,90.",
    )
    customer = forms.ChoiceField(
        label="Customer",
        required=False,
        help_text="Statements: one customer's as a PDF; leave blank for a zip of everyone who "
        "owes something.",
    )

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.org = org
        currency = self.fields["currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = [(code, code) for code in currencies_in_use(org=org)]
        customer = self.fields["customer"]
        assert isinstance(customer, forms.ChoiceField)
        customer.choices = [("", "Everyone who owes something (zip)")] + [
            (str(c.pk), c.display_name) for c in customers_owing(org=org)
        ]
        if not self.is_bound:
            today = org_today(org)
            self.initial.setdefault("as_of", today.isoformat())
            self.initial.setdefault("start", today.replace(day=1).isoformat())
            self.initial.setdefault("end", today.isoformat())
            self.initial.setdefault("currency", org.default_currency)
            self.initial.setdefault("edges", aging_edges_text(DEFAULT_EDGES))

    def params(self) -> dict[str, str]:
        data = self.cleaned_data
        keys = ("as_of", "start", "end", "currency", "edges", "customer")
        return {key: data[key] for key in keys if data.get(key)}


class ScheduleForm(forms.Form):
    reports = forms.MultipleChoiceField(
        label="Reports",
        choices=REPORT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Period reports cover the month before; aging and DSO are as of its last day.",
    )
    format = forms.ChoiceField(
        label="Format",
        choices=[(f, ExportFormat(f).label) for f in SCHEDULE_FORMATS],
        help_text="Accounting imports always come as CSV and statements as a zip of PDFs.",
    )
    day_of_month = forms.TypedChoiceField(
        label="Day of the month",
        coerce=int,
        choices=[(day, str(day)) for day in range(1, LAST_DAY + 1)],
        help_text=f"In your organization's time zone; up to the {LAST_DAY}th, which every "
        "month has.",
    )
    active = forms.BooleanField(label="Send me this email every month", required=False)

    @classmethod
    def initial_for_new(cls) -> dict[str, Any]:
        return {
            "reports": list(DEFAULT_REPORTS),
            "format": "pdf",
            "day_of_month": 1,
            "active": True,
        }
