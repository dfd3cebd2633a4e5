"""Shared fixtures: the embedded road network is loaded once per test session."""

from __future__ import annotations

import pytest

from logistics.roads import load_network


@pytest.fixture(scope="session")
def net():
    """The embedded 2019 OSM extract (from ../shared/data, pickled in .cache/)."""
    return load_network()
