"""``/webhooks/sms/``: Twilio's delivery status callbacks and inbound texts, one URL for both.

Twilio signs each request (``X-Twilio-Signature``: HMAC-SHA1 with the account's auth token over
the URL it called and the POST parameters). The URL checked is ``SITE_URL`` + the request's path
and query, not the Host the request arrived with: behind a TLS-terminating proxy or a load
balancer the Host and scheme Django sees differ from what Twilio called, and a signature is
valid only for the exact public URL. So ``SITE_URL`` must be the origin configured in Twilio's
console (e.g. ``https://arhub.example.com``).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from arhub.messaging.inbound import sms_inbound_receive, sms_status_apply

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def twilio_signature_valid(request: HttpRequest) -> bool:
    token = getattr(settings, "TWILIO_AUTH_TOKEN", "")
    signature = request.headers.get("X-Twilio-Signature", "")
    # Without a token every signature would be an HMAC under the empty key, which anyone can
    # compute: refuse rather than accept the world.
    if not token or not signature:
        return False
    url = settings.SITE_URL + request.get_full_path()
    return bool(RequestValidator(token).validate(url, request.POST, signature))


@csrf_exempt  # Twilio cannot send a CSRF token; the signature is the credential.
@require_POST
def webhook_sms(request: HttpRequest) -> HttpResponse:
    if not twilio_signature_valid(request):
        logger.warning("Refused an SMS webhook with a missing or bad Twilio signature")
        return HttpResponseForbidden("Bad signature", content_type="text/plain")
    params = request.POST
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    if not sid:
        return HttpResponseBadRequest("MessageSid is missing", content_type="text/plain")
    # Inbound texts carry SmsStatus "received" and a Body; status callbacks carry
    # MessageStatus (queued, sent, delivered, undelivered, failed, ...).
    status = params.get("MessageStatus") or params.get("SmsStatus") or ""
    if status == "received" or (not status and "Body" in params):
        sms_inbound_receive(
            provider_message_id=sid,
            from_number=params.get("From", ""),
            to_number=params.get("To", ""),
            body=params.get("Body", ""),
        )
    elif status:
        sms_status_apply(
            provider_message_id=sid, status=status, error_code=params.get("ErrorCode", "")
        )
    # Replies go out through the API (and the message log), never as TwiML.
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
