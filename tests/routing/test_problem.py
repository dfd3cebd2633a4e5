"""Building the routing problem: blockades, the roster and commissions, a sealed plant.

Checks that need the map: a plant or blockade off the roads, an unknown way, a roster that
cannot form a commission, a plant sealed in by closed blockades. Each gives one line naming
the field.
"""

from __future__ import annotations

from logistics.model import scenario_from_dict
from logistics.routing import build_problem
from tests.helpers import build_error


def test_plant_off_the_map(good, net):
    good["plants"][0].update(lat=-16.9, lon=-68.4)
    err = build_error(good, net)
    assert err.where == "plants[0]"
    assert "from the nearest road" in err.message


def test_blockade_touching_no_road(good, net):
    good["blockades"] = [{"id": "lake", "lat": -16.60, "lon": -68.25, "radius_m": 100}]
    err = build_error(good, net)
    assert err.where == "blockades[0]"
    assert "touches no road" in err.message


def test_blockade_on_unknown_way(good, net):
    good["blockades"] = [{"id": "w", "way_ids": [1]}]
    err = build_error(good, net)
    assert err.where == "blockades[0].way_ids"
    assert "OSM way 1 is not a drivable road" in err.message


def test_unknown_delegate_district(good, net):
    good["guards"]["roster"][1]["district"] = "Narnia"
    err = build_error(good, net)
    assert err.where == "guards.roster[1].district"
    assert "unknown area 'Narnia'" in err.message


def test_roster_without_junta_delegate(good, net):
    good["guards"]["roster"] = [{"role": "plant-worker", "count": 3, "id_prefix": "PW"}]
    err = build_error(good, net)
    assert err.where.startswith("guards")
    assert "no commission can be formed" in err.message
    assert "junta delegate" in err.message


def test_commission_member_not_in_roster(good, net):
    good["guards"]["commissions"] = [{"id": "c", "members": ["PW01", "ghost"]}]
    err = build_error(good, net)
    assert err.where == "guards.commissions[0].members"
    assert "'ghost' is not in guards.roster" in err.message


def test_person_in_two_commissions(good, net):
    good["guards"]["roster"] = [
        {"role": "plant-worker", "count": 2, "id_prefix": "PW"},
        {"role": "junta-delegate", "district": "Distrito 8", "id": "jd"},
    ]
    good["guards"]["commissions"] = [
        {"id": "c1", "members": ["PW01", "jd"]},
        {"id": "c2", "members": ["PW02", "jd"]},
    ]
    err = build_error(good, net)
    assert err.where == "guards.commissions[1].members"
    assert "already rides with commission 'c1'" in err.message


def test_plant_sealed_in_by_closed_blockades(good, net):
    good["blockades"] = [
        {"id": "ring", "lat": -16.57401, "lon": -68.18614, "radius_m": 800, "status": "closed"}
    ]
    err = build_error(good, net)
    assert err.where == "blockades"
    assert "sealed" in err.message and "ring" in err.message


def test_permit_ring_around_the_plant_is_not_sealing(good, net):
    """The same ring as a permit checkpoint only delays: no error, the point is routable."""
    good["blockades"] = [
        {
            "id": "ring",
            "lat": -16.57401,
            "lon": -68.18614,
            "radius_m": 800,
            "status": "permit",
            "delay_minutes": 15,
        }
    ]
    problem = build_problem(scenario_from_dict(good), net=net)
    assert [p.id for p in problem.routable] == ["p"]


def test_blockade_outside_the_shift_does_not_seal(good, net):
    """A closed ring whose window lies outside the shift is not applied."""
    good["blockades"] = [
        {
            "id": "night",
            "lat": -16.57401,
            "lon": -68.18614,
            "radius_m": 800,
            "status": "closed",
            "window": {"start": "20:00", "end": "23:00"},
        }
    ]
    problem = build_problem(scenario_from_dict(good), net=net)
    assert [p.id for p in problem.routable] == ["p"]
    assert (problem.edge_mask == problem.net.kind_mask()).all()
