"""Households of an area without a point of its own, queueing at a neighbouring area's point.

With ``demand.walk_to_neighbour_m`` set, the households of an area (El Alto district, La
Paz zone) that has no eligible distribution point — no road of the map in it, or no point
placed on its roads — may walk to the **nearest** point of another area that a truck can
reach from the plant and back, if it lies within that many metres (straight line) of
them. Counted per population cell (:mod:`logistics.demand.grid`): the part of the area
within reach walks, the rest stays without a point (and keeps its reason in the accounts,
:mod:`logistics.demand.accounts`).

The point that receives them carries their ration, and gains their area's names, so a
junta delegate of **either** area may ride to it (commissions and the validator test a
point's area names against the delegates on board).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from scipy.spatial import cKDTree

from logistics.demand.grid import HouseholdGrid


def neighbour_walk(
    grid: HouseholdGrid,
    cell_ok: np.ndarray,
    own_rows: set[int],
    carriers_xy: np.ndarray,
    walk_m: float,
) -> dict[int, dict[int, float]]:
    """Persons carried by each carrier: ``carrier index -> {area row: persons}``.

    Parameters
    ----------
    grid
        Population cells.
    cell_ok
        Cells whose households are eligible.
    own_rows
        Area rows that have an eligible point of their own (their households stay there).
    carriers_xy
        ``(n, 2)`` metric coordinates of the points that may receive walkers.
    walk_m
        Longest straight-line walk, metres.
    """
    out: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    if not len(carriers_xy):
        return {}
    walkers = cell_ok & ~np.isin(grid.area, list(own_rows)) & (grid.persons > 0)
    idx = np.flatnonzero(walkers)
    d, k = cKDTree(carriers_xy).query(grid.xy()[idx], k=1, distance_upper_bound=walk_m)
    near = np.isfinite(d)
    for cell, carrier in zip(idx[near], k[near], strict=True):
        out[int(carrier)][int(grid.area[cell])] += float(grid.persons[cell])
    return {c: dict(v) for c, v in out.items()}
