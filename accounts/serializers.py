"""Signing in to the API: email and password for a token."""

from typing import Any

from django.contrib.auth import authenticate
from rest_framework import serializers

from actions.serializers import StrictSerializer


class TokenLoginSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)

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
    token = serializers.CharField(read_only=True)
