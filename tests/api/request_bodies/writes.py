"""Sending the request-body tests' writes and seeing what they changed.

``client_for`` signs a person in; ``valid_body`` is a body the lead (or, for plans and
recommendations, an administrator) may create at each address, so a test can spoil one field
and know that field is the only error; ``send_raw`` sends a field as a JSON literal exactly as
written (``1e400``, ``7.5``); ``counts`` and ``snapshot`` are compared before and after to show
a refused write changed nothing.
"""

import json
from typing import TYPE_CHECKING, Any

from django.db import models
from rest_framework.test import APIClient

from accounts.models import User
from actions.models import (
    Action,
    MeasureReading,
    Milestone,
    Outcome,
    Plan,
    Recommendation,
    SuccessMeasure,
)
from tests.api.request_bodies.conftest import World

if TYPE_CHECKING:
    # The test client's responses carry .json(); only the stubs name that type.
    from rest_framework.response import _MonkeyPatchedResponse as Response
else:
    from rest_framework.response import Response


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def counts() -> dict[str, int]:
    """How many rows of each kind there are, links included."""
    return {
        "plans": Plan.objects.count(),
        "recommendations": Recommendation.objects.count(),
        "actions": Action.objects.count(),
        "supporting": Action.supporting_owners.through.objects.count(),
        "milestones": Milestone.objects.count(),
        "milestone_links": Milestone.actions.through.objects.count(),
        "measures": SuccessMeasure.objects.count(),
        "readings": MeasureReading.objects.count(),
        "outcomes": Outcome.objects.count(),
    }


def snapshot(row: models.Model) -> dict[str, Any]:
    """Every stored value of a row, many-to-many links included."""
    fresh = type(row)._default_manager.get(pk=row.pk)
    values: dict[str, Any] = {
        field.attname: getattr(fresh, field.attname) for field in fresh._meta.concrete_fields
    }
    for field in fresh._meta.many_to_many:
        values[field.name] = sorted(obj.pk for obj in getattr(fresh, field.name).all())
    return values


def send_raw(
    client: APIClient, method: str, url: str, body: dict[str, Any], field: str, raw: str
) -> Response:
    """Send ``body`` with ``field`` set to ``raw``, a JSON literal sent exactly as written."""
    rest = {key: value for key, value in body.items() if key != field}
    text = json.dumps(rest)
    text = f'{text[:-1]}{", " if rest else ""}"{field}": {raw}}}'
    return client.generic(method, url, text, content_type="application/json")


def valid_body(w: World, url: str) -> dict[str, Any]:
    """A body the lead may create at ``url``: the one error is the field under test."""
    rec = w.recommendation.pk
    return {
        "/api/actions/": {
            "recommendation": rec,
            "outcome": w.outcome.pk,
            "reference": "7.1",
            "title": "Publish the local offer",
            "owner": w.owner.pk,
            "supporting_owners": [w.supporter.pk],
            "due_date": "2027-01-29",
        },
        "/api/milestones/": {
            "recommendation": rec,
            "title": "Backlog cleared",
            "due_date": "2027-03-31",
            "actions": [w.action.pk],
        },
        "/api/measures/": {
            "recommendation": rec,
            "outcome": w.outcome.pk,
            "name": "EHC plans within 20 weeks",
            "unit": "%",
            "baseline": "38",
            "target": "65",
            "target_date": "2027-09-30",
        },
        "/api/measure-readings/": {
            "measure": w.measure.pk,
            "taken_on": "2026-11-20",
            "value": "44.50",
        },
        "/api/outcomes/": {"recommendation": rec, "number": 9, "title": "Families feel heard"},
        "/api/recommendations/": {
            "plan": w.recommendation.plan_id,
            "number": 9,
            "title": "Co-production",
            "lead": w.lead.pk,
        },
        "/api/plans/": {
            "title": "Northshire SEND strategy",
            "slug": "northshire-send-strategy",
            "plan_type": w.recommendation.plan.plan_type_id,
            "local_area": "Northshire",
            "start_date": "2027-01-01",
            "end_date": "2029-12-31",
            "board": w.recommendation.plan.board_id,
        },
    }[url]
