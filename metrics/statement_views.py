"""Customer statements for the accountant: the customers who owe something, each statement as
a PDF (``?customer=<id>``) and all of them as one zip (``?all=1``), streamed a statement at a
time. Reading the list needs VIEW; a download needs EXPORT. Another organization's customer id
answers 404, like any id that is not this organization's."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.views import View

from arhub.clock import org_today
from arhub.permissions import OrgViewMixin, membership_allows
from arhub.roles import Perm
from invoicing.models import Customer
from metrics.statement_zip import customers_owing, statement_pdf, statement_zip_chunks
from metrics.tables import export_filename
from payments.statement_pdf import statement_pdf_filename


class StatementsView(OrgViewMixin, View):
    def get(self, request: HttpRequest) -> HttpResponseBase:
        can_export = membership_allows(self.membership, Perm.EXPORT)
        wants = "customer" in request.GET or "all" in request.GET
        if wants and not can_export:
            raise PermissionDenied("Your role may read reports but not download them.")
        today = org_today(self.org)
        if "customer" in request.GET:
            raw = request.GET["customer"]
            if not raw.isdigit():
                raise Http404("No such customer.")
            customer = get_object_or_404(Customer.objects.for_org(self.org), pk=int(raw))
            response = HttpResponse(
                statement_pdf(org=self.org, customer=customer, today=today),
                content_type="application/pdf",
            )
            name = statement_pdf_filename(customer, today)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        if "all" in request.GET:
            stream = StreamingHttpResponse(
                statement_zip_chunks(org=self.org, today=today), content_type="application/zip"
            )
            name = export_filename(self.org.slug, "statements", today.isoformat(), ext="zip")
            stream["Content-Disposition"] = f'attachment; filename="{name}"'
            return stream
        context = {
            "customers": customers_owing(org=self.org),
            "can_export": can_export,
            "today": today,
        }
        return render(request, "metrics/report_statements.html", context)
