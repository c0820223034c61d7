"""make bench-lists runs every list as the roles it names, and its yardstick holds the same rows.

On a small generated world (the benchmark's own world-making: sweeps and digests), one repeat
of each measurement: every list answers for every role, me/actions and the action list show
the same number of rows to the same people, and the before/after table covers every list.
"""

import datetime as dt
import random
from collections.abc import Iterator

import pytest
import time_machine

from actions.dataset import dataset_generate
from actions.dates import LONDON
from benchmarks import lists, lists_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON), tick=False):
        yield


def test_every_list_is_timed_as_each_role_and_beside_the_rule_it_replaced(
    capsys: pytest.CaptureFixture[str],
) -> None:
    dataset_generate(plans=6, actions_per_plan=40, people=150, seed=1, today=lists_world.TODAY)
    lists_world.chasing_ensure()
    lists_world.chasing_ensure()  # a second call adds nothing
    people = lists_world.people_by_role(random.Random(1), 1)
    assert {role: len(users) for role, users in people.items()} == dict.fromkeys(
        lists_world.ROLES, 1
    )

    rows = lists.request_figures(lists._tokens(people), 1, (True,))
    asked = {(label, role) for label, _url, roles in lists.REQUESTS for role in roles}
    assert {(row["list"], row["role"]) for row in rows} == asked
    by = {(row["list"], row["role"]): row for row in rows}
    for role in ("owner", "supporter"):
        assert by[("me/actions", role)]["rows"] == by[("actions (same rows)", role)]["rows"]
    assert all(row["queries"] >= 2 for row in rows)

    lists.print_requests(rows, (True,))
    lists.print_forms(lists.form_pairs(people), 1, (True,))
    printed = capsys.readouterr().out
    assert "me/actions / actions, owner, JIT on: " in printed
    for name in ("me/actions", "plans", "recommendations", "milestones", "digests"):
        assert f"\n{name:16} " in printed
    assert "\nescalations      owner" in printed
