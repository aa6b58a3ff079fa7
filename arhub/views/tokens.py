from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from arhub.forms import TokenCreateForm
from arhub.permissions import OrgViewMixin
from arhub.roles import Perm
from arhub.selectors import api_token_get, api_token_list
from arhub.services.tokens import api_token_create, api_token_revoke

NEW_SECRET_KEY = "arhub_new_token_secret"


class TokenListView(OrgViewMixin, View):
    required_perm = Perm.OWN_TOKENS

    def _render(
        self, request: HttpRequest, form: TokenCreateForm, secret: str | None = None
    ) -> HttpResponse:
        response = render(
            request,
            "arhub/tokens.html",
            {
                "tokens": api_token_list(org=self.org, viewer=self.membership),
                "form": form,
                "new_secret": secret,
            },
        )
        # The page may carry a secret shown once: keep it out of every cache.
        response["Cache-Control"] = "no-store"
        return response

    def get(self, request: HttpRequest) -> HttpResponse:
        # The secret of a token made a moment ago, shown on this one page view and then gone.
        return self._render(request, TokenCreateForm(), request.session.pop(NEW_SECRET_KEY, None))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TokenCreateForm(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        try:
            _, secret = api_token_create(
                org=self.org, membership=self.membership, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            form.add_error("name", exc.message_dict.get("name", exc.messages))
            return self._render(request, form)
        # Redirect, so a reload or Back cannot post the form again and mint a second token. The
        # secret waits in the server-side session (never a cookie) for exactly one page view.
        request.session[NEW_SECRET_KEY] = secret
        return redirect("tokens")


class TokenRevokeView(OrgViewMixin, View):
    required_perm = Perm.OWN_TOKENS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        token = api_token_get(org=self.org, viewer=self.membership, token_id=pk)
        try:
            api_token_revoke(org=self.org, actor=self.membership, token=token)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"“{token.name}” is revoked; requests with it now fail.")
        return redirect("tokens")
