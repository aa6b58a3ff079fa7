"""Reads for the invoice settings pages: named payment terms and tax rates with how much each
is used, and the example sentence that shows what a set of terms means."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.shortcuts import get_object_or_404

from arhub.models import Organization
from invoicing.models import (
    Customer,
    InvoiceLineTax,
    PaymentTerms,
    RecurringInvoice,
    RecurringStatus,
    TaxRate,
)
from invoicing.terms import Terms, sentence_locale, terms_sentence


def payment_terms_list(*, org: Organization) -> QuerySet[PaymentTerms]:
    """The organization's named terms, the default first, each with ``customer_count``: how
    many customers have them as their own terms."""
    users = (
        Customer.objects.for_org(org)
        .filter(payment_terms=OuterRef("pk"))
        .order_by()
        .values("payment_terms")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        PaymentTerms.objects.for_org(org)
        .annotate(customer_count=Coalesce(Subquery(users, output_field=IntegerField()), Value(0)))
        .order_by("-is_default", Lower("name"), "pk")
    )


def payment_terms_get(*, org: Organization, terms_id: int) -> PaymentTerms:
    return get_object_or_404(PaymentTerms.objects.for_org(org), pk=terms_id)


def tax_rate_list(*, org: Organization) -> list[TaxRate]:
    """Active rates first, then retired ones, each with ``in_use``: on an invoice line or a
    recurring invoice's lines (then it can be retired but not deleted)."""
    on_lines = InvoiceLineTax.objects.filter(tax_rate=OuterRef("pk"))
    rates: list[TaxRate] = list(
        TaxRate.objects.for_org(org)
        .annotate(on_lines=Exists(on_lines))
        .order_by("-is_active", Lower("name"), "pk")
    )
    on_templates: set[int] = set()
    templates = RecurringInvoice.objects.for_org(org).exclude(status=RecurringStatus.FINISHED)
    for lines in templates.values_list("lines", flat=True):
        for line in lines if isinstance(lines, list) else []:
            ids = line.get("tax_rate_ids") if isinstance(line, dict) else None
            on_templates.update(i for i in ids or [] if isinstance(i, int))
    for rate in rates:
        rate.in_use = rate.on_lines or rate.pk in on_templates  # type: ignore[attr-defined]
        rate.percent_text = f"{rate.percent.normalize():f}"  # type: ignore[attr-defined]
    return rates


def tax_rate_get(*, org: Organization, rate_id: int) -> TaxRate:
    return get_object_or_404(TaxRate.objects.for_org(org), pk=rate_id)


def terms_example(
    *, org: Organization, terms: Terms, issue_date: date, currency: str = "", language: str = "en"
) -> str:
    """What a customer would read on an invoice issued on ``issue_date`` under ``terms``."""
    return terms_sentence(
        terms=terms,
        issue_date=issue_date,
        due_date=terms.due_date(issue_date),
        currency=currency or org.default_currency,
        locale=sentence_locale(org_locale=org.locale, language=language),
        language=language,
    )
