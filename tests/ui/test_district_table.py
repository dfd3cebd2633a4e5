"""The app's district table (``logistics.ui.results``): every area, walking access beside
the served share, the reason in words; on a small plan solved on the real map."""

from __future__ import annotations

import pytest

from logistics.i18n import use_language
from logistics.ui.results import area_rows
from tests.helpers import plan_for, small_scenario


@pytest.fixture(scope="module")
def small(net):
    _sc, _problem, plan = plan_for(small_scenario(net), net)
    return plan


def test_every_district_and_macrodistrict_is_a_row(small):
    rows = area_rows(small)
    names = [r["area"] for r in rows]
    assert [n for n in names if n.startswith("El Alto")] == [
        f"El Alto / Distrito {k}" for k in range(1, 15)
    ]
    assert sum(n.startswith("La Paz / ") for n in names) == 8
    by = {r["area"]: r for r in rows}
    d7 = by["El Alto / Distrito 7"]
    assert d7["delivered"] == 0 and d7["within 1 km"] == "0%"
    assert d7["why not all"].startswith("no road of the loaded map in the area")
    # the small plan serves Distrito 8: its households near the served points are counted
    d8 = by["El Alto / Distrito 8"]
    assert d8["delivered"] > 0 and d8["within 1 km"] != "0%"
    zones = area_rows(small, level="zone")
    assert len(zones) == 188 and {z["macrodistrict"] for z in zones} == {
        n for n in names if n.startswith("La Paz / ")
    }


def test_the_table_in_spanish_and_for_an_old_plan(small):
    with use_language("es"):
        row = next(r for r in area_rows(small) if r["área"] == "El Alto / Distrito 7")
    assert row["por qué no todo"].startswith("ningún camino del mapa cargado pasa por el área")
    assert "a menos de 1 km" in row and "familias" in row
    old = small.model_copy(update={"areas": []})  # a plan.json from before the accounts
    rows = area_rows(old)
    assert rows and all("eligible points" in r for r in rows)
    assert area_rows(old, level="zone") == []
