"""Walking access: households within 500 m / 1 km of a served point, beyond 2 km of all.

A pure function of the population cells, the points' places and which were served; checked
here against an independent geometric computation (disc area over district area, uniform
density) and against the served set.
"""

from __future__ import annotations

import pytest
from shapely.geometry import Point

from logistics.demand import household_grid, load_areas, point_places, walking_access
from logistics.roads import TO_METRIC
from tests.helpers import D1, node_lonlat


@pytest.fixture(scope="module")
def world():
    return household_grid(), load_areas()


def test_one_point_matches_the_disc_over_its_district(world, net):
    grid, areas = world
    lon, lat = node_lonlat(net, D1[0])
    tab = walking_access(grid, areas, {"p": (lon, lat)}, household_size=3.6)
    metric = areas.metric.set_index("name")
    d1 = metric.loc["Distrito 1"]
    centre = Point(*TO_METRIC.transform(lon, lat))
    hh = d1["population"] / 3.6
    got = tab.areas["Distrito 1"]
    for radius, value in ((500, got.within_500m), (1000, got.within_1km)):
        disc = centre.buffer(radius, quad_segs=256).intersection(d1.geometry)
        assert value == pytest.approx(hh * disc.area / d1.geometry.area, rel=0.03)  # 100 m cells
    # a district 20 km away has nobody within 2 km of the point
    far = tab.groups["El Alto / Distrito 9"]
    assert far.within_1km == 0 and far.beyond_2km == pytest.approx(far.households)


def test_only_served_points_count(world, net):
    grid, areas = world
    places = {"a": node_lonlat(net, D1[0]), "b": node_lonlat(net, D1[1])}
    both = walking_access(grid, areas, places, household_size=3.6)
    only_a = walking_access(grid, areas, places, ["a"], household_size=3.6)
    none = walking_access(grid, areas, places, [], household_size=3.6)
    assert none.total.within_1km == 0
    assert none.total.beyond_2km == pytest.approx(none.total.households)
    assert 0 < only_a.total.within_1km <= both.total.within_1km
    assert (
        only_a.areas["Distrito 1"]
        == walking_access(grid, areas, {"a": places["a"]}, household_size=3.6).areas["Distrito 1"]
    )


def test_the_tables_add_up(world, net):
    grid, areas = world
    tab = walking_access(grid, areas, {"p": node_lonlat(net, D1[0])}, household_size=3.6)
    total = (885_825 + 757_431) / 3.6
    assert tab.total.households == pytest.approx(total)
    assert sum(a.households for a in tab.areas.values()) == pytest.approx(total)
    assert sum(a.within_1km for a in tab.groups.values()) == pytest.approx(tab.total.within_1km)
    assert set(tab.municipalities) == {"El Alto", "La Paz"}
    for a in tab.areas.values():
        assert 0 <= a.within_500m <= a.within_1km <= a.households + 1e-6
        assert a.within_1km + a.beyond_2km <= a.households + 1e-6


def test_priority_sites_are_not_distribution_points():
    class P:
        def __init__(self, pid, prio):
            self.id, self.lon, self.lat, self.priority = pid, -68.16, -16.50, prio

    assert set(point_places([P("stop", False), P("clinic", True)])) == {"stop"}
