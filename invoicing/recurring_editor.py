"""Building the recurring invoice editor: the customers to choose from (a list, or a search
for a long directory) and the lines of a saved template."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from arhub.models import Organization
from invoicing.line_forms import line_initial, lines_formset
from invoicing.models import Customer, RecurringInvoice
from invoicing.recurring_forms import LIST_LIMIT, MATCH_LIMIT, RecurringEditor, RecurringForm
from invoicing.recurring_input import lines_from_json
from invoicing.selectors import customer_list


def customer_choices(
    org: Organization, *, search: str, chosen: int | None
) -> tuple[list[tuple[int, str]], bool]:
    """The customers to pick from, and whether the form searches (a long directory) or lists."""
    customers = customer_list(org=org, search="")
    listed = list(
        customers.order_by("display_name", "pk").values_list("pk", "display_name")[: LIST_LIMIT + 1]
    )
    if len(listed) <= LIST_LIMIT:
        return [(pk, name) for pk, name in listed], False
    choices: list[tuple[int, str]] = []
    if chosen is not None:
        own = Customer.objects.for_org(org).filter(pk=chosen).values_list("pk", "display_name")
        choices += list(own)
    if search.strip():
        matches = customer_list(org=org, search=search).values_list("pk", "display_name")
        choices += [c for c in matches[:MATCH_LIMIT] if c[0] != chosen]
    return choices, True


def recurring_editor(
    *,
    org: Organization,
    data: QueryDict | None = None,
    template: RecurringInvoice | None = None,
    customer: Customer | None = None,
) -> RecurringEditor:
    """The editor for a new template (``customer`` preselected, or none), for a saved one
    (``template``), or bound to what was submitted (``data``; the view silences it to show
    what was typed again after "Find" or "Add another line")."""
    initial: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    saved = lines_from_json(template.lines) if template is not None else []
    if data is None:
        if template is not None:
            initial = RecurringForm.initial_for(template)
            rows = [line_initial(line, line.tax_rate_ids) for line in saved]
        elif customer is not None:
            initial = {"customer": customer.pk}
    source = data if data is not None else initial
    chosen_raw = source.get("customer")
    chosen = int(str(chosen_raw)) if str(chosen_raw or "").isdigit() else None
    search = str(source.get("customer_search") or "")
    choices, searching = customer_choices(org, search=search, chosen=chosen)
    formset = lines_formset(
        data,
        org=org,
        rows=rows,
        # A retired rate the template still carries stays a choice, on the page and when
        # posted, so the service can say it is retired.
        keep_taxes=[pk for line in saved for pk in line.tax_rate_ids],
        unit_hint="e.g. month",
    )
    if data is None:
        # Spare rows to type into (blank ones are skipped): three on a new template, one below
        # the saved lines.
        formset.extra = 1 if rows else 3
    form = RecurringForm(
        data,
        org=org,
        initial=initial,
        customer_choices=choices,
        searching=searching,
    )
    return RecurringEditor(form=form, lines=formset)
