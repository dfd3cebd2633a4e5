"""Who rides which truck: the planner chooses commissions from the demand trucks can reach.

On the real 2019 map, with the three communal kitchens of the June 2005 scenario (schools
of the El Alto data in Distritos 2 and 3) as priority sites. Every plan is re-checked by
the independent validator (roster roles, one truck per person, a plant worker and a junta
delegate on every moving truck, own-district stops, commission size and listed members).
"""

from __future__ import annotations

import pytest

from logistics.model import scenario_from_dict
from logistics.plan import validate_plan
from logistics.routing import build_problem
from tests.helpers import (
    D1,
    D2,
    D8,
    edge_midpoint,
    node_point,
    plan_for,
    roster,
    scenario_dict,
    unserved_by_id,
    visited_ids,
)

#: The June 2005 scenario's communal kitchens (DATA: El Alto schools file; ASSUMPTION: that
#: kitchens ran there), two in Distrito 2 and one in Distrito 3.
KITCHENS = [
    {
        "id": "olla-puerto-rosario",
        "name": "Olla común, U.E. Puerto de Rosario (D-2)",
        "kind": "communal-kitchen",
        "lat": -16.54377,
        "lon": -68.19132,
        "cylinders": 40,
    },
    {
        "id": "olla-jm-pando",
        "name": "Olla común, U.E. José Manuel Pando (D-2)",
        "kind": "communal-kitchen",
        "lat": -16.56613,
        "lon": -68.18405,
        "cylinders": 40,
    },
    {
        "id": "olla-ayacucho",
        "name": "Olla común, U.E. Ayacucho (D-3)",
        "kind": "communal-kitchen",
        "lat": -16.53216,
        "lon": -68.20932,
        "cylinders": 30,
    },
]
D2_KITCHENS = {"olla-puerto-rosario", "olla-jm-pando"}


def _districts(sc) -> dict[str, str]:
    return {p: g.district for g in sc.guards.roster if g.district for p in g.person_ids()}


def _one_worker_scenario(net, size: int = 2) -> dict:
    """One plant worker; one delegate each of Distritos 1, 2 and 3 (Distrito 1 first, so
    the old fixed pairing took the Distrito 1 delegate); points in Distritos 1 and 2."""
    pts = [node_point(net, o, households=150) for o in D1 + D2]
    d = scenario_dict(
        pts,
        trucks=2,
        guards=roster(1, [("Distrito 1", 1), ("Distrito 2", 1), ("Distrito 3", 1)]),
        scope="own-district",
        priority_sites=KITCHENS,
    )
    d["guards"]["max_commission_size"] = size
    return d


def test_priority_sites_choose_the_delegate(net):
    """With one plant worker the one commission gets the Distrito 2 delegate (two kitchens,
    80 cylinders), not the Distrito 1 delegate the fixed pairing picked (kitchens
    unserved): both Distrito 2 kitchens are served; the third kitchen (Distrito 3) and the
    Distrito 1 points have no delegate on a truck: ``no-guard``."""
    sc, problem, plan = plan_for(_one_worker_scenario(net), net)
    riding = [t for t in problem.trucks if t.commission is not None]
    assert len(riding) == 1
    (c,) = [t.commission for t in riding]
    assert c.plant_workers == ["PW01"]
    assert [_districts(sc)[m] for m in c.delegates] == ["Distrito 2"]
    assert visited_ids(plan) >= D2_KITCHENS
    u = unserved_by_id(plan)
    assert u["olla-ayacucho"].reason == "no-guard"
    assert {u[f"n{o}"].reason for o in D1} == {"no-guard"}
    assert plan.delivered == 80 + 3 * 150
    assert problem.unused_guards == ["JD0-01", "JD2-01"]


def test_three_person_commission_serves_every_kitchen(net):
    """Allowing commissions of three (``max_commission_size: 3``), the one plant worker
    rides with the Distrito 2 and Distrito 3 delegates: all three kitchens are served;
    the validator accepts three people and would refuse the same plan under the limit 2."""
    sc, _problem, plan = plan_for(_one_worker_scenario(net, size=3), net)
    (truck,) = plan.trucks_used
    assert sorted(_districts(sc)[m] for m in truck.members if m in _districts(sc)) == [
        "Distrito 2",
        "Distrito 3",
    ]
    assert {k["id"] for k in KITCHENS} <= visited_ids(plan)
    strict = scenario_from_dict(_one_worker_scenario(net, size=2))
    rep = validate_plan(plan, strict, net)
    assert any("over guards.max_commission_size (2)" in e for e in rep.errors)


def test_delegates_of_reachable_districts_ride(net):
    """Two plant workers, three trucks; two Distrito 1 delegates listed first, then two of
    Distrito 8. Distrito 1 is cut off by a closed blockade on Av. 6 de Marzo, so its
    delegates could serve nothing there: both commissions take a Distrito 8 delegate (the
    fixed pairing took one of each and left one truck idle), and two trucks carry more to
    Distrito 8 in the short shift than one does."""
    lon, lat = edge_midpoint(net, 2586278821, 568585155)
    blk = {"id": "marzo", "lat": lat, "lon": lon, "radius_m": 30, "status": "closed"}
    pts = [node_point(net, o, households=100) for o in D1] + [
        node_point(net, o, households=300) for o in D8
    ]
    short = dict(trucks=3, scope="own-district", blockades=[blk], shift=("07:00", "09:00"))
    guards = roster(2, [("Distrito 1", 2), ("Distrito 8", 2)])
    sc, problem, plan = plan_for(scenario_dict(pts, guards=guards, **short), net)
    dist = _districts(sc)
    riding = sorted(dist[m] for t in plan.trucks_used for m in t.members if m in dist)
    assert riding == ["Distrito 8", "Distrito 8"]
    assert sorted(problem.unused_guards) == ["JD0-01", "JD0-02"]
    assert {u.reason for u in plan.unserved if u.point_id in {f"n{o}" for o in D1}} == {
        "unreachable-blockade"
    }
    # with a single Distrito 8 delegate only one truck can go
    one = roster(2, [("Distrito 1", 2), ("Distrito 8", 1)])
    _, _, plan1 = plan_for(scenario_dict(pts, guards=one, **short), net)
    assert len(plan1.trucks_used) == 1
    assert plan.delivered > plan1.delivered > 0


def test_listed_commissions_are_kept_and_pinned(net):
    """Listed commissions ride as listed; one pinned to truck T03 rides T03. The validator
    refuses a plan whose members differ from the listing or that moves a pinned
    commission to another truck."""
    d = scenario_dict([node_point(net, o, households=300) for o in D8[:3]], trucks=3)
    d["guards"] = {
        "delegate_scope": "any",
        "roster": [
            {"id": "ana", "role": "plant-worker"},
            {"id": "beto", "role": "plant-worker"},
            {"id": "carla", "role": "junta-delegate", "district": "Distrito 8"},
            {"id": "dora", "role": "junta-delegate", "district": "Distrito 8"},
        ],
        "commissions": [
            {"id": "first", "members": ["ana", "carla"]},
            {"id": "pinned", "members": ["beto", "dora"], "truck": "T03"},
        ],
    }
    sc, problem, plan = plan_for(d, net)
    on = {t.id: t.commission.id for t in problem.trucks if t.commission}
    assert on["T03"] == "pinned" and sorted(on.values()) == ["first", "pinned"]
    assert {t.truck_id for t in plan.trucks_used} >= {"T03"}
    # the two commissions swap trucks: the pinned one is no longer on T03
    moved = plan.model_copy(deep=True)
    a, b = (t for t in moved.trucks if t.commission_id)
    a.commission_id, a.members, b.commission_id, b.members = (
        b.commission_id,
        b.members,
        a.commission_id,
        a.members,
    )
    rep = validate_plan(moved, sc, net)
    assert any("commission pinned is pinned to truck T03" in e for e in rep.errors)
    # two delegates swap commissions: neither rides as listed
    swapped = plan.model_copy(deep=True)
    for t in swapped.trucks:
        t.members = [{"carla": "dora", "dora": "carla"}.get(m, m) for m in t.members]
    rep = validate_plan(swapped, sc, net)
    assert any(
        "commission pinned rides with beto, carla, listed as beto, dora" in e for e in rep.errors
    )


def test_pinned_truck_must_be_in_the_fleet(net, good):
    good["guards"]["roster"] = roster(1, [("Distrito 8", 1)])
    good["guards"]["commissions"] = [{"id": "c", "members": ["PW01", "JD0-01"], "truck": "T9"}]
    with pytest.raises(Exception) as exc:
        build_problem(scenario_from_dict(good), net=net)
    assert str(exc.value) == (
        "guards.commissions[0].truck: 'T9' is not a truck of the fleet; expected a fleet truck id"
    )
