"""Dashboard pages for customers: the directory and the customer form with its contacts. The
customer page is in ``customer_page_views``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from arhub import keyset
from arhub.keyset import Cursor, InvalidCursor, Keyset, aware_datetime
from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from invoicing.customer_display import (
    amount_display,
    import_url,
    phone_display,
)
from invoicing.forms import (
    SORT_CHOICES,
    CustomerFilterForm,
    CustomerForms,
    customer_forms,
)
from invoicing.models import Contact, Customer
from invoicing.selectors import (
    contact_list,
    customer_get,
    customer_list,
    customer_tags,
)
from invoicing.services import customer_create, customer_update

# --------------------------------------------------------------------------------------------
# Keyset pagination: a page is "the next N rows after this one" in the sort order, read from the
# index; no OFFSET that grows with the page number and no COUNT(*) of the whole directory.


@dataclass(frozen=True)
class SortKey:
    expression: Any  # annotated on the rows as ``sort_key``
    keyset: Keyset


SORT_KEYS: dict[str, SortKey] = {
    "name": SortKey(Lower("display_name"), Keyset("name", "sort_key", parse=keyset.text)),
    "-name": SortKey(
        Lower("display_name"), Keyset("-name", "sort_key", descending=True, parse=keyset.text)
    ),
    "created": SortKey(F("created_at"), Keyset("created", "sort_key", parse=aware_datetime)),
    "-created": SortKey(
        F("created_at"), Keyset("-created", "sort_key", descending=True, parse=aware_datetime)
    ),
}


@dataclass
class KeysetPage:
    rows: Sequence[Customer]
    next_cursor: str | None = None
    previous_cursor: str | None = None


def _read_cursor(key: SortKey, token: str | None, *, backward: bool) -> Cursor | None:
    """A cursor from the URL, or None when it is missing or unreadable (then: the first page)."""
    try:
        cursor = key.keyset.decode(token)
    except InvalidCursor:
        return None
    return cursor if cursor is not None and cursor.backward == backward else None


def keyset_page(
    rows: QuerySet[Customer],
    *,
    key: SortKey,
    after: str | None = None,
    before: str | None = None,
    size: int,
) -> KeysetPage:
    """One page of ``rows`` in ``key`` order (ties broken by id), one query."""
    annotated = rows.annotate(sort_key=key.expression)
    if after is None:
        cursor = _read_cursor(key, before, backward=True)
    else:
        cursor = _read_cursor(key, after, backward=False)
    fetched = key.keyset.page(annotated, cursor, size)
    if fetched.ran_out_backward:  # everything before it went away: start again
        fetched = key.keyset.page(annotated, None, size)
    page = KeysetPage(rows=fetched.rows)
    if fetched.has_next:
        page.next_cursor = key.keyset.cursor(fetched.rows[-1])
    if fetched.has_previous:
        page.previous_cursor = key.keyset.cursor(fetched.rows[0], backward=True)
    return page


# --------------------------------------------------------------------------------------------
# The directory


class CustomerListView(OrgViewMixin, View):
    page_size = 50

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = CustomerFilterForm(request.GET or None, tags=customer_tags(org=self.org))
        search, tag = filters.value("q").strip(), filters.value("tag")
        sort = filters.value("sort") or "name"
        has_overdue = filters.overdue_filter()
        page = keyset_page(
            customer_list(
                org=self.org,
                search=search,
                tags=[tag] if tag else None,
                sort=sort,
                has_overdue=has_overdue,
            ),
            key=SORT_KEYS[sort],
            after=request.GET.get("after"),
            before=request.GET.get("before"),
            size=self.page_size,
        )
        for customer in page.rows:
            customer.balance_display = amount_display(customer.open_balance, customer.currency)  # type: ignore[attr-defined]
            customer.primary_phone_display = phone_display(customer.primary_phone)  # type: ignore[attr-defined]
        overdue = "" if has_overdue is None else ("true" if has_overdue else "false")
        kept = {
            k: v
            for k, v in {"q": search, "tag": tag, "has_overdue": overdue, "sort": sort}.items()
            if v
        }
        if kept.get("sort") == "name":
            del kept["sort"]
        filtering = bool(search or tag or overdue)
        paging = bool(request.GET.get("after") or request.GET.get("before"))
        return render(
            request,
            "invoicing/customer_list.html",
            {
                "filters": filters,
                "page": page,
                "filtering": filtering,
                "search": search,
                "tag": tag,
                "has_overdue": has_overdue,
                "sort_label": dict(SORT_CHOICES)[sort].lower(),
                "next_url": "?" + urlencode({**kept, "after": page.next_cursor})
                if page.next_cursor
                else None,
                "previous_url": "?" + urlencode({**kept, "before": page.previous_cursor})
                if page.previous_cursor
                else None,
                "directory_empty": not page.rows and not filtering and not paging,
                "import_url": import_url(),
            },
        )


# --------------------------------------------------------------------------------------------
# Creating and editing


def _contact_initial(contacts: list[Contact]) -> tuple[list[dict[str, Any]], int | None]:
    initial = [
        {
            "id": c.pk,
            "name": c.name,
            "role": c.role,
            "email": c.email,
            "phone": phone_display(str(c.phone) if c.phone else ""),
            "receives_invoices": c.receives_invoices,
            "receives_reminders": c.receives_reminders,
        }
        for c in contacts
    ]
    primary = next((i for i, c in enumerate(contacts) if c.is_primary), 0)
    return initial, primary


class _CustomerFormView(OrgViewMixin, View):
    required_perm = Perm.OPERATE
    template_name = "invoicing/customer_form.html"

    def render_form(
        self, request: HttpRequest, forms: CustomerForms, customer: Customer | None = None
    ) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {
                "form": forms.form,
                "contacts": forms.contacts,
                "primary": forms.contacts.primary_index(),
                "customer": customer,
                "has_errors": forms.has_errors(),
            },
        )


class CustomerCreateView(_CustomerFormView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_form(request, customer_forms(org=self.org))

    def post(self, request: HttpRequest) -> HttpResponse:
        forms = customer_forms(org=self.org, data=request.POST)
        if forms.is_valid():
            contacts, sources = forms.contacts.to_inputs()
            try:
                customer = customer_create(
                    org=self.org,
                    actor=self.membership.user,
                    data=forms.form.to_input(),
                    contacts=contacts,
                )
            except ValidationError as exc:
                forms.add_service_errors(exc, sources)
            else:
                messages.success(request, f"Added {customer.display_name}.")
                return redirect("customer_detail", pk=customer.pk)
        return self.render_form(request, forms)


class CustomerEditView(_CustomerFormView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_get(org=self.org, customer_id=pk)
        initial, primary = _contact_initial(list(contact_list(org=self.org, customer=customer)))
        forms = customer_forms(org=self.org, customer=customer, contacts=initial, primary=primary)
        return self.render_form(request, forms, customer)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_get(org=self.org, customer_id=pk)
        forms = customer_forms(org=self.org, data=request.POST, customer=customer)
        if forms.is_valid():
            contacts, sources = forms.contacts.to_inputs()
            try:
                customer = customer_update(
                    org=self.org,
                    actor=self.membership.user,
                    customer=customer,
                    data=forms.form.to_input(),
                    contacts=contacts,
                )
            except ValidationError as exc:
                forms.add_service_errors(exc, sources)
            else:
                messages.success(request, f"Saved {customer.display_name}.")
                return redirect("customer_detail", pk=customer.pk)
        # The forms are not bound to the model and the service rolled back, so ``customer`` is
        # still as saved: the heading names it as it is, not as mistyped.
        return self.render_form(request, forms, customer)
