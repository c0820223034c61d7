"""One rule set: for each role, the workspace shows exactly the objects the API lets that
person read, and answers 404 for every other one, whether it exists or not."""

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import create_token
from actions.dates import LONDON
from actions.models import Action, Plan, Recommendation
from digests.services import boards_of, digest_snapshot
from tests.factories import (
    ActionFactory,
    BoardFactory,
    PlanFactory,
    RecommendationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _plan(title: str, *, published: bool) -> dict[str, object]:
    member = UserFactory.create(name=f"{title} board member")
    plan = PlanFactory.create(
        title=title, published=published, board=BoardFactory.create(members=[member])
    )
    lead = UserFactory.create(name=f"{title} lead")
    first = RecommendationFactory.create(plan=plan, lead=lead, number=1)
    second = RecommendationFactory.create(plan=plan, number=2)
    owner = UserFactory.create(name=f"{title} owner")
    supporter = UserFactory.create(name=f"{title} supporter")
    owned = ActionFactory.create(
        recommendation=first, owner=owner, supporting_owners=[supporter], reference="1.1"
    )
    ActionFactory.create(recommendation=first, reference="1.2")
    ActionFactory.create(recommendation=second, reference="2.1")
    [board] = boards_of(plan)
    digest_snapshot(plan=plan, board=board, as_of=NOW.date(), now=NOW)
    return {
        "plan": plan,
        "member": member,
        "lead": lead,
        "owner": owner,
        "supporter": supporter,
        "owned": owned,
    }


@pytest.fixture
def world() -> dict[str, dict[str, object]]:
    return {
        "private": _plan("Northshire WSOA", published=False),
        "public": _plan("Southvale priority plan", published=True),
    }


def _people(world: dict[str, dict[str, object]]) -> dict[str, User]:
    private = world["private"]
    return {
        "administrator": UserFactory.create(is_staff=True),
        "board member": private["member"],  # type: ignore[dict-item]
        "lead": private["lead"],  # type: ignore[dict-item]
        "owner": private["owner"],  # type: ignore[dict-item]
        "supporting owner": private["supporter"],  # type: ignore[dict-item]
        "someone from another plan": world["public"]["owner"],  # type: ignore[dict-item]
        "someone with no part": UserFactory.create(),
    }


def _pairs() -> list[tuple[str, str, str]]:
    """(kind, API address, workspace address) templates for every object a page shows."""
    from digests.models import DigestSnapshot

    pairs = []
    for action in Action.objects.all():
        pairs.append(("action", f"/api/actions/{action.pk}/", f"/workspace/actions/{action.pk}/"))
    for rec in Recommendation.objects.all():
        pairs.append(
            (
                "recommendation",
                f"/api/recommendations/{rec.pk}/",
                f"/workspace/recommendations/{rec.pk}/",
            )
        )
    for plan in Plan.objects.all():
        pairs.append(("plan", f"/api/plans/{plan.pk}/", f"/workspace/plans/{plan.pk}/"))
    for snapshot in DigestSnapshot.objects.all():
        pairs.append(
            ("digest", f"/api/digests/{snapshot.pk}/", f"/workspace/digests/{snapshot.pk}/")
        )
    missing = 10**6
    for kind, api, page in [
        ("action", "actions", "actions"),
        ("recommendation", "recommendations", "recommendations"),
        ("plan", "plans", "plans"),
        ("digest", "digests", "digests"),
    ]:
        pairs.append((f"missing {kind}", f"/api/{api}/{missing}/", f"/workspace/{page}/{missing}/"))
    return pairs


ROLES = [
    "administrator",
    "board member",
    "lead",
    "owner",
    "supporting owner",
    "someone from another plan",
    "someone with no part",
]


@pytest.mark.parametrize("role", ROLES)
def test_the_workspace_shows_what_the_api_lets_each_role_read_and_nothing_else(
    world: dict[str, dict[str, object]], role: str
) -> None:
    person = _people(world)[role]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {create_token(user=person)[1]}")
    browser = Client()
    browser.force_login(person)
    differences = []
    readable = 0
    for kind, api_path, page_path in _pairs():
        api_status = api.get(api_path).status_code
        page_status = browser.get(page_path).status_code
        assert api_status in (200, 404), (api_path, api_status)
        assert page_status in (200, 404), (page_path, page_status)
        readable += api_status == 200
        if api_status != page_status:
            differences.append(f"{kind}: API {api_status} at {api_path}, page {page_status}")
    assert not differences, "\n".join(differences)
    assert readable > 0  # every role reads something: the public plan at least
