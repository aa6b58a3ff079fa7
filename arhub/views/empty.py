"""The dashboard's sections that later capabilities fill in. Each page says what will be there
and links to the next useful thing to do, so no page is a dead end."""

from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from arhub.permissions import OrgViewMixin


class EmptySectionView(OrgViewMixin, TemplateView):
    template_name = "arhub/empty_section.html"
    heading = ""
    lede = ""
    points: tuple[str, ...] = ()
    action_label = "Back to the dashboard"
    action_url = "dashboard"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            heading=self.heading,
            lede=self.lede,
            points=self.points,
            action_label=self.action_label,
            action_url=self.action_url,
        )
        return context
