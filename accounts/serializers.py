"""Signing in to the API (email and password for a token, the person's tokens), "me", and the
people directory."""

from typing import Any

from django.contrib.auth import authenticate
from rest_framework import serializers

from accounts.models import ApiToken, User
from accounts.tokens import NAME_MAX_LENGTH, TokenStatus, token_status
from common.serializers import StrictSerializer


class TokenLoginSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=NAME_MAX_LENGTH,
        help_text='What the token is for, to tell it apart in lists (default "API token" and '
        "today's date).",
        error_messages={"max_length": f"Give a name of at most {NAME_MAX_LENGTH} characters."},
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = authenticate(
            self.context.get("request"), username=attrs["email"], password=attrs["password"]
        )
        if user is None:
            # The same message whether the email or the password is wrong.
            raise serializers.ValidationError(
                "Those details do not match an active account.", code="authorization"
            )
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        read_only=True, help_text="The secret: keep it safe, it is not shown again."
    )
    name = serializers.CharField(read_only=True)
    expires = serializers.DateTimeField(read_only=True, help_text="When it stops working.")


class ApiTokenSerializer(serializers.ModelSerializer):
    """One of the person's tokens, without its secret (which is not kept)."""

    status = serializers.SerializerMethodField(
        help_text='"active", "expired" or "revoked": only an active token signs in.'
    )

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "created",
            "expires",
            "last_used",
            "revoked",
            "revoked_reason",
            "status",
        ]
        read_only_fields = fields

    def get_status(self, token: ApiToken) -> TokenStatus:
        return token_status(token)


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name", "organisation", "job_title", "is_staff"]
        read_only_fields = fields


# A search is a few words of a name, organisation or job title.
MAX_SEARCH = 100


class DirectoryPersonSerializer(serializers.ModelSerializer):
    """A person in the directory (accounts.selectors.people_directory)."""

    email = serializers.SerializerMethodField(
        help_text="Shown to administrators, to the person and to the people they work with; "
        "null to anyone else."
    )

    class Meta:
        model = User
        fields = ["id", "name", "organisation", "job_title", "email", "is_active"]
        read_only_fields = fields

    def get_email(self, person: User) -> str | None:
        return person.email if getattr(person, "email_visible", False) else None


class PeopleSearchSerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_SEARCH,
        error_messages={"max_length": f"Search for at most {MAX_SEARCH} characters."},
    )
