"""A local stand-in for the few Stripe API calls AR Hub makes, so the official ``stripe`` client
runs its real code path (form encoding, idempotency header, error mapping) against it.

It answers ``GET /v1/account`` and ``POST /v1/checkout/sessions`` (replaying the first answer
for a repeated ``Idempotency-Key``, as Stripe does), and serves a stand-in hosted Checkout page
at ``/checkout/<id>`` whose "Pay" link goes to the session's ``success_url``. Requests are kept
for assertions. ``fail_with`` makes every API call answer that HTTP status (Stripe down).

The ``stripe_api`` fixture starts one and points ``settings.STRIPE_API_BASE_URL`` at it.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest

TEST_KEY = "sk_test_arhub_local_stand_in_key_4242"
LIVE_KEY = "sk_live_arhub_local_stand_in_key_9999"


def unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (``line_items[0][price_data][currency]=usd``) back to nested
    dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node: Any = root
        for here, after in itertools.pairwise(parts):
            child_is_list = after.isdigit()
            if isinstance(node, list):
                index = int(here)
                while len(node) <= index:
                    node.append([] if child_is_list else {})
                node = node[index]
            else:
                node = node.setdefault(here, [] if child_is_list else {})
        last = parts[-1]
        if isinstance(node, list):
            index = int(last)
            while len(node) <= index:
                node.append(None)
            node[index] = value
        else:
            node[last] = value
    return root


@dataclass
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, Any]


@dataclass
class StripeStandIn:
    url: str = ""
    keys: set[str] = field(default_factory=lambda: {TEST_KEY, LIVE_KEY})
    account_name: str = "Acme Plumbing Ltd"
    fail_with: int | None = None
    requests: list[SeenRequest] = field(default_factory=list)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_idempotency_key: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def checkout_creates(self) -> list[SeenRequest]:
        return [r for r in self.requests if r.path == "/v1/checkout/sessions"]


def _handler(stand_in: StripeStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", "req_standin")
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, kind: str, message: str) -> None:
            self._json(status, {"error": {"type": kind, "message": message}})

        def _key(self) -> str:
            return self.headers.get("Authorization", "").removeprefix("Bearer ").strip()

        def _record(self, params: dict[str, Any]) -> None:
            with stand_in.lock:
                stand_in.requests.append(
                    SeenRequest(self.command, self.path, dict(self.headers.items()), params)
                )

        def _api_gate(self) -> bool:
            if stand_in.fail_with is not None:
                self._error(stand_in.fail_with, "api_error", "Stand-in failure")
                return False
            if self._key() not in stand_in.keys:
                self._error(401, "invalid_request_error", "Invalid API Key provided")
                return False
            return True

        def do_GET(self) -> None:
            if self.path.startswith("/checkout/"):
                self._checkout_page(self.path.removeprefix("/checkout/"))
                return
            self._record({})
            if not self._api_gate():
                return
            if self.path == "/v1/account":
                self._json(
                    200,
                    {
                        "id": "acct_standin",
                        "object": "account",
                        "email": "owner@example.test",
                        "business_profile": {"name": stand_in.account_name},
                        "settings": {"dashboard": {"display_name": stand_in.account_name}},
                    },
                )
                return
            self._error(404, "invalid_request_error", f"Unrecognized request URL {self.path}")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode()
            params = unflatten(parse_qsl(body, keep_blank_values=True))
            self._record(params)
            if not self._api_gate():
                return
            if self.path != "/v1/checkout/sessions":
                self._error(404, "invalid_request_error", f"Unrecognized request URL {self.path}")
                return
            key = self.headers.get("Idempotency-Key", "")
            with stand_in.lock:
                if key and key in stand_in.by_idempotency_key:
                    self._json(200, stand_in.by_idempotency_key[key])
                    return
                number = len(stand_in.sessions) + 1
                session_id = f"cs_test_standin{number:04d}"
                total = sum(
                    int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1))
                    for item in params.get("line_items", [])
                )
                session = {
                    "id": session_id,
                    "object": "checkout.session",
                    "url": f"{stand_in.url}/checkout/{session_id}",
                    "livemode": self._key().startswith("sk_live_"),
                    "mode": "payment",
                    "status": "open",
                    "payment_status": "unpaid",
                    "amount_total": total,
                    "currency": params["line_items"][0]["price_data"]["currency"],
                    "client_reference_id": params.get("client_reference_id"),
                    "metadata": params.get("metadata", {}),
                    "success_url": params.get("success_url"),
                    "cancel_url": params.get("cancel_url"),
                    "payment_intent": f"pi_standin{number:04d}",
                }
                stand_in.sessions[session_id] = session
                if key:
                    stand_in.by_idempotency_key[key] = session
            self._json(200, session)

        def _checkout_page(self, session_id: str) -> None:
            session = stand_in.sessions.get(session_id)
            if session is None:
                self.send_error(404)
                return
            amount = f"{session['amount_total']} {session['currency'].upper()} (minor units)"
            page = (
                "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                "<meta name='viewport' content='width=device-width, initial-scale=1'>"
                "<title>Stand-in Checkout</title></head><body>"
                f"<h1>Stand-in Stripe Checkout</h1><p id='amount'>{html.escape(amount)}</p>"
                f"<a id='pay' href='{html.escape(session['success_url'])}'>Pay</a> "
                f"<a id='cancel' href='{html.escape(session['cancel_url'])}'>Back</a>"
                "</body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    return Handler


@pytest.fixture
def stripe_api(settings: Any) -> Iterator[StripeStandIn]:
    stand_in = StripeStandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stand_in))
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.STRIPE_API_BASE_URL = stand_in.url
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
