"""Phone numbers in E.164, the one form we store, send to and compare."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError


def phone_to_e164(raw: str, *, region: str | None) -> str:
    """A valid number in E.164, reading national numbers in ``region`` (ISO 3166 country)."""
    try:
        number = phonenumbers.parse(raw, region or None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(f"“{raw}” is not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(f"“{raw}” is not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
