"""The invoice list at full size (``--invoices``, 100,000 by default), on the dashboard (URL name
``invoices``) and through the API (``api_invoices``): the first page, a page 40 deep through the
cursor, and the overdue filter, each against the raw SQL of that same page run straight through
psycopg2. Before timing, each page's queries are counted at page sizes 10, 50 and 200: the count
must not grow with the page (a query per row would), or the benchmark stops and says so.

The organization, ``bench-invoices-N``, is made once per size: ``seed_demo`` gives it a team
and customers, then the invoices go in with one ``INSERT … SELECT`` over ``generate_series`` and
their pay links with ``COPY``. The services would take the best part of an hour at this size,
and the lists read only the invoice rows, so the invoices carry no lines.
"""

from __future__ import annotations

import contextlib
import html
import http.client
import io
import json
import re
import secrets
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any
from unittest import mock
from urllib.parse import urlencode, urlsplit

from bench.registry import Context, Row
from bench.scale import medians_ms, sized_organization
from bench.server import gunicorn

PAGE = 50
DEPTH = 40  # pages followed through the cursor for the deep page
ROUNDS = 40
SIZES = (10, PAGE, 200)  # page sizes whose query counts must agree
CUSTOMERS = 2000
DAYS = 730  # the invoices' issue dates spread over the last two years
# One in twenty invoices is a draft, four open, two part paid, eleven paid, one void and one
# written off; open and part-paid ones past their due date are the overdue.
STATUSES = (
    ["draft"] + ["open"] * 4 + ["partially_paid"] * 2 + ["paid"] * 11 + ["void", "uncollectible"]
)
# What signs the caller in and says who they are (session or token, user, memberships): left
# out of the raw SQL of a page, as the customer benchmark leaves out the token lookup.
_AUTH_SQL = re.compile(
    r'^\s*(?:SELECT\b.*?\bFROM|UPDATE)\s+"(?:django_session|arhub_apitoken|arhub_user|'
    r'arhub_membership)"',
    re.IGNORECASE | re.DOTALL,
)
_NEXT_LINK = re.compile(r'<a\b[^>]*\bhref="([^"]+)"[^>]*\brel="next"')


def run(ctx: Context) -> list[Row]:
    n = ctx.invoices
    if n < PAGE * (DEPTH + 2):
        return []  # too few for a page that deep
    import django

    django.setup()
    from django.conf import settings
    from django.urls import reverse

    org, user = _organization(n)
    token = _token(org, user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={_session(org, user)}"
    dashboard = Surface(
        "dashboard",
        reverse("invoices"),
        {},
        {"Cookie": cookie},
        html_rows,
        html_next,
        _dashboard_page_size,
    )
    api = Surface(
        "API",
        reverse("api_invoices"),
        {"page_size": str(PAGE)},
        {"Authorization": f"Bearer {token}"},
        json_rows,
        json_next,
        _api_page_size,
    )
    env = {**ctx.env, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "0"}
    rows: list[Row] = []
    with (
        contextlib.closing(ctx.connect()) as db,
        gunicorn("bench.wsgi:application", env, ready_path="/bench/bare/") as srv,
    ):
        conn = srv.connection()
        for surface in (dashboard, api):
            pages = {
                "first page": surface.path(),
                f"page {DEPTH + 1}": _follow(conn, surface, surface.path(), DEPTH),
                "overdue": surface.path(status="overdue"),
            }
            for label, path in pages.items():
                counts = [len(surface.captured(path, size)) for size in SIZES]
                _log(f"{surface.name} {label}: {counts_text(counts)}")
                check_constant(f"{surface.name} {label}", counts)
                sql = [q for q in surface.captured(path, PAGE) if not _AUTH_SQL.match(q)]
                http_ms, sql_ms = medians_ms(
                    partial(surface.get, conn, path), partial(_run_sql, db, sql), rounds=ROUNDS
                )
                rows.append(
                    Row(
                        f"invoices {surface.name} {label} ({n:,} in org) p50",
                        http_ms,
                        f"raw SQL of that page ({len(sql)} queries) p50",
                        sql_ms,
                        "ms",
                    )
                )
        conn.close()
    return rows


# --------------------------------------------------------------------------------------------
# The two lists, each read the way a browser or a script reads it


@dataclass(frozen=True)
class Surface:
    name: str
    url: str
    params: dict[str, str]
    headers: dict[str, str]
    count_rows: Callable[[bytes], int]
    next_path: Callable[[bytes], str | None]
    # Makes the list answer pages of the given size, in this process.
    page_size: Callable[[str, int], Any]

    def path(self, **extra: str) -> str:
        query = urlencode({**self.params, **extra})
        return f"{self.url}?{query}" if query else self.url

    def get(self, conn: http.client.HTTPConnection, path: str) -> bytes:
        conn.request("GET", path, headers=self.headers)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}: {body[:300]!r}")
        return body

    def captured(self, path: str, size: int) -> list[str]:
        """The SQL the list runs for ``path`` at page size ``size``, captured in this process
        through Django itself (the page must come back full)."""
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        client = Client(headers=self.headers, SERVER_NAME="localhost")
        with self.page_size(path, size) as sized, CaptureQueriesContext(connection) as captured:
            response = client.get(sized)
        if response.status_code != 200:
            raise RuntimeError(f"in-process GET {sized} answered {response.status_code}")
        if (rows := self.count_rows(response.content)) != size:
            raise RuntimeError(f"GET {sized} showed {rows} invoices, expected {size}")
        return [q["sql"] for q in captured.captured_queries]


@contextlib.contextmanager
def _api_page_size(path: str, size: int) -> Iterator[str]:
    split = urlsplit(path)
    query = re.sub(r"(^|&)page_size=\d+", rf"\g<1>page_size={size}", split.query)
    yield f"{split.path}?{query}"


@contextlib.contextmanager
def _dashboard_page_size(path: str, size: int) -> Iterator[str]:
    # The dashboard has one page size; the benchmark changes it here, never on the server.
    from invoicing.invoice_list_views import InvoiceListView

    with mock.patch.object(InvoiceListView, "page_size", size):
        yield path


def html_rows(body: bytes) -> int:
    """Invoices on a dashboard page: each row carries its id in a ``page_ids`` input."""
    return body.count(b'name="page_ids"')


def html_next(body: bytes) -> str | None:
    found = _NEXT_LINK.search(body.decode())
    return html.unescape(found.group(1)) if found else None


def json_rows(body: bytes) -> int:
    return len(json.loads(body)["results"])


def json_next(body: bytes) -> str | None:
    link = json.loads(body)["next"]
    if not link:
        return None
    split = urlsplit(link)
    return f"{split.path}?{split.query}"


def _follow(conn: http.client.HTTPConnection, surface: Surface, path: str, n: int) -> str:
    for _ in range(n):
        body = surface.get(conn, path)
        link = surface.next_path(body)
        if surface.count_rows(body) != PAGE or not link:
            raise RuntimeError(f"expected full pages with a next link at {path}")
        # The dashboard's links are relative to the list ("?after=…").
        path = surface.url + link if link.startswith("?") else link
    return path


def counts_text(counts: Sequence[int]) -> str:
    sizes = ", ".join(str(size) for size in SIZES[: len(counts)])
    return f"{', '.join(str(c) for c in counts)} queries at page sizes {sizes}"


def check_constant(page: str, counts: Sequence[int]) -> None:
    """Stop the run when a page's query count follows its size: a figure measured on a list
    that runs a query per row would say nothing about the next size."""
    if len(set(counts)) != 1:
        raise RuntimeError(f"{page}: {counts_text(counts)}; the count must not grow with the page")


# --------------------------------------------------------------------------------------------
# The organization


def _organization(n: int) -> tuple[Any, Any]:
    from arhub.models import Membership

    org = sized_organization(
        slug=f"bench-invoices-{n}", n=n, customers=CUSTOMERS, build=_build, log=_log
    )
    owner = Membership.objects.select_related("user").filter(organization=org).earliest("pk")
    return org, owner.user


def _build(org: Any, n: int) -> None:
    """``n`` invoices for the organization's customers, oldest first, with a live pay link on
    each one that can be paid; in one transaction, so a run stopped half-way leaves none."""
    from django.db import connection, transaction

    from arhub.clock import org_today
    from invoicing.models import Customer
    from invoicing.terms import Terms

    customers = list(Customer.objects.for_org(org).order_by("pk").values_list("pk", "currency"))
    params = {
        "org": org.pk,
        "n": n,
        "ids": [pk for pk, _ in customers],
        "currencies": [currency for _, currency in customers],
        "statuses": STATUSES,
        "today": org_today(org),
        "days": DAYS,
        "terms": json.dumps(Terms().to_json()),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(BUILD_SQL, params)
        cursor.execute(
            "SELECT id, created_at FROM invoicing_invoice WHERE organization_id = %s"
            " AND status IN ('open', 'partially_paid', 'paid')",
            [org.pk],
        )
        links = io.StringIO()
        for invoice_id, created_at in cursor.fetchall():
            nonce, token_hash = _pay_link()
            links.write(f"{org.pk}\t{invoice_id}\t{nonce}\t{token_hash}\t{created_at}\n")
        links.seek(0)
        cursor.copy_expert(
            "COPY invoicing_paylink (organization_id, invoice_id, nonce, token_hash, created_at)"
            " FROM STDIN",
            links,
        )
    with connection.cursor() as cursor:
        for table in ("invoicing_invoice", "invoicing_paylink", "invoicing_customer"):
            cursor.execute(f"ANALYZE {table}")


def _pay_link() -> tuple[str, str]:
    """A nonce and the hash of its token, as ``pay_links.pay_link_active`` makes them."""
    from arhub.secret_tokens import hash_secret
    from invoicing.models import PayLink
    from invoicing.pay_links import pay_link_token

    nonce = secrets.token_urlsafe(32)
    return nonce, hash_secret(pay_link_token(PayLink(nonce=nonce)))


# Amounts: a subtotal between 40 and 2,040 with cents, US sales tax of 8.25%; paid, part paid
# (40%) and balances follow the status. Drafts have no number or dates.
BUILD_SQL = """
WITH g AS (
    SELECT i,
           (%(ids)s::bigint[])[1 + i %% cardinality(%(ids)s::bigint[])] AS customer_id,
           (%(currencies)s::text[])[1 + i %% cardinality(%(ids)s::bigint[])] AS currency,
           (%(statuses)s::text[])[1 + (i * 7) %% 20] AS status,
           %(today)s::date - ((%(n)s - i) * %(days)s / %(n)s)::int AS day,
           (40 + (i * 37) %% 2000 + (i %% 100) / 100.0)::numeric(18, 2) AS subtotal
      FROM generate_series(1, %(n)s) AS i
), priced AS (
    SELECT g.*,
           CASE WHEN currency = 'USD' THEN round(subtotal * 0.0825, 2) ELSE 0 END AS tax
      FROM g
), settled AS (
    SELECT priced.*, subtotal + tax AS total,
           CASE status WHEN 'paid' THEN subtotal + tax
                       WHEN 'partially_paid' THEN round((subtotal + tax) * 0.4, 2)
                       ELSE 0 END AS paid
      FROM priced
)
INSERT INTO invoicing_invoice (
    organization_id, customer_id, status, number, currency, issue_date, due_date, terms,
    po_number, notes, memo, discount_kind, discount_value, subtotal, discount_total, tax_total,
    total, amount_paid, amount_credited, balance_due, tax_breakdown, created_at, updated_at,
    issued_at, paid_at, voided_at, void_reason, written_off_at, last_sent_at
)
SELECT %(org)s, customer_id, status,
       CASE WHEN status = 'draft' THEN '' ELSE 'INV-' || lpad(i::text, 7, '0') END,
       currency,
       CASE WHEN status = 'draft' THEN NULL ELSE day END,
       CASE WHEN status = 'draft' THEN NULL ELSE day + 30 END,
       CASE WHEN status = 'draft' THEN '{}'::jsonb ELSE %(terms)s::jsonb END,
       '', '', '', 'none', 0, subtotal, 0, tax, total, paid, 0,
       CASE WHEN status IN ('paid', 'void') THEN 0 ELSE total - paid END,
       CASE WHEN tax > 0
            THEN jsonb_build_array(jsonb_build_object(
                     'name', 'Sales tax 8.25%%', 'percent', '8.25', 'amount', tax::text))
            ELSE '[]'::jsonb END,
       day + time '15:00' + (i %% 480) * interval '1 minute',
       day + time '15:00' + (i %% 480) * interval '1 minute',
       CASE WHEN status = 'draft' THEN NULL ELSE day + time '15:00' END,
       CASE WHEN status = 'paid' THEN day + 20 + time '18:00' END,
       CASE WHEN status = 'void' THEN day + 2 + time '18:00' END,
       CASE WHEN status = 'void' THEN 'Duplicate invoice' ELSE '' END,
       CASE WHEN status = 'uncollectible' THEN day + 150 + time '18:00' END,
       NULL
  FROM settled
"""


def _token(org: Any, user: Any) -> str:
    # A fresh token each run: the secret is shown only once, when it is made.
    from arhub.models import Membership
    from arhub.services.tokens import api_token_create

    membership = Membership.objects.get(organization=org, user=user)
    _, secret = api_token_create(org=org, membership=membership, name="Benchmarks")
    return secret


def _session(org: Any, user: Any) -> str:
    """A signed-in session of the organization's owner, as the login form leaves it (with the
    organization chosen, so no request writes to it)."""
    from django.conf import settings
    from django.test import Client

    from arhub.middleware import SESSION_ORG_KEY

    client = Client(SERVER_NAME="localhost")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_ORG_KEY] = org.pk
    session.save()
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


# --------------------------------------------------------------------------------------------
# Timing


def _run_sql(db: Any, statements: list[str]) -> None:
    with db.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            if cursor.description is not None:
                cursor.fetchall()


def _log(message: str) -> None:
    print(f"[bench] invoice_list: {message}", file=sys.stderr, flush=True)
