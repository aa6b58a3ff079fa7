"""arhub.pdf: the restricted URL fetcher, rendering and the content-keyed cache."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
import weasyprint
from django.core.cache import cache

from arhub import pdf
from arhub.pdf import (
    STATIC_BASE_URL,
    FetchRefused,
    RestrictedFetcher,
    image_data_url,
    pdf_cache_key,
    qr_svg_data_url,
    render_pdf,
    render_pdf_cached,
    static_file_for,
)
from tests.invoicing.pdf_helpers import (
    ConnectionSpy,
    Listener,
    RecordingFetchers,
    needs_poppler,
    pdf_words,
)

STATIC_CSS = STATIC_BASE_URL + "static/arhub/app.css"
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def test_data_urls_are_decoded_in_memory() -> None:
    fetcher = RestrictedFetcher()
    body, mime = fetcher.resolve("data:text/css;base64," + base64.b64encode(b"p{}").decode())
    assert (body, mime) == (b"p{}", "text/css")
    assert fetcher.allowed == ["data:text/css"]
    assert fetcher.refused == []


def test_our_static_files_are_read_from_disk() -> None:
    fetcher = RestrictedFetcher()
    body, mime = fetcher.resolve(STATIC_CSS)
    assert mime == "text/css"
    assert b"AR Hub" in body  # the stylesheet's first comment
    assert fetcher.allowed == [STATIC_CSS]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "http://10.0.0.1/x.css",
        "http://127.0.0.1:8000/static/arhub/app.css",  # our path, someone else's host
        "https://static.arhub.invalid.evil.test/static/arhub/app.css",
        "http://static.arhub.invalid/static/arhub/app.css",  # wrong scheme
        "ftp://10.0.0.1/x",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        STATIC_BASE_URL + "static/../../../etc/passwd",
        STATIC_BASE_URL + "static/%2e%2e/%2e%2e/etc/passwd",
        STATIC_BASE_URL + "static/arhub//app.css",
        STATIC_BASE_URL + "static/arhub/app.js",  # code is not a print resource
        STATIC_BASE_URL + "static/arhub/app.css?x=1",
        STATIC_BASE_URL + "etc/passwd",  # outside /static/
        STATIC_BASE_URL + "static/arhub/missing.css",
        "/etc/passwd",
        "",
    ],
)
def test_everything_else_is_refused_and_counted(url: str) -> None:
    fetcher = RestrictedFetcher()
    before = pdf.fetch_counts["refused"]
    with pytest.raises(FetchRefused):
        fetcher.resolve(url)
    assert fetcher.refused == [url]
    assert fetcher.allowed == []
    assert pdf.fetch_counts["refused"] == before + 1


def test_static_lookup_refuses_traversal_even_when_the_file_exists() -> None:
    assert static_file_for(STATIC_CSS) is not None
    assert static_file_for(STATIC_BASE_URL + "static/arhub/../arhub/app.css") is None


def attack_html(port: int) -> str:
    return f"""<!doctype html><html><head>
    <link rel="stylesheet" href="http://127.0.0.1:{port}/link.css">
    <link rel="stylesheet" href="http://10.0.0.1/x.css">
    <style>@import url(http://127.0.0.1:{port}/import.css);
      body {{ background: url(http://127.0.0.1:{port}/bg.png); }}
      @font-face {{ font-family: X; src: url(http://127.0.0.1:{port}/f.woff); }}</style>
    </head><body>
    <p>Hello</p>
    <img src="file:///etc/passwd">
    <img src="http://127.0.0.1:{port}/img.png">
    <object data="http://127.0.0.1:{port}/object"></object>
    <link rel="attachment" href="file:///etc/passwd">
    <svg width="10" height="10"><image href="http://127.0.0.1:{port}/svg.png"/></svg>
    </body></html>"""


@needs_poppler
def test_a_hostile_document_fetches_nothing_and_connects_nowhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Listener() as listener:
        spy = ConnectionSpy(monkeypatch)
        fetcher = RestrictedFetcher()
        out = render_pdf(attack_html(listener.port), fetcher=fetcher)

    assert out.startswith(b"%PDF-")
    assert "Hello" in pdf_words(out)
    assert "root:" not in pdf_words(out)
    assert listener.connections == 0
    assert spy.attempts == []
    assert fetcher.allowed == []
    refused = set(fetcher.refused)
    assert "file:///etc/passwd" in refused
    assert "http://10.0.0.1/x.css" in refused
    assert f"http://127.0.0.1:{listener.port}/import.css" in refused
    assert f"http://127.0.0.1:{listener.port}/img.png" in refused


@needs_poppler
def test_the_listener_does_see_weasyprints_own_fetcher() -> None:
    """Control: without our fetcher the same document reaches the listener, so the zero above
    means something."""
    with Listener() as listener:
        # Only the local URLs: WeasyPrint's fetcher would wait out a timeout on 10.0.0.1.
        html = (
            f"<style>@import url(http://127.0.0.1:{listener.port}/import.css);</style>"
            f'<img src="http://127.0.0.1:{listener.port}/img.png">'
        )
        weasyprint.HTML(string=html).write_pdf()
    assert listener.connections > 0


def test_a_static_stylesheet_and_a_data_image_are_used() -> None:
    fetcher = RestrictedFetcher()
    html = (
        '<link rel="stylesheet" href="/static/arhub/app.css">'
        f'<img src="{image_data_url(PNG_1PX)}"><p>Styled</p>'
    )
    assert render_pdf(html, fetcher=fetcher).startswith(b"%PDF-")
    assert fetcher.allowed == [STATIC_CSS, "data:image/png"]
    assert fetcher.refused == []


def count_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    rendered: list[str] = []
    real = weasyprint.HTML

    def spy(*args: Any, **kwargs: Any) -> Any:
        rendered.append(kwargs["string"])
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf.weasyprint, "HTML", spy)
    return rendered


def test_the_cache_renders_a_document_once(monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = count_renders(monkeypatch)
    first = render_pdf_cached("<p>Invoice one</p>")
    again = render_pdf_cached("<p>Invoice one</p>")
    assert first == again
    assert rendered == ["<p>Invoice one</p>"]

    other = render_pdf_cached("<p>Invoice two</p>")
    assert other != first
    assert rendered == ["<p>Invoice one</p>", "<p>Invoice two</p>"]


def test_the_key_is_the_content_and_the_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    key = pdf_cache_key("<p>a</p>")
    assert key == pdf_cache_key("<p>a</p>")
    assert key != pdf_cache_key("<p>b</p>")
    monkeypatch.setattr(pdf, "RENDER_VERSION", "2")
    assert key != pdf_cache_key("<p>a</p>")


def test_huge_pdfs_are_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = count_renders(monkeypatch)
    monkeypatch.setattr(pdf, "CACHE_MAX_BYTES", 10)
    render_pdf_cached("<p>Big</p>")
    render_pdf_cached("<p>Big</p>")
    assert len(rendered) == 2


def test_recording_fetchers_see_every_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    fetchers = RecordingFetchers(monkeypatch)
    render_pdf('<img src="file:///etc/passwd">')
    assert fetchers.refused == ["file:///etc/passwd"]


def test_qr_code_is_an_svg_data_url() -> None:
    url = qr_svg_data_url("https://example.test/pay/p123")
    assert url.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(url.split(",", 1)[1])
    assert svg.startswith(b"<svg") and b"<path" in svg


def test_only_png_and_jpeg_become_images() -> None:
    assert (image_data_url(PNG_1PX) or "").startswith("data:image/png;base64,")
    assert (image_data_url(b"\xff\xd8\xff\xe0rest") or "").startswith("data:image/jpeg;")
    assert image_data_url(b"<svg onload=alert(1)>") is None
    assert image_data_url(b"GIF89a") is None
