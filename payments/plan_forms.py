"""The forms of the payment plan pages: the list's filters, the owner's schedule builder (offer
and counter-offer: by count, frequency and start date, then instalment by instalment), the
owner's decisions (decline, cancel, move an instalment), and the customer's request on the pay
page (in their language, within the organization's limits).

The limits and the rules that a schedule adds up are the services' to enforce; these forms only
read what was typed, so each mistake is reported beside its field before a service is asked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from arhub.money import ZERO, is_quantized
from invoicing.invoice_list_forms import DateInput
from invoicing.line_forms import PlainDecimalField
from invoicing.models import Invoice
from payments.models import Instalment, PlanFrequency, PlanStatus
from payments.plan_words import frequency_word

# An owner's schedule edited row by row; a longer plan is built by count.
MAX_ROWS = 60
NOTE_LIMIT = 1000

# "Status" as the owner reads the list: a request waiting for them and an offer waiting for the
# customer are both "proposed" in the table.
WAITING, OFFERED = "waiting", "offered"
STATUS_CHOICES = [
    ("", "All plans"),
    (WAITING, "Requests waiting for you"),
    (OFFERED, "Offers waiting for the customer"),
    (PlanStatus.ACTIVE, "Active"),
    (PlanStatus.COMPLETED, "Completed"),
    (PlanStatus.BROKEN, "Broken"),
    (PlanStatus.CANCELLED, "Cancelled"),
    (PlanStatus.DECLINED, "Declined"),
]


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(label="Show", choices=STATUS_CHOICES, required=False)
    # Set by links (the customer's page); shown as a removable chip.
    customer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def values(self) -> tuple[str, int | None]:
        """The valid filters; a bad value is dropped and the list still shows."""
        if not self.is_bound or not self.is_valid():
            return "", None
        return self.cleaned_data["status"] or "", self.cleaned_data["customer"]


# ---- The owner's schedule: offer and counter-offer


class PlanTermsForm(forms.Form):
    count = forms.IntegerField(
        label="Number of instalments",
        min_value=1,
        max_value=MAX_ROWS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    frequency = forms.ChoiceField(
        label="How often", choices=PlanFrequency.choices, initial=PlanFrequency.MONTHLY
    )
    start_date = forms.DateField(label="First instalment on", widget=DateInput())
    message = forms.CharField(
        label="Message to the customer",
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent with the offer, in your words. Optional.",
    )

    def __init__(self, *args: Any, message_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if message_required:
            self.fields["message"].required = True
            self.fields["message"].help_text = "Tell the customer why you suggest this instead."


class PlanOfferForm(PlanTermsForm):
    """The terms, and which of the customer's open invoices the plan covers (one currency)."""

    invoice = forms.TypedMultipleChoiceField(
        label="Invoices the plan covers",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Tick at least one invoice.",
            "invalid_choice": "That invoice cannot go on a plan now; reload the page.",
        },
    )
    field_order = ["invoice", "count", "frequency", "start_date", "message"]

    def __init__(self, *args: Any, invoices: Sequence[Invoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by_id = {invoice.pk: invoice for invoice in invoices}
        field = self.fields["invoice"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(invoice.pk, invoice.number) for invoice in invoices]

    def clean_invoice(self) -> list[int]:
        chosen: list[int] = self.cleaned_data["invoice"]
        currencies = {self.by_id[pk].currency for pk in chosen}
        if len(currencies) > 1:
            raise ValidationError("A plan is in one currency: tick invoices in only one.")
        return chosen

    def chosen(self) -> list[Invoice]:
        return [self.by_id[pk] for pk in self.cleaned_data.get("invoice", [])]


@dataclass
class Row:
    """One instalment as typed: kept as text so a mistake shows as it was entered."""

    index: int
    date_text: str
    amount_text: str
    due_date: date | None = None
    amount: Decimal | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def date_id(self) -> str:
        return f"row-{self.index}-date"

    @property
    def amount_id(self) -> str:
        return f"row-{self.index}-amount"

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass
class ScheduleRows:
    """The instalments the owner is editing, read from the form's ``row-<n>-date`` and
    ``row-<n>-amount`` inputs (``rows`` says how many)."""

    rows: list[Row]
    currency: str

    @classmethod
    def posted(cls, data: Mapping[str, Any], currency: str) -> ScheduleRows | None:
        """The rows in the request, or None when none were built yet."""
        try:
            count = int(str(data.get("rows", "")))
        except ValueError:
            return None
        if count < 1:
            return None
        rows = [
            Row(i, str(data.get(f"row-{i}-date", "")).strip(), str(data.get(f"row-{i}-amount", "")))
            for i in range(min(count, MAX_ROWS))
        ]
        for row in rows:
            row.amount_text = row.amount_text.strip()
        return cls(rows, currency)

    @classmethod
    def built(cls, parts: Sequence[tuple[date, Decimal]], currency: str) -> ScheduleRows:
        return cls(
            [
                Row(i, day.isoformat(), str(amount), due_date=day, amount=amount)
                for i, (day, amount) in enumerate(parts)
            ],
            currency,
        )

    def check(self) -> bool:
        """Reads every row; True when each has a real date and a positive amount."""
        for row in self.rows:
            row.errors = []
            row.due_date = row.amount = None
            try:
                row.due_date = date.fromisoformat(row.date_text)
            except ValueError:
                row.errors.append(f"Instalment {row.number}: enter a date, like 2027-04-30.")
            try:
                amount = PlainDecimalField(required=True).clean(row.amount_text)
            except ValidationError as exc:
                text = "enter the amount" if not row.amount_text else exc.messages[0]
                row.errors.append(f"Instalment {row.number}: {text[0].lower()}{text[1:]}")
                continue
            if amount <= 0:
                row.errors.append(f"Instalment {row.number}: the amount must be more than zero.")
            elif not is_quantized(amount, self.currency):
                row.errors.append(
                    f"Instalment {row.number}: {self.currency} amounts have no more decimals "
                    "than the currency's."
                )
            else:
                row.amount = amount
        return not any(row.errors for row in self.rows)

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.rows if row.amount is not None), ZERO)

    def instalments(self) -> list[tuple[date, Decimal]]:
        return [
            (row.due_date, row.amount)
            for row in self.rows
            if row.due_date is not None and row.amount is not None
        ]


# ---- The owner's decisions on one plan


class DeclineForm(forms.Form):
    # The decisions share the plan's page: a prefix each keeps their ids apart.
    prefix = "decline"
    message = forms.CharField(
        label="Message to the customer",
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say why, and what you can do instead. The customer reads this.",
        error_messages={"required": "Write the customer a short message saying why."},
    )


class CancelForm(forms.Form):
    prefix = "cancel"
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        help_text="Kept on the plan's history and told to the customer.",
        error_messages={"required": "Give the reason for cancelling."},
    )


class InstalmentMoveForm(forms.Form):
    prefix = "move"
    instalment = forms.TypedChoiceField(label="Instalment", coerce=int)
    new_date = forms.DateField(
        label="New date",
        widget=DateInput(),
        error_messages={"required": "Enter the new date.", "invalid": "Enter a real date."},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        help_text="Kept on the plan's history, with your name.",
        error_messages={"required": "Give the reason for moving it."},
    )

    def __init__(
        self,
        *args: Any,
        instalments: Sequence[Instalment],
        labels: Mapping[int, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.by_id = {item.pk: item for item in instalments}
        field = self.fields["instalment"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(item.pk, labels[item.pk]) for item in instalments]
        field.error_messages["invalid_choice"] = "Choose one of the instalments still to pay."

    def chosen(self) -> Instalment:
        return self.by_id[self.cleaned_data["instalment"]]


# ---- The customer's request, on the pay page


class PlanRequestForm(forms.Form):
    """Count and frequency among those the organization allows for this balance, and a start
    date from today to the latest it allows. Messages are in the customer's language."""

    count = forms.TypedChoiceField(coerce=int)
    frequency = forms.ChoiceField()
    start_date = forms.DateField(widget=DateInput())
    note = forms.CharField(required=False, max_length=NOTE_LIMIT, widget=forms.Textarea)

    def __init__(
        self,
        *args: Any,
        counts: Sequence[int],
        frequencies: Sequence[str],
        first: date,
        last: date,
        words: Mapping[str, str],
        language: str,
        dates: Mapping[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.first, self.last, self.words, self.dates = first, last, words, dates
        count, frequency = self.fields["count"], self.fields["frequency"]
        start, note = self.fields["start_date"], self.fields["note"]
        assert isinstance(count, forms.TypedChoiceField)
        assert isinstance(frequency, forms.ChoiceField)
        count.choices = [(n, str(n)) for n in counts]
        frequency.choices = [(f, frequency_word(f, language)) for f in frequencies]
        count.label, frequency.label = words["count_label"], words["frequency_label"]
        start.label, note.label = words["start_label"], words["note_label"]
        low, high = (min(counts), max(counts)) if counts else (0, 0)
        count.error_messages = {
            "required": words["count_missing"],
            "invalid_choice": words["count_invalid"].format(low=low, high=high),
        }
        frequency.error_messages = {
            "required": words["frequency_missing"],
            "invalid_choice": words["frequency_invalid"],
        }
        start.error_messages = {
            "required": words["start_missing"],
            "invalid": words["start_invalid"].format(example=dates["example"]),
        }
        note.error_messages = {"max_length": words["note_long"].format(limit=NOTE_LIMIT)}
        start.widget.attrs.update({"min": first.isoformat(), "max": last.isoformat()})

    def clean_start_date(self) -> date:
        day: date = self.cleaned_data["start_date"]
        if day < self.first:
            raise ValidationError(self.words["start_past"].format(first=self.dates["first"]))
        if day > self.last:
            raise ValidationError(self.words["start_late"].format(last=self.dates["last"]))
        return day
