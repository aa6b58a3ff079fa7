"""The policy editor (``/reminders/policies/<id>/`` and ``new/``) and its live preview.

The editor works without JavaScript: "Add a step" re-renders it with one more row, and a
step's "Preview" re-renders it with that step filled in for the chosen customer. Neither saves
anything; only "Save policy" does, through ``reminders.policy_services``. Reading needs VIEW
(a reader sees the policy read-only and may preview its steps); changing it needs
MANAGE_SETTINGS, which ``arhub.roles`` gives the owner and admins ("reminder policy").
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.views import View

from arhub.messaging.placeholders import PlaceholderError
from arhub.messaging.selectors import message_customer_choices
from arhub.messaging.sms_availability import sms_available
from arhub.permissions import OrgViewMixin, membership_allows
from arhub.roles import Perm
from reminders.models import ReminderPolicy, ReminderStep
from reminders.policy_editor import PolicyEditor
from reminders.policy_forms import (
    PolicyForm,
    StepForm,
    StepPreviewForm,
    add_blank_step,
    reminder_placeholders,
    step_initial,
    steps_formset,
)
from reminders.policy_input import MAX_STEPS, PolicyInput
from reminders.policy_preview import (
    WORDING_LABELS,
    StepPreview,
    step_preview,
    wording_problems,
)
from reminders.policy_services import policy_create, policy_update
from reminders.policy_words import step_sentence
from reminders.selectors import policy_customer_counts, policy_get

TEMPLATE = "reminders/policy_edit.html"


def _customer_id(raw: Any) -> int | None:
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise Http404("No such customer.") from None


def _index(raw: Any) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return -1


def _unsaved_step(org: Any, data: dict[str, Any]) -> ReminderStep:
    return ReminderStep(
        organization=org,
        offset_days=data["offset_days"],
        channel=data["channel"],
        tone=data["tone"],
        attach_pdf=data.get("attach_pdf", False),
        subject=data.get("subject", ""),
        body=data.get("body", ""),
        sms_body=data.get("sms_body", ""),
    )


def _sentence(row: StepForm) -> str:
    """The row's step in words: as saved, or as typed once it has been checked."""
    values = row.initial if not row.is_bound else getattr(row, "cleaned_data", None)
    if not values or values.get("offset_days") is None:
        return ""
    return step_sentence(
        offset_days=values["offset_days"],
        channel=values.get("channel", ""),
        tone=values.get("tone", ""),
        attach_pdf=bool(values.get("attach_pdf")),
    )


class _PolicyEditorPage(OrgViewMixin, View):
    required_perms = {"POST": Perm.MANAGE_SETTINGS}

    def may_edit(self) -> bool:
        return membership_allows(self.membership, Perm.MANAGE_SETTINGS)

    def editor(self, policy: ReminderPolicy | None, data: QueryDict | None = None) -> PolicyEditor:
        if data is not None:
            return PolicyEditor(PolicyForm(data), steps_formset(data, rows=[]))
        shown: ReminderPolicy | PolicyInput = policy or PolicyInput(name="")
        rows = (
            [step_initial(step) for step in policy.steps.all()]
            if policy is not None
            else [step_initial(step) for step in PolicyInput(name="").steps]
        )
        return PolicyEditor(
            PolicyForm(initial=PolicyForm.initial_for(shown)), steps_formset(None, rows=rows)
        )

    def page(
        self,
        request: HttpRequest,
        policy: ReminderPolicy | None,
        editor: PolicyEditor,
        *,
        preview: StepPreview | None = None,
        preview_step: int | None = None,
        preview_error: str = "",
        customer_id: int | None = None,
    ) -> HttpResponse:
        may_edit = self.may_edit()
        if not may_edit:
            for form in [editor.form, *editor.steps.forms]:
                for field in form.fields.values():
                    field.disabled = True
        rows = [
            {"form": row, "index": index, "number": index + 1, "sentence": _sentence(row)}
            for index, row in enumerate(editor.steps.forms)
        ]
        counts = policy_customer_counts(org=self.org) if policy is not None else {}
        customers = message_customer_choices(org=self.org)
        context = {
            "policy": policy,
            "editor": editor,
            "form": editor.form,
            "steps": editor.steps,
            "rows": rows,
            "empty_row": editor.steps.empty_form,
            "error_summary": editor.error_summary(),
            "may_edit": may_edit,
            "customer_count": counts.get(policy.pk, 0) if policy is not None else 0,
            "customers": customers,
            "customer_id": customer_id,
            "preview": preview,
            "preview_step": preview_step,
            "preview_error": preview_error,
            "placeholders": reminder_placeholders(),
            "can_text": sms_available(self.org),
            "max_steps": MAX_STEPS,
        }
        return render(request, TEMPLATE, context)

    def preview_row(
        self, editor: PolicyEditor, index: int, customer_id: int | None
    ) -> tuple[StepPreview | None, str]:
        """The row's step, as typed, filled in for the customer."""
        if not 0 <= index < len(editor.steps.forms):
            return None, "There is no such step to preview."
        row: StepForm = editor.steps.forms[index]
        if not row.is_valid() or row.cleaned_data.get("offset_days") is None:
            return None, f"Fill in step {index + 1}'s day first, then preview it."
        return self.preview_step(_unsaved_step(self.org, row.cleaned_data), customer_id)

    def preview_step(
        self, step: ReminderStep, customer_id: int | None
    ) -> tuple[StepPreview | None, str]:
        problems = wording_problems(step)
        if problems:
            return None, " ".join(
                f"{WORDING_LABELS[name]}: {message}"
                for name, messages in problems.items()
                for message in messages
            )
        try:
            return step_preview(org=self.org, step=step, customer_id=customer_id), ""
        except PlaceholderError as exc:
            return None, str(exc)

    def submitted(
        self, request: HttpRequest, policy: ReminderPolicy | None
    ) -> HttpResponse | PolicyEditor:
        """ "Add a step" and "Preview" answered here (nothing saved); otherwise the editor,
        validated, for the caller to save."""
        data = request.POST.copy()
        if "add_step" in data:
            added = add_blank_step(data)
            editor = self.editor(policy, data)
            editor.silence()
            editor.focus_step(added)
            if added is None:
                messages.error(request, f"A policy has at most {MAX_STEPS} steps.")
            return self.page(
                request, policy, editor, customer_id=_customer_id(data.get("customer"))
            )
        editor = self.editor(policy, data)
        if "preview" in data:
            customer_id = _customer_id(data.get("customer"))
            index = _index(data.get("preview"))
            preview, error = self.preview_row(editor, index, customer_id)
            editor.silence()
            return self.page(
                request,
                policy,
                editor,
                preview=preview,
                preview_step=index,
                preview_error=error,
                customer_id=customer_id,
            )
        editor.is_valid()
        return editor


class PolicyEditView(_PolicyEditorPage):
    def get(self, request: HttpRequest, policy_id: int) -> HttpResponse:
        policy = policy_get(org=self.org, policy_id=policy_id)
        editor = self.editor(policy)
        if "preview" not in request.GET:
            return self.page(request, policy, editor)
        # The Preview button of a reader, whose form is a GET: the saved step.
        customer_id = _customer_id(request.GET.get("customer"))
        steps = list(policy.steps.all())
        index = _index(request.GET.get("preview"))
        if not 0 <= index < len(steps):
            raise Http404("No such step.")
        preview, error = self.preview_step(steps[index], customer_id)
        return self.page(
            request,
            policy,
            editor,
            preview=preview,
            preview_step=index,
            preview_error=error,
            customer_id=customer_id,
        )

    def post(self, request: HttpRequest, policy_id: int) -> HttpResponse:
        policy = policy_get(org=self.org, policy_id=policy_id)
        answer = self.submitted(request, policy)
        if isinstance(answer, HttpResponse):
            return answer
        editor = answer
        if not editor.form.is_valid() or not editor.steps.is_valid():
            return self.page(request, policy, editor)
        try:
            saved = policy_update(
                org=self.org,
                actor=self.membership.user,
                policy_id=policy.pk,
                data=editor.to_input(),
            )
        except ValidationError as exc:
            editor.add_service_errors(exc)
            return self.page(request, policy, editor)
        messages.success(
            request,
            f"Saved “{saved.name}”. Open invoices follow it from their next reminder on.",
        )
        return redirect("reminder_policy", policy_id=saved.pk)


class PolicyCreateView(_PolicyEditorPage):
    required_perm = Perm.MANAGE_SETTINGS
    required_perms = {}

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, None, self.editor(None))

    def post(self, request: HttpRequest) -> HttpResponse:
        answer = self.submitted(request, None)
        if isinstance(answer, HttpResponse):
            return answer
        editor = answer
        if not editor.form.is_valid() or not editor.steps.is_valid():
            return self.page(request, None, editor)
        try:
            created = policy_create(
                org=self.org, actor=self.membership.user, data=editor.to_input()
            )
        except ValidationError as exc:
            editor.add_service_errors(exc)
            return self.page(request, None, editor)
        messages.success(
            request,
            f"Added “{created.name}”. Put customers on it from their page, or make it the default.",
        )
        return redirect("reminder_policy", policy_id=created.pk)


class StepPreviewView(OrgViewMixin, View):
    """JSON for the live preview. Reading is enough: it renders, it saves nothing."""

    required_perms = {"POST": Perm.VIEW}

    def post(self, request: HttpRequest) -> HttpResponse:
        form = StepPreviewForm(request.POST)
        if not form.is_valid():
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        step = _unsaved_step(self.org, form.cleaned_data)
        problems = wording_problems(step)
        if problems:
            return JsonResponse(
                {
                    "errors": {
                        name: [{"message": f"{WORDING_LABELS[name]}: {m}"} for m in messages]
                        for name, messages in problems.items()
                    }
                },
                status=400,
            )
        try:
            preview = step_preview(
                org=self.org, step=step, customer_id=form.cleaned_data.get("customer")
            )
        except PlaceholderError as exc:
            return JsonResponse({"errors": {"body": [{"message": str(exc)}]}}, status=400)
        return JsonResponse({"preview": preview.as_json()})
