"""The dashboard: the organization's receivables at a glance, and what waits on the owner.

Tiles (receivables, overdue, DSO with its trend, collected this month, CEI), the aging bar
chart and the DSO trend line, the customers most overdue, today's reminders, disputes and plan
requests waiting for an answer, and promises lately broken; the owner notices list above them
as before. Everything is for one currency (the default, or ``?currency=`` among those the
organization invoices in). An organization that has issued nothing sees how to start instead
of a wall of zeros.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.views.generic import TemplateView

from arhub.clock import org_now
from arhub.permissions import OrgViewMixin
from arhub.selectors import notice_list_unread
from metrics.aging import CustomerAging, aging_by_customer, aging_report
from metrics.cei import cei_months
from metrics.dashboard_lists import (
    collected_between,
    currencies_in_use,
    disputes_waiting,
    issued_invoices_exist,
    plan_requests_waiting,
    promises_broken,
)
from metrics.dashboard_reminders import reminders_today
from metrics.dso import dso_trend
from metrics.report_charts import aging_chart, dso_chart, trend_arrow

TOP_OVERDUE = 5
BROKEN_PROMISE_DAYS = 30
DSO_PERIOD_DAYS = 90


@dataclass(frozen=True)
class OverdueCustomer:
    row: CustomerAging
    overdue: Decimal


def top_overdue(rows: list[CustomerAging], limit: int = TOP_OVERDUE) -> list[OverdueCustomer]:
    """Customers with the most past due (everything but the "Current" bucket), largest first."""
    found = [OverdueCustomer(row, row.total - row.amounts[0]) for row in rows]
    found = [item for item in found if item.overdue > 0]
    found.sort(key=lambda item: (-item.overdue, item.row.name.lower()))
    return found[:limit]


class DashboardView(OrgViewMixin, TemplateView):
    template_name = "metrics/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["notices"], context["notice_count"] = notice_list_unread(org=self.org)
        if not issued_invoices_exist(org=self.org):
            context["empty"] = True
            return context
        context.update(self.figures())
        context.update(self.waiting())
        return context

    def figures(self) -> dict[str, Any]:
        org = self.org
        currencies = currencies_in_use(org=org)
        asked = self.request.GET.get("currency", "").upper()
        currency = asked if asked in currencies else org.default_currency
        now = org_now(org)
        today = now.date()
        report = aging_report(org=org, as_of=today, currency=currency)
        trend = dso_trend(
            org=org, as_of=today, currency=currency, months=12, period_days=DSO_PERIOD_DAYS
        )
        last_month, this_month = cei_months(org=org, as_of=today, currency=currency, count=2)
        change = trend[-1].days - trend[-2].days if len(trend) > 1 else None
        return {
            "currency": currency,
            "currencies": currencies,
            "today": today,
            "report": report,
            "overdue_share": (report.overdue / report.total * 100) if report.total else None,
            "dso": trend[-1],
            "dso_change": abs(change) if change is not None else None,
            "dso_arrow": trend_arrow(trend),
            "dso_period_days": DSO_PERIOD_DAYS,
            "collected": collected_between(
                org=org, start=today.replace(day=1), end=today, currency=currency
            ),
            "cei": last_month,
            "cei_so_far": this_month,
            "aging_chart": aging_chart(report),
            "dso_chart": dso_chart(trend, period_days=DSO_PERIOD_DAYS),
            "top_overdue": top_overdue(aging_by_customer(org=org, as_of=today, currency=currency)),
        }

    def waiting(self) -> dict[str, Any]:
        org = self.org
        today = org_now(org).date()
        return {
            "reminders": reminders_today(org=org),
            "disputes": disputes_waiting(org=org),
            "plan_requests": plan_requests_waiting(org=org),
            "broken_promises": promises_broken(
                org=org, since=today - timedelta(days=BROKEN_PROMISE_DAYS)
            ),
            "broken_promise_days": BROKEN_PROMISE_DAYS,
        }
