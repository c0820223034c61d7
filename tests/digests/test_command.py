"""manage.py compile_digest: one snapshot on demand, the email to read under var/digests/."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pytest_django import Settings

from digests.models import DigestSnapshot
from notifications.models import Notification
from tests.digests.conftest import MONDAY, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(settings: Settings, tmp_path: Path) -> Path:
    settings.DIGESTS_DIR = tmp_path / "digests"
    return settings.DIGESTS_DIR  # type: ignore[no-any-return]


def compile_digest(*args: str) -> str:
    out = StringIO()
    call_command("compile_digest", *args, stdout=out)
    return out.getvalue()


def test_it_stores_the_snapshot_writes_the_email_and_says_where_to_read_it(
    world: World, folder: Path
) -> None:
    world.clock.go_to(MONDAY)

    said = compile_digest("--plan", "northshire-wsoa", "--as-of", "2026-11-30")

    snapshot = DigestSnapshot.objects.get()
    assert snapshot.period == "2026-W49"
    assert snapshot.queued_at is None
    html = folder / "northshire-wsoa-2026-W49-executive.html"
    assert said.strip() == (
        f"Stored: snapshot {snapshot.pk} for Northshire SEND Executive, 2026-W49. Read it in "
        f"{html} (text in {html.with_suffix('.txt')}, email in {html.with_suffix('.eml')})."
    )
    assert "<h1" in html.read_text() and "6</td>" in html.read_text()
    assert "Figures as at 30 November 2026." in html.with_suffix(".txt").read_text()
    assert b"Content-Type: multipart/mixed" in html.with_suffix(".eml").read_bytes()
    # Built, not sent: the Monday sweep sends this very snapshot.
    assert Notification.objects.count() == 0

    again = compile_digest("--plan", "northshire-wsoa", "--as-of", "2026-11-30")
    assert again.startswith(f"Already stored: snapshot {snapshot.pk} ")
    assert DigestSnapshot.objects.count() == 1


def test_every_audience_at_once(world: World, folder: Path) -> None:
    world.clock.go_to(MONDAY)
    said = compile_digest("--plan", "northshire-wsoa", "--as-of", "2026-11-30", "--audience", "all")

    assert len(said.splitlines()) == 3
    assert sorted(p.name for p in folder.glob("*.txt")) == [
        "northshire-wsoa-2026-W49-executive.txt",
        "northshire-wsoa-2026-W49-lead_member.txt",
        "northshire-wsoa-2026-W49-parent_carer_forum.txt",
    ]


def test_a_dry_run_prints_the_text_and_stores_and_writes_nothing(
    world: World, folder: Path
) -> None:
    world.clock.go_to(MONDAY)
    said = compile_digest(
        "--plan",
        "northshire-wsoa",
        "--as-of",
        "2026-11-30",
        "--audience",
        "lead_member",
        "--dry-run",
    )

    assert said.startswith("--- Lead Member for Children (2026-W49), not stored ---\n")
    assert "DECISIONS NEEDED" in said
    assert DigestSnapshot.objects.count() == 0
    assert not folder.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--plan", "nowhere", "--as-of", "2026-11-30"],
            'There is no plan with the slug "nowhere".',
        ),
        (
            ["--plan", "northshire-wsoa", "--as-of", "30/11/2026"],
            '"30/11/2026" is not a date: give it as YYYY-MM-DD, such as 2026-11-23.',
        ),
        (
            ["--plan", "northshire-wsoa", "--as-of", "2026-12-25"],
            "25 December 2026 is in the future: a digest can only be built as of today or an "
            "earlier date.",
        ),
    ],
)
def test_a_bad_slug_or_date_is_one_clear_line_and_writes_nothing(
    world: World, folder: Path, args: list[str], message: str
) -> None:
    world.clock.go_to(MONDAY)
    with pytest.raises(CommandError) as raised:
        compile_digest(*args)

    assert str(raised.value) == message
    assert "\n" not in message
    assert DigestSnapshot.objects.count() == 0
    assert not folder.exists()


def test_a_plan_without_the_audience_is_refused(world: World, folder: Path) -> None:
    world.clock.go_to(MONDAY)
    world.plan.other_boards.clear()
    with pytest.raises(CommandError) as raised:
        compile_digest(
            "--plan", "northshire-wsoa", "--as-of", "2026-11-30", "--audience", "lead_member"
        )

    assert (
        str(raised.value)
        == 'The plan "northshire-wsoa" has no Lead Member board to build a digest for.'
    )
    assert not folder.exists()


def test_the_command_exits_non_zero_from_the_shell(world: World) -> None:
    world.clock.go_to(MONDAY)
    with pytest.raises(SystemExit) as exited:
        from django.core.management import execute_from_command_line

        execute_from_command_line(
            [
                "manage.py",
                "compile_digest",
                "--plan",
                "nowhere",
                "--as-of",
                str(dt.date(2026, 11, 30)),
            ]
        )
    assert exited.value.code == 1


def test_the_sweep_sends_a_snapshot_built_on_demand_to_the_board_as_it_is_then(
    world: World, folder: Path
) -> None:
    from digests.services import digests_queue
    from tests.factories import UserFactory

    world.clock.go_to(MONDAY, dt.time(7))
    compile_digest("--plan", "northshire-wsoa", "--as-of", "2026-11-30")
    newcomer = UserFactory.create(name="Nia Newcomer", email="nia@northshire.gov.uk")
    world.plan.board.memberships.create(user=newcomer)  # type: ignore[union-attr]

    result = digests_queue(today=MONDAY, now=world.clock.go_to(MONDAY))

    snapshot = DigestSnapshot.objects.get(audience="executive")
    assert snapshot.pk in result.snapshot_ids
    assert [r["email"] for r in snapshot.recipients] == [
        "eddie.exec@icb.example",
        "erin.exec@northshire.gov.uk",
        "nia@northshire.gov.uk",
    ]
    assert Notification.objects.filter(kind="digest").count() == 3


def test_without_a_date_it_builds_todays(world: World, folder: Path) -> None:
    world.clock.go_to(MONDAY)
    said = compile_digest("--plan", "northshire-wsoa")

    assert said.startswith("Stored: snapshot ")
    assert DigestSnapshot.objects.get().as_of == MONDAY
