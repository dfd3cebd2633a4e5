"""Fair rationing under shortage: water-filling caps and the three allocation policies."""

from __future__ import annotations

import pytest

from logistics.routing import FAIR_DROP, fair_caps
from tests.helpers import D1, D8, node_point, plan_for, scenario_dict


def test_water_filling_gives_everyone_the_same_share_up_to_their_demand():
    # the same share for all (cylinders per household): 600 of 1100 -> 54.5 % each
    assert fair_caps({"a": 100, "b": 1000}, 600) == {"a": 55, "b": 546}
    # enough for everyone: each group gets its whole demand, no more
    assert fair_caps({"a": 100, "b": 1000}, 5000) == {"a": 100, "b": 1000}
    # equal share when nobody saturates: 300 of 1200 -> 25 % each
    assert fair_caps({"a": 400, "b": 800}, 300) == {"a": 100, "b": 200}
    # a group the fleet could not serve keeps what it got; the others share the rest
    assert fair_caps({"a": 400, "b": 800, "c": 800}, 1000, fixed={"a": 40}) == {
        "a": 40,
        "b": 480,
        "c": 480,
    }
    assert fair_caps({"a": 10}, 0) == {"a": 0}


def _two_districts(policy: str, *, stock: int, kitchen: bool = False) -> dict:
    """Distrito 8 right by the plant and Distrito 1 far up Av. 6 de Marzo, 300 households
    each (1 cylinder per household), one truck of 300: half the demand in stock."""
    net_pts = [("d8a", D8[0]), ("d8b", D8[1]), ("d1a", D1[0]), ("d1b", D1[1])]
    return {"pts": net_pts, "policy": policy, "stock": stock, "kitchen": kitchen}


def _plan(net, spec):
    pts = [node_point(net, osm, pid, households=150) for pid, osm in spec["pts"]]
    prio = []
    if spec["kitchen"]:
        lon, lat = net.lon[net.node_index(D1[1])], net.lat[net.node_index(D1[1])]
        prio = [
            {
                "id": "olla",
                "name": "Olla común",
                "kind": "communal-kitchen",
                "lat": float(lat),
                "lon": float(lon),
                "cylinders": 40,
            }
        ]
    d = scenario_dict(pts, trucks=2, stock=spec["stock"], priority_sites=prio, time_limit_s=3)
    d["allocation"] = spec["policy"]
    return plan_for(d, net)


def _shares(plan):
    return {g.group: g.share for g in plan.groups if g.reachable}


@pytest.mark.parametrize("policy", ["max-min", "proportional"])
def test_fair_policies_give_each_district_the_same_share_within_one_drop(net, policy):
    _, _, plan = _plan(net, _two_districts(policy, stock=300))
    shares = _shares(plan)
    assert set(shares) == {"El Alto / Distrito 8", "El Alto / Distrito 1"}
    tolerance = FAIR_DROP / 300  # one drop over the district's ration
    assert max(shares.values()) - min(shares.values()) <= tolerance + 1e-9
    assert min(shares.values()) >= 0.5 - tolerance
    f = plan.fairness()
    assert f["policy"] == policy and f["spread"] <= tolerance + 1e-9
    # what the caps held back is reported as such
    assert {u.reason for u in plan.unserved} <= {"fair-share", "stock-short"}


def test_max_delivered_serves_the_nearest_district_first(net):
    _, _, plan = _plan(net, _two_districts("max-delivered", stock=300))
    shares = _shares(plan)
    assert plan.delivered == 300
    # all the stock goes to Distrito 8, next to the plant: the unfairness max-min corrects
    assert shares["El Alto / Distrito 8"] == 1.0
    assert shares["El Alto / Distrito 1"] == 0.0
    assert plan.fairness()["spread"] == 1.0


@pytest.mark.parametrize("policy", ["max-delivered", "proportional", "max-min"])
def test_priority_sites_come_first_under_every_policy(net, policy):
    _, _, plan = _plan(net, _two_districts(policy, stock=200, kitchen=True))
    got = {s.point_id: 0 for _, t in plan.trips() for s in t.stops}
    for _, t in plan.trips():
        for s in t.stops:
            got[s.point_id] += s.cylinders
    assert got.get("olla") == 40
    assert plan.delivered <= 200
