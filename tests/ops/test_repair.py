"""The repair re-plan: same stops, new roads only where a new blockade cuts them."""

from __future__ import annotations

import itertools

from logistics.model import Blockade, format_hhmm
from logistics.ops.repair import repair
from logistics.plan import validate_plan
from tests.helpers import D8, edge_midpoint, leg_node_pairs, node_point, plan_for, scenario_dict

LA_PAZ = 2678311822
SEGMENT = (3474408071, 5764433596)


def test_repair_reroutes_only_the_leg_through_the_new_blockade(net):
    pts = [
        node_point(net, D8[0], "a", households=60),
        node_point(net, D8[1], "b", households=60),
        node_point(net, LA_PAZ, "lp", households=60),
    ]
    sc, _, plan = plan_for(scenario_dict(pts, time_limit_s=2), net)
    ((_truck, trip),) = plan.trips()
    assert SEGMENT in leg_node_pairs(plan)
    at = format_hhmm(trip.depart)  # before it leaves: every leg may still change
    lon, lat = edge_midpoint(net, *SEGMENT)
    blk = Blockade(id="indep", lat=lat, lon=lon, radius_m=25, status="closed")
    new, new_sc, crews = repair(plan, sc, at, add_blockades=[blk], net=net)
    rep = validate_plan(new, new_sc, net)
    assert rep.ok, rep.errors
    ((_t, ntrip),) = new.trips()
    assert [s.point_id for s in ntrip.stops] == [s.point_id for s in trip.stops]
    assert SEGMENT not in leg_node_pairs(new)
    changed = [k for k, (a, b) in enumerate(zip(trip.legs, ntrip.legs, strict=True)) if a != b]
    assert changed and all(SEGMENT in itertools.pairwise(trip.legs[k].nodes) for k in changed)
    assert new.delivered == plan.delivered
    (crew,) = crews
    assert any("new road" in line for line in crew.lines)


def test_repair_without_a_new_blockade_changes_nothing(net):
    pts = [node_point(net, D8[0], "a", households=60), node_point(net, D8[1], "b", households=60)]
    sc, _, plan = plan_for(scenario_dict(pts, time_limit_s=2), net)
    new, new_sc, crews = repair(plan, sc, format_hhmm(plan.shift_start + 60), net=net)
    assert new.trucks == plan.trucks and not crews
    assert validate_plan(new, new_sc, net).ok
