"""Distribution hours set by neighbourhood assemblies (time windows at points and areas)."""

from __future__ import annotations

from logistics.plan import validate_plan
from tests.helpers import D1, D8, node_point, plan_for, scenario_dict


def _stops(plan):
    return {s.point_id: s for _, t in plan.trips() for s in t.stops}


def test_point_window_is_respected_and_checked(net):
    late = node_point(net, D8[0], "late", households=100)
    late["window"] = {"start": "10:00", "end": "11:00"}
    early = node_point(net, D8[1], "early", households=100)
    sc, _problem, plan = plan_for(scenario_dict([late, early]), net)
    stops = _stops(plan)
    assert set(stops) == {"late", "early"}
    need = sc.demand.stop_minutes + sc.demand.seconds_per_cylinder * 100 / 60
    s = stops["late"]
    assert s.depart - need >= 10 * 60 - 1e-6  # the hand-over starts at 10:00 or later
    assert s.depart <= 11 * 60 + 1e-6
    # a copy that hands over at 09:00 is caught by the validator
    bad = plan.model_copy(deep=True)
    for _, trip in bad.trips():
        for st in trip.stops:
            if st.point_id == "late":
                st.arrive, st.depart = 8 * 60, 8 * 60 + need
    rep = validate_plan(bad, sc, net)
    assert any("outside its distribution hours 10:00-11:00" in e for e in rep.errors), rep.errors


def test_area_window_applies_to_every_point_of_the_district(net):
    pts = [node_point(net, D8[0], "d8", 50), node_point(net, D1[0], "d1", 50)]
    d = scenario_dict(pts)
    d["demand"]["windows"] = [{"area": "Distrito 8", "start": "14:00", "end": "16:00"}]
    sc, problem, plan = plan_for(d, net)
    by_id = {p.id: p for p in problem.points}
    assert by_id["d8"].window == (14 * 60, 16 * 60)
    assert by_id["d1"].window is None
    need = sc.demand.stop_minutes + sc.demand.seconds_per_cylinder * 50 / 60
    assert _stops(plan)["d8"].depart - need >= 14 * 60 - 1e-6


def test_hours_too_short_for_the_hand_over_are_no_time(net):
    p = node_point(net, D8[0], "tight", households=300)
    p["window"] = {"start": "10:00", "end": "10:05"}  # 5 min for a 10 min stop
    _, _, plan = plan_for(scenario_dict([p]), net)
    assert not plan.trips()
    assert [(u.point_id, u.reason) for u in plan.unserved] == [("tight", "no-time")]
