"""The dashboard nav's count beside "Plans": customers' requests waiting for an answer."""

from __future__ import annotations

from typing import Any

from django import template

from payments.models import PaymentPlan, PlanOrigin, PlanStatus

register = template.Library()

# Shown as "99+" beyond this. Fetching the ids up to the cap, rather than COUNT(*), keeps the
# cost of every page bounded however many requests pile up.
SHOWN_UP_TO = 99


@register.simple_tag(takes_context=True)
def plans_waiting(context: Any) -> str:
    org = context.get("current_org")
    if org is None:
        return ""
    waiting = PaymentPlan.objects.for_org(org).filter(
        status=PlanStatus.PROPOSED, origin=PlanOrigin.CUSTOMER
    )
    found = len(waiting.order_by().values_list("pk", flat=True)[: SHOWN_UP_TO + 1])
    if found > SHOWN_UP_TO:
        return f"{SHOWN_UP_TO}+"
    return str(found) if found else ""
