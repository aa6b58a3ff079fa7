"""HTML to PDF with WeasyPrint, fetching nothing but what we ship.

A PDF template prints text our users typed (customer names, line descriptions, notes) and is
rendered on the server, so WeasyPrint's default URL fetcher would be a server-side request
forgery waiting to happen: an ``<img src="file:///etc/passwd">`` or a stylesheet on an internal
address would be read with the server's rights. Templates escape that text, and on top of that
the one fetcher WeasyPrint gets here (:class:`RestrictedFetcher`) allows exactly two things:

* ``data:`` URLs (the logo and the QR code are embedded that way), and
* our own static files: ``/static/...`` (resolved against :data:`STATIC_BASE_URL`, a reserved
  ``.invalid`` host) read from disk through the staticfiles finders or the collected files.

Everything else (``http(s)`` to any other host, ``file:``, ``ftp:``, paths outside ``/static/``,
``..``) raises :class:`FetchRefused` before any socket or file is opened; WeasyPrint logs it and
leaves the resource out. Refusals are logged and counted in :data:`fetch_counts`.

Rendered PDFs are cached by content (:func:`render_pdf_cached`): the key is a hash of the HTML,
so the same document is rendered once and any change to it is a new key. They go to Django's
cache (Redis in production) rather than to file storage: since a key names exact content, an
old entry is never wrong, only unused, and the cache's TTL forgets it with no clean-up job;
in storage every version of every invoice would stay until something swept it. A miss (Redis
restarted, entry expired) costs one render, a few hundred milliseconds.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import posixpath
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request

import segno
import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

try:  # WeasyPrint 70 wants a response object; earlier versions take a dict.
    from weasyprint.urls import URLFetcherResponse
except ImportError:  # pragma: no cover - WeasyPrint < 70
    URLFetcherResponse = None

logger = logging.getLogger(__name__)

# The base URL documents are rendered against, so "/static/x.css" becomes an absolute URL the
# fetcher recognises. ".invalid" never resolves (RFC 2606), and the fetcher never asks DNS.
STATIC_BASE_URL = "https://static.arhub.invalid/"

# What a static file may be: stylesheets, images and fonts. Never code, never data.
STATIC_TYPES = {
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}

# Allowed and refused fetches since the process started, for logs and tests.
fetch_counts: Counter[str] = Counter()

# Bump when a change outside the HTML (how it is rendered) should invalidate every cached PDF.
# WeasyPrint's version is part of the key as well.
RENDER_VERSION = "1"
CACHE_PREFIX = "pdf:"
# A cached PDF is only ever served for the exact same HTML, so a long life is safe; the TTL
# just lets Redis forget documents nobody downloads any more.
CACHE_SECONDS = 7 * 24 * 3600
# Bigger PDFs (a huge logo on a 500-line invoice) are rendered each time rather than kept.
CACHE_MAX_BYTES = 5 * 1024 * 1024


class FetchRefused(ValueError):
    """A URL the PDF renderer may not fetch."""


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "..."


def static_file_for(url: str) -> Path | None:
    """The file on disk an allowed static URL names, or None. Only ``STATIC_BASE_URL`` +
    ``STATIC_URL`` (or an absolute ``STATIC_URL``) prefixes, no ``..``, known file types."""
    static_url = settings.STATIC_URL or "/static/"
    base = urlsplit(STATIC_BASE_URL)
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        return None
    if static_url.startswith(("http://", "https://")):
        if not url.startswith(static_url):
            return None
        name = unquote(url[len(static_url) :])
    else:
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            return None
        path = unquote(parts.path)
        if not path.startswith(static_url):
            return None
        name = path[len(static_url) :]
    segments = name.split("/")
    if not name or "\\" in name or "\x00" in name or any(s in ("", ".", "..") for s in segments):
        return None
    if posixpath.splitext(name)[1].lower() not in STATIC_TYPES:
        return None
    # The apps' own folders first (development, tests), then the collected files (production,
    # where {% static %} may give a hashed name only the collected copy has).
    found = finders.find(name)
    if isinstance(found, list):
        found = found[0] if found else None
    if found:
        return Path(found)
    try:
        if staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
    except (NotImplementedError, ValueError, ImproperlyConfigured):
        # Remote storage, a name outside its root, or no STATIC_ROOT (tests, development).
        return None
    return None


class RestrictedFetcher:
    """WeasyPrint's ``url_fetcher``: ``data:`` URLs and our static files, nothing else.

    Each instance records what it allowed and refused, so a caller (or a test) can see exactly
    what one rendering touched.
    """

    # Read by WeasyPrint 70 when a fetch fails: refusals are warnings, never a failed render.
    _fail_on_errors = False

    def __init__(self) -> None:
        self.allowed: list[str] = []
        self.refused: list[str] = []

    def resolve(self, url: str) -> tuple[bytes, str]:
        """The bytes and media type ``url`` stands for, or FetchRefused."""
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            # Decoded in memory by urllib's data: handler; no other scheme gets this far.
            with DataHandler().data_open(Request(url)) as response:  # noqa: S310
                body = response.read()
                mime = response.headers.get_content_type()
            fetch_counts["data"] += 1
            self.allowed.append("data:" + mime)
            return body, mime
        path = static_file_for(url)
        if path is not None:
            body = path.read_bytes()
            mime = STATIC_TYPES[path.suffix.lower()]
            fetch_counts["static"] += 1
            self.allowed.append(url)
            return body, mime
        fetch_counts["refused"] += 1
        self.refused.append(url)
        logger.warning("PDF rendering refused to fetch %s", _short(url))
        raise FetchRefused(f"not allowed in a PDF: {_short(url)}")

    def __call__(self, url: str) -> Any:
        body, mime = self.resolve(url)
        if URLFetcherResponse is not None:
            return URLFetcherResponse(url, body, {"Content-Type": mime})
        return {"string": body, "mime_type": mime, "redirected_url": url}  # pragma: no cover


def render_pdf(html: str, *, fetcher: RestrictedFetcher | None = None) -> bytes:
    """``html`` as PDF bytes, every resource through a :class:`RestrictedFetcher`."""
    fetcher = fetcher or RestrictedFetcher()
    document = weasyprint.HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher)
    pdf = document.write_pdf()
    if fetcher.refused:
        logger.warning("PDF rendered without %d refused resource(s)", len(fetcher.refused))
    assert isinstance(pdf, bytes)
    return pdf


def pdf_cache_key(html: str) -> str:
    digest = hashlib.sha256()
    for part in (RENDER_VERSION, weasyprint.__version__, html):
        digest.update(part.encode())
        digest.update(b"\0")
    return CACHE_PREFIX + digest.hexdigest()


def render_pdf_cached(html: str) -> bytes:
    """``render_pdf(html)``, kept in the cache under a hash of ``html``: the same document
    is rendered once, and anything that changes the HTML (a status, an amount, a logo) gets a
    fresh key, so a stale PDF is never served and nothing needs invalidating."""
    key = pdf_cache_key(html)
    cached = cache.get(key)
    if isinstance(cached, bytes):
        return cached
    pdf = render_pdf(html)
    if len(pdf) <= CACHE_MAX_BYTES:
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf


def data_url(content: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


def qr_svg_data_url(text: str, *, colour: str = "#000000") -> str:
    """A QR code of ``text`` as an SVG ``data:`` URL (no quiet-zone border: the layout gives it
    white space of its own)."""
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(
        out, kind="svg", border=0, dark=colour, xmldecl=False, svgns=True, scale=4
    )
    return data_url(out.getvalue(), "image/svg+xml")


def image_data_url(content: bytes) -> str | None:
    """A PNG or JPEG as a ``data:`` URL, or None for anything else."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return data_url(content, "image/png")
    if content.startswith(b"\xff\xd8\xff"):
        return data_url(content, "image/jpeg")
    return None
