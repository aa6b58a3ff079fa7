"""Core API: the organization, its members and its audit trail."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from arhub.locales import is_currency, is_timezone, locale_choices
from arhub.models import AuditEvent, Membership, Organization
from arhub.phones import phone_to_e164
from arhub.roles import Perm
from arhub.selectors import audit_event_list, member_list


class OrgApiMixin:
    """Gives API views ``self.org`` and ``self.membership``, set by OrgPermission."""

    request: Any

    @property
    def org(self) -> Organization:
        return self.request.org

    @property
    def membership(self) -> Membership:
        return self.request.membership


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = [
            "name",
            "slug",
            "legal_name",
            "tax_id",
            "address_line1",
            "address_line2",
            "city",
            "region",
            "postal_code",
            "country",
            "brand_color",
            "default_currency",
            "timezone",
            "locale",
            "email_from_name",
            "email_reply_to",
            "sms_from_number",
            "created_at",
        ]
        read_only_fields = ["slug", "created_at"]

    def validate_default_currency(self, value: str) -> str:
        value = value.upper()
        if not is_currency(value):
            raise serializers.ValidationError(f"“{value}” is not an ISO 4217 currency code.")
        return value

    def validate_timezone(self, value: str) -> str:
        if not is_timezone(value):
            raise serializers.ValidationError(f"“{value}” is not an IANA time zone.")
        return value

    def validate_sms_from_number(self, value: str) -> str:
        if not value.strip():
            return ""
        try:
            return phone_to_e164(value, region=None)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.messages[0] + " Use E.164, e.g. +15551234567."
            ) from exc

    def validate_locale(self, value: str) -> str:
        if value not in dict(locale_choices()):
            raise serializers.ValidationError(f"“{value}” is not a supported locale.")
        return value


class OrganizationApi(OrgApiMixin, generics.RetrieveUpdateAPIView):
    """The caller's organization. Reading needs any role; changing needs settings rights."""

    serializer_class = OrganizationSerializer
    required_perms = {"PUT": Perm.MANAGE_SETTINGS, "PATCH": Perm.MANAGE_SETTINGS}
    http_method_names = ["get", "patch", "options", "head"]

    def get_object(self) -> Organization:
        return self.org


class MemberOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")
    role = serializers.CharField()
    created_at = serializers.DateTimeField()


class MemberListApi(OrgApiMixin, generics.ListAPIView):
    serializer_class = MemberOutput

    def get_queryset(self) -> QuerySet[Membership]:
        return member_list(org=self.org)


class AuditEventOutput(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    summary = serializers.CharField()
    actor_email = serializers.EmailField()
    ip_address = serializers.IPAddressField(allow_null=True)
    details = serializers.JSONField(source="data")
    created_at = serializers.DateTimeField()


@extend_schema(description="The organization's audit trail, newest first.")
class AuditEventListApi(OrgApiMixin, generics.ListAPIView):
    serializer_class = AuditEventOutput
    required_perm = Perm.EXPORT

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return audit_event_list(org=self.org)
