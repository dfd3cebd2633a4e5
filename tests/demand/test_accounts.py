"""Every household is in the accounts: all areas, the census totals, and why an area has no gas.

On the real data: the 14 El Alto districts and 8 La Paz macrodistricts (and 188 zones) of
the June 2005 scenario, their households adding up to the 2024 census populations we ship,
and a reason for each area no point of its own can bring gas to.
"""

from __future__ import annotations

import csv
import json

import pytest

from logistics.demand import (
    area_accounts,
    area_delivered,
    build_points,
    carried_text,
    load_areas,
    reason_text,
)
from logistics.i18n import use_language
from logistics.model import PROJECT_ROOT, config, load_scenario
from logistics.roads import with_plant_access

JUNE = PROJECT_ROOT / "scenarios" / "senkata-2005-06.yaml"
#: El Alto districts with no distribution point on the 2019 extract (issue 12).
VANISHED = ["Distrito 5", "Distrito 7", *(f"Distrito {n}" for n in range(9, 15))]


def _shipped_census() -> dict[str, int]:
    raw = config.data_dir() / "raw"
    with (raw / "atlasurbano" / "municipios.csv").open(encoding="utf-8") as fh:
        csv_pop = {r["codigo"]: int(r["poblacion"]) for r in csv.DictReader(fh)}
    geo = json.loads((raw / "derived" / "lapaz_metro_municipios.geojson").read_text("utf-8"))
    by_code = {
        f["properties"]["ADM3_PCODE"]: f["properties"]["poblacion_censo2024"]
        for f in geo["features"]
    }
    # the two files agree (BO020105 = El Alto, BO020101 = La Paz)
    assert by_code["BO020105"] == csv_pop["20105"] == 885_825
    assert by_code["BO020101"] == csv_pop["20101"] == 757_431
    return {"El Alto": csv_pop["20105"], "La Paz": csv_pop["20101"]}


def _june(net, **demand):
    sc = load_scenario(JUNE)
    if demand:
        sc = sc.model_copy(update={"demand": sc.demand.model_copy(update=demand)})
    net = with_plant_access(net, sc.plant.lon, sc.plant.lat, sc.plant.access_m)
    return sc, net, build_points(sc, net)


@pytest.fixture(scope="module")
def june(net):
    """The June 2005 scenario as shipped, and its accounts."""
    sc, pnet, points = _june(net)
    return sc, pnet, points, area_accounts(sc, points, pnet)


@pytest.fixture(scope="module")
def june_no_walk(net):
    """June 2005 without households walking to a neighbour's point (issue 12's 'before')."""
    sc, pnet, points = _june(net, walk_to_neighbour_m=None)
    return area_accounts(sc, points, pnet)


def test_every_area_is_listed_and_adds_up_to_the_census(june):
    sc, _net, _points, acc = june
    districts = acc.districts()
    el_alto = sorted(
        (r.district for r in districts if r.municipality == "El Alto"),
        key=lambda d: int(d.split()[-1]),
    )
    assert el_alto == [f"Distrito {n}" for n in range(1, 15)]
    assert sorted(r.district for r in districts if r.municipality == "La Paz") == [
        "Centro",
        "Cotahuma",
        "Hampaturi",
        "Mallasa",
        "Max Paredes",
        "Periférica",
        "San Antonio",
        "Sur",
    ]
    assert len(acc.zones()) == 188
    census = _shipped_census()
    totals = acc.municipality_totals()
    for muni, pop in census.items():
        assert totals[muni]["population"] == pytest.approx(pop, abs=0.01)
        assert totals[muni]["households"] == pytest.approx(pop / sc.demand.household_size)
    # each macrodistrict is the sum of its zones
    for row in districts:
        zones = acc.zones(row.district) if row.municipality == "La Paz" else []
        if zones:
            assert sum(z.households for z in zones) == pytest.approx(row.households)
            assert sum(z.counted_households for z in zones) == pytest.approx(row.counted_households)
    # every household is somewhere: carried by a point, or without gas for a reason
    for row in acc.rows:
        without = sum(row.without_gas.get(k, 0) for k in ("excluded-zone", "no-road-on-map"))
        without += row.without_gas.get("no-point", 0)
        assert row.counted_households + without == pytest.approx(row.households, abs=1.0)


def test_the_districts_the_map_misses_no_longer_vanish(june_no_walk):
    """Without walking to neighbours: Districts 5, 7, 9-14 have no point, 26 % of El Alto."""
    acc = june_no_walk
    rows = acc.by_group()
    gone = [rows[f"El Alto / {d}"] for d in VANISHED]
    assert all(r.counted_households == 0 and r.reason for r in gone)
    el_alto = acc.municipality_totals()["El Alto"]["households"]
    assert sum(r.households for r in gone) / el_alto == pytest.approx(0.262, abs=0.001)
    d7 = rows["El Alto / Distrito 7"]
    assert d7.reason == "no-road-on-map"
    assert 3_500 < (d7.road_distance_m or 0) < 4_200  # Av. Juan Pablo II is ~3.8 km away
    assert reason_text(d7) == (
        "no road of the loaded map in the area; the nearest road a truck can reach is 3.8 km away"
    )
    with use_language("es"):
        assert "3,8 km" in reason_text(d7)
    # District 5 has roads on the map, but the thinning of stops left it no point
    d5 = rows["El Alto / Distrito 5"]
    assert d5.reason == "no-point" and d5.nearest_point
    assert d5.without_gas == {"no-point": pytest.approx(d5.households)}


def test_excluded_areas_and_zones(june):
    _sc, _net, _points, acc = june
    rows = acc.by_group()
    sur = rows["La Paz / Sur"]
    assert sur.reason == "excluded-zone" and sur.eligible_households == 0
    assert sur.without_gas == {"excluded-zone": pytest.approx(sur.households)}
    assert reason_text(sur) == "excluded by the eligibility rules"
    centro = rows["La Paz / Centro"]
    (san_jorge,) = [z for z in acc.zones("Centro") if z.zone == "San Jorge"]
    assert san_jorge.reason == "excluded-zone"
    assert centro.eligible_households == pytest.approx(centro.households - san_jorge.households)
    assert centro.reason is None  # the shipped roster has Centro delegates (issue 12)


def test_no_guard_names_the_missing_delegate(net):
    """The roster before issue 12 had no Centro delegate: Centro gets 0, and says why."""
    sc, pnet, points = _june(net, walk_to_neighbour_m=None)
    roster = [g for g in sc.guards.roster if g.district != "Centro"]
    sc = sc.model_copy(update={"guards": sc.guards.model_copy(update={"roster": roster})})
    centro = area_accounts(sc, points, pnet).by_group()["La Paz / Centro"]
    assert centro.reason == "no-guard" and centro.missing_delegate == "Centro"
    assert centro.without_gas["no-guard"] == pytest.approx(centro.counted_households)
    assert reason_text(centro) == "no junta delegate of Centro on the roster"
    with use_language("es"):
        assert "Centro" in reason_text(centro)


def test_neighbours_carry_households_and_their_gas(june, june_no_walk):
    """With ``walk_to_neighbour_m`` the households of District 5 within 1 km queue at points
    of neighbouring districts; the gas those points get is shared by households."""
    _sc, _net, points, acc = june
    d5 = acc.by_group()["El Alto / Distrito 5"]
    before = june_no_walk.by_group()["El Alto / Distrito 5"]
    assert before.counted_households == 0
    assert 0 < d5.carried_households == d5.counted_households < d5.households
    assert d5.carried_by and "households queue at points of neighbouring areas" in carried_text(d5)
    carriers = [p for p in points if "Distrito 5" in p.carries]
    assert {p.id for p in carriers} == set(d5.carried_by)
    assert all(p.district != "Distrito 5" and "distrito 5" in p.area_names() for p in carriers)
    # a carrier's delivery is shared between its own households and those it carries
    p = carriers[0]
    got = area_delivered(points, {p.id: 100})
    share = p.carries["Distrito 5"] / p.households
    assert got["Distrito 5"] == pytest.approx(100 * share)
    assert sum(got.values()) == pytest.approx(100)
    assert set(got) == {p.area, *p.carries}


def test_accounts_follow_the_area_data(june):
    """Zone names and districts are the ones the area data hold (none invented)."""
    _sc, _net, _points, acc = june
    frame = load_areas().frame
    assert {z.zone for z in acc.zones()} == set(frame.loc[frame.municipality == "La Paz", "zone"])
