"""``/api/v1/reports/activity/``: disputes, promises, plans and reminders over a period
(``metrics.activity``), as JSON or as a file, under the rules of ``metrics.api.ReportApi``."""

from __future__ import annotations

from typing import Any

from metrics import api_output as out
from metrics import api_serializers as s
from metrics.activity import arrangement_stats, dispute_stats, reminder_effect
from metrics.api import ReportApi, ReportFile, report_schema
from metrics.stats_tables import activity_table


@report_schema(
    report="activity",
    summary="Disputes, promises, plans and reminders",
    description="Disputes opened in the period (rate, time to the first answer and to a "
    "resolution), promises and plans that ended in it (kept rates), and for the invoices "
    "paid in it, which reminder was the last before payment and how many needed none. "
    "The last 90 days if no period is given.",
)
class ActivityApi(ReportApi):
    query_class = s.ActivityQuery
    output_class = out.ActivityOutput

    def report_data(self, q: dict[str, Any]) -> dict[str, Any]:
        period = {"org": self.org, "start": q["start"], "end": q["end"]}
        return {
            "start": q["start"],
            "end": q["end"],
            "disputes": dispute_stats(**period),
            "arrangements": arrangement_stats(**period),
            "reminders": reminder_effect(**period),
        }

    def report_file(self, q: dict[str, Any]) -> ReportFile:
        data = self.report_data(q)
        table = activity_table(
            disputes=data["disputes"],
            arrangements=data["arrangements"],
            reminders=data["reminders"],
            currency=q["currency"],
        )
        return ReportFile(table, ("activity", q["start"].isoformat(), q["end"].isoformat()))
