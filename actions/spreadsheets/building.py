"""Writing a checked plan into the database: the plan, its recommendations, outcomes,
actions and milestones, in one transaction, with the audit history of any other change.

Recommendations, outcomes and milestones, a few dozen at most, go through
``actions.services.model_create`` like any other change. Actions are most of a plan, so they
are validated field by field in the same way and then written in a few bulk statements with
their history rows (``_create_actions``). Every history row names who imported the file and
gives the file as the reason.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from actions.models import Action, Milestone, Outcome, Plan, PlanStatus, Recommendation
from actions.services import model_create
from actions.spreadsheets.columns import LOCAL_AREA, PLAN_END, PLAN_START, PLAN_TITLE, PLAN_TYPE
from actions.spreadsheets.planned import PlannedPlan, PlannedRecommendation, RowAction

Create = Callable[[type[Any], dict[str, Any]], Any]
# Each recommendation as the file gave it, as created, and its outcomes by title.
Created = list[tuple[PlannedRecommendation, Recommendation, dict[str, Outcome]]]


def plan_build(planned: PlannedPlan, *, by: User, reason: str) -> Plan:
    """Write the checked plan; ValidationError if the plan or the people changed meanwhile."""

    def create(model: type[Any], fields: dict[str, Any]) -> Any:
        instance = model_create(model=model, by=by, fields=fields)
        # A new row's whole history is this import's (its many-to-many rows included).
        instance.history.update(history_change_reason=reason)
        return instance

    people = _people(planned)
    with transaction.atomic():
        plan = _plan(planned, create)
        created = _recommendations(plan, planned, people=people, create=create)
        actions = _create_actions(plan, created, people=people, by=by, reason=reason)
        _milestones(created, actions, create=create)
    return plan


def _people(planned: PlannedPlan) -> Mapping[str, User]:
    """Everyone the file names, by email in lower case."""
    emails = {
        email
        for r in planned.recommendations.values()
        for email in [r.lead, *(e for a in r.actions for e in [a.owner, *a.supporting])]
    }
    people = {
        user.email.lower(): user
        for user in User.objects.annotate(email_lower=Lower("email")).filter(
            email_lower__in=emails, is_active=True
        )
    }
    missing = emails - set(people)
    if missing:
        raise ValidationError(f"These people were removed meanwhile: {', '.join(sorted(missing))}.")
    return people


def _plan(planned: PlannedPlan, create: Create) -> Plan:
    """The empty plan the file fills (locked), or the new plan from the file's details."""
    if planned.existing is not None:
        plan = Plan.objects.select_for_update().get(pk=planned.existing.pk)
        if plan.recommendations.exists():
            raise ValidationError(
                f'The plan "{plan.slug}" has had recommendations added since the file was '
                "checked: nothing was imported."
            )
        return plan
    details = planned.details
    new_plan: Plan = create(
        Plan,
        {
            "slug": planned.slug,
            "title": details[PLAN_TITLE],
            "plan_type": details[PLAN_TYPE],
            "local_area": details[LOCAL_AREA],
            "start_date": details[PLAN_START],
            "end_date": details[PLAN_END],
            "status": PlanStatus.DRAFT,
            "published": False,
        },
    )
    return new_plan


def _recommendations(
    plan: Plan, planned: PlannedPlan, *, people: Mapping[str, User], create: Create
) -> Created:
    created: Created = []
    for number, planned_rec in sorted(planned.recommendations.items()):
        recommendation = create(
            Recommendation,
            {
                "plan": plan,
                "number": number,
                "title": planned_rec.title,
                "lead": people[planned_rec.lead],
            },
        )
        outcomes = {
            title: create(
                Outcome,
                {"recommendation": recommendation, "number": position, "title": title},
            )
            for position, title in enumerate(planned_rec.outcomes, start=1)
        }
        created.append((planned_rec, recommendation, outcomes))
    return created


def _milestones(created: Created, actions: Mapping[str, Action], *, create: Create) -> None:
    for planned_rec, recommendation, _ in created:
        for milestone in planned_rec.milestones.values():
            create(
                Milestone,
                {
                    "recommendation": recommendation,
                    "title": milestone.title,
                    "due_date": milestone.due,
                    "achieved_on": milestone.achieved,
                    "actions": [actions[ref] for ref in milestone.actions],
                },
            )


def _create_actions(
    plan: Plan,
    created: Created,
    *,
    people: Mapping[str, User],
    by: User,
    reason: str,
) -> dict[str, Action]:
    """Every action of the file in a few statements, with its history and who imported it.

    ``model_create`` costs about 23 queries an action (a plan of 400 actions: ~9,000 queries
    and half a minute, too long for an admin page). The file has been checked against the
    same rules; each action is still validated field by field (in Python), the database
    constraints still hold at the insert, and the history rows are those a save writes:
    the action, and its supporting owners at creation.
    """
    actions: dict[str, Action] = {}
    supporting: dict[str, list[User]] = {}
    for planned_rec, recommendation, outcomes in created:
        for row in planned_rec.actions:
            actions[row.reference] = _new_action(plan, recommendation, outcomes, row, people)
            supporting[row.reference] = [people[email] for email in row.supporting]
    bulk_create_with_history(
        list(actions.values()),
        Action,
        batch_size=500,
        default_user=by,
        default_change_reason=reason,
    )
    _link_supporting_owners(actions, supporting)
    return actions


def _new_action(
    plan: Plan,
    recommendation: Recommendation,
    outcomes: Mapping[str, Outcome],
    row: RowAction,
    people: Mapping[str, User],
) -> Action:
    """The row's action, not saved yet, validated as a save through the services would be."""
    action = Action(
        plan=plan,
        recommendation=recommendation,
        outcome=outcomes.get(row.outcome),
        reference=row.reference,
        title=row.title,
        owner=people[row.owner],
        start_date=row.start,
        due_date=row.due,
        status=row.status,
        rag=row.rag,
        completed_on=row.completed_on,
    )
    try:
        action.full_clean(
            exclude=["plan", "recommendation", "outcome", "owner"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        raise ValidationError(f"Row {row.row}: {' '.join(exc.messages)}") from exc
    return action


def _link_supporting_owners(
    actions: Mapping[str, Action], supporting: Mapping[str, list[User]]
) -> None:
    """The supporting owners' links, and the history's copy of them, in bulk."""
    through = Action.supporting_owners.through
    links = through.objects.bulk_create(
        [
            through(action_id=actions[ref].pk, user_id=user.pk)
            for ref, users in supporting.items()
            for user in users
        ],
        batch_size=1000,
    )
    history_ids = dict(
        Action.history.filter(  # type: ignore[attr-defined]
            id__in=[action.pk for action in actions.values()]
        ).values_list("id", "history_id")
    )
    # The history's copy of each link keeps the link's own id, as a save would record it.
    historical_through = apps.get_model("actions", "HistoricalAction_supporting_owners")
    historical_through.objects.bulk_create(
        [
            historical_through(
                id=link.pk,
                history_id=history_ids[link.action_id],
                action_id=link.action_id,
                user_id=link.user_id,
            )
            for link in links
        ],
        batch_size=1000,
    )
