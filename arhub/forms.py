from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from arhub.locales import country_choices, currency_choices, locale_choices, timezone_choices
from arhub.models import Organization
from arhub.phones import phone_to_e164
from arhub.roles import Role

LOGO_MAX_BYTES = 1024 * 1024


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )


class _OrgBasicsMixin(forms.Form):
    currency = forms.ChoiceField(label="Default currency", choices=currency_choices, initial="USD")
    timezone = forms.ChoiceField(
        label="Time zone",
        choices=timezone_choices,
        initial="UTC",
        help_text="“Today” for due dates and reminders is counted in this zone.",
    )


class SignupForm(_OrgBasicsMixin, forms.Form):
    full_name = forms.CharField(
        label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters, not a common password, not all digits.",
    )
    org_name = forms.CharField(label="Business name", max_length=120)
    field_order = ["full_name", "email", "password", "org_name", "currency", "timezone"]


class OrganizationCreateForm(_OrgBasicsMixin, forms.Form):
    org_name = forms.CharField(label="Business name", max_length=120)
    field_order = ["org_name", "currency", "timezone"]


class OrganizationSettingsForm(forms.ModelForm[Organization]):
    default_currency = forms.ChoiceField(choices=currency_choices)
    timezone = forms.ChoiceField(label="Time zone", choices=timezone_choices)
    locale = forms.ChoiceField(
        choices=locale_choices, help_text="How dates and amounts are written."
    )
    country = forms.ChoiceField(choices=[("", "—"), *country_choices()], required=False)
    brand_color = forms.CharField(
        label="Brand colour", max_length=7, widget=forms.TextInput(attrs={"type": "color"})
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "legal_name",
            "tax_id",
            "address_line1",
            "address_line2",
            "city",
            "region",
            "postal_code",
            "country",
            "logo",
            "brand_color",
            "default_currency",
            "timezone",
            "locale",
            "email_from_name",
            "email_reply_to",
            "sms_from_number",
        ]
        widgets = {"logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"})}

    def clean_sms_from_number(self) -> str:
        raw = self.cleaned_data.get("sms_from_number", "").strip()
        if not raw:
            return ""
        try:
            return phone_to_e164(raw, region=self.cleaned_data.get("country") or None)
        except ValidationError as exc:
            raise ValidationError(
                f"{exc.messages[0]} Give the full number with its country code, e.g. +15551234567."
            ) from exc

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if not isinstance(logo, UploadedFile):
            return logo  # unchanged or cleared
        if logo.size is not None and logo.size > LOGO_MAX_BYTES:
            raise ValidationError("The logo must be 1 MB or smaller.")
        try:
            with Image.open(logo) as image:
                kind = image.format
                image.verify()
        except (UnidentifiedImageError, OSError) as exc:
            raise ValidationError("The logo must be a PNG or JPEG image.") from exc
        if kind not in {"PNG", "JPEG"}:
            raise ValidationError("The logo must be a PNG or JPEG image.")
        logo.seek(0)
        return logo


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.BILLING)

    def __init__(self, *args: Any, roles: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if roles is not None:
            self.fields["role"].choices = roles  # type: ignore[attr-defined]


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        max_length=80, help_text="What will use it, e.g. “Accounting export” or “Zapier”."
    )


class InvitationSignupForm(forms.Form):
    full_name = forms.CharField(label="Your name", max_length=150)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters, not a common password, not all digits.",
    )
