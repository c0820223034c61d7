"""Who opens which page in ``make bench-web``, beside which API list, and at how many queries.

Four pages, each opened by the person who uses it, and each set beside the API's answer
about the same rows, asked by the same person with their token:

- "What needs you" (``/``) as a plan administrator, who sees every plan: beside it the
  API's overdue actions (``?overdue=true``), the home page's first section;
- a plan's page as a member of its board: beside it ``?plan=<id>``;
- a recommendation's page as its lead: beside it ``?recommendation=<id>``;
- an action's page as its owner: beside it the action itself, ``/api/actions/<id>/``.

Every virtual user is a person of their own (sign-in is limited per email address), chosen
from the data set deterministically: the largest active plans and recommendations, and the
actions with the longest histories, each with a different person. Administrators are staff
accounts the run adds. Everyone chosen is given the run's password and a token.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.tokens import create_token
from actions.models import Action, BoardMembership, Plan, PlanStatus, Recommendation


@dataclass(frozen=True)
class Pair:
    """A page and the API request it is measured against, and who sends both."""

    key: str
    page: str
    api: str
    role: str

    @property
    def page_scenario(self) -> str:
        return f"{self.key}-page"

    @property
    def api_scenario(self) -> str:
        return f"{self.key}-api"


PAIRS = [
    Pair("home", "What needs you, administrator", "API ?overdue=true", "administrator"),
    Pair("plan", "plan page, board member", "API ?plan=<id>", "board member"),
    Pair(
        "recommendation",
        "recommendation page, lead",
        "API ?recommendation=<id>",
        "recommendation lead",
    ),
    Pair("action", "action page, owner", "API /api/actions/<id>/", "owner"),
]
SCENARIOS = [name for pair in PAIRS for name in (pair.page_scenario, pair.api_scenario)]


def round_order(round_number: int) -> list[str]:
    """Each page next to its API list; page first in odd rounds, API first in even ones,
    so that neither always follows the other's load."""
    order = []
    for pair in PAIRS:
        two = [pair.page_scenario, pair.api_scenario]
        order += two if round_number % 2 else two[::-1]
    return order


# --- Who -----------------------------------------------------------------------------------


def _administrators(count: int) -> list[tuple[User, int]]:
    admins = []
    for number in range(1, count + 1):
        admin, _ = User.objects.get_or_create(
            email=f"web-load-admin-{number}@bench.invalid",
            defaults={"name": f"Load test administrator {number}", "is_staff": True},
        )
        admins.append((admin, 0))
    return admins


def _board_members(count: int) -> list[tuple[User, int]]:
    """A member of each of the largest active plans' own boards, nobody twice."""
    plans = (
        Plan.objects.filter(status=PlanStatus.ACTIVE, board__isnull=False)
        .annotate(size=Count("actions"))
        .order_by("-size", "pk")
    )
    chosen: list[tuple[User, int]] = []
    for plan in plans.iterator():
        taken = [user.pk for user, _ in chosen]
        membership = (
            BoardMembership.objects.filter(board__plans=plan, user__is_active=True)
            .exclude(user_id__in=taken)
            .select_related("user")
            .order_by("user_id")
            .first()
        )
        if membership is not None:
            chosen.append((membership.user, plan.pk))
        if len(chosen) == count:
            break
    return chosen


def _leads(count: int) -> list[tuple[User, int]]:
    """The leads of the largest recommendations of active plans, nobody twice."""
    recommendations = (
        Recommendation.objects.filter(plan__status=PlanStatus.ACTIVE, lead__is_active=True)
        .annotate(size=Count("actions"))
        .select_related("lead")
        .order_by("-size", "pk")
    )
    return _distinct(((rec.lead, rec.pk) for rec in recommendations.iterator()), count)


def _owners(count: int) -> list[tuple[User, int]]:
    """The owners of the actions of active plans with the longest histories, nobody twice."""
    actions = (
        Action.objects.filter(plan__status=PlanStatus.ACTIVE, owner__is_active=True)
        .annotate(length=Count("updates"))
        .select_related("owner")
        .order_by("-length", "pk")
    )
    return _distinct(((action.owner, action.pk) for action in actions.iterator()), count)


def _distinct(pairs: Any, count: int) -> list[tuple[User, int]]:
    chosen: list[tuple[User, int]] = []
    seen: set[int] = set()
    for user, pk in pairs:
        if user.pk not in seen:
            seen.add(user.pk)
            chosen.append((user, pk))
            if len(chosen) == count:
                break
    return chosen


CHOOSERS = {
    "home": _administrators,
    "plan": _board_members,
    "recommendation": _leads,
    "action": _owners,
}


def _addresses(key: str, pk: int) -> tuple[str, str]:
    """The page and its API request, for the object ``pk`` (none for the home page)."""
    return {
        "home": ("/", "/api/actions/?overdue=true"),
        "plan": (f"/workspace/plans/{pk}/", f"/api/actions/?plan={pk}"),
        "recommendation": (
            f"/workspace/recommendations/{pk}/",
            f"/api/actions/?recommendation={pk}",
        ),
        "action": (f"/workspace/actions/{pk}/", f"/api/actions/{pk}/"),
    }[key]


def load_plan(users: int, password: str) -> dict[str, Any]:
    """What each virtual user of each scenario does, as whom; everyone gets ``password``.

    A person may be chosen for two pages (an administrator is never anyone else, but a lead
    may own an action): each scenario runs on its own, so no two users of one run share an
    account.
    """
    plan: dict[str, list[dict[str, Any]]] = {}
    everyone: dict[int, User] = {}
    for pair in PAIRS:
        chosen = CHOOSERS[pair.key](users)
        if len(chosen) < users:
            raise SystemExit(
                f"{pair.key}: the data set has {len(chosen)} people to be the "
                f"{pair.role} for {users} virtual users."
            )
        for scenario in (pair.page_scenario, pair.api_scenario):
            plan[scenario] = []
        for user, pk in chosen:
            everyone[user.pk] = user
            page, api = _addresses(pair.key, pk)
            token = create_token(user=user, name="Load test")[1]
            person = {"role": pair.role, "email": user.email, "token": token, "object": pk}
            plan[pair.page_scenario].append({**person, "url": page})
            plan[pair.api_scenario].append({**person, "url": api})
    # One hash for all: hashing is slow on purpose, and the run signs in with it, not this.
    User.objects.filter(pk__in=everyone).update(password=make_password(password))
    return {"password": password, "users": plan}


# --- What each request costs in queries ------------------------------------------------------


def session_cookie(email: str) -> str:
    """A signed-in session of this person, as the sign-in page would make one."""
    client = Client()
    client.force_login(User.objects.get(email=email))
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def queries_per_request(plan: dict[str, Any]) -> dict[str, list[int]]:
    """The queries each person's request runs, through Django's test client against the same
    database: a page in a signed-in session, an API request with the token alone."""
    counts: dict[str, list[int]] = {}
    for scenario, entries in plan["users"].items():
        counts[scenario] = []
        for entry in entries:
            client = Client()
            headers: dict[str, str] = {}
            if scenario.endswith("-page"):
                client.force_login(User.objects.get(email=entry["email"]))
            else:
                headers["Authorization"] = f"Token {entry['token']}"
            with CaptureQueriesContext(connection) as captured:
                answer = client.get(entry["url"], headers=headers)
            if answer.status_code != 200:
                raise SystemExit(
                    f"{scenario}: {entry['url']} answered {answer.status_code} to the "
                    f"{entry['role']} it is measured for."
                )
            counts[scenario].append(len(captured))
    return counts


def objects_described(plan: dict[str, Any]) -> list[str]:
    """What the chosen objects hold, for the output: their sizes as the run found them."""

    def span(values: list[int]) -> str:
        low, high = min(values), max(values)
        return str(low) if low == high else f"{low}-{high}"

    ids = {pair.key: [e["object"] for e in plan["users"][pair.page_scenario]] for pair in PAIRS}
    plans = Plan.objects.filter(pk__in=ids["plan"]).annotate(n=Count("actions"))
    recs = Recommendation.objects.filter(pk__in=ids["recommendation"]).annotate(n=Count("actions"))
    actions = Action.objects.filter(pk__in=ids["action"]).annotate(n=Count("updates"))
    return [
        f"home: {len(ids['home'])} administrators (staff accounts the run adds), every plan",
        f"plan: {len(ids['plan'])} board members, each of their own plan of "
        f"{span([p.n for p in plans])} actions",
        f"recommendation: {len(ids['recommendation'])} leads, each of a recommendation of "
        f"{span([r.n for r in recs])} actions (the data set's largest)",
        f"action: {len(ids['action'])} owners, each of an action with "
        f"{span([a.n for a in actions])} progress updates (the longest histories)",
    ]
