"""The repair re-plan: same stops, new roads only where a new blockade cuts them."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from logistics.model import Blockade, format_hhmm
from logistics.ops.repair import repair
from logistics.plan import validate_plan
from logistics.roads import with_plant_access
from tests.helpers import (
    D8,
    edge_midpoint,
    leg_node_pairs,
    node_point,
    plan_for,
    roster,
    scenario_dict,
)

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


# ---------------------------------------------------------------- two trucks, real map
@pytest.fixture(scope="module")
def two(net):
    """T02 drives to the La Paz point through Calle Independencia; T01 serves Distrito 8.

    Each commission carries one junta delegate (Distrito 8, or La Paz's Periférica) and may
    serve only its own district, so the La Paz point has a truck of its own.
    """
    pts = [
        node_point(net, LA_PAZ, "lp", households=120),
        node_point(net, D8[0], "a", households=120),
        node_point(net, D8[1], "b", households=120),
    ]
    doc = scenario_dict(
        pts,
        trucks=2,
        capacity=130,
        guards=roster(2, (("Distrito 8", 1), ("Periférica", 1))),
        scope="own-district",
        time_limit_s=2,
    )
    sc, _, plan = plan_for(doc, net)
    (far,) = [t for t in plan.trucks if any(s.point_id == "lp" for tr in t.trips for s in tr.stops)]
    (near,) = [t for t in plan.trucks if t is not far]
    (k,) = [k for k, tr in enumerate(far.trips) if tr.stops[0].point_id == "lp"]
    assert any(SEGMENT in itertools.pairwise(lg.nodes) for lg in far.trips[k].legs)
    assert near.trips and SEGMENT not in leg_node_pairs_of(near)
    return sc, plan, near, far, k


def leg_node_pairs_of(truck) -> set[tuple[int, int]]:
    return {p for tr in truck.trips for lg in tr.legs for p in itertools.pairwise(lg.nodes)}


def _segment_blockade(net) -> Blockade:
    lon, lat = edge_midpoint(net, *SEGMENT)
    return Blockade(id="indep", lat=lat, lon=lon, radius_m=25, status="closed")


def _driven(sc, net, nodes: list[int], t0: float, at: float, speed: float) -> int:
    """Edges of a leg left at ``t0`` driven by ``at`` (the quickest of parallel edges)."""
    net = with_plant_access(net, sc.plant.lon, sc.plant.lat, sc.plant.access_m)
    clock = t0
    for k, (a, b) in enumerate(itertools.pairwise(nodes)):
        u, v = net.node_index(a), net.node_index(b)
        cand = np.flatnonzero((net.edge_u == u) & (net.edge_v == v))
        clock += float(net.edge_time_s[cand].min()) / speed / 60
        if clock > at:
            return k
    return len(nodes) - 1


def test_untouched_truck_stays_byte_identical(net, two):
    sc, plan, near, far, _k = two
    new, new_sc, crews = repair(plan, sc, "07:05", add_blockades=[_segment_blockade(net)], net=net)
    rep = validate_plan(new, new_sc, net)
    assert rep.ok, rep.errors
    by_id = {t.truck_id: t for t in new.trucks}
    assert by_id[near.truck_id].model_dump_json() == near.model_dump_json()
    assert SEGMENT not in leg_node_pairs_of(by_id[far.truck_id])
    assert [c.truck_id for c in crews] == [far.truck_id]  # one truck's orders changed
    assert any("new road to Point lp, by " in line for line in crews[0].lines), crews[0].lines


def test_a_leg_under_way_keeps_the_roads_driven(net, two):
    sc, plan, near, far, k = two
    trip = far.trips[k]
    leg = trip.legs[0]  # plant -> La Paz point, through Calle Independencia
    k_seg = next(k for k, p in enumerate(itertools.pairwise(leg.nodes)) if p == SEGMENT)
    at_min = trip.depart + 10
    driven = _driven(sc, net, leg.nodes, trip.depart, at_min, far.speed_factor)
    assert 0 < driven < k_seg  # on its way, before the blockade
    at = format_hhmm(at_min)
    new, new_sc, _crews = repair(plan, sc, at, add_blockades=[_segment_blockade(net)], net=net)
    rep = validate_plan(new, new_sc, net)
    assert rep.ok, rep.errors
    ntrip = {t.truck_id: t for t in new.trucks}[far.truck_id].trips[k]
    assert ntrip.legs[0].nodes[: driven + 1] == leg.nodes[: driven + 1]
    assert SEGMENT not in set(itertools.pairwise(ntrip.legs[0].nodes))
    assert ntrip.depart == trip.depart and [s.point_id for s in ntrip.stops] == ["lp"]
    assert {t.truck_id: t for t in new.trucks}[near.truck_id] == near


def test_a_trapped_truck_is_reported_and_the_rest_planned(net, two):
    sc, plan, near, far, k = two
    trip = far.trips[k]
    leg = trip.legs[0]
    at_min = trip.depart + 15
    driven = _driven(sc, net, leg.nodes, trip.depart, at_min, far.speed_factor)
    here = net.node_index(leg.nodes[driven])
    # a closed blockade around where the truck stands: no road out of it is left
    blk = Blockade(
        id="ring", lat=float(net.lat[here]), lon=float(net.lon[here]), radius_m=60, status="closed"
    )
    new, new_sc, crews = repair(plan, sc, format_hhmm(at_min), add_blockades=[blk], net=net)
    rep = validate_plan(new, new_sc, net)
    assert rep.ok, rep.errors
    (crew,) = [c for c in crews if c.truck_id == far.truck_id]
    assert crew.trapped is not None
    assert crew.trapped.cylinders == trip.loaded == 120
    assert isinstance(crew.trapped.cylinders, int)
    ntrip = {t.truck_id: t for t in new.trucks}[far.truck_id].trips[k]
    assert ntrip.stops == [] and ntrip.stuck_at == crew.trapped.node
    assert ntrip.legs[0].nodes == leg.nodes[: len(ntrip.legs[0].nodes)]
    assert "traps the truck at" in crew.lines[0] and "120 cylinders on board" in crew.lines[0]
    # the other truck is still planned, as it was
    assert {t.truck_id: t for t in new.trucks}[near.truck_id] == near
    assert new.delivered == plan.delivered - 120


def test_freed_cylinders_go_to_a_point_short_of_stock(net):
    """Stock for all but one Distrito 8 point; a blockade seals the La Paz point off: its
    200 cylinders stay at the plant and 60 of them go to the point left short."""
    pts = [node_point(net, LA_PAZ, "lp", households=200)] + [
        node_point(net, n, f"p{k}", households=60) for k, n in enumerate(D8[:3])
    ]
    sc, _, plan = plan_for(scenario_dict(pts, stock=320, capacity=400, time_limit_s=2), net)
    ((short, _),) = [(u.point_id, u) for u in plan.unserved if u.reason == "stock-short"]
    i = net.node_index(LA_PAZ)
    blk = Blockade(
        id="x", lat=float(net.lat[i]), lon=float(net.lon[i]), radius_m=10, status="closed"
    )
    new, new_sc, crews = repair(plan, sc, "07:00", add_blockades=[blk], net=net)
    rep = validate_plan(new, new_sc, net)
    assert rep.ok, rep.errors
    got = {s.point_id: s.cylinders for _, tr in new.trips() for s in tr.stops}
    assert "lp" not in got and got[short] == 60
    assert {u.point_id: u.reason for u in new.unserved} == {"lp": "unreachable-blockade"}
    ((_t, trip),) = new.trips()
    assert trip.loaded == 180 and trip.returned == 0
    (crew,) = crews
    assert f"also go to Point {short} and hand over 60 cylinders" in " ".join(crew.lines)
    # without insertion the cylinders stay at the plant
    bare, _sc, _c = repair(plan, sc, "07:00", add_blockades=[blk], net=net, insert=False)
    assert short not in {s.point_id for _, tr in bare.trips() for s in tr.stops}


def _cli(args: list[str]):
    from typer.testing import CliRunner

    from logistics.cli import app

    return CliRunner().invoke(app, [*args, "--lang", "en"])


def test_replan_command_repairs_by_default_and_improves_within_the_limit(net, two, tmp_path):
    from logistics.model import scenario_to_yaml
    from logistics.ops.improve import changed_ids
    from logistics.plan import read_plan

    sc, plan, near, far, _k = two
    plan_file = plan.save(tmp_path / "plan.json")
    sc_file = tmp_path / "scenario.yaml"
    sc_file.write_text(scenario_to_yaml(sc), encoding="utf-8")
    lon, lat = edge_midpoint(net, *SEGMENT)
    base = [str(plan_file), "-s", str(sc_file), "--at", "07:05", "--blockade",
            f"id=indep,lat={lat},lon={lon},radius_m=25,status=closed"]  # fmt: skip
    r = _cli(["replan", *base, "--out", str(tmp_path / "rep")])
    assert r.exit_code == 0, r.output
    assert "validator: plan passes every rule" in r.stdout
    assert "orders changed for 1 truck\n" in r.stdout
    assert f"truck {far.truck_id}:" in r.stdout and f"truck {near.truck_id}:" not in r.stdout
    assert "trip 1: new road to Point lp, by " in r.stdout
    repaired = read_plan(tmp_path / "rep" / "plan.json")
    assert changed_ids(plan, repaired) == {far.truck_id}
    # the improve step searches, but may give new orders to one truck only
    r = _cli(["replan", *base, "--improve", "1", "--max-changed-trucks", "1",
              "--out", str(tmp_path / "imp")])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "improve step: " in r.stdout
    improved = read_plan(tmp_path / "imp" / "plan.json")
    assert len(changed_ids(plan, improved)) <= 1
    assert improved.delivered >= repaired.delivered


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--at", "25:00", "error: --at: "),
        ("--at", "06:00", "error: --at: expected a time inside the shift 07:00-19:00, got 06:00"),
        (
            "--improve",
            "-1",
            "error: --improve: expected seconds from 0 to 600 (more than 0), got -1",
        ),
        ("--improve", "soon", "error: --improve: "),
        ("--max-changed-trucks", "-2", "error: --max-changed-trucks: expected a whole number"),
    ],
)
def test_replan_command_bad_values_are_one_line(two, tmp_path, option, value, message):
    from logistics.model import scenario_to_yaml

    sc, plan, *_ = two
    plan_file = plan.save(tmp_path / "plan.json")
    sc_file = tmp_path / "scenario.yaml"
    sc_file.write_text(scenario_to_yaml(sc), encoding="utf-8")
    args = ["replan", str(plan_file), "-s", str(sc_file), "--at", "09:00", "--out",
            str(tmp_path / "o")]  # fmt: skip
    if option == "--at":
        args[args.index("--at") + 1] = value
    else:
        args += [option, value]
    r = _cli(args)
    assert r.exit_code == 2, r.output
    assert r.stderr.count("\n") == 1 and r.stderr.startswith(message), r.stderr
    assert not (tmp_path / "o").exists()
