"""The policy editor's form and steps, submitted and shown together: shown again unvalidated
after "Add a step" or "Preview"; the services' errors (``steps[2].offset_days``) put back on
the row and field they name; and the error summary at the top of the page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict

from arhub.form_errors import form_add_service_errors
from reminders.policy_forms import STEPS_PREFIX, BaseStepFormSet, PolicyForm, StepForm
from reminders.policy_input import PolicyInput

_STEP_KEY = re.compile(r"^steps\[(\d+)\]\.(\w+)$")
# The service's step field names that the form spells otherwise.
_STEP_FIELDS = {"id": "offset_days"}


@dataclass(frozen=True)
class ErrorLink:
    """One entry of the error summary, linking to its field."""

    text: str
    href: str


@dataclass
class PolicyEditor:
    form: PolicyForm
    steps: BaseStepFormSet
    silenced: bool = field(default=False, kw_only=True)

    def is_valid(self) -> bool:
        # Both are validated, so every error shows on the first submit.
        form_ok = self.form.is_valid()
        steps_ok = self.steps.is_valid()
        return form_ok and steps_ok

    def silence(self) -> None:
        """Show the input again without validating it: after "Add a step" or "Preview", half a
        row typed is not an error yet."""
        self.silenced = True
        # Django validates lazily, on the first look at ``errors``; setting the caches it fills
        # to "no errors" keeps the posted values on screen and skips the validation.
        self.form._errors = ErrorDict()  # type: ignore[attr-defined]
        for row in self.steps.forms:
            row._errors = ErrorDict()  # type: ignore[attr-defined]
        self.steps._errors = [ErrorDict() for _ in self.steps.forms]  # type: ignore[attr-defined]
        self.steps._non_form_errors = self.steps.error_class()  # type: ignore[attr-defined]

    def focus_step(self, index: int | None) -> None:
        """The day of the row just added gets the focus, as the script would give it."""
        if index is not None and index < len(self.steps.forms):
            self.steps.forms[index].fields["offset_days"].widget.attrs["autofocus"] = True

    def kept(self) -> list[StepForm]:
        return self.steps.kept()

    def to_input(self) -> PolicyInput:
        data = self.form.cleaned_data
        return PolicyInput(
            name=data["name"],
            window_start=data["window_start"],
            window_end=data["window_end"],
            weekdays=tuple(data["weekdays"]),
            skip_holidays=data["skip_holidays"],
            min_gap_hours=data["min_gap_hours"],
            daily_cap=data["daily_cap"],
            steps=tuple(row.to_step() for row in self.kept()),
        )

    def add_service_errors(self, exc: ValidationError) -> None:
        """``steps[1].tone`` on the tone of the row that became the second step (the service
        names a step by its place among the kept rows), ``steps`` above the steps, anything
        else on the form."""
        if not hasattr(exc, "error_dict"):
            form_add_service_errors(self.form, exc)
            return
        rows = self.kept()
        rest: dict[str, list[str]] = {}
        for key, messages in exc.message_dict.items():
            match = _STEP_KEY.match(key)
            if match and int(match[1]) < len(rows):
                row = rows[int(match[1])]
                name = _STEP_FIELDS.get(match[2], match[2])
                row.add_error(name if name in row.fields else None, messages)
            elif key == STEPS_PREFIX or key.startswith(f"{STEPS_PREFIX}["):
                self.steps.non_form_errors().extend(messages)
            else:
                rest[key] = messages
        if rest:
            form_add_service_errors(self.form, ValidationError(rest))

    def error_summary(self) -> list[ErrorLink]:
        """Every error, in page order, each linking to its field: what a screen reader hears
        first and where a keyboard user jumps from."""
        if not self.form.is_bound or self.silenced:
            return []
        links = [ErrorLink(str(m), "#policy-form") for m in self.form.non_field_errors()]
        for name in self.form.fields:
            bound = self.form[name]
            target = "weekdays" if name == "weekdays" else bound.id_for_label
            for message in bound.errors:
                links.append(ErrorLink(f"{bound.label}: {message}", f"#{target}"))
        for message in self.steps.non_form_errors():
            links.append(ErrorLink(f"Steps: {message}", "#steps-heading"))
        for number, row in enumerate(self.steps.forms, start=1):
            if self.steps._should_delete_form(row):  # type: ignore[attr-defined]
                continue  # being removed: its errors do not matter
            for message in row.non_field_errors():
                links.append(ErrorLink(f"Step {number}: {message}", f"#step-{number - 1}"))
            for name in row.fields:
                bound = row[name]
                label = str(bound.label).lower()
                for message in bound.errors:
                    links.append(
                        ErrorLink(f"Step {number}, {label}: {message}", f"#{bound.id_for_label}")
                    )
        return links
