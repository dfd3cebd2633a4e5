"""Eligibility of whole areas and of population cells (not only of points).

The same rule as for distribution points (:mod:`logistics.demand.points`): an area is out
when one of its names (zone, district / macrodistrict, municipality) is in
``eligibility.excluded``, or when ``eligibility.eligible`` is given and none of its names is
in it; households inside an ``excluded_polygons`` entry are out too. Unknown names are
:class:`~logistics.model.InputError` naming the field, exactly as for points.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import transform

from logistics.demand.areas import Areas, _norm
from logistics.demand.grid import HouseholdGrid
from logistics.model import Eligibility
from logistics.roads import TO_METRIC


def area_keys(areas: Areas) -> list[set[str]]:
    """Normalised names of each area row (name, district, zone, municipality)."""
    cols = ("name", "district", "zone", "municipality")
    rows = zip(*(areas.frame[c] for c in cols), strict=True)
    return [{_norm(v) for v in row if isinstance(v, str)} for row in rows]


def _resolved(areas: Areas, elig: Eligibility) -> tuple[set[str], set[str] | None]:
    excluded = {
        _norm(areas.resolve(n, f"eligibility.excluded[{i}]")) for i, n in enumerate(elig.excluded)
    }
    eligible = None
    if elig.eligible is not None:
        eligible = {
            _norm(areas.resolve(n, f"eligibility.eligible[{i}]"))
            for i, n in enumerate(elig.eligible)
        }
    return excluded, eligible


def names_rule(areas: Areas, elig: Eligibility) -> Callable[[set[str]], bool]:
    """A test ``keys -> excluded?`` for a set of normalised area names (as for points:
    an exclusion of any of the names wins; with an ``eligible`` list one must be in it)."""
    excluded, eligible = _resolved(areas, elig)

    def is_excluded(keys: set[str]) -> bool:
        return bool(keys & excluded) or (eligible is not None and not keys & eligible)

    return is_excluded


def area_excluded(areas: Areas, elig: Eligibility) -> list[bool]:
    """For each area row: is it excluded by name (``excluded`` / ``eligible`` lists)?"""
    rule = names_rule(areas, elig)
    return [rule(keys) for keys in area_keys(areas)]


def excluded_polygons_metric(elig: Eligibility) -> list[BaseGeometry]:
    """The scenario's excluded polygons in metric coordinates (repaired when invalid)."""
    out = []
    for ep in elig.excluded_polygons:
        poly: BaseGeometry = Polygon(ep.coordinates)
        if not poly.is_valid:
            poly = shapely.make_valid(poly)
        out.append(transform(TO_METRIC.transform, poly))
    return out


def cell_eligible(grid: HouseholdGrid, areas: Areas, elig: Eligibility) -> np.ndarray:
    """Boolean mask of the population cells whose households may receive gas."""
    by_area = np.asarray(area_excluded(areas, elig), dtype=bool)
    ok = ~by_area[grid.area]
    for poly in excluded_polygons_metric(elig):
        ok &= ~shapely.contains_xy(poly, grid.x, grid.y)
    return ok
