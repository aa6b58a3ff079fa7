"""The customer page: contact cards with consent and suppression, balances, invoices, the
timeline, notes, and recording or revoking SMS consent."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from arhub.clock import org_today
from arhub.form_errors import form_add_service_errors
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
from invoicing.customer_display import (
    Figure,
    amount_display,
    figures,
    phone_display,
    zero_balance,
)
from invoicing.forms import (
    CustomerNoteForm,
    SmsConsentForm,
)
from invoicing.invoice_selectors import customer_open_balance
from invoicing.models import Contact, Customer
from invoicing.page_sections import customer_sections
from invoicing.selectors import (
    contact_list,
    customer_credit_balance,
    customer_get,
    customer_invoices_recent,
    customer_overdue_balance,
    customer_recurring_upcoming,
    customer_timeline,
)
from invoicing.services import customer_note_add
from invoicing.settings_selectors import terms_example
from invoicing.terms import terms_for_customer

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
                # What the apps above invoicing show here (payments, …).
                "sections": customer_sections(
                    org=self.org, membership=self.membership, customer=customer
                ),
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
