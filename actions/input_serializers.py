"""What the API takes: explicit input shapes. They adapt; services decide.

Input serializers reject what they do not take: an unknown field, or a field the API only
shows (``id``, ``version``, an action's ``status``...), is a 400 on that field rather than
being silently ignored (``common.serializers``). What the API shows is in
``actions.serializers``.
"""

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, NoReturn

from django.db import models
from django.db.models import Q, QuerySet
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.validators import UniqueValidator

from accounts.models import User
from actions import selectors
from actions.filters import MAX_ID
from actions.models import (
    Action,
    ActionStatus,
    Board,
    MeasureReading,
    Milestone,
    Outcome,
    Plan,
    PlanType,
    Rag,
    Recommendation,
    SuccessMeasure,
)
from actions.permissions import ALL_FIELDS, NOT_YOURS
from common.serializers import READ_ONLY, RejectUnknownFieldsMixin, StrictSerializer


def post_a_progress_update(action: Any) -> str:
    """Where to send a status, RAG or completion date instead: the action's own address."""
    reason = "Status, RAG and completion date change only through a progress update: "
    if isinstance(action, Action) and action.pk is not None:
        return f"{reason}POST it to /api/actions/{action.pk}/updates/."
    return (
        f"{reason}after creating the action, POST a progress update to "
        "/api/actions/<its id>/updates/."
    )


def _active_people(user: Any) -> QuerySet[User]:
    return User.objects.filter(is_active=True)


# People are "users" to Django and "people" to the officers who use the API.
_NOUNS: dict[type[models.Model], tuple[str, str]] = {User: ("person", "people")}


def _nouns(model: type[models.Model]) -> tuple[str, str]:
    """What a row of ``model`` is called in messages: singular and plural."""
    if model in _NOUNS:
        return _NOUNS[model]
    return str(model._meta.verbose_name), str(model._meta.verbose_name_plural)


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


class StrictManyRelatedField(serializers.ManyRelatedField):
    """A list of ids: a JSON list (or a form field given several times), nothing else.

    DRF's field takes anything it can iterate, so ``{}`` would clear the list and
    ``{"5": 1}`` would be read as ``[5]``.
    """

    default_error_messages = {
        "not_a_list": "Give a list of ids of {nouns} (whole numbers), for example [3, 4].",
    }
    child_relation: "StrictPrimaryKeyRelatedField"

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, list | tuple):
            self.fail("not_a_list", nouns=self.child_relation.nouns[1])
        return super().to_internal_value(data)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id: a whole number or a string of digits; never true, 7.5, 1e400 or "abc".

    DRF's field hands any value to the database lookup, which reads 7.5 as 7 and overflows
    on 1e400 (a 500). The messages name the kind of row, for the person reading them.
    """

    default_error_messages = {
        "does_not_exist": "There is no {noun} with id {pk_value} that you can choose.",
        "incorrect_type": "Give the id of {a_noun} (a whole number).",
        "not_yours": NOT_YOURS,
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # For a field the caller's role may not change: the rows it links to now, by id.
        # They may be sent back; any other id is a change, refused without a lookup (so
        # the answer says nothing about whether that id exists).
        self.only_current: dict[Any, models.Model] | None = None

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> StrictManyRelatedField:
        list_kwargs: dict[str, Any] = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return StrictManyRelatedField(**list_kwargs)

    @property
    def nouns(self) -> tuple[str, str]:
        queryset: Any = self.queryset
        return _nouns(queryset.model)

    def _id(self, data: Any) -> int:
        if isinstance(data, int) and not isinstance(data, bool):
            return data
        if isinstance(data, str) and data.isascii() and data.isdigit():
            if len(data) > len(str(MAX_ID)):
                self._no_such(data)
            return int(data)
        self.fail("incorrect_type", a_noun=_a(self.nouns[0]))

    def _no_such(self, pk: Any) -> NoReturn:
        shown = str(pk)
        if len(shown) > 40:
            shown = f"{shown[:20]}...{shown[-10:]}"
        self.fail("does_not_exist", noun=self.nouns[0], pk_value=shown)

    def to_internal_value(self, data: Any) -> Any:
        pk = self._id(data)
        if self.only_current is not None:
            if pk in self.only_current:
                return self.only_current[pk]
            self.fail("not_yours")
        if not 0 < pk <= MAX_ID:
            self._no_such(pk)
        queryset: Any = self.get_queryset()
        row = queryset.filter(pk=pk).first()
        if row is None:
            self._no_such(pk)
        return row


def _linked_now(instance: models.Model, name: str) -> list[models.Model]:
    """The rows a relation of ``instance`` points to now."""
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return list(getattr(instance, name).all())
    row = getattr(instance, name)
    return [row] if row is not None else []


class StrictInputSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """Validates a request body against exactly the fields a write may set."""

    serializer_related_field = StrictPrimaryKeyRelatedField

    # Related fields limited to the rows the caller can read, so that an id they cannot
    # read answers "does not exist", like a 404 would. What a row links to now may always
    # be sent back unchanged (a person who has since left, an outcome an owner cannot read).
    visible_choices: ClassVar[Mapping[str, Callable[[Any], QuerySet[Any]]]] = {}

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None:
            return fields
        instance = self.instance if isinstance(self.instance, models.Model) else None
        locked = self._not_changeable(request.user, instance, fields)
        for name, field in fields.items():
            relation = (
                field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
            )
            if not isinstance(relation, StrictPrimaryKeyRelatedField) or relation.read_only:
                continue
            current = _linked_now(instance, name) if instance is not None else []
            if name in locked:
                relation.only_current = {row.pk: row for row in current}
                continue
            selector = self.visible_choices.get(name)
            if selector is None:
                continue
            queryset = selector(request.user)
            if current:
                queryset = queryset.model._default_manager.filter(
                    Q(pk__in=queryset.values("pk")) | Q(pk__in=[row.pk for row in current])
                )
            relation.queryset = queryset
        return fields

    def _not_changeable(
        self, user: Any, instance: models.Model | None, fields: Mapping[str, Any]
    ) -> frozenset[str]:
        """Fields of ``instance`` the caller's role may not change (the view's policy).

        A changed value of one of them is refused with "You may not change this field.",
        whatever id is sent, rather than "does not exist" for a row the role cannot read.
        """
        policy = getattr(self.context.get("view"), "policy", None)
        if instance is None or policy is None:
            return frozenset()
        changeable = policy.changeable_fields(user, instance)
        if changeable == ALL_FIELDS:
            return frozenset()
        return frozenset(fields) - changeable

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[type, dict]:
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        for validator in field_kwargs.get("validators", []):
            if isinstance(validator, UniqueValidator):
                # DRF says "plan with this slug already exists."
                noun = _a(_nouns(model_field.model)[0])
                validator.message = (
                    f"{noun[0].upper()}{noun[1:]} with this {model_field.verbose_name} "
                    "already exists."
                )
        return field_class, field_kwargs


class PlanInputSerializer(StrictInputSerializer):
    read_only_messages = {"plan_type_name": READ_ONLY, "progress": READ_ONLY}

    class Meta:
        model = Plan
        fields = [
            "title",
            "slug",
            "plan_type",
            "local_area",
            "start_date",
            "end_date",
            "status",
            "published",
            "board",
            "summary",
        ]
        # Database constraints are checked by the services, with messages per field.
        validators: list[Any] = []


class PlanTypeInputSerializer(StrictInputSerializer):
    class Meta:
        model = PlanType
        fields = ["name", "slug", "description"]
        validators: list[Any] = []


def manage_members_at(board: Any) -> str:
    """Where members are added and removed instead: the board's own members address."""
    members = f"/api/boards/{board.pk if isinstance(board, Board) else '<its id>'}/members/"
    return f"Add members with POST {members} and remove them with DELETE {members}<person id>/."


class BoardInputSerializer(StrictInputSerializer):
    read_only_messages = {"members": manage_members_at}

    class Meta:
        model = Board
        fields = ["name", "slug", "audience"]
        validators: list[Any] = []


class RecommendationInputSerializer(StrictInputSerializer):
    read_only_messages = {"lead_name": READ_ONLY}
    visible_choices = {"plan": selectors.plans_visible_to, "lead": _active_people}

    class Meta:
        model = Recommendation
        fields = ["plan", "number", "title", "description", "lead"]
        validators: list[Any] = []


class OutcomeInputSerializer(StrictInputSerializer):
    visible_choices = {"recommendation": selectors.recommendations_visible_to}

    class Meta:
        model = Outcome
        fields = ["recommendation", "number", "title", "description"]
        validators: list[Any] = []


class ActionInputSerializer(StrictInputSerializer):
    read_only_messages = {
        "status": post_a_progress_update,
        "rag": post_a_progress_update,
        "completed_on": post_a_progress_update,
        "plan": "The plan is the recommendation's plan: change the recommendation instead.",
        "owner_name": READ_ONLY,
        "is_overdue": READ_ONLY,
        "latest_update": post_a_progress_update,
        "last_progress_at": post_a_progress_update,
    }
    visible_choices = {
        "recommendation": selectors.recommendations_visible_to,
        "outcome": selectors.outcomes_visible_to,
        "owner": _active_people,
        "supporting_owners": _active_people,
    }

    class Meta:
        model = Action
        fields = [
            "recommendation",
            "outcome",
            "reference",
            "title",
            "description",
            "owner",
            "supporting_owners",
            "start_date",
            "due_date",
        ]
        validators: list[Any] = []


class MilestoneInputSerializer(StrictInputSerializer):
    read_only_messages = {"is_overdue": READ_ONLY}
    visible_choices = {
        "recommendation": selectors.recommendations_visible_to,
        "actions": selectors.actions_visible_to,
    }

    class Meta:
        model = Milestone
        fields = ["recommendation", "title", "due_date", "achieved_on", "actions"]
        validators: list[Any] = []


class SuccessMeasureInputSerializer(StrictInputSerializer):
    visible_choices = {
        "recommendation": selectors.recommendations_visible_to,
        "outcome": selectors.outcomes_visible_to,
    }

    class Meta:
        model = SuccessMeasure
        fields = [
            "recommendation",
            "outcome",
            "name",
            "unit",
            "baseline",
            "baseline_date",
            "target",
            "target_date",
            "direction",
        ]
        validators: list[Any] = []


class MeasureReadingInputSerializer(StrictInputSerializer):
    read_only_messages = {"recorded_by": "Readings are recorded by whoever sends them."}
    visible_choices = {"measure": selectors.measures_visible_to}

    class Meta:
        model = MeasureReading
        fields = ["measure", "taken_on", "value", "note"]
        validators: list[Any] = []


class BoardMemberInputSerializer(StrictSerializer):
    """A person to add to a board; the rules live in ``actions.services.board_member_add``."""

    read_only_messages = {
        "board": "The board is the one in the address.",
        "name": READ_ONLY,
        "email": READ_ONLY,
        "user": 'Give the person as "person" (their id).',
    }

    person = StrictPrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    role = serializers.CharField(
        required=False, allow_blank=True, max_length=120, help_text="For example: chair."
    )
    joined_on = serializers.DateField(
        required=False, help_text="The day they joined the board; today if not given."
    )


class ProgressUpdateInputSerializer(StrictSerializer):
    """A progress report; the rules live in ``actions.services.action_update_status``."""

    read_only_messages = {
        "author": "The author is whoever sends the update.",
        "previous_status": READ_ONLY,
        "previous_rag": READ_ONLY,
        "action": "The action is the one in the address.",
    }

    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    rag = serializers.ChoiceField(choices=Rag.choices, required=False)
    commentary = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    evidence_links = serializers.ListField(
        child=serializers.CharField(max_length=2_000), required=False, max_length=50
    )
    completed_on = serializers.DateField(required=False, allow_null=True)
