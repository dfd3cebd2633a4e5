"""The independent validator catches every kind of broken plan.

A valid plan of the real map is broken by hand, one rule at a time, and
:func:`logistics.plan.validate_plan` must name the break; the planner's own plans pass.
"""

from __future__ import annotations

import pytest

from logistics.plan import validate_plan
from tests.helpers import D2, D8, has_edge, node_point, plan_for, roster, scenario_dict


def _roles(scenario) -> dict[str, str]:
    return {p: g.role for g in scenario.guards.roster for p in g.person_ids()}


@pytest.fixture(scope="module")
def valid(net):
    """A valid plan: one truck, two Distrito 8 points (100 + 150), a Distrito 2 point
    excluded by name, stock exactly the eligible demand (250)."""
    pts = [
        node_point(net, D8[0], "a", households=100),
        node_point(net, D8[1], "b", households=150),
        node_point(net, D2[0], "x", households=50),
    ]
    d = scenario_dict(pts, stock=250, eligibility={"excluded": ["Distrito 2"]})
    sc, _, plan = plan_for(d, net)
    assert plan.delivered == 250
    return sc, plan


def _first_trip(plan):
    truck = plan.trucks_used[0]
    return truck, truck.trips[0]


def _errors(plan, sc, net) -> list[str]:
    rep = validate_plan(plan, sc, net)
    assert not rep.ok
    return rep.errors


def test_validator_accepts_the_unbroken_plan(net, valid):
    sc, plan = valid
    rep = validate_plan(plan, sc, net)
    assert rep.ok and rep.checked_trips >= 1 and rep.checked_edges > 50


def test_validator_catches_capacity_exceeded(net, valid):
    sc, plan = valid
    bad = plan.model_copy(deep=True)
    _, trip = _first_trip(bad)
    trip.stops[0].cylinders += 400
    trip.loaded += 400
    errs = _errors(bad, sc, net)
    assert any(f"loaded {trip.loaded} cylinders, over capacity 300" in e for e in errs), errs


def test_validator_catches_leg_off_the_road(net, valid):
    sc, plan = valid
    bad = plan.model_copy(deep=True)
    _, trip = _first_trip(bad)
    nodes = trip.legs[0].nodes
    k = next(k for k in range(1, len(nodes) - 1) if not has_edge(net, nodes[k - 1], nodes[k + 1]))
    a, b = nodes[k - 1], nodes[k + 1]
    del nodes[k]
    errs = _errors(bad, sc, net)
    assert any(f"no usable road from node {a} to {b}" in e for e in errs), errs


def test_validator_catches_stop_in_excluded_area(net, valid):
    sc, plan = valid
    bad = plan.model_copy(deep=True)
    _, trip = _first_trip(bad)
    trip.stops[0].point_id = "x"
    errs = _errors(bad, sc, net)
    assert any("stop x" in e and "is in excluded area 'distrito 2'" in e for e in errs), errs


def test_validator_catches_commission_without_delegate(net, valid):
    sc, plan = valid
    bad = plan.model_copy(deep=True)
    truck, _ = _first_trip(bad)
    roles = _roles(sc)
    truck.members = [m for m in truck.members if roles[m] != "junta-delegate"]
    assert truck.members
    errs = _errors(bad, sc, net)
    assert any(
        "without a commission of at least one plant worker and one junta delegate" in e
        for e in errs
    ), errs


def test_validator_catches_stock_exceeded(net, valid):
    sc, plan = valid
    bad = plan.model_copy(deep=True)
    truck, trip = _first_trip(bad)
    extra = trip.model_copy(deep=True)
    shift = truck.trips[-1].back - trip.load_start
    extra.trip_no = len(truck.trips) + 1
    _shift_trip(extra, shift)
    truck.trips.append(extra)
    bad.delivered += extra.loaded
    errs = _errors(bad, sc, net)
    total = sum(t.loaded for t in truck.trips)
    msg = f"plan takes {total} cylinders out of the plant (loaded minus returned), over its stock"
    assert any(msg in e for e in errs), errs


def test_validator_catches_leg_through_closed_blockade(net, reroute):
    """Splice the unblocked route's legs into the blocked plan: it now crosses the closed
    blockade, and the validator names it."""
    sc_blk, _, plan_blk = reroute["blocked"]
    _, _, plan_open = reroute["open"]
    bad = plan_blk.model_copy(deep=True)
    ((_, trip),) = bad.trips()
    ((_, trip_open),) = plan_open.trips()
    trip.legs = [leg.model_copy(deep=True) for leg in trip_open.legs]
    errs = _errors(bad, sc_blk, net)
    assert any("crosses closed blockade indep" in e for e in errs), errs


def test_validator_catches_plan_on_another_map(net, valid):
    sc, plan = valid
    bad = plan.model_copy(deep=True)
    bad.map_sha256 = "0" * 64
    assert _errors(bad, sc, net) == ["plan was made on a different map (map_sha256 differs)"]


def test_validator_catches_trip_outside_the_shift(net, valid):
    """Moving the trip to 18:30 makes it end after the 19:00 shift end."""
    sc, plan = valid
    bad = plan.model_copy(deep=True)
    _, trip = _first_trip(bad)
    _shift_trip(trip, 18 * 60 + 30 - trip.load_start)
    errs = _errors(bad, sc, net)
    assert any("is outside the shift 07:00-19:00" in e for e in errs), errs


def _shift_trip(trip, minutes: float) -> None:
    for attr in ("load_start", "depart", "back"):
        setattr(trip, attr, getattr(trip, attr) + minutes)
    for s in trip.stops:
        s.arrive += minutes
        s.depart += minutes


def test_validator_uses_the_scenarios_shift_not_the_plans(net, valid):
    sc, plan = valid
    bad = plan.model_copy(deep=True)
    _, trip = _first_trip(bad)
    _shift_trip(trip, 18 * 60 + 30 - trip.load_start)
    bad.shift_end = 24 * 60
    errs = validate_plan(bad, sc, net).errors
    assert any("is outside the shift 07:00-19:00" in e for e in errs), errs


def test_validator_catches_one_truck_in_two_places(net):
    pts = [node_point(net, D8[0], "a", 300), node_point(net, D8[1], "b", 300)]
    sc, _, plan = plan_for(
        scenario_dict(
            pts,
            trucks=2,
            guards=roster(2, [("Distrito 8", 2)]),
            max_hours=1,
            shift=("07:00", "08:00"),
        ),
        net,
    )
    used = plan.trucks_used
    assert len(used) == 2  # two trucks out at the same time, one stop each
    bad = plan.model_copy(deep=True)
    first, second = bad.trucks_used
    second.truck_id, second.commission_id = first.truck_id, first.commission_id
    second.members = list(first.members)
    assert not validate_plan(bad, sc, net).ok
