"""Fixtures the API tests share: one plan with a lead, an owner, a supporter, a board member
and a stranger."""

import datetime as dt
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from actions.models import Action
from tests.factories import ActionFactory, BoardFactory, RecommendationFactory, UserFactory


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@dataclass
class Plan1:
    lead: User
    owner: User
    supporter: User
    member: User
    stranger: User
    action: Action


@pytest.fixture
def plan1() -> Plan1:
    lead, owner, supporter, member, stranger = (UserFactory.create() for _ in range(5))
    board = BoardFactory.create(members=[member])
    recommendation = RecommendationFactory.create(plan__board=board, lead=lead)
    action = ActionFactory.create(
        recommendation=recommendation,
        owner=owner,
        supporting_owners=[supporter],
        start_date=dt.date(2026, 9, 1),
        due_date=dt.date(2026, 12, 18),
        title="Recruit two educational psychologists",
    )
    return Plan1(lead, owner, supporter, member, stranger, action)
