"""What the invoice editor and the recurring invoice editor do alike: a form and its lines,
submitted and shown together; shown again unvalidated after "Find" or "Add another line"; the
services' errors (``lines[2].unit_price``) put back on the row and field they name; and the
error summary at the top of the page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar, Generic, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict

from arhub.form_errors import form_add_service_errors
from invoicing.line_forms import LINES_PREFIX, BaseLineFormSet, LineForm

_LINE_KEY = re.compile(r"^lines\[(\d+)\]\.(\w+)$")
# The service's line field names that differ from the form's.
_LINE_FIELDS = {"tax_rate_ids": "taxes"}

FormT = TypeVar("FormT", bound=forms.Form)


@dataclass(frozen=True)
class ErrorLink:
    """One entry of the error summary at the top of the form, linking to its field."""

    text: str
    href: str


@dataclass
class LinesEditor(Generic[FormT]):
    """A form and its lines. Subclasses name the ``<form>``'s id (where a form-wide error
    links to) and any service field that is shown under another name."""

    form: FormT
    lines: BaseLineFormSet
    silenced: bool = field(default=False, kw_only=True)

    form_anchor: ClassVar[str] = ""
    form_fields: ClassVar[dict[str, str]] = {}

    def is_valid(self) -> bool:
        # Both are validated, so every error shows on the first submit.
        form_ok = self.form.is_valid()
        lines_ok = self.lines.is_valid()
        return form_ok and lines_ok

    def silence(self) -> None:
        """Show the input again without validating it: after "Add another line" or "Find", half
        a line typed is not an error yet."""
        self.silenced = True
        # Django validates lazily, on the first look at ``errors``; setting the caches it fills
        # to "no errors" keeps the posted values on screen and skips the validation.
        self.form._errors = ErrorDict()  # type: ignore[attr-defined]
        for form in self.lines.forms:
            form._errors = ErrorDict()  # type: ignore[attr-defined]
        self.lines._errors = [ErrorDict() for _ in self.lines.forms]  # type: ignore[attr-defined]
        self.lines._non_form_errors = self.lines.error_class()  # type: ignore[attr-defined]

    def focus_line(self, index: int | None) -> None:
        """The description of the row just added gets the focus, as if the button had added it
        in place (what the script does)."""
        if index is not None and index < len(self.lines.forms):
            self.lines.forms[index].fields["description"].widget.attrs["autofocus"] = True

    def add_service_errors(self, exc: ValidationError, sources: list[LineForm]) -> None:
        """``lines[1].unit_price`` on the price of the row that became the second line (the
        service names a line by its position among the kept ones, ``sources``), ``lines`` above
        the lines, anything else on the form."""
        if not hasattr(exc, "error_dict"):
            form_add_service_errors(self.form, exc)
            return
        rest: dict[str, list[str]] = {}
        for key, messages in exc.message_dict.items():
            match = _LINE_KEY.match(key)
            if match and int(match[1]) < len(sources):
                row = sources[int(match[1])]
                name = _LINE_FIELDS.get(match[2], match[2])
                row.add_error(name if name in row.fields else None, messages)
            elif key == LINES_PREFIX or key.startswith(f"{LINES_PREFIX}["):
                self.lines.non_form_errors().extend(messages)
            else:
                rest[self.form_fields.get(key, key)] = messages
        if rest:
            form_add_service_errors(self.form, ValidationError(rest))

    def has_errors(self) -> bool:
        return bool(self.error_summary())

    def error_summary(self) -> list[ErrorLink]:
        """Every error, in page order, each linking to its field: what a screen reader hears
        first and where a keyboard user jumps from."""
        if not self.form.is_bound or self.silenced:
            return []
        links = [ErrorLink(str(m), f"#{self.form_anchor}") for m in self.form.non_field_errors()]
        for bound in (self.form[n] for n in self.form.fields):
            for message in bound.errors:
                links.append(ErrorLink(f"{bound.label}: {message}", f"#{bound.id_for_label}"))
        for message in self.lines.non_form_errors():
            links.append(ErrorLink(f"Lines: {message}", "#lines-heading"))
        for number, row in enumerate(self.lines.forms, start=1):
            if self.lines._should_delete_form(row):  # type: ignore[attr-defined]
                continue  # being removed: its errors do not matter
            for message in row.non_field_errors():
                links.append(ErrorLink(f"Line {number}: {message}", f"#line-{number - 1}"))
            for name in row.fields:
                line_field = row[name]
                target = f"line-{number - 1}-taxes" if name == "taxes" else line_field.id_for_label
                label = str(line_field.label).lower()
                for message in line_field.errors:
                    links.append(ErrorLink(f"Line {number} {label}: {message}", f"#{target}"))
        return links

    def line_rows(self, amounts: dict[int, str] | None = None) -> list[dict[str, object]]:
        """The rows as the lines partial shows them, each with its amount where one is known."""
        shown = amounts or {}
        return [
            {"form": row, "amount": shown.get(index, "")}
            for index, row in enumerate(self.lines.forms)
        ]
