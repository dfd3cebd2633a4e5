"""The scenario fields of issue 12 (``demand.sited``, ``demand.walk_to_neighbour_m``).

A scenario that does not use them reads, dumps and hashes as before (its plans stay valid);
one that does round-trips through YAML; their own checks give one line naming the field.
"""

from __future__ import annotations

import pytest

from logistics.model import (
    InputError,
    scenario_digest,
    scenario_from_dict,
    scenario_from_text,
    scenario_to_yaml,
)
from tests.helpers import D8, node_point, one_line, scenario_dict


def _data(net, **demand) -> dict:
    d = scenario_dict([node_point(net, D8[0], "p")])
    d["demand"].update(demand)
    return d


def test_unused_fields_leave_the_dump_and_the_digest_as_before(net):
    sc = scenario_from_dict(_data(net))
    dumped = sc.model_dump(mode="json")["demand"]
    assert "sited" not in dumped and "walk_to_neighbour_m" not in dumped
    # spelling out the defaults is the same scenario, with the same digest
    spelled = scenario_from_dict(_data(net, sited={"walk_m": 1000}))
    assert scenario_digest(spelled) == scenario_digest(sc)


def test_used_fields_round_trip(net):
    sc = scenario_from_dict(
        _data(
            net,
            source="sited",
            sited={"max_points": 12, "candidates": ["schools"], "require": ["Distrito 8"]},
            walk_to_neighbour_m=800,
        )
    )
    again = scenario_from_text(scenario_to_yaml(sc))
    assert again == sc and scenario_digest(again) == scenario_digest(sc)
    assert again.demand.sited.max_points == 12 and again.demand.walk_to_neighbour_m == 800
    assert "sited" in sc.model_dump(mode="json")["demand"]


@pytest.mark.parametrize(
    ("sited", "expected"),
    [
        ({"candidates": []}, "give at least one candidate source"),
        ({"max_points": 1, "require": ["Distrito 1", "Distrito 2"]}, "2 required areas do not fit"),
        ({"candidates": ["buses"]}, "demand.sited.candidates[0]"),
        ({"place_kinds": ["bank"]}, "demand.sited.place_kinds[0]"),
    ],
)
def test_bad_sited_settings(net, sited, expected):
    with pytest.raises(InputError) as exc:
        scenario_from_dict(_data(net, source="sited", sited=sited))
    assert expected in one_line(exc.value)
