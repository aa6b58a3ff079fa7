"""Pay sessions: the emailed link's token traded for a short-lived grant in the visitor's own
Django session, so the token appears in one request only.

The first visit to ``/pay/<token>/`` (or ``/statement/<token>/``) checks the token and stores a
grant under a fresh random key; the visitor is then redirected to ``/pay/v/<key>/``. That key
means nothing outside this browser's session: copied into another browser, logged by a proxy or
sent on in a Referer it opens nothing. A grant names exactly one invoice (or one customer, for
the statement) of one organization, and the link it came from, so revoking the link ends it too.
It expires ``settings.PAY_SESSION_MINUTES`` after its last use (sliding); an expired grant is
kept a day longer, only so the "timed out" page can speak the customer's language.

Grants live in the session as plain JSON; a session holds at most ``MAX_GRANTS`` of them.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass, replace
from typing import Any

from django.conf import settings
from django.http import HttpRequest

SESSION_KEY = "arhub_pay_grants"
MAX_GRANTS = 20
KEEP_EXPIRED_SECONDS = 24 * 3600


class GrantKind:
    INVOICE = "invoice"
    CUSTOMER = "customer"


@dataclass(frozen=True)
class PayGrant:
    key: str
    kind: str
    org: int
    # The invoice (kind invoice) or customer (kind customer) the grant opens.
    subject: int
    # The PayLink or StatementLink it was made from.
    link: int
    language: str
    expires: float
    # A one-time notice for the next page view ("confirming", "cancelled").
    notice: str = ""

    @property
    def expired(self) -> bool:
        return self.expires <= time.time()


def _lifetime() -> float:
    return float(settings.PAY_SESSION_MINUTES * 60)


def _stored(request: HttpRequest) -> dict[str, dict[str, Any]]:
    raw = request.session.get(SESSION_KEY)
    return raw if isinstance(raw, dict) else {}


def _read(key: str, raw: dict[str, Any]) -> PayGrant | None:
    try:
        return PayGrant(
            key=key,
            kind=str(raw["kind"]),
            org=int(raw["org"]),
            subject=int(raw["subject"]),
            link=int(raw["link"]),
            language=str(raw.get("language", "en")),
            expires=float(raw["expires"]),
            notice=str(raw.get("notice", "")),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _save(request: HttpRequest, grants: dict[str, PayGrant]) -> None:
    """Write back, forgetting grants long expired and, past ``MAX_GRANTS``, the oldest."""
    now = time.time()
    kept = [g for g in grants.values() if g.expires > now - KEEP_EXPIRED_SECONDS]
    kept.sort(key=lambda g: g.expires, reverse=True)
    request.session[SESSION_KEY] = {
        g.key: {name: value for name, value in asdict(g).items() if name != "key"}
        for g in kept[:MAX_GRANTS]
    }


def _all(request: HttpRequest) -> dict[str, PayGrant]:
    grants = {}
    for key, raw in _stored(request).items():
        grant = _read(key, raw) if isinstance(raw, dict) else None
        if grant is not None:
            grants[key] = grant
    return grants


def grant_open(
    request: HttpRequest, *, kind: str, org: int, subject: int, link: int, language: str
) -> PayGrant:
    """A live grant for this subject: the one this browser already holds (so the address stays
    the same when the link is opened twice), refreshed, or a new one."""
    grants = _all(request)
    expires = time.time() + _lifetime()
    for grant in grants.values():
        same = (grant.kind, grant.org, grant.subject, grant.link) == (kind, org, subject, link)
        if same and not grant.expired:
            grants[grant.key] = replace(grant, expires=expires, language=language)
            _save(request, grants)
            return grants[grant.key]
    key = secrets.token_urlsafe(16)
    grants[key] = PayGrant(
        key=key,
        kind=kind,
        org=org,
        subject=subject,
        link=link,
        language=language,
        expires=expires,
    )
    _save(request, grants)
    return grants[key]


def grant_find(request: HttpRequest, key: str, *, kind: str) -> PayGrant | None:
    """The grant under ``key`` of that kind in this browser's session, expired or not."""
    grant = _all(request).get(key)
    return grant if grant is not None and grant.kind == kind else None


def grant_use(request: HttpRequest, grant: PayGrant) -> str:
    """The grant was used just now: its clock starts again, and the notice waiting for it (if
    any) is handed over, once."""
    grants = _all(request)
    grants[grant.key] = replace(grant, expires=time.time() + _lifetime(), notice="")
    _save(request, grants)
    return grant.notice


def grant_notice_set(request: HttpRequest, grant: PayGrant, notice: str) -> None:
    grants = _all(request)
    grants[grant.key] = replace(grant, notice=notice)
    _save(request, grants)


def grants_live(request: HttpRequest) -> list[PayGrant]:
    """Every unexpired grant of this browser, newest first."""
    live = [grant for grant in _all(request).values() if not grant.expired]
    return sorted(live, key=lambda g: g.expires, reverse=True)
