from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.views.generic import TemplateView

from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from arhub.selectors import audit_event_list


class AuditLogView(OrgViewMixin, TemplateView):
    required_perm = Perm.EXPORT
    template_name = "arhub/audit.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        paginator = Paginator(audit_event_list(org=self.org).select_related("actor"), 50)
        context["page"] = paginator.get_page(self.request.GET.get("page"))
        return context
