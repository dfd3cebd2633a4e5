"""Shared fixtures: the embedded road network (loaded once per session) and the reroute case."""

from __future__ import annotations

import pytest

from logistics import i18n
from logistics.roads import load_network
from tests.helpers import (
    D8,
    REROUTE_DEST,
    REROUTE_RADIUS_M,
    REROUTE_SEG,
    edge_midpoint,
    node_point,
    plan_for,
    scenario_dict,
)


@pytest.fixture(autouse=True)
def english_unless_asked():
    """Every test starts in English: a command run in-process (CliRunner) sets the
    language of the test's thread, which must not leak into the next test."""
    i18n.set_language("en")


@pytest.fixture(scope="session")
def net():
    """The embedded 2019 OSM extract (from ../shared/data, pickled in .cache/)."""
    return load_network()


@pytest.fixture(scope="module")
def reroute(net):
    """The same one-point scenario solved without and with a closed circle blockade."""
    point = node_point(net, REROUTE_DEST, "lp", households=100)
    lon, lat = edge_midpoint(net, *REROUTE_SEG)
    blk = {"id": "indep", "lat": lat, "lon": lon, "radius_m": REROUTE_RADIUS_M, "status": "closed"}
    open_ = plan_for(scenario_dict([point]), net)
    blocked = plan_for(scenario_dict([point], blockades=[blk]), net)
    return {"open": open_, "blocked": blocked, "lon": lon, "lat": lat, "blockade": blk}


@pytest.fixture()
def good(net) -> dict:
    """A valid one-point scenario (Distrito 8) to break one field at a time."""
    return scenario_dict([node_point(net, D8[0], "p")])
