"""What reminders adds to invoicing's pages, through ``invoicing.page_sections``: on an issued
invoice, its reminder timeline with "Pause reminders" / "Resume reminders"; on a customer, the
policy they follow and "Pause all reminders for this customer" / resume.

The forms are for those who may operate; everyone who may view the page reads the timeline.
Each provider runs a fixed number of queries (the timeline's, or two for the customer).
"""

from __future__ import annotations

from typing import Any

from arhub.models import Membership, Organization
from arhub.permissions import membership_allows
from arhub.roles import Perm
from invoicing.models import Customer, Invoice
from invoicing.page_sections import (
    PageSection,
    customer_section_register,
    invoice_section_register,
)
from reminders.models import CustomerReminders, ReminderPolicy
from reminders.policies import DEFAULT_POLICY_NAME
from reminders.timeline import invoice_timeline


def invoice_reminders_section(
    *, org: Organization, membership: Membership, invoice: Invoice
) -> PageSection | None:
    if invoice.is_draft:
        return None
    timeline = invoice_timeline(org=org, invoice=invoice)
    operate = membership_allows(membership, Perm.OPERATE)
    hold = timeline.hold
    return PageSection(
        template_name="reminders/_invoice_reminders.html",
        context={
            "invoice": invoice,
            "timeline": timeline,
            "can_pause": operate and invoice.is_outstanding and not timeline.paused,
            "can_resume": operate and timeline.paused,
            # A pause of the whole customer is lifted on the customer's page.
            "customer_paused": hold is not None and hold.code == "customer_paused",
        },
    )


def customer_reminders_section(
    *, org: Organization, membership: Membership, customer: Customer
) -> PageSection:
    own = (
        CustomerReminders.objects.for_org(org)
        .filter(customer=customer)
        .select_related("policy", "paused_by")
        .first()
    )
    policies = list(ReminderPolicy.objects.for_org(org).order_by("-is_default", "name", "pk"))
    default = next((policy for policy in policies if policy.is_default), None)
    chosen = own.policy if own is not None else None
    context: dict[str, Any] = {
        "customer": customer,
        "settings": own,
        "paused": own is not None and own.paused,
        "policy": chosen,
        "default_name": default.name if default is not None else DEFAULT_POLICY_NAME,
        "policies": policies,
        "can_operate": membership_allows(membership, Perm.OPERATE),
    }
    return PageSection(template_name="reminders/_customer_reminders.html", context=context)


def register() -> None:
    invoice_section_register(name="reminders", provider=invoice_reminders_section)
    customer_section_register(name="reminders", provider=customer_reminders_section)
