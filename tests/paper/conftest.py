"""Fixtures of the paper room: the small two-truck plan and a plan that meets blockades,
both on the real map, with their sheets written once per module (English and Spanish)."""

from __future__ import annotations

import pytest

from logistics.paper import write_sheets
from tests.helpers import D2, edge_midpoint, plan_for, small_scenario

PRICE = 22.5
DATE = "2005-06-08"


@pytest.fixture(scope="module")
def small(net):
    sc, _, plan = plan_for(small_scenario(net), net)
    return sc, plan


@pytest.fixture(scope="module")
def written(small, net, tmp_path_factory):
    """The small plan's sheets in English (the tests read English words)."""
    sc, plan = small
    out = tmp_path_factory.mktemp("sheets-en")
    return out, write_sheets(plan, sc, net, out, price_bs=PRICE, date=DATE, lang="en")


@pytest.fixture(scope="module")
def written_es(small, net, tmp_path_factory):
    """The same sheets in the default language (Spanish)."""
    sc, plan = small
    out = tmp_path_factory.mktemp("sheets-es")
    return out, write_sheets(plan, sc, net, out, price_bs=PRICE, date=DATE)


def blockade_scenario(net, plain_plan) -> dict:
    """The small scenario with three blockades placed on the roads its plan drives:

    * ``check``: a permit checkpoint (5 min) on the way out of trip T01/1, on RN1;
    * ``later``: a permit checkpoint on the way back, standing only 15:00-16:00 (the trips
      are back by 08:00, so they pass its site outside its hours);
    * ``shut``: a closed blockade on Av. 6 de Marzo 1.3 km north of the plant, beside the
      trips' way but not on it (DATA: real road nodes; where they stand is made up here).
    """
    out_leg, back_leg = plain_plan.trucks[0].trips[0].legs
    a, b = out_leg.nodes[3], out_leg.nodes[4]
    c, d = back_leg.nodes[len(back_leg.nodes) // 2], back_leg.nodes[len(back_leg.nodes) // 2 + 1]
    lon1, lat1 = edge_midpoint(net, a, b)
    lon2, lat2 = edge_midpoint(net, c, d)
    i = net.node_index(D2[1])
    data = small_scenario(net)
    data["blockades"] = [
        {"id": "check", "name": "Control RN1", "lat": lat1, "lon": lon1, "radius_m": 15,
         "status": "permit", "delay_minutes": 5},
        {"id": "later", "name": "Control de la tarde", "lat": lat2, "lon": lon2, "radius_m": 15,
         "status": "permit", "delay_minutes": 5, "window": {"start": "15:00", "end": "16:00"}},
        {"id": "shut", "name": "Bloqueo 6 de Marzo", "lat": float(net.lat[i]),
         "lon": float(net.lon[i]), "radius_m": 25, "status": "closed"},
    ]  # fmt: skip
    data["plants"][0]["phone"] = "+591 2 2800000"  # a made-up number, to print the line
    return data


@pytest.fixture(scope="module")
def blocked(net, small):
    sc, _, plan = plan_for(blockade_scenario(net, small[1]), net)
    return sc, plan


@pytest.fixture(scope="module")
def blocked_written(blocked, net, tmp_path_factory):
    sc, plan = blocked
    out = tmp_path_factory.mktemp("sheets-blocked")
    return out, write_sheets(plan, sc, net, out, price_bs=PRICE, date=DATE, lang="en")
