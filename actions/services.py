"""Writes to the plan. Every status or RAG change goes through ``action_update_status``.

Each service validates, writes and records the audit history (who made the change) in one
transaction. A refused change raises ``django.core.exceptions.ValidationError`` with
field-level messages and changes nothing; a stale write raises ``PreconditionFailed``.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction

from accounts.models import User
from actions.dates import local_today
from actions.exceptions import PreconditionFailed
from actions.history import PROGRESS_UPDATE_REASON
from actions.models import (
    Action,
    ActionStatus,
    Board,
    BoardMembership,
    MeasureReading,
    Milestone,
    Outcome,
    Plan,
    ProgressUpdate,
    Recommendation,
    SuccessMeasure,
    TimeStamped,
)
from actions.selectors import PUBLISHABLE_STATUSES
from actions.status_rules import checked_progress

M = TypeVar("M", bound=models.Model)

# Which field a database constraint's message belongs to, so that the API can put it
# beside the field the person has to correct.
_CONSTRAINT_FIELD = {
    "plan_ends_after_it_starts": "end_date",
    "recommendation_number_unique_in_plan": "number",
    "outcome_number_unique_in_recommendation": "number",
    "action_reference_unique_in_plan": "reference",
    "action_due_not_before_start": "due_date",
    "action_completed_has_date": "completed_on",
    "action_blue_iff_completed": "rag",
    "one_reading_per_measure_per_day": "taken_on",
    "board_member_once": "user",
    "recommendation_number_from_1": "number",
    "outcome_number_from_1": "number",
    "measure_target_not_before_baseline": "target_date",
}


def validate_instance(instance: models.Model) -> None:
    """Field checks, model checks and database constraints, with messages per field."""
    errors: dict[str, list[str]] = {}
    try:
        instance.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = {key: list(value) for key, value in exc.message_dict.items()}
    for constraint in instance._meta.constraints:
        try:
            constraint.validate(  # type: ignore[attr-defined]
                type(instance), instance, exclude=set(errors)
            )
        except ValidationError as exc:
            field = _CONSTRAINT_FIELD.get(constraint.name, NON_FIELD_ERRORS)
            errors.setdefault(field, []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)


DRAFT_NOT_PUBLISHED = "A draft plan cannot be published. Make it active first."
PUBLISHED_NOT_DRAFT = (
    "A published plan cannot go back to draft. Unpublish it first (published: false), "
    "in the same change if you like."
)


def plan_publish_errors(
    *, status: str | None, published: bool | None, changed: Iterable[str]
) -> dict[str, list[str]]:
    """A plan is published only while it is active or closed; the API and the admin share it.

    The message goes on the field that was changed: publishing a draft is refused on
    ``published``, moving a published plan back to draft on ``status``. Moving it back is
    refused rather than unpublishing it quietly: taking a plan off the public page is a
    decision of its own, never the side effect of a change of status.
    """
    if not published or status in PUBLISHABLE_STATUSES:
        return {}
    changed = set(changed)
    if "status" in changed and "published" not in changed:
        return {"status": [PUBLISHED_NOT_DRAFT]}
    return {"published": [DRAFT_NOT_PUBLISHED]}


def _check_plan(instance: models.Model, changed: Iterable[str]) -> None:
    if isinstance(instance, Plan):
        errors = plan_publish_errors(
            status=instance.status, published=instance.published, changed=changed
        )
        if errors:
            raise ValidationError(errors)


def check_version(instance: TimeStamped, expected_version: int | None) -> None:
    if expected_version is not None and instance.version != expected_version:
        raise PreconditionFailed(current_version=instance.version)


def _lock(instance: M) -> M:
    manager = type(instance)._default_manager
    return manager.select_for_update().get(pk=instance.pk)


def model_create(*, model: type[M], by: User | None, fields: Mapping[str, Any]) -> M:
    """Create a row from validated fields; many-to-many values are lists of objects or ids."""
    plain = {k: v for k, v in fields.items() if not model._meta.get_field(k).many_to_many}
    m2m = {k: v for k, v in fields.items() if model._meta.get_field(k).many_to_many}
    instance = model(**plain)
    _fill_derived_fields(instance)
    validate_instance(instance)
    _check_structure(instance, m2m)
    _check_plan(instance, fields)
    with transaction.atomic():
        instance._history_user = by  # type: ignore[attr-defined]
        instance.save()
        for name, values in m2m.items():
            getattr(instance, name).set(values)
    return instance


def model_update(
    *,
    instance: M,
    by: User | None,
    fields: Mapping[str, Any],
    expected_version: int | None = None,
) -> M:
    """Change fields of a row under a lock, refusing a stale write (If-Match) with 412."""
    with transaction.atomic():
        locked = _lock(instance)
        if isinstance(locked, TimeStamped):
            check_version(locked, expected_version)
        if not fields:
            # Nothing to change: no new version (that would turn others' If-Match stale) and
            # no empty entry in the history.
            return locked
        m2m: dict[str, Iterable[Any]] = {}
        for name, value in fields.items():
            if locked._meta.get_field(name).many_to_many:
                m2m[name] = value
            else:
                setattr(locked, name, value)
        _fill_derived_fields(locked)
        validate_instance(locked)
        _check_structure(locked, m2m)
        _check_plan(locked, fields)
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save()
        for name, values in m2m.items():
            getattr(locked, name).set(values)
    return locked


def structure_errors(
    instance: models.Model, *, linked_actions: Iterable[Action] | None = None
) -> dict[str, list[str]]:
    """Moves that would break the plan's structure, by field; the API and the admin share them.

    An action repeats its recommendation's plan (references are unique per plan), milestones
    link actions of their own plan, and actions and measures count towards outcomes of their
    own recommendation. So a recommendation with actions stays in its plan, an outcome with
    actions or measures stays with its recommendation, an action linked to milestones stays
    in its plan, and a milestone links only actions of its recommendation's plan.
    ``linked_actions`` is a milestone's new set of actions, if it is being changed.
    """
    errors: dict[str, list[str]] = {}
    saved = type(instance)._default_manager.filter(pk=instance.pk) if instance.pk else None
    if isinstance(instance, Recommendation) and saved is not None:
        # Only a move needs the look-ups for what it would break, not every edit.
        moving = saved.exclude(plan_id=instance.plan_id).exists()
        if moving and (
            Action.objects.filter(recommendation_id=instance.pk).exists()
            or Milestone.actions.through.objects.filter(
                milestone__recommendation_id=instance.pk
            ).exists()
        ):
            errors["plan"] = [
                "This recommendation has actions in its plan, so it cannot move to another plan."
            ]
    if isinstance(instance, Outcome) and saved is not None:
        moving = saved.exclude(recommendation_id=instance.recommendation_id).exists()
        if moving and (
            Action.objects.filter(outcome_id=instance.pk).exists()
            or SuccessMeasure.objects.filter(outcome_id=instance.pk).exists()
        ):
            errors["recommendation"] = [
                "Actions or success measures count towards this outcome, so it cannot move "
                "to another recommendation."
            ]
    if isinstance(instance, Action) and saved is not None and instance.plan_id is not None:
        moving = saved.exclude(plan_id=instance.plan_id).exists()
        if moving and Milestone.actions.through.objects.filter(action_id=instance.pk).exists():
            errors["recommendation"] = [
                "This action is linked to milestones of its plan: unlink it before moving it "
                "to another plan."
            ]
    # The recommendation as given: in the admin, with its plan as edited on the same page.
    recommendation = getattr(instance, "recommendation", None)
    if isinstance(instance, Milestone) and recommendation is not None:
        plan_id = recommendation.plan_id
        if linked_actions is not None:
            strays = [a.reference for a in linked_actions if a.plan_id != plan_id]
        elif instance.pk:
            strays = list(
                Action.objects.filter(milestones=instance.pk)
                .exclude(plan_id=plan_id)
                .values_list("reference", flat=True)
            )
        else:
            strays = []
        if strays:
            errors["actions"] = [f"These actions belong to another plan: {', '.join(strays)}."]
    return errors


def _check_structure(instance: models.Model, m2m: Mapping[str, Any]) -> None:
    linked = m2m.get("actions") if isinstance(instance, Milestone) else None
    if linked is not None:
        linked = [a if isinstance(a, Action) else Action.objects.get(pk=a) for a in linked]
    errors = structure_errors(instance, linked_actions=linked)
    if errors:
        raise ValidationError(errors)


def _fill_derived_fields(instance: models.Model) -> None:
    """Keep denormalised fields true and cross-row rules checked before validation."""
    if isinstance(instance, Action):
        if instance.recommendation_id is not None:
            plan_id = (
                Recommendation.objects.filter(pk=instance.recommendation_id)
                .values_list("plan_id", flat=True)
                .first()
            )
            if plan_id is not None:
                instance.plan_id = plan_id
        if instance.outcome_id is not None and instance.recommendation_id is not None:
            outcome_rec = (
                Outcome.objects.filter(pk=instance.outcome_id)
                .values_list("recommendation_id", flat=True)
                .first()
            )
            if outcome_rec != instance.recommendation_id:
                raise ValidationError(
                    {"outcome": ["This outcome belongs to a different recommendation."]}
                )
    if isinstance(instance, SuccessMeasure) and instance.outcome_id is not None:
        outcome_rec = (
            Outcome.objects.filter(pk=instance.outcome_id)
            .values_list("recommendation_id", flat=True)
            .first()
        )
        if outcome_rec != instance.recommendation_id:
            raise ValidationError(
                {"outcome": ["This outcome belongs to a different recommendation."]}
            )


def action_update_status(
    *,
    action: Action,
    by: User,
    status: str | None = None,
    rag: str | None = None,
    commentary: str = "",
    evidence_links: Sequence[str] = (),
    completed_on: dt.date | None = None,
    expected_version: int | None = None,
) -> ProgressUpdate:
    """Record a progress report: validate the change, update the action, append the update.

    ``status`` and ``rag`` default to the action's current values. Rules
    (``actions.status_rules``): completing needs a completion date (and makes the RAG blue);
    a red or amber rating, blocking, cancelling, reopening or reinstating needs commentary;
    blue belongs to completed actions only.
    """
    commentary = (commentary or "").strip()
    with transaction.atomic():
        locked = _lock(action)
        check_version(locked, expected_version)
        new = checked_progress(
            locked,
            status=status,
            rag=rag,
            commentary=commentary,
            evidence_links=evidence_links,
            completed_on=completed_on,
        )
        update = ProgressUpdate.objects.create(
            action=locked,
            author=by,
            previous_status=locked.status,
            status=new.status,
            previous_rag=locked.rag,
            rag=new.rag,
            commentary=commentary,
            evidence_links=list(evidence_links),
            completed_on=new.completed_on if new.status == ActionStatus.COMPLETED else None,
        )
        locked.status = new.status
        locked.rag = new.rag
        locked.completed_on = update.completed_on
        locked.latest_update = update
        locked.last_progress_at = update.created_at
        locked._history_user = by  # type: ignore[attr-defined]
        locked._change_reason = PROGRESS_UPDATE_REASON  # type: ignore[attr-defined]
        locked.save()

    # The caller's instance reflects the change, as if it had been reloaded.
    for field in ("status", "rag", "completed_on", "latest_update", "last_progress_at", "version"):
        setattr(action, field, getattr(locked, field))
    action.updated_at = locked.updated_at
    return update


def reading_record(
    *, measure: SuccessMeasure, by: User, taken_on: dt.date, value: Any, note: str = ""
) -> MeasureReading:
    return model_create(
        model=MeasureReading,
        by=by,
        fields={
            "measure": measure,
            "taken_on": taken_on,
            "value": value,
            "note": note,
            "recorded_by": by,
        },
    )


def board_member_add(
    *,
    board: Board,
    person: User,
    by: User,
    role: str = "",
    joined_on: dt.date | None = None,
) -> BoardMembership:
    """Add a person to a board; the membership's history records who added them."""
    with transaction.atomic():
        # The board's row lock queues two additions of one person: the second is told why.
        _lock(board)
        if BoardMembership.objects.filter(board=board, user=person).exists():
            raise ValidationError(
                {"person": [f"{person.name or person.email} is already a member of this board."]}
            )
        membership = BoardMembership(
            board=board, user=person, role=role.strip(), joined_on=joined_on or local_today()
        )
        validate_instance(membership)
        membership._history_user = by  # type: ignore[attr-defined]
        membership.save()
    return membership


def board_member_remove(*, membership: BoardMembership, by: User) -> None:
    """Take a person off a board; the membership's history keeps who did it and when."""
    with transaction.atomic():
        locked = BoardMembership.objects.select_for_update().filter(pk=membership.pk).first()
        if locked is None:
            return  # removed by someone else meanwhile: the outcome asked for
        locked._history_user = by  # type: ignore[attr-defined]
        locked.delete()


def model_delete(
    *, instance: models.Model, by: User | None, expected_version: int | None = None
) -> None:
    """Delete a row under a lock, refusing a stale delete (If-Match) with 412.

    A row that others still depend on (a plan type in use, a board governing a plan) is
    refused with a message rather than failing in the database.
    """
    with transaction.atomic():
        locked = _lock(instance)
        if isinstance(locked, TimeStamped):
            check_version(locked, expected_version)
        locked._history_user = by  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                locked.delete()
        except (models.ProtectedError, models.RestrictedError) as exc:
            blockers: Iterable[models.Model] = (
                exc.protected_objects
                if isinstance(exc, models.ProtectedError)
                else exc.restricted_objects
            )
            if any(isinstance(blocker, ProgressUpdate) for blocker in blockers):
                message = (
                    "Progress has been reported here, and that record is kept: cancel the "
                    "action (or close the plan) instead of deleting it."
                )
            else:
                message = (
                    "This cannot be deleted while other items refer to it: "
                    "remove or move them first."
                )
            raise ValidationError({NON_FIELD_ERRORS: [message]}) from exc
