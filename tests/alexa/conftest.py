"""Fixtures of the tests of skill/alexa."""

import pytest

from skill.alexa import memory


@pytest.fixture(autouse=True)
def healthy_store():
    """Each test starts with a store that has not failed (the outage state is per process)."""
    memory.HEALTH.failed_at = None
    yield
    memory.HEALTH.failed_at = None
