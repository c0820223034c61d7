"""What every resource of the plan's API is built on: ``ResourceViewSet``.

Views adapt HTTP to selectors and services. Reads come from ``actions.selectors`` (a row a
person cannot read is never found: 404); writes are checked against the view's policy
(``actions.permissions``: 403 for a refused write, 400 for a field a role may not change)
and made by ``actions.services``, which validate and raise the errors that
``config.exceptions`` turns into 400 and 412 answers. The version a write expects comes in
``If-Match``; answers carry the row's version as their ETag.
"""

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.db.models import QuerySet
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from actions import services
from actions.models import TimeStamped
from actions.permissions import ALL_FIELDS, NOT_YOURS, Policy

IF_MATCH = OpenApiParameter(
    name="If-Match",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description='The ETag (version) you last read, e.g. "3": a stale write answers 412.',
)


def expected_version(request: Request, instance: models.Model) -> int | None:
    """The version in ``If-Match``: None for none or ``*``; unreadable never matches."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    versions: list[int] = []
    for tag in header.split(","):
        tag = tag.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        tag = tag.strip().strip('"')
        if tag.isdigit() and len(tag) < 19:
            versions.append(int(tag))
    current = getattr(instance, "version", None)
    if current in versions:
        # Still checked under the row lock by the service.
        return current
    return versions[0] if versions else -1


def signed_in(request: Request) -> User:
    """The person making a write; the permission classes have already refused anyone else."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


def with_etag(response: Response, instance: models.Model) -> Response:
    if isinstance(instance, TimeStamped):
        response["ETag"] = f'"{instance.version}"'
    return response


def _differs(instance: models.Model, name: str, value: Any) -> bool:
    field = instance._meta.get_field(name)
    if field.many_to_many:
        current = {row.pk for row in getattr(instance, name).all()}
        return current != {getattr(item, "pk", item) for item in value}
    return bool(getattr(instance, name) != value)


class InputOutputSchema(AutoSchema):
    """Documents the input serializer as the request body and the output one as the answer."""

    def get_request_serializer(self) -> Any:
        input_class = getattr(self.view, "input_serializer_class", None)
        if input_class is not None and self.method in ("POST", "PUT", "PATCH"):
            return input_class()
        return super().get_request_serializer()

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self.method in ("PUT", "PATCH", "DELETE"):
            parameters.append(IF_MATCH)
        return parameters


class ResourceViewSet(viewsets.ModelViewSet):
    """List, read, create, change and delete; who may do which is in ``policy``."""

    input_serializer_class: type[serializers.ModelSerializer]
    serializer_class: type[serializers.Serializer]
    policy: Policy = Policy()
    schema = InputOutputSchema()

    def visible(self) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        return self.visible()

    def respond(self, instance: models.Model, status_code: int = status.HTTP_200_OK) -> Response:
        # Read back through the selector, so the answer has the same shape as a GET.
        fresh = self.get_queryset().filter(pk=instance.pk).first() or instance
        response = Response(self.get_serializer(fresh).data, status=status_code)
        return with_etag(response, fresh)

    def validated(self, instance: models.Model | None, *, partial: bool) -> dict[str, Any]:
        serializer = self.input_serializer_class(
            instance,
            data=self.request.data,
            partial=partial,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def create_row(self, fields: Mapping[str, Any]) -> models.Model:
        model = self.input_serializer_class.Meta.model
        return services.model_create(model=model, by=signed_in(self.request), fields=fields)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        return with_etag(Response(self.get_serializer(instance).data), instance)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not self.policy.may_create_any(request.user):
            raise PermissionDenied(self.policy.refused_create)
        fields = self.validated(None, partial=False)
        if not self.policy.may_create(request.user, fields):
            raise PermissionDenied(self.policy.refused_create_here)
        instance = self.create_row(fields)
        return self.respond(instance, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        changeable = self.policy.changeable_fields(request.user, instance)
        if not changeable:
            raise PermissionDenied("You may not change this.")
        fields = self.validated(instance, partial=kwargs.get("partial", False))
        changes = {name: value for name, value in fields.items() if _differs(instance, name, value)}
        errors: dict[str, list[str]] = {}
        if changeable != ALL_FIELDS:
            errors = {name: [NOT_YOURS] for name in changes if name not in changeable}
        errors.update(self.policy.field_errors(request.user, instance, changes))
        if errors:
            raise DRFValidationError(errors)
        # Only what differs is written: a value repeated from a copy read earlier must not
        # undo someone else's change, least of all to a field this role may not change.
        updated = services.model_update(
            instance=instance,
            by=signed_in(request),
            fields=changes,
            expected_version=expected_version(request, instance),
        )
        return self.respond(updated)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        if not self.policy.may_delete(request.user, instance):
            raise PermissionDenied("You may not delete this.")
        services.model_delete(
            instance=instance,
            by=signed_in(request),
            expected_version=expected_version(request, instance),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
