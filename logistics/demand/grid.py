"""Where the households live: every area cut into small cells that carry its population.

The population data stop at the area (an El Alto district, a La Paz zone), so inside an
area the density is taken as uniform — the same **assumption** as the Voronoi rations of
:mod:`logistics.demand.points`. Each area is cut into square cells of ``CELL_M`` metres
(larger in the big rural districts, so no area has more than ``MAX_CELLS_PER_AREA``
cells); a cell carries the area's population times the share of the area it covers, and
sits at its centre (cells on the boundary: a point of the cell inside the area). The cells
of an area add up to its population exactly, so the cells of a municipality add up to the
2024 census total we ship.

Walking access (:mod:`logistics.demand.access`), the covering location model
(:mod:`logistics.demand.siting`) and households that walk to a neighbouring area's point
(:mod:`logistics.demand.neighbours`) all count households on these cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from logistics.demand.areas import Areas, load_areas

#: Side of a cell in the urban areas, metres.
CELL_M = 100.0
#: Upper bound on the cells of one area (the rural districts get larger cells).
MAX_CELLS_PER_AREA = 2000


@dataclass(frozen=True)
class HouseholdGrid:
    """Population cells of every area (metric coordinates, ``METRIC_CRS``)."""

    x: np.ndarray
    y: np.ndarray
    #: persons living in the cell (area population times the cell's share of the area)
    persons: np.ndarray
    #: row of the cell's area in ``Areas.frame``
    area: np.ndarray
    #: ``Areas.frame["name"]`` in row order (the area of cell ``i`` is ``names[area[i]]``)
    names: tuple[str, ...]

    @property
    def n_cells(self) -> int:
        return int(self.x.size)

    def xy(self) -> np.ndarray:
        """Cell coordinates as an ``(n, 2)`` array."""
        return np.column_stack([self.x, self.y])


def _area_cells(geom: BaseGeometry, population: float) -> tuple[np.ndarray, ...]:
    side = max(CELL_M, (geom.area / MAX_CELLS_PER_AREA) ** 0.5)
    x0, y0, x1, y1 = geom.bounds
    gx = np.arange(x0, x1, side)
    gy = np.arange(y0, y1, side)
    xx, yy = (a.ravel() for a in np.meshgrid(gx, gy))
    boxes = shapely.box(xx, yy, xx + side, yy + side)
    shapely.prepare(geom)
    inside = shapely.contains(geom, boxes)
    edge = ~inside & shapely.intersects(geom, boxes)
    area = np.where(inside, side * side, 0.0)
    cx = xx + side / 2
    cy = yy + side / 2
    if edge.any():
        parts = shapely.intersection(boxes[edge], geom)
        area[edge] = shapely.area(parts)
        where = shapely.point_on_surface(parts)
        cx[edge] = shapely.get_x(where)
        cy[edge] = shapely.get_y(where)
    keep = area > 0
    if not keep.any():  # an area smaller than one cell's corner: one cell at its centre
        pt = shapely.point_on_surface(geom)
        return np.array([pt.x]), np.array([pt.y]), np.array([population])
    share = area[keep] / area[keep].sum()
    return cx[keep], cy[keep], population * share


def build_grid(areas: Areas) -> HouseholdGrid:
    """Cut every area of ``areas`` into population cells (see the module docstring)."""
    xs, ys, ps, ids = [], [], [], []
    metric = areas.metric
    for row, (geom, pop) in enumerate(zip(metric.geometry, metric["population"], strict=True)):
        x, y, p = _area_cells(geom, float(pop))
        xs.append(x)
        ys.append(y)
        ps.append(p)
        ids.append(np.full(x.size, row, dtype=np.int32))
    return HouseholdGrid(
        x=np.concatenate(xs),
        y=np.concatenate(ys),
        persons=np.concatenate(ps),
        area=np.concatenate(ids),
        names=tuple(str(n) for n in metric["name"]),
    )


@lru_cache(maxsize=4)
def household_grid(data: Path | None = None) -> HouseholdGrid:
    """The population cells of the shipped areas (built once per data directory)."""
    return build_grid(load_areas(data))
