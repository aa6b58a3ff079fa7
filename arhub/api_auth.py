from __future__ import annotations

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from arhub.models import ApiToken, User
from arhub.services.tokens import api_token_authenticate


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>``. A bad or revoked token is a 401, never a fallback to
    the session, so a script learns at once that its credentials are wrong."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Malformed Authorization header: use 'Bearer <token>'.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("The token contains characters no token has.") from None
        token = api_token_authenticate(secret=secret)
        if token is None:
            raise AuthenticationFailed("Invalid or revoked API token.")
        return token.membership.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
