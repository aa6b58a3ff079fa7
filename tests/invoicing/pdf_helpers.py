"""Reading PDFs in tests with poppler-utils (``pdftotext``, ``pdfinfo``, ``pdftoppm``), the
way a person would: the text on the page, the page count, the pages as pictures."""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from arhub import pdf as arhub_pdf
from arhub.models import Organization
from arhub.pdf import RestrictedFetcher
from invoicing.models import Invoice, TaxRate
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import TaxRateFactory, invoice_make

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


def pdf_text(pdf: bytes, *, layout: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), "-", "-"]
    result = subprocess.run(args, input=pdf, capture_output=True, check=True)
    return result.stdout.decode()


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


def pdf_words(pdf: bytes) -> str:
    """The text read two ways, each with every run of white space made one space, for phrase
    checks: as laid out (a table row stays on one line) and in reading order (a paragraph
    that wraps beside another column stays whole)."""
    return _squeeze(pdf_text(pdf, layout=True)) + "\n" + _squeeze(pdf_text(pdf))


def pdf_pages(pdf: bytes) -> int:
    result = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    match = re.search(r"^Pages:\s+(\d+)", result.stdout.decode(), re.MULTILINE)
    assert match, result.stdout
    return int(match.group(1))


def pdf_page_size(pdf: bytes) -> tuple[float, float]:
    """Width and height of the first page in points."""
    result = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    match = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", result.stdout.decode(), re.M)
    assert match, result.stdout
    return float(match.group(1)), float(match.group(2))


def pdf_to_png(pdf: bytes, out: Path, *, dpi: int = 60) -> list[Path]:
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-", str(out)], input=pdf, check=True)
    return sorted(out.parent.glob(out.name + "*.png"))


def styled_org(org: Organization) -> Organization:
    org.legal_name = f"{org.name} Ltd"
    org.address_line1 = "12 Harbour Street"
    org.city = "Bristol"
    org.postal_code = "BS1 4QA"
    org.country = "GB"
    org.tax_id = "GB123456789"
    org.brand_color = "#0f766e"
    org.locale = "en-GB"
    org.email_reply_to = "accounts@acme.test"
    org.save()
    return org


def sample_invoice(org: Organization, *, lines: int = 3, currency: str = "GBP") -> Invoice:
    vat = TaxRate.objects.for_org(org).filter(name="VAT").first() or TaxRateFactory(
        organization=org, name="VAT", percent="20"
    )
    customer = CustomerFactory(
        organization=org,
        display_name="Riverside Bakery",
        company="Riverside Bakery Holdings plc",
        currency=currency,
    )
    ContactFactory(customer=customer, name="Jo Baker", email="jo@riverside.test")
    specs = [
        (f"Boiler service visit {n + 1}, including parts and labour", "1.5", "80.00", [vat])
        for n in range(lines)
    ]
    return invoice_make(org, customer=customer, lines=specs, po_number="PO-7781")


class Listener:
    """A TCP server on 127.0.0.1 that counts the connections it accepts: the place an
    injected ``http://127.0.0.1:PORT/...`` would reach if anything fetched it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port: int = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(1)
                with contextlib.suppress(OSError):
                    conn.recv(65536)
                # Answer like a web server, so a fetcher that got here finishes quickly.
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/css\r\n\r\nbody{}")

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


class ConnectionSpy:
    """Records every outgoing connection and name lookup a process makes while active (and
    refuses them), so a test can say "nothing tried to reach the network"."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, allow: bool = False) -> None:
        self.attempts: list[str] = []
        real_connect = socket.socket.connect
        real_getaddrinfo = socket.getaddrinfo

        def connect(sock: socket.socket, address: object) -> None:
            self.attempts.append(f"connect {address!r}")
            if not allow:
                raise OSError("network refused by the test")
            real_connect(sock, address)  # type: ignore[arg-type]

        def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
            self.attempts.append(f"getaddrinfo {host!r}")
            if not allow:
                raise OSError("name lookup refused by the test")
            return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


class RecordingFetchers:
    """Every RestrictedFetcher made while active, to read what each rendering touched."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.made: list[RestrictedFetcher] = []
        made = self.made

        class Recording(RestrictedFetcher):
            def __init__(self) -> None:
                super().__init__()
                made.append(self)

        monkeypatch.setattr(arhub_pdf, "RestrictedFetcher", Recording)

    @property
    def allowed(self) -> list[str]:
        return [url for fetcher in self.made for url in fetcher.allowed]

    @property
    def refused(self) -> list[str]:
        return [url for fetcher in self.made for url in fetcher.refused]
