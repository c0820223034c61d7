"""GET /api/digests/: what each board was told, for the members of that board (and admins)."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from digests.models import DigestSnapshot
from digests.services import digests_queue
from tests.digests.conftest import MONDAY, World
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db]


def listed(client: APIClient, user: User | None, **params: Any) -> Any:
    if user is not None:
        client.force_authenticate(user)
    return client.get("/api/digests/", params)


@pytest.fixture
def sent(world: World) -> World:
    digests_queue(today=MONDAY, now=world.clock.go_to(MONDAY))
    return world


def test_a_board_member_reads_their_boards_snapshots_and_the_executive_reads_all_of_the_plan(
    sent: World, api_client: APIClient
) -> None:
    forum = listed(api_client, sent.forum_member)
    assert forum.status_code == 200
    assert [s["audience"] for s in forum.json()["results"]] == ["parent_carer_forum"]

    executive = listed(APIClient(), sent.executive[0])
    assert sorted(s["audience"] for s in executive.json()["results"]) == [
        "executive",
        "lead_member",
        "parent_carer_forum",
    ]
    first = executive.json()["results"][0]
    assert set(first) == {
        "id",
        "plan",
        "plan_title",
        "board",
        "board_name",
        "audience",
        "period",
        "as_of",
        "created_at",
        "queued_at",
        "recipients",
    }


def test_the_detail_has_the_content_and_recipients_as_ids_only(
    sent: World, api_client: APIClient
) -> None:
    snapshot = DigestSnapshot.objects.get(audience="executive")
    api_client.force_authenticate(sent.executive[1])

    answer = api_client.get(f"/api/digests/{snapshot.pk}/")

    assert answer.status_code == 200
    body = answer.json()
    assert body["content"]["headline"]["actions"] == 6
    assert body["period"] == "2026-W49"
    assert sorted(body["recipients"]) == sorted(u.pk for u in sent.executive)
    assert "@" not in str(body["recipients"])


def test_owners_leads_and_the_public_cannot_read_what_the_board_was_told(
    sent: World, api_client: APIClient
) -> None:
    sent.plan.published = True
    sent.plan.save()
    snapshot = DigestSnapshot.objects.get(audience="executive")

    for person in (sent.owner, sent.lead, UserFactory.create()):
        client = APIClient()
        client.force_authenticate(person)
        assert client.get("/api/digests/").json()["results"] == []
        assert client.get(f"/api/digests/{snapshot.pk}/").status_code == 404
    assert APIClient().get("/api/digests/").status_code == 401
    assert APIClient().get(f"/api/digests/{snapshot.pk}/").status_code == 401


def test_the_forum_cannot_read_the_executive_digest(sent: World, api_client: APIClient) -> None:
    snapshot = DigestSnapshot.objects.get(audience="executive")
    api_client.force_authenticate(sent.forum_member)
    assert api_client.get(f"/api/digests/{snapshot.pk}/").status_code == 404


def test_administrators_read_everything_and_filter_by_plan(
    sent: World, api_client: APIClient, admin_user: User
) -> None:
    answer = listed(api_client, admin_user, plan=sent.plan.pk, audience="executive")
    assert [s["plan"] for s in answer.json()["results"]] == [sent.plan.pk]
    assert listed(api_client, admin_user, plan=sent.plan.pk + 1000).json()["results"] == []
    bad = listed(api_client, admin_user, plan="north")
    assert bad.status_code == 400
    assert "plan" in bad.json()


def test_the_admin_shows_a_snapshot_read_only(sent: World, admin_user: User) -> None:
    from django.test import Client

    client = Client()
    client.force_login(admin_user)
    snapshot = DigestSnapshot.objects.get(audience="executive")

    page = client.get(f"/admin/digests/digestsnapshot/{snapshot.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "erin.exec@northshire.gov.uk" in text
    assert "New commissioning strategy" in text
    assert 'name="_save"' not in text
    assert client.get("/admin/digests/digestsnapshot/add/").status_code == 403


def test_the_list_makes_the_same_queries_for_one_snapshot_or_many(
    sent: World, api_client: APIClient, admin_user: User
) -> None:
    api_client.force_authenticate(admin_user)
    with CaptureQueriesContext(connection) as few:
        assert len(api_client.get("/api/digests/").json()["results"]) == 3
    digests_queue(today=MONDAY.replace(day=23), now=sent.clock.go_to(MONDAY.replace(day=23)))
    with CaptureQueriesContext(connection) as more:
        assert len(api_client.get("/api/digests/").json()["results"]) == 6
    assert len(more) == len(few)


def test_a_member_sees_the_digest_among_their_notifications(
    sent: World, api_client: APIClient
) -> None:
    api_client.force_authenticate(sent.lead_member)
    answer = api_client.get("/api/me/notifications/")

    assert answer.status_code == 200
    [row] = answer.json()["results"]
    assert (row["kind"], row["occurrence"], row["items"]) == ("briefing", "2026-W49", [])
