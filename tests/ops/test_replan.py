"""Re-planning during the shift: done work stays, trucks go on from where they are."""

from __future__ import annotations

import pytest

from logistics.model import Blockade, InputError, format_hhmm
from logistics.ops import read_progress, replan
from logistics.plan import validate_plan
from tests.helpers import D8, edge_midpoint, leg_node_pairs, node_point, plan_for, scenario_dict

#: A La Paz point whose road from El Alto runs through Calle Independencia, a segment with a
#: way around it (see tests/test_rules.py, the reroute test).
LA_PAZ = 2678311822
SEGMENT = (3474408071, 5764433596)


@pytest.fixture(scope="module")
def shift(net):
    """One truck, one trip: two stops by the plant, then the La Paz point."""
    pts = [
        node_point(net, D8[0], "a", households=60),
        node_point(net, D8[1], "b", households=60),
        node_point(net, LA_PAZ, "lp", households=60),
    ]
    sc, _, plan = plan_for(scenario_dict(pts, time_limit_s=2), net)
    ((_truck, trip),) = plan.trips()
    assert [s.point_id for s in trip.stops][-1] == "lp"  # the far point comes last
    return sc, plan


def _at_between(trip, k: int) -> str:
    """A time after stop k-1 has left and before stop k is reached (HH:MM)."""
    lo, hi = trip.stops[k - 1].depart, trip.stops[k].arrive
    return format_hhmm((lo + hi) / 2)


def test_done_stops_stay_and_a_new_blockade_reroutes_the_next_leg(net, shift):
    sc, plan = shift
    ((_truck, trip),) = plan.trips()
    assert SEGMENT in leg_node_pairs(plan)  # without the blockade the truck drives it
    at = _at_between(trip, 2)
    lon, lat = edge_midpoint(net, *SEGMENT)
    blk = Blockade(id="indep", lat=lat, lon=lon, radius_m=25, status="closed")
    new, new_sc = replan(plan, sc, at, add_blockades=[blk], net=net, time_limit_s=2)
    rep = validate_plan(new, new_sc, net)
    assert rep.ok, rep.errors  # including the fixed prefix, driven before the blockade
    ((_ntruck, ntrip),) = new.trips()
    # the first two stops are kept exactly as they happened
    assert ntrip.stops[:2] == trip.stops[:2]
    assert ntrip.legs[:2] == trip.legs[:2]
    # the truck goes on to the La Paz point around the blockade
    assert [s.point_id for s in ntrip.stops] == ["a", "b", "lp"]
    assert SEGMENT not in leg_node_pairs(new)
    assert ntrip.stops[2].arrive > trip.stops[2].arrive  # the way around is longer
    # the blockade stands from the re-plan on
    (added,) = [b for b in new_sc.blockades if b.id == "indep"]
    assert added.window is not None and added.window.start == at


def test_cylinders_on_board_are_not_loaded_twice(net, shift):
    sc, plan = shift
    ((_truck, trip),) = plan.trips()
    new, new_sc = replan(plan, sc, _at_between(trip, 2), net=net, time_limit_s=2)
    ((_, ntrip),) = new.trips()
    # the trip under way keeps its load: the third stop is served from what is on board
    assert ntrip.loaded == trip.loaded == 180
    assert sum(s.cylinders for s in ntrip.stops) == 180 and ntrip.returned == 0
    assert new.delivered == plan.delivered == 180
    assert validate_plan(new, new_sc, net).ok


def test_progress_file_says_what_was_handed_over(net, shift, tmp_path):
    """The guards report only 40 of the 60 cylinders at 'b' (20 refused): the re-plan keeps
    that, and the 20 left on board go on to the next stops or back to the plant."""
    sc, plan = shift
    ((truck, trip),) = plan.trips()
    prog = tmp_path / "progress.csv"
    prog.write_text(
        f"truck,trip,point_id,delivered\n{truck.truck_id},1,a,60\n{truck.truck_id},1,b,40\n",
        encoding="utf-8",
    )
    done = read_progress(prog)
    new, new_sc = replan(plan, sc, _at_between(trip, 2), progress=done, net=net, time_limit_s=2)
    assert validate_plan(new, new_sc, net).ok
    (_, ntrip), *_rest = new.trips()
    assert [(s.point_id, s.cylinders) for s in ntrip.stops[:2]] == [("a", 60), ("b", 40)]
    # 'b' still lacks 20; nothing is handed over twice from one load
    got = {}
    for _, t in new.trips():
        for s in t.stops:
            got[s.point_id] = got.get(s.point_id, 0) + s.cylinders
    assert got["a"] == 60 and got["b"] <= 60 and got["lp"] <= 60
    assert sum(t.loaded - t.returned for _, t in new.trips()) <= sc.plant.stock


def test_bad_progress_file_is_one_line(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("truck,trip,point_id,delivered\nT01,1,a,lots\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_progress(p)
    assert (
        str(exc.value)
        == f"{p}: row 2, column delivered: expected a whole number from 0 to 100,000, got 'lots'"
    )
    p.write_text("truck,point_id\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        read_progress(p)


def test_replan_time_outside_the_shift_is_refused(net, shift):
    sc, plan = shift
    with pytest.raises(InputError, match="--at: expected a time inside the shift"):
        replan(plan, sc, "20:00", net=net)


def test_replan_command_writes_plan_diff_and_sheets_for_changed_trucks(net, shift, tmp_path):
    from typer.testing import CliRunner

    from logistics.cli import app
    from logistics.model import scenario_to_yaml

    sc, plan = shift
    ((truck, trip),) = plan.trips()
    plan_file = plan.save(tmp_path / "plan.json")
    sc_file = tmp_path / "scenario.yaml"
    sc_file.write_text(scenario_to_yaml(sc), encoding="utf-8")
    lon, lat = edge_midpoint(net, *SEGMENT)
    out = tmp_path / "re"
    r = CliRunner().invoke(
        app,
        [
            "replan",
            str(plan_file),
            "--scenario",
            str(sc_file),
            "--at",
            _at_between(trip, 2),
            "--blockade",
            f"id=indep,lat={lat},lon={lon},radius_m=25,status=closed",
            "--out",
            str(out),
            "--sheets",
            "--time-limit",
            "2",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "validator: plan passes every rule" in r.stdout
    assert "cylinders delivered" in r.stdout and "Changes (A = old plan, B = re-plan)" in r.stdout
    assert (out / "plan.json").is_file() and (out / "scenario.yaml").is_file()
    # the only truck's route changed (around the blockade): it gets a new sheet
    assert [p.name for p in (out / "sheets").iterdir()] == [f"{truck.truck_id}-trip1.pdf"]
    # a bad blockade option is one line, exit 2
    bad = CliRunner().invoke(
        app,
        ["replan", str(plan_file), "-s", str(sc_file), "--at", "10:00", "--blockade", "id=x"],
    )
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1, bad.output


def test_replan_takes_what_happened_from_the_ledger(net, shift, tmp_path):
    """Dispatched and recorded in the ledger (SQLite): the re-plan reads the two stops done
    (one short by 20 cylinders) from it, exactly as from a progress file."""
    from logistics.ledger import Ledger, dispatch, record_stops
    from logistics.ops import progress_from_ledger
    from logistics.paper import StopRecord
    from logistics.routing import build_problem

    sc, plan = shift
    ((truck, trip),) = plan.trips()
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    pid = plan.plan_id()
    with Ledger(url, create=True) as ledger:
        dispatch(ledger, plan, build_problem(sc, net=net).points, price_bs=22.5, by="desk")
        with pytest.raises(InputError, match="no stops recorded for plan"):
            progress_from_ledger(url, pid)
        record_stops(
            ledger,
            [
                StopRecord(pid, truck.truck_id, 1, "a", 60, 0, 0, "junta a", stop=1),
                StopRecord(pid, truck.truck_id, 1, "b", 40, 0, 20, "junta b", stop=2),
            ],
            by="desk",
        )
    done = progress_from_ledger(url, pid)
    assert done == {(truck.truck_id, 1, "a"): 60, (truck.truck_id, 1, "b"): 40}
    new, new_sc = replan(plan, sc, _at_between(trip, 2), progress=done, net=net, time_limit_s=2)
    assert validate_plan(new, new_sc, net).ok
    (_, ntrip), *_ = new.trips()
    assert [(s.point_id, s.cylinders) for s in ntrip.stops[:2]] == [("a", 60), ("b", 40)]
