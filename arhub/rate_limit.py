"""A per-minute request budget kept in Django's cache (Redis in production, shared by every web
process), for the public pages whose URL is the credential (pay and statement links).

A fixed window: each ``scope`` and client gets ``limit`` hits per clock minute; the counter is
created with ``add`` (atomic: only the first request of the window makes it) and counted up
with ``incr`` (atomic in Redis), so concurrent requests never share one slot. The window's
counter expires by itself shortly after it ends; nothing sweeps. A client over the budget is
told how many seconds remain in the window (``Retry-After``).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    # Seconds until the window ends and the client may try again (1 at least).
    retry_after: int


def rate_limit_hit(*, scope: str, client: str, limit: int) -> RateDecision:
    """Count one request of ``client`` (an IP address, say) against ``limit`` per minute."""
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    # The client's address is hashed so the cache never holds it in clear.
    who = hashlib.sha256(client.encode()).hexdigest()[:24]
    key = f"rate:{scope}:{who}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: this request starts the window again
        cache.add(key, 1, timeout=WINDOW_SECONDS + 5)
        count = 1
    retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
    return RateDecision(allowed=count <= limit, retry_after=retry_after)
