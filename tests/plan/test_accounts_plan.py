"""Every household in the plan: plan.json's accounts, their reasons, and the validator's
re-derivation, on the real June 2005 scenario and map.

The accounts list every El Alto district (14), La Paz macrodistrict (8) and La Paz zone,
their households adding up to the 2024 census populations we ship, with walking access
and a reason for each area that got less than its ration; the validator re-derives them
from the plan's stops and rejects a plan whose accounts were changed.
"""

from __future__ import annotations

import csv
import json

import pytest

from logistics.i18n import use_language
from logistics.model import PROJECT_ROOT, config, load_scenario
from logistics.plan import AREA_REASON_CODES, area_reason_text, plan_from_json, validate_plan
from logistics.plan.area_rows import area_rows

JUNE = PROJECT_ROOT / "scenarios" / "senkata-2005-06.yaml"
NO_ROAD = ["Distrito 7", *(f"Distrito {n}" for n in range(9, 15))]
MACRO = ["Centro", "Cotahuma", "Hampaturi", "Mallasa", "Max Paredes", "Periférica"]
MACRO += ["San Antonio", "Sur"]


def _census() -> dict[str, int]:
    raw = config.data_dir() / "raw"
    with (raw / "atlasurbano" / "municipios.csv").open(encoding="utf-8") as fh:
        pop = {r["codigo"]: int(r["poblacion"]) for r in csv.DictReader(fh)}
    return {"El Alto": pop["20105"], "La Paz": pop["20101"]}


@pytest.fixture(scope="module")
def june(net):
    """A June 2005 plan (3 s search) with its scenario and problem."""
    from logistics.routing import build_problem, solve

    sc = load_scenario(JUNE)
    sc = sc.model_copy(update={"solver": sc.solver.model_copy(update={"time_limit_s": 3})})
    problem = build_problem(sc, scenario_dir=JUNE.parent, net=net)
    return sc, problem, solve(problem)


@pytest.mark.slow
def test_plan_lists_every_area_and_adds_up_to_the_census(june):
    sc, _problem, plan = june
    districts = plan.district_areas()
    el_alto = [a.district for a in districts if a.municipality == "El Alto"]
    assert el_alto == [f"Distrito {n}" for n in range(1, 15)]  # in natural order
    assert [a.district for a in districts if a.municipality == "La Paz"] == MACRO
    zones = [a for a in plan.areas if a.level == "zone"]
    assert len(zones) == 188
    hh = sc.demand.household_size
    for muni, people in _census().items():
        rows = [a for a in districts if a.municipality == muni]
        assert sum(a.population for a in rows) == pytest.approx(people, abs=1)
        assert sum(a.households for a in rows) == pytest.approx(people / hh, abs=1)
    # La Paz's zones add up to their macrodistricts, households and cylinders
    for d in (a for a in districts if a.municipality == "La Paz"):
        mine = [z for z in zones if z.district == d.district]
        assert sum(z.households for z in mine) == pytest.approx(d.households, abs=1)
        assert sum(z.delivered for z in mine) == pytest.approx(d.delivered, abs=1)
    # the gas the areas received is what the trucks handed over at distribution points
    at_points = sum(s.cylinders for _t, tr in plan.trips() for s in tr.stops if not s.priority)
    assert sum(a.delivered for a in districts) == pytest.approx(at_points, abs=1)


@pytest.mark.slow
def test_every_area_left_short_has_a_reason_in_words(june):
    _sc, _problem, plan = june
    by = {a.group: a for a in plan.district_areas()}
    for a in plan.areas:
        if a.delivered < a.ration - 1:
            assert a.reason in AREA_REASON_CODES, a
            assert area_reason_text(a), a
    for d in NO_ROAD:
        a = by[f"El Alto / {d}"]
        assert a.reason == "no-road-on-map" and a.delivered == 0
        assert a.road_distance_m and a.road_distance_m > 100
        assert a.within_1km == 0 and a.beyond_2km > 0
    assert by["El Alto / Distrito 7"].road_distance_m == pytest.approx(3800, abs=100)
    assert by["La Paz / Sur"].reason == "excluded-zone" and by["La Paz / Sur"].ration == 0
    assert by["El Alto / Distrito 5"].reason == "no-point"
    # the stock (24,000) is short of the ration: areas with points give the routing's reason
    assert by["El Alto / Distrito 3"].reason == "stock-short"
    with use_language("es"):
        assert area_reason_text(by["El Alto / Distrito 7"]) == (
            "ningún camino del mapa cargado pasa por el área; el camino más cercano al que "
            "llega un camión está a 3,8 km"
        )
        assert area_reason_text(by["El Alto / Distrito 3"]) == "sin garrafas suficientes"
    # walking access beside the served share: D1's points received gas, most of it is near
    d1 = by["El Alto / Distrito 1"]
    assert d1.delivered > 0 and 0.5 < d1.share_1km <= 1 and d1.share_500m <= d1.share_1km
    assert plan.access_distance == "straight-line"


@pytest.mark.slow
def test_an_area_without_its_delegate_names_it(net):
    """Without Centro's junta delegates on the roster, Centro's own points get no guard
    (``no-guard`` before any routing): its account says so in words, naming Centro."""
    from logistics.routing import build_problem

    sc = load_scenario(JUNE)
    roster = [e for e in sc.guards.roster if e.district != "Centro"]
    sc = sc.model_copy(update={"guards": sc.guards.model_copy(update={"roster": roster})})
    problem = build_problem(sc, scenario_dir=JUNE.parent, net=net)
    assert "no-guard" in problem.pre_unserved.values()
    by_id = {p.id: p for p in problem.points}
    unserved = {pid: (r, by_id[pid].ration) for pid, r in problem.pre_unserved.items()}
    rows = area_rows(sc, problem.points, problem.net, {}, unserved)
    centro = next(a for a in rows if a.group == "La Paz / Centro" and a.level == "district")
    assert centro.reason == "no-guard" and centro.missing_delegate == "Centro"
    with use_language("es"):
        assert area_reason_text(centro) == "sin delegado de Centro en la lista"
    assert all(a.reason != "no-guard" for a in rows if a.district == "Max Paredes")


@pytest.mark.slow
def test_validator_rederives_the_accounts(june, net):
    sc, _problem, plan = june
    assert validate_plan(plan, sc, net).ok
    areas = list(plan.areas)
    k3 = next(k for k, a in enumerate(areas) if a.group == "El Alto / Distrito 3")
    k7 = next(k for k, a in enumerate(areas) if a.group == "El Alto / Distrito 7")
    areas[k3] = areas[k3].model_copy(update={"delivered": areas[k3].delivered + 500})
    areas[k7] = areas[k7].model_copy(update={"reason": None, "within_1km": 900.0})
    gone = next(k for k, a in enumerate(areas) if a.zone == "El Rosario")
    del areas[gone]
    rep = validate_plan(plan.model_copy(update={"areas": areas}), sc, net)
    text = "\n".join(rep.errors)
    assert "area El Alto / Distrito 3: delivered is" in text
    assert "area El Alto / Distrito 7: within_1km is 900.0, expected 0.0" in text
    assert "area El Alto / Distrito 7: reason is None, expected 'no-road-on-map'" in text
    assert "area La Paz / Centro / El Rosario is missing from the plan's accounts" in text
    assert len(rep.errors) == 4, rep.errors


@pytest.mark.slow
def test_old_plan_without_accounts_still_reads_and_validates(june, net):
    sc, _problem, plan = june
    data = json.loads(plan.model_dump_json())
    del data["areas"], data["access_distance"]
    old = plan_from_json(json.dumps(data))
    assert old.areas == [] and old.delivered == plan.delivered
    assert validate_plan(old, sc, net).ok
