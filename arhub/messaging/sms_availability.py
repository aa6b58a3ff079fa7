"""Whether an organization can send SMS at all, asked before an owner plans texts (a reminder
step by SMS) rather than discovered when the first one fails.

The development and test backends (``console``, ``locmem``) always can. Twilio can when there
is a number to send from: the organization's own (Settings) or the deployment's shared
``TWILIO_FROM_NUMBER``. A backend given by dotted path is the operator's own choice and is
trusted to work, as ``arhub.messaging.sms.sms_backend`` trusts it.
"""

from __future__ import annotations

from django.conf import settings

from arhub.messaging.channels import sms_sender
from arhub.models import Organization

ALWAYS_AVAILABLE = frozenset({"console", "locmem"})

NO_SMS_PROVIDER = (
    "Your organization cannot send text messages yet: add the number they come from under "
    "Settings → SMS sender number, or send this step by email."
)


def sms_available(org: Organization) -> bool:
    backend = settings.SMS_BACKEND
    if backend in ALWAYS_AVAILABLE:
        return True
    if backend == "twilio":
        return bool(sms_sender(org))
    return "." in backend
