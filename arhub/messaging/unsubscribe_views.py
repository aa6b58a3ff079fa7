"""``/u/<token>/``: the unsubscribe link every customer email carries (``List-Unsubscribe``).

GET shows the preference page and changes nothing (mail scanners and link previews fetch
links). POST from the page saves the choices; an RFC 8058 one-click POST
(``List-Unsubscribe=One-Click``, sent by the mail client with no cookies) stops reminders.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from arhub.messaging.unsubscribe import (
    PreferenceChange,
    mask_phone,
    unsubscribe_one_click,
    unsubscribe_org,
    unsubscribe_preferences,
    unsubscribe_preferences_save,
    unsubscribe_target,
)
from arhub.models import Channel, Organization, SuppressionScope

_WHAT: dict[str, str] = {
    SuppressionScope.REMINDERS: "payment reminders",
    SuppressionScope.RECEIPTS: "receipts",
}


def _sentence(org: Organization, change: PreferenceChange) -> str:
    preference = change.preference
    what = _WHAT.get(preference.scope, "messages")
    if preference.channel == Channel.EMAIL:
        where = "at this address"
    else:
        where = f"by text message to {mask_phone(preference.address)}"
    if change.receiving:
        return f"You'll get {what} from {org.name} {where} again."
    return f"You won't get {what} from {org.name} {where} any more."


def _private(response: HttpResponse) -> HttpResponse:
    # The token in the URL is the credential: never send it on in a Referer, never keep the
    # page in a shared cache, never index it.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# Exempt from CSRF because a one-click unsubscribe arrives from the mail client with no cookie
# and no token. That is safe: the signed link is the credential, and whoever holds it can do
# no more than the customer's own preference page allows.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    target = unsubscribe_target(token)
    org = unsubscribe_org(target) if target is not None else None
    if target is None or org is None:
        return _private(render(request, "messaging/unsubscribe_invalid.html", status=404))

    sentences: list[str] = []
    saved = False
    status = 200
    if request.method == "POST":
        if request.POST.get("List-Unsubscribe") == "One-Click":
            unsubscribe_one_click(org=org, target=target)
            where = "at this address" if target.channel == Channel.EMAIL else "by text message"
            sentences = [f"You won't get payment reminders from {org.name} {where} any more."]
            saved = True
        elif request.POST.get("form") == "preferences":
            changes = unsubscribe_preferences_save(
                org=org, target=target, receiving=set(request.POST.getlist("receive"))
            )
            sentences = [_sentence(org, change) for change in changes]
            saved = True
        else:
            status = 400

    context = {
        "org": org,
        "preferences": unsubscribe_preferences(org=org, target=target),
        "is_email": target.channel == Channel.EMAIL,
        "saved": saved,
        "sentences": sentences,
        "bad_request": status == 400,
    }
    return _private(render(request, "messaging/unsubscribe.html", context, status=status))
