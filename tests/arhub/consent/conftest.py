from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from arhub.messaging import sms
from tests.arhub.consent.helpers import SHARED_NUMBER, SITE_URL, TWILIO_TOKEN


@pytest.fixture
def sms_outbox(settings: Any) -> Iterator[list[sms.SmsOutgoing]]:
    """Twilio configured as in production (token, public URL, shared number), texts kept in
    memory."""
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    settings.SITE_URL = SITE_URL
    settings.TWILIO_FROM_NUMBER = SHARED_NUMBER
    settings.SMS_BACKEND = "locmem"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()
