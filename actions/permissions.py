"""Who may write what (docs/api.md, "Who writes what").

Reading is decided by the selectors: a row a person cannot read is never found (404). These
policies decide writes on rows a person can read: a refused write is a 403, and a field a
role may not change is a 400 on that field.
"""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import User
from actions.models import Action, MeasureReading, Recommendation, SuccessMeasure
from actions.selectors import leads_any_recommendation

AnyUser = User | AnonymousUser

# Everything in the input serializer.
ALL_FIELDS: frozenset[str] = frozenset({"*"})

NOT_YOURS = "You may not change this field."


class ReadableByAnyone(BasePermission):
    """Reads are open (the queryset decides what is seen); writes need a signed-in person."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)


def is_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def _leads(user: AnyUser, recommendation: Recommendation | None) -> bool:
    return recommendation is not None and recommendation.lead_id == user.pk


class Policy:
    """Administrators only: plans, boards and plan types."""

    # What a refused create says: who may, so that the person knows whom to ask.
    refused_create = "Only plan administrators can add these."
    refused_create_here = refused_create

    def may_create_any(self, user: AnyUser) -> bool:
        """Checked before the request body is read, so a stranger gets 403, not 400."""
        return is_admin(user)

    def may_create(self, user: AnyUser, fields: Mapping[str, Any]) -> bool:
        return is_admin(user)

    def changeable_fields(self, user: AnyUser, instance: models.Model) -> frozenset[str]:
        return ALL_FIELDS if is_admin(user) else frozenset()

    def field_errors(
        self, user: AnyUser, instance: models.Model, fields: Mapping[str, Any]
    ) -> dict[str, list[str]]:
        """Values a role may not set even on a field it may change."""
        return {}

    def may_delete(self, user: AnyUser, instance: models.Model) -> bool:
        return is_admin(user)


class RecommendationPolicy(Policy):
    def changeable_fields(self, user: AnyUser, instance: models.Model) -> frozenset[str]:
        assert isinstance(instance, Recommendation)
        if is_admin(user):
            return ALL_FIELDS
        if _leads(user, instance):
            return frozenset({"title", "description"})
        return frozenset()


class UnderRecommendationPolicy(Policy):
    """Outcomes, milestones, measures: the administrator, and the lead of the recommendation."""

    parent_field = "recommendation"
    refused_create = (
        "Only plan administrators, and recommendation leads under their own "
        "recommendations, can add these."
    )
    refused_create_here = "You can only add this under a recommendation you lead."

    def recommendation_of(self, parent: Any) -> Recommendation | None:
        return parent if isinstance(parent, Recommendation) else None

    def _recommendation(self, instance: models.Model) -> Recommendation | None:
        return self.recommendation_of(getattr(instance, self.parent_field))

    def may_create_any(self, user: AnyUser) -> bool:
        return is_admin(user) or leads_any_recommendation(user)

    def may_create(self, user: AnyUser, fields: Mapping[str, Any]) -> bool:
        return is_admin(user) or _leads(user, self.recommendation_of(fields.get(self.parent_field)))

    def changeable_fields(self, user: AnyUser, instance: models.Model) -> frozenset[str]:
        if is_admin(user) or _leads(user, self._recommendation(instance)):
            return ALL_FIELDS
        return frozenset()

    def field_errors(
        self, user: AnyUser, instance: models.Model, fields: Mapping[str, Any]
    ) -> dict[str, list[str]]:
        if is_admin(user) or self.parent_field not in fields:
            return {}
        if _leads(user, self.recommendation_of(fields[self.parent_field])):
            return {}
        return {self.parent_field: ["You can only move this under a recommendation you lead."]}

    def may_delete(self, user: AnyUser, instance: models.Model) -> bool:
        return is_admin(user) or _leads(user, self._recommendation(instance))


class ReadingPolicy(UnderRecommendationPolicy):
    parent_field = "measure"
    refused_create_here = (
        "You can only record readings of measures under a recommendation you lead."
    )

    def recommendation_of(self, parent: Any) -> Recommendation | None:
        return parent.recommendation if isinstance(parent, SuccessMeasure) else None

    def _recommendation(self, instance: models.Model) -> Recommendation | None:
        assert isinstance(instance, MeasureReading)
        return instance.measure.recommendation


class ActionPolicy(UnderRecommendationPolicy):
    def changeable_fields(self, user: AnyUser, instance: models.Model) -> frozenset[str]:
        assert isinstance(instance, Action)
        if is_admin(user) or _leads(user, instance.recommendation):
            return ALL_FIELDS
        if instance.owner_id == user.pk:
            return frozenset({"description"})
        return frozenset()


def may_report_progress(user: AnyUser, action: Action) -> bool:
    """Owner, supporting owners, the lead of the recommendation and administrators."""
    if is_admin(user) or action.owner_id == user.pk or _leads(user, action.recommendation):
        return True
    return any(person.pk == user.pk for person in action.supporting_owners.all())
