"""Settings -> Messages: the owner's wording for each kind of message, with a live preview on a
real customer. Reading needs VIEW; changing the wording needs MANAGE_SETTINGS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views import View

from arhub.form_errors import form_add_service_errors
from arhub.messaging.defaults import LANGUAGES
from arhub.messaging.forms import MessageTemplateForm
from arhub.messaging.placeholders import (
    PlaceholderError,
    format_amount,
    format_day,
    sample_values,
    value_locale,
)
from arhub.messaging.selectors import (
    TemplateText,
    message_contact_for,
    message_customer_get,
    message_template_effective,
    message_template_overview,
)
from arhub.messaging.services import (
    message_compose,
    message_template_reset,
    message_template_save,
)
from arhub.messaging.sms import SmsLength, sms_length
from arhub.models import Channel, Message, MessageKind, Organization
from arhub.permissions import OrgViewMixin, membership_allows
from arhub.roles import Perm

if TYPE_CHECKING:
    from invoicing.models import Customer, Invoice

LANGUAGE_NAMES = dict(LANGUAGES)


@dataclass(frozen=True)
class TemplateKey:
    kind: str
    channel: str
    language: str

    @property
    def title(self) -> str:
        return (
            f"{MessageKind(self.kind).label} · {Channel(self.channel).label} · "
            f"{LANGUAGE_NAMES[self.language]}"
        )

    @property
    def args(self) -> tuple[str, str, str]:
        return (self.kind, self.channel, self.language)


def template_key(kind: str, channel: str, language: str) -> TemplateKey:
    if kind not in MessageKind.values or channel not in Channel.values:
        raise Http404("No such message.")
    if language not in LANGUAGE_NAMES:
        raise Http404("No such language.")
    return TemplateKey(kind, channel, language)


# ---- The preview


@dataclass(frozen=True)
class Preview:
    customer_name: str
    recipient: str
    subject: str
    text: str
    html: SafeString
    sms: SmsLength | None

    def as_json(self) -> dict[str, Any]:
        return {
            "customer": self.customer_name,
            "recipient": self.recipient,
            "subject": self.subject,
            "text": self.text,
            "html": str(self.html),
            "sms": (
                {
                    "characters": self.sms.characters,
                    "segments": self.sms.segments,
                    "unicode": self.sms.unicode,
                }
                if self.sms
                else None
            ),
        }


def _sample_customer(org: Organization, language: str) -> Customer:
    # Never saved: lets an organization without customers yet see its wording filled in.
    customer_model = cast("type[Customer]", Message._meta.get_field("customer").related_model)
    return customer_model(
        organization=org,
        display_name="Bright Dental",
        language=language,
        currency=org.default_currency,
    )


def _invoice_values(
    *, org: Organization, customer: Customer, today: date, short: bool
) -> dict[str, str]:
    """The customer's latest issued invoice's own figures, so the preview shows what this
    customer would really read; the pay link stays a sample (a live one does not belong on a
    settings page). Empty when the customer has no issued invoice."""
    invoice_model = cast("type[Invoice]", Message._meta.get_field("invoice").related_model)
    invoice = (
        invoice_model.objects.for_org(org)
        .filter(customer=customer)
        .exclude(number="")
        .order_by("-issue_date", "-id")
        .first()
    )
    if invoice is None or invoice.due_date is None:
        return {}
    locale = value_locale(org=org, language=customer.language)
    return {
        "invoice_number": invoice.number,
        "invoice_total": format_amount(invoice.total, invoice.currency, locale=locale),
        "amount_due": format_amount(invoice.balance_due, invoice.currency, locale=locale),
        "due_date": format_day(invoice.due_date, locale=locale, short=short),
        "days_overdue": str(max((today - invoice.due_date).days, 0)),
    }


def preview_build(
    *, org: Organization, key: TemplateKey, subject: str, body: str, customer_id: int | None
) -> Preview:
    """The wording filled in for one customer, as the message would go out. Raises Http404 for
    a customer outside the organization and PlaceholderError for wording that cannot render."""
    if customer_id is None:
        customer, contact = _sample_customer(org, key.language), None
    else:
        customer = message_customer_get(org=org, customer_id=customer_id)
        contact = message_contact_for(customer=customer, kind=key.kind, channel=key.channel)
    recipient = ""
    if contact is not None:
        recipient = (
            contact.email
            if key.channel == Channel.EMAIL
            else (contact.phone.as_e164 if contact.phone else "")
        )
    today = timezone.localdate(timezone=ZoneInfo(org.timezone))
    values = sample_values(
        org=org,
        language=key.language,
        currency=customer.currency or org.default_currency,
        today=today,
        short_dates=key.channel == Channel.SMS,
    )
    if customer.pk is not None:
        values.update(
            _invoice_values(
                org=org, customer=customer, today=today, short=key.channel == Channel.SMS
            )
        )
    composed = message_compose(
        org=org,
        customer=customer,
        contact=contact,
        channel=key.channel,
        recipient=recipient or "customer@example.com",
        subject=subject,
        body=body,
        values=values,
        unsubscribe_link=settings.SITE_URL + "/u/sample-link/",
    )
    # The dashboard's CSP forbids the inline styles of the full email, so the page shows the
    # wording as HTML and the text part exactly as sent.
    return Preview(
        customer_name=customer.display_name,
        recipient=recipient,
        subject=composed.subject,
        text=composed.body_text,
        html=mark_safe(composed.fragment),  # noqa: S308 - render() escaped every character
        sms=sms_length(composed.body_text) if key.channel == Channel.SMS else None,
    )


# ---- Views


class MessageTemplateListView(OrgViewMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        rows = [
            (MessageKind(cells[0].kind).label, [(cell, _column(cell)) for cell in cells])
            for cells in message_template_overview(org=self.org)
        ]
        return render(request, "messaging/templates.html", {"rows": rows, "columns": rows[0][1]})


class MessageTemplateEditView(OrgViewMixin, View):
    required_perms = {"POST": Perm.MANAGE_SETTINGS}

    def _render(
        self,
        request: HttpRequest,
        key: TemplateKey,
        form: MessageTemplateForm,
        preview: Preview | None = None,
        preview_error: str = "",
    ) -> HttpResponse:
        may_edit = membership_allows(self.membership, Perm.MANAGE_SETTINGS)
        if not may_edit:
            for name, field in form.fields.items():
                field.disabled = name != "customer"
        return render(
            request,
            "messaging/template_edit.html",
            {
                "key": key,
                "form": form,
                "current": self._current(key),
                "may_edit": may_edit,
                "preview": preview,
                "preview_error": preview_error,
            },
        )

    def _current(self, key: TemplateKey) -> TemplateText:
        return message_template_effective(
            org=self.org, kind=key.kind, channel=key.channel, language=key.language
        )

    def _form(self, key: TemplateKey, data: Any = None, **kwargs: Any) -> MessageTemplateForm:
        return MessageTemplateForm(data, org=self.org, kind=key.kind, channel=key.channel, **kwargs)

    def get(self, request: HttpRequest, kind: str, channel: str, language: str) -> HttpResponse:
        key = template_key(kind, channel, language)
        current = self._current(key)
        customer_id = _customer_param(request.GET.get("customer"))
        form = self._form(
            key,
            initial={"subject": current.subject, "body": current.body, "customer": customer_id},
        )
        preview, error = None, ""
        if "customer" in request.GET:
            # The Preview button without JavaScript, for those who may not edit.
            preview, error = self._preview(key, current.subject, current.body, customer_id)
        return self._render(request, key, form, preview, error)

    def post(self, request: HttpRequest, kind: str, channel: str, language: str) -> HttpResponse:
        key = template_key(kind, channel, language)
        form = self._form(key, request.POST)
        if request.POST.get("action") == "preview":
            # The Preview button without JavaScript: show it, save nothing.
            if not form.is_valid():
                return self._render(request, key, form)
            preview, error = self._preview(
                key,
                form.cleaned_data.get("subject", ""),
                form.cleaned_data["body"],
                form.cleaned_data.get("customer"),
            )
            return self._render(request, key, form, preview, error)
        if not form.is_valid():
            return self._render(request, key, form)
        try:
            message_template_save(
                org=self.org,
                actor=self.membership.user,
                kind=key.kind,
                channel=key.channel,
                language=key.language,
                subject=form.cleaned_data.get("subject", ""),
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self._render(request, key, form)
        messages.success(request, f"Saved your wording for {key.title}.")
        return redirect("message_template_edit", *key.args)

    def _preview(
        self, key: TemplateKey, subject: str, body: str, customer_id: int | None
    ) -> tuple[Preview | None, str]:
        try:
            preview = preview_build(
                org=self.org, key=key, subject=subject, body=body, customer_id=customer_id
            )
        except PlaceholderError as exc:
            return None, str(exc)
        return preview, ""


class MessageTemplatePreviewView(OrgViewMixin, View):
    """JSON for the live preview. Reading is enough: it renders, it saves nothing."""

    required_perms = {"POST": Perm.VIEW}

    def post(self, request: HttpRequest, kind: str, channel: str, language: str) -> HttpResponse:
        key = template_key(kind, channel, language)
        form = MessageTemplateForm(request.POST, org=self.org, kind=key.kind, channel=key.channel)
        if not form.is_valid():
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        try:
            preview = preview_build(
                org=self.org,
                key=key,
                subject=form.cleaned_data.get("subject", ""),
                body=form.cleaned_data["body"],
                customer_id=form.cleaned_data.get("customer"),
            )
        except PlaceholderError as exc:
            return JsonResponse({"errors": {"body": [{"message": str(exc)}]}}, status=400)
        return JsonResponse({"preview": preview.as_json()})


class MessageTemplateResetView(OrgViewMixin, View):
    required_perm = Perm.MANAGE_SETTINGS

    def post(self, request: HttpRequest, kind: str, channel: str, language: str) -> HttpResponse:
        key = template_key(kind, channel, language)
        if message_template_reset(
            org=self.org,
            actor=self.membership.user,
            kind=key.kind,
            channel=key.channel,
            language=key.language,
        ):
            messages.success(request, f"{key.title} is back to the built-in wording.")
        return redirect("message_template_edit", *key.args)


def _column(cell: TemplateText) -> str:
    return f"{Channel(cell.channel).label} · {LANGUAGE_NAMES[cell.language]}"


def _customer_param(raw: str | None) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Http404("No such customer.") from None
