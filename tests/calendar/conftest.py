"""The notification tests' pinned clock and small plan, for the calendar tests."""

from tests.notifications.conftest import clock, small_plan

__all__ = ["clock", "small_plan"]
