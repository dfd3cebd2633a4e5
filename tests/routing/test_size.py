"""The size of a problem, checked before anything large is built.

Valid scenarios can ask for more than the machine holds: the issue's ``capacity: 1`` (every
cylinder a drop) and 2,000 trucks (14,000 reload nodes) took the planner past 4 GB. Both
are refused by ``build_problem`` in one line naming ``fleet`` and the memory needed, before
the travel tables are built; the estimate matches the solver's own counts.
"""

from __future__ import annotations

import resource

import pytest

from logistics.model import InputError, load_scenario, scenario_from_dict
from logistics.routing import MAX_TRIPS_PER_TRUCK, build_problem, solve
from logistics.routing.size import TRIPS_BOUND, check_model_size, model_size
from tests.helpers import D8, node_point, roster, scenario_dict

JUNE = "scenarios/senkata-2005-06.yaml"


def _june(**fleet):
    from logistics.model import PROJECT_ROOT

    doc = load_scenario(PROJECT_ROOT / JUNE).model_dump(mode="json", exclude_none=True)
    doc["fleet"] = [{**doc["fleet"][0], **fleet}]
    if fleet.get("count", 0) > 30:  # enough guards for every truck's commission
        doc["guards"] = {"delegate_scope": "any", "roster": roster(2000, [("Distrito 8", 2000)])}
    return scenario_from_dict(doc)


def test_the_solver_and_the_estimate_agree_on_trips():
    assert TRIPS_BOUND == MAX_TRIPS_PER_TRUCK


@pytest.mark.parametrize(
    ("fleet", "drops_at_least"),
    [({"capacity": 1}, 30_000), ({"count": 2000}, 100)],
)
def test_a_model_too_large_for_the_machine_is_refused_before_building(net, fleet, drops_at_least):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sc = _june(**fleet)
    with pytest.raises(InputError) as exc:
        build_problem(sc, net=net)
    err = exc.value
    assert err.where == "fleet"
    assert err.message.startswith("the plan would need about ")
    assert "this machine allows 1,500 MB: use larger or fewer trucks, or fewer points" in (
        err.message
    )
    drops = int(err.message.split(" drops")[0].rsplit(" ", 1)[-1].replace(",", ""))
    assert drops >= drops_at_least
    assert len(str(err)) <= 200
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown < 200  # refused before any travel table or model was built


def test_the_estimate_counts_what_the_solver_builds(net):
    pts = [node_point(net, o, f"p{o}", households=120) for o in D8[:3]]
    sc = scenario_from_dict(
        scenario_dict(pts, trucks=3, capacity=50, guards=roster(3, [("Distrito 8", 3)]))
    )
    problem = build_problem(sc, net=net)
    size = model_size(problem)
    plan = solve(problem)
    assert size.drops == plan.solver.drops
    assert size.trip_slots == plan.solver.trip_slots
    # before the tables, the bound is at least the exact count
    upper = check_model_size(sc, problem.trucks, problem.routable, net.n_nodes)
    assert upper.drops == size.drops and upper.trip_slots >= size.trip_slots


def test_the_limit_can_be_set_for_a_smaller_machine(net, monkeypatch):
    monkeypatch.setenv("SENKATA_MAX_MODEL_MB", "20")
    sc = _june()
    with pytest.raises(InputError, match="this machine allows 20 MB"):
        build_problem(sc, net=net)
    monkeypatch.delenv("SENKATA_MAX_MODEL_MB")
    assert build_problem(sc, net=net).routable
