"""Strict input: a field a serializer does not take is a 400 on that field, not ignored.

Shared by every app's API (HackSoft's Django-Styleguide keeps such plumbing in a ``common``
app at the bottom of the layers, so that the apps that use it need not import each other).
"""

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from rest_framework import serializers

READ_ONLY = "This field is read-only."
UNKNOWN = "Unknown field."

# Shown on every TimeStamped row; never taken.
_COMMON_READ_ONLY = frozenset({"id", "version", "created_at", "updated_at"})
# Form posts from the browsable API carry this; it is not a field.
_IGNORED_KEYS = frozenset({"csrfmiddlewaretoken"})


class RejectUnknownFieldsMixin:
    """A field the serializer does not take is a 400 on that field, never silently ignored."""

    # Fields the API shows but does not take, beyond the common ones, with their message
    # (or a function of the row being changed, None on create, that gives the message).
    read_only_messages: ClassVar[Mapping[str, str | Callable[[Any], str]]] = {}
    fields: Any

    def to_internal_value(self, data: Any) -> Any:
        errors: dict[str, Any] = {}
        if isinstance(data, Mapping):
            for key in data:
                if key in self.fields or key in _IGNORED_KEYS:
                    continue
                if key in self.read_only_messages:
                    message = self.read_only_messages[key]
                    if callable(message):
                        message = message(getattr(self, "instance", None))
                    errors[str(key)] = [message]
                elif key in _COMMON_READ_ONLY:
                    errors[str(key)] = [READ_ONLY]
                else:
                    errors[str(key)] = [UNKNOWN]
        try:
            value = super().to_internal_value(data)  # type: ignore[misc]
        except serializers.ValidationError as exc:
            if errors and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **errors}) from exc
            raise
        if errors:
            raise serializers.ValidationError(errors)
        return value


class StrictSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    pass
