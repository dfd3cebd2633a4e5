"""Distribution points against the map and the area data: one clear line per bad entry.

A listed point or priority site off the map, an unknown area name; area names match
whatever their accents and case.
"""

from __future__ import annotations

import pytest

from logistics.model import scenario_from_dict
from logistics.routing import build_problem
from tests.helpers import build_error


def test_listed_point_outside_the_map(good, net):
    good["demand"]["points"][0]["lat"] = -17.5
    err = build_error(good, net)
    assert err.where == "demand.points[0]"
    assert "from the nearest road" in err.message
    assert "within 400 m" in err.message


def test_priority_site_outside_the_map(good, net):
    good["priority_sites"] = [
        {"id": "s", "name": "Olla", "lat": -16.3, "lon": -68.5, "cylinders": 10}
    ]
    err = build_error(good, net)
    assert err.where == "priority_sites[0]"
    assert "from the nearest road" in err.message


@pytest.mark.parametrize("key", ["excluded", "eligible"])
def test_unknown_area_in_eligibility(good, net, key):
    good["eligibility"] = {key: ["Distrito 8", "Atlantis"]}
    err = build_error(good, net)
    assert err.where == f"eligibility.{key}[1]"
    assert "unknown area 'Atlantis'" in err.message
    assert "Distrito 1 .. Distrito 14" in err.message


def test_area_names_are_accent_and_case_insensitive(good, net):
    good["eligibility"] = {"excluded": ["periferica", "ZONA SUR", "distrito 3"]}
    problem = build_problem(scenario_from_dict(good), net=net)
    assert [p.eligible for p in problem.points] == [True]
