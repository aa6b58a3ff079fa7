"""What every public payment page answers with: the privacy headers, and the three pages shown
instead of an invoice (a link that no longer works, a pay session that timed out, too many link
lookups from one address).

The link's token is the credential, so these responses are never kept in a shared cache, never
indexed, and never leak their address in a Referer. Django logs every 4xx response with its
path, which for ``/pay/<token>/`` is the token; the refusals here are logged by us, without the
path, and marked so Django does not log them again.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from arhub.client_ip import client_ip
from arhub.models import Organization
from arhub.rate_limit import rate_limit_hit
from invoicing.pdf_context import brand_for
from payments.pay_labels import words_for

logger = logging.getLogger(__name__)


def private(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _unlogged(response: HttpResponse) -> HttpResponse:
    # Read by django.utils.log.log_response: the request path (the token) stays out of the log.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return private(response)


def invalid_page(
    request: HttpRequest, *, org: Organization | None, language: str = "en"
) -> HttpResponse:
    """One page for every link that opens nothing: made up, revoked, or for an invoice that was
    voided, written off or never issued. It names the business only when the link was one of
    theirs, so a guessed token learns nothing."""
    words = words_for(language)
    if org is None:
        message = words["invalid_unknown"]
    elif org.email_reply_to:
        message = words["invalid_contact_email"].format(org=org.name, email=org.email_reply_to)
    else:
        message = words["invalid_contact"].format(org=org.name)
    context = {
        "org": org,
        "brand": brand_for(org) if org is not None else None,
        "words": words,
        "language": language,
        "message": message,
    }
    logger.info("public payment link refused (%s)", "ours" if org else "unknown")
    return _unlogged(render(request, "payments/pay_invalid.html", context, status=404))


def timed_out_page(request: HttpRequest, *, language: str = "en") -> HttpResponse:
    words = words_for(language)
    context = {
        "words": words,
        "language": language,
        "message": words["timed_out_body"].format(minutes=settings.PAY_SESSION_MINUTES),
    }
    return _unlogged(render(request, "payments/pay_timed_out.html", context, status=404))


def link_rate_limited(request: HttpRequest) -> HttpResponse | None:
    """The polite 429 when this address opened too many links this minute; None otherwise."""
    decision = rate_limit_hit(
        scope="pay-link",
        client=client_ip(request) or "unknown",
        limit=settings.PAY_LINK_RATE_PER_MINUTE,
    )
    if decision.allowed:
        return None
    logger.warning("public payment link lookups rate-limited for one client")
    words = words_for("en")
    context = {"words": words, "language": "en", "spanish": words_for("es")}
    response = render(request, "payments/pay_too_many.html", context, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return _unlogged(response)
