"""Fair policies when the fleet and the hours bind, not the stock (issue 11, part 2)."""

from __future__ import annotations

import pytest

from logistics.model import PROJECT_ROOT, load_scenario
from logistics.plan.fair_check import check_fair_zero
from logistics.routing import make_drops
from logistics.routing.drops import trip_slots
from logistics.routing.fair_bound import FairBound
from logistics.routing.fairness import eligible_ration, servable, servable_reach
from tests.helpers import D1, D2, D8, node_point, plan_for, roster, scenario_dict

D8_NAME, D1_NAME = "El Alto / Distrito 8", "El Alto / Distrito 1"
D2_NAME = "El Alto / Distrito 2"


def _fleet_bound(net, policy: str) -> dict:
    """Stock for everyone, but one truck of 300 and 2 working hours: two trips at most.

    Distrito 8 (three points on RN1 next to the plant, 900 cylinders) and Distrito 1 (two
    points far up Av. 6 de Marzo, 600 cylinders).
    """
    pts = [node_point(net, o, f"d8-{i}", households=300) for i, o in enumerate(D8[:3])]
    pts += [node_point(net, o, f"d1-{i}", households=300) for i, o in enumerate(D1)]
    d = scenario_dict(pts, trucks=1, stock=5000, max_hours=2, loading_minutes=20, time_limit_s=3)
    d["allocation"] = policy
    return d


def _shares(plan) -> dict[str, float]:
    return {g.group: g.share for g in plan.groups if g.reachable}


def test_max_delivered_leaves_the_far_district_at_zero_when_the_fleet_binds(net):
    _, _, plan = plan_for(_fleet_bound(net, "max-delivered"), net)
    assert _shares(plan)[D1_NAME] == 0.0  # the unfairness the fair policies must correct
    assert plan.delivered == 600


@pytest.mark.parametrize("policy", ["max-min", "proportional"])
def test_fair_policies_serve_the_far_district_when_the_fleet_binds(net, policy):
    sc, _, plan = plan_for(_fleet_bound(net, policy), net)
    shares = _shares(plan)
    # the best common share: two truckloads (600) over 1,500 cylinders of ration = 40 %;
    # within one drop (100 cylinders) of it for each district
    assert shares[D1_NAME] >= 0.4 - 100 / 600 - 1e-9
    assert shares[D8_NAME] >= 0.4 - 100 / 900 - 1e-9
    if policy == "proportional":  # equal shares, within one drop
        assert abs(shares[D1_NAME] - shares[D8_NAME]) <= 100 / 600 + 1e-9
    else:  # max-min also delivers what the trucks can carry
        assert plan.delivered == 600
    assert check_fair_zero(plan, sc, net) == []


def _own_trucks(net, policy: str, stock: int) -> dict:
    """Distrito 2 has one truck, Distrito 8 two; one trip each (an hour of working time).

    Three points of 300 cylinders in each district, trucks of 300: Distrito 2 can get one
    truckload whatever the stock (a third of its ration), Distrito 8 two.
    """
    pts = [node_point(net, o, f"d8-{i}", households=300) for i, o in enumerate(D8[:3])]
    pts += [node_point(net, o, f"d2-{i}", households=300) for i, o in enumerate(D2)]
    guards = roster(3, [("Distrito 8", 2), ("Distrito 2", 1)])
    d = scenario_dict(
        pts,
        trucks=3,
        stock=stock,
        guards=guards,
        scope="own-district",
        max_hours=1,
        loading_minutes=20,
        time_limit_s=3,
    )
    d["allocation"] = policy
    return d


@pytest.mark.parametrize("policy", ["max-min", "proportional"])
def test_a_district_held_back_by_its_own_trucks_does_not_hold_the_others_down(net, policy):
    # stock 500 of 1,800: a common share would be 28 %; Distrito 2's one truck can bring
    # it 300 (33 %) at most, so it is no bottleneck. Shares are within one drop (100 of
    # 900 cylinders) of equal and all the stock goes out.
    sc, _, plan = plan_for(_own_trucks(net, policy, stock=500), net)
    shares = _shares(plan)
    assert plan.delivered == 500
    assert abs(shares[D8_NAME] - shares[D2_NAME]) <= 100 / 900 + 1e-9
    # stock 800: Distrito 2 is held at its truckload (33 %); the others do not stop there
    # (water-filling): Distrito 8 gets the rest of what its two trucks can carry
    sc, _, plan = plan_for(_own_trucks(net, policy, stock=800), net)
    got = {g.group: g.delivered for g in plan.groups}
    assert got[D2_NAME] == 300
    assert got[D8_NAME] >= 500  # within one drop of its two truckloads
    assert check_fair_zero(plan, sc, net) == []


def test_the_lowest_share_is_within_one_drop_of_the_bound(net):
    # the relaxation bound on the common share (logistics.routing.fair_bound) of the
    # fleet-bound case: two truckloads of 300 over 1,500 cylinders -> at most 40 %; the
    # bound must not be below what max-min reaches, and max-min within one drop of it
    _, problem, plan = plan_for(_fleet_bound(net, "max-min"), net)
    trucks = [t for t in problem.trucks if t.commission is not None]
    _, cands = make_drops(problem, fine=True)
    ration = eligible_ration(problem)
    reach, _ = servable_reach(problem, trucks, cands, ration)
    ok = servable(problem, trucks, cands)
    bound = FairBound(problem, trucks, cands, ok, trip_slots(problem, trucks, cands))
    best = bound.best_share(ration, reach)
    assert 0.4 - 0.05 <= best <= 0.4 + 1e-3
    shares = _shares(plan)
    assert min(shares.values()) <= best + 1e-9
    for g, share in shares.items():
        assert share >= best - 100 / ration[g] - 1e-9
    # and the bound on the total: one truck, two trips of 300
    assert bound.solve({}, maximise_total=True).total == pytest.approx(600, abs=1)


@pytest.mark.parametrize("policy", ["max-min", "proportional"])
def test_same_seed_and_solution_limit_give_the_same_fair_plan(net, policy):
    # the construction is deterministic and the search stops on its solution budget
    d = _own_trucks(net, policy, stock=800)
    d["solver"].update(time_limit_s=20, solution_limit=50)
    _, _, first = plan_for(d, net)
    _, _, again = plan_for(d, net)
    assert not first.solver.hit_time_limit
    assert first.plan_id() == again.plan_id()


FLEET_BOUND = PROJECT_ROOT / "bench" / "scenarios" / "fleet-bound-2005-06.yaml"


def _june_fleet_bound(policy: str, solutions: int) -> dict:
    """The bench's fleet-bound June 2005 (stock 30,000, 20 trucks of 400, delegates for any
    district, four 15-45 min checkpoints), on a solution budget (not seconds) so the plan
    does not depend on the machine's load."""
    data = load_scenario(FLEET_BOUND).model_dump(mode="json", exclude_none=True)
    data["allocation"] = policy
    data["solver"].update(time_limit_s=300, solution_limit=solutions)
    return data


@pytest.mark.slow
def test_max_min_on_the_fleet_bound_june_2005_variant(net):
    # The trucks, not the stock, bind: max-delivered leaves La Paz at ~0 %. max-min lifts
    # every reachable district to about half its ration; each floor is the common level
    # raised drop by drop (the lowest first) while the packing still fits, so no district
    # sits half a drop below it (before: 50.5 %). Measured: max-delivered 20,905 (150
    # solutions), max-min 17,630 = 84.3 % with the lowest share 52.1 % (30 solutions; the
    # search from the construction adds little, see README "Fair rationing").
    _, _, top = plan_for(_june_fleet_bound("max-delivered", 150), net)
    sc, _, plan = plan_for(_june_fleet_bound("max-min", 30), net)
    assert not plan.solver.hit_time_limit
    assert min(_shares(top).values()) < 0.05
    assert min(_shares(plan).values()) >= 0.51
    assert plan.delivered >= 0.82 * top.delivered
    assert check_fair_zero(plan, sc, net) == []
