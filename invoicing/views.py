"""Dashboard pages for customers: the directory, the customer form with its contacts, and the
customer page (contacts, SMS consent, suppressions, notes and the timeline)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import phonenumbers
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views import View

from arhub import keyset
from arhub.clock import org_today
from arhub.form_errors import form_add_service_errors
from arhub.keyset import Cursor, InvalidCursor, Keyset, aware_datetime
from arhub.locales import currency_minor_units
from arhub.messaging.consent import (
    sms_consent_active,
    sms_consent_list,
    sms_consent_record,
    sms_consent_revoke,
    suppression_list,
)
from arhub.models import (
    Channel,
    ConsentMethod,
    Organization,
    SmsConsent,
    Suppression,
    SuppressionReason,
    SuppressionScope,
)
from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from invoicing.addresses import billing_address_lines
from invoicing.forms import (
    SORT_CHOICES,
    CustomerFilterForm,
    CustomerForms,
    CustomerNoteForm,
    SmsConsentForm,
    customer_forms,
)
from invoicing.invoice_selectors import CurrencyAmount, customer_open_balance
from invoicing.models import Contact, Customer
from invoicing.selectors import (
    contact_list,
    customer_credit_balance,
    customer_get,
    customer_invoices_recent,
    customer_list,
    customer_overdue_balance,
    customer_recurring_upcoming,
    customer_tags,
    customer_timeline,
)
from invoicing.services import customer_create, customer_note_add, customer_update
from invoicing.settings_selectors import terms_example
from invoicing.terms import terms_for_customer

# --------------------------------------------------------------------------------------------
# Small presentation helpers


def amount_display(amount: Decimal, currency: str) -> str:
    """An amount with its currency's number of decimals (JPY 0, USD 2, KWD 3)."""
    try:
        places = currency_minor_units(currency)
    except Exception:  # an unknown code in old data still renders
        places = 2
    return f"{amount:,.{places}f}"


def zero_balance(currency: str) -> str:
    """Nothing owed, in the customer's currency."""
    return amount_display(Decimal(0), currency)


@dataclass(frozen=True)
class Figure:
    amount: str
    currency: str


def figures(amounts: Sequence[CurrencyAmount]) -> list[Figure]:
    return [Figure(amount_display(a.amount, a.currency), a.currency) for a in amounts]


def phone_display(e164: str | None) -> str:
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(str(e164), None)
    except phonenumbers.NumberParseException:
        return str(e164)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def import_url() -> str | None:
    """The CSV import page, once it exists (it is built separately)."""
    try:
        return reverse("customer_import")
    except NoReverseMatch:
        return None


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


# --------------------------------------------------------------------------------------------
# The customer page


SUPPRESSION_LABELS: dict[str, str] = {
    SuppressionReason.STOP_KEYWORD: "Replied STOP",
    SuppressionReason.HARD_BOUNCE: "Email bounced",
    SuppressionReason.COMPLAINT: "Marked as spam",
}
UNSUBSCRIBE_LABELS: dict[str, str] = {
    SuppressionScope.REMINDERS: "Unsubscribed from reminders",
    SuppressionScope.RECEIPTS: "Unsubscribed from receipts",
    SuppressionScope.ALL: "Unsubscribed from everything",
}


def suppression_label(suppression: Suppression) -> str:
    if suppression.reason == SuppressionReason.UNSUBSCRIBED:
        return UNSUBSCRIBE_LABELS.get(suppression.scope, "Unsubscribed")
    if suppression.reason == SuppressionReason.OWNER:
        scope = "" if suppression.scope == SuppressionScope.ALL else f" ({suppression.scope})"
        return f"Stopped by your team{scope}"
    return SUPPRESSION_LABELS.get(suppression.reason, suppression.get_reason_display())


@dataclass
class ContactCard:
    """One contact as the customer page shows it: how to reach them and what they allow."""

    contact: Contact
    phone: str  # E.164, "" without one
    phone_display: str
    consent: SmsConsent | None = None
    email_badges: list[str] = field(default_factory=list)
    phone_badges: list[str] = field(default_factory=list)
    stopped: bool = False  # STOP, or suppressed altogether: only they can opt back in
    consent_form: SmsConsentForm | None = None


def contact_cards(
    *,
    org: Organization,
    customer: Customer,
    contacts: list[Contact],
    consent_forms: dict[int, SmsConsentForm],
) -> list[ContactCard]:
    """Contacts with their SMS consent and suppressions, in two queries for any number."""
    cards = [
        ContactCard(
            contact=c,
            phone=str(c.phone) if c.phone else "",
            phone_display=phone_display(str(c.phone) if c.phone else ""),
        )
        for c in contacts
    ]
    phones = [card.phone for card in cards if card.phone]
    emails = [c.email for c in contacts if c.email]
    consents: dict[str, SmsConsent] = {}
    # Consent belongs to the number, whichever customer it was recorded on: the sender asks
    # the same question. History comes newest first; keep the newest active row per number.
    if phones:
        for consent in sms_consent_list(org=org, customer_id=customer.pk):
            if consent.revoked_at is None:
                consents.setdefault(consent.phone, consent)
    suppressions: list[Suppression] = []
    if phones or emails:
        suppressions = list(suppression_list(org=org, addresses=[*emails, *phones]))
        suppressions.reverse()  # oldest first, the order they happened
    for card in cards:
        email = card.contact.email.lower()
        for s in suppressions:
            if s.channel == Channel.EMAIL and email and s.address.lower() == email:
                card.email_badges.append(suppression_label(s))
            elif s.channel == Channel.SMS and card.phone and s.address == card.phone:
                card.phone_badges.append(suppression_label(s))
                # STOP (or a number that cannot be texted at all) is the customer's word or
                # the network's; the business cannot overrule it by attesting consent.
                if s.scope == SuppressionScope.ALL:
                    card.stopped = True
        card.consent = consents.get(card.phone)
        if card.phone and card.consent is None and not card.stopped:
            card.consent_form = consent_forms.get(card.contact.pk) or SmsConsentForm(
                auto_id=f"id_consent_{card.contact.pk}_%s"
            )
    return cards


class _CustomerPageMixin(OrgViewMixin):
    def render_page(
        self,
        request: HttpRequest,
        customer: Customer,
        *,
        note_form: CustomerNoteForm | None = None,
        consent_forms: dict[int, SmsConsentForm] | None = None,
    ) -> HttpResponse:
        contacts = list(contact_list(org=self.org, customer=customer))
        today = org_today(self.org)
        invoices = customer_invoices_recent(org=self.org, customer=customer)
        for invoice in invoices:
            invoice.is_overdue = bool(  # type: ignore[attr-defined]
                invoice.is_outstanding and invoice.due_date and invoice.due_date < today
            )
            invoice.total_display = amount_display(invoice.total, invoice.currency)  # type: ignore[attr-defined]
            invoice.balance_display = amount_display(invoice.balance_due, invoice.currency)  # type: ignore[attr-defined]
        upcoming = customer_recurring_upcoming(org=self.org, customer=customer)
        recurring = [
            (
                row,
                amount_display(row.estimate, row.recurring.currency)
                if row.estimate is not None
                else None,
            )
            for row in upcoming
        ]
        terms = terms_for_customer(org=self.org, customer=customer)
        timeline = customer_timeline(org=self.org, customer=customer)
        for entry in timeline:
            if entry.kind == "invoice":
                entry.item.total_display = amount_display(entry.item.total, entry.item.currency)
            elif entry.kind == "credit_note":
                note = entry.item
                note.amount_display = amount_display(note.amount, note.currency)
                note.credit_display = amount_display(note.credit_amount, note.currency)
        return render(
            request,
            "invoicing/customer_detail.html",
            {
                "customer": customer,
                # The dashboard is in English, so the country's name is too.
                "billing_address": billing_address_lines(customer, locale="en"),
                "cards": contact_cards(
                    org=self.org,
                    customer=customer,
                    contacts=contacts,
                    consent_forms=consent_forms or {},
                ),
                "open_balances": figures(
                    customer_open_balance(org=self.org, customer_id=customer.pk)
                )
                or [Figure(zero_balance(customer.currency), customer.currency)],
                "overdue_balances": figures(
                    customer_overdue_balance(org=self.org, customer_id=customer.pk)
                ),
                "credits": figures(customer_credit_balance(org=self.org, customer_id=customer.pk)),
                "credit_limit": amount_display(customer.credit_limit, customer.currency)
                if customer.credit_limit is not None
                else None,
                "terms": terms,
                "terms_own": customer.payment_terms_id is not None
                or customer.payment_terms_days is not None,
                "terms_example": terms_example(
                    org=self.org, terms=terms, issue_date=today, currency=customer.currency
                ),
                "invoices": invoices,
                "recurring": recurring,
                "timeline": timeline,
                "note_form": note_form or CustomerNoteForm(),
            },
        )


def _detail_url(customer: Customer, anchor: str = "") -> str:
    return reverse("customer_detail", kwargs={"pk": customer.pk}) + (f"#{anchor}" if anchor else "")


class CustomerDetailView(_CustomerPageMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(request, customer_get(org=self.org, customer_id=pk))


class CustomerNoteAddView(_CustomerPageMixin, View):
    required_perm = Perm.OPERATE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = customer_get(org=self.org, customer_id=pk)
        form = CustomerNoteForm(request.POST)
        if form.is_valid():
            try:
                customer_note_add(
                    org=self.org,
                    actor=self.membership.user,
                    customer=customer,
                    body=form.cleaned_data["body"],
                )
            except ValidationError as exc:
                form.add_error("body", exc.messages)
            else:
                messages.success(request, "Note added.")
                return redirect(_detail_url(customer, "timeline"))
        return self.render_page(request, customer, note_form=form)


def _contact_get(org: Organization, customer: Customer, contact_pk: int) -> Contact:
    # Inside the customer, inside the organization: any other contact id is a 404.
    return get_object_or_404(contact_list(org=org, customer=customer), pk=contact_pk)


class CustomerConsentRecordView(_CustomerPageMixin, View):
    """The owner attests that the customer agreed to texts, and says how."""

    required_perm = Perm.OPERATE

    def post(self, request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
        customer = customer_get(org=self.org, customer_id=pk)
        contact = _contact_get(self.org, customer, contact_pk)
        anchor = f"contact-{contact.pk}"
        if not contact.phone:
            messages.error(request, f"{contact} has no phone number to text.")
            return redirect(_detail_url(customer, anchor))
        phone = str(contact.phone)
        form = SmsConsentForm(request.POST, auto_id=f"id_consent_{contact.pk}_%s")
        if not form.is_valid():
            return self.render_page(request, customer, consent_forms={contact.pk: form})
        if sms_consent_active(org=self.org, phone=phone):
            messages.info(request, f"Consent to text {phone_display(phone)} is already recorded.")
            return redirect(_detail_url(customer, anchor))
        try:
            sms_consent_record(
                org=self.org,
                phone=phone,
                method=ConsentMethod.OWNER_ATTESTED,
                customer_id=customer.pk,
                recorded_by=self.membership.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.render_page(request, customer, consent_forms={contact.pk: form})
        messages.success(request, f"Recorded consent to text {phone_display(phone)}.")
        return redirect(_detail_url(customer, anchor))


class CustomerConsentRevokeView(_CustomerPageMixin, View):
    required_perm = Perm.OPERATE

    def post(self, request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
        customer = customer_get(org=self.org, customer_id=pk)
        contact = _contact_get(self.org, customer, contact_pk)
        if contact.phone and sms_consent_revoke(org=self.org, phone=str(contact.phone)):
            messages.success(
                request,
                f"Consent withdrawn: no more texts to {phone_display(str(contact.phone))} "
                "until it is recorded again.",
            )
        else:
            messages.info(request, "There was no consent to withdraw.")
        return redirect(_detail_url(customer, f"contact-{contact.pk}"))
