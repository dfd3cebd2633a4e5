"""Walking access: how many households of each area live near a served distribution point.

For every area (El Alto district, La Paz zone, and aggregated per El Alto district / La Paz
macrodistrict and per municipality): the households within 500 m and within 1 km of a
served point, and the households with no served point within 2 km.

Distances are **straight lines** (metric UTM 19S), not walking paths: the shared data have
no footpaths, and El Alto's streets are a dense grid, so a straight line is the usual
approximation (it under-states the walk, the more so on La Paz's slopes). Households are
placed on the population cells of :mod:`logistics.demand.grid` (uniform density inside an
area, an assumption).

:func:`walking_access` is a pure function of the cells, the points' places and which of
them are served, so the validator can re-derive it from a plan without the solver.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from logistics.demand.areas import Areas
from logistics.demand.grid import HouseholdGrid
from logistics.roads import TO_METRIC

#: The distances walking access is reported at, metres.
NEAR_M = 500.0
WALK_M = 1000.0
FAR_M = 2000.0


@dataclass(frozen=True)
class Access:
    """Walking access of one area (households, not persons)."""

    households: float
    #: households within ``NEAR_M`` / ``WALK_M`` of a served point
    within_500m: float
    within_1km: float
    #: households with no served point within ``FAR_M``
    beyond_2km: float

    @property
    def share_500m(self) -> float:
        return self.within_500m / self.households if self.households else 0.0

    @property
    def share_1km(self) -> float:
        return self.within_1km / self.households if self.households else 0.0


@dataclass(frozen=True)
class AccessTable:
    """Walking access by area, by reporting group and by municipality."""

    #: finest area (El Alto district, La Paz zone) -> access
    areas: dict[str, Access]
    #: ``"El Alto / Distrito 7"``, ``"La Paz / Centro"`` (the plan's groups) -> access
    groups: dict[str, Access]
    municipalities: dict[str, Access]
    total: Access


def point_places(points: Iterable[object]) -> dict[str, tuple[float, float]]:
    """``id -> (lon, lat)`` of the distribution points among ``points`` (not priority sites).

    Accepts :class:`~logistics.demand.points.DeliveryPoint` objects or anything with ``id``,
    ``lon``, ``lat`` and optionally ``priority``.
    """
    return {
        str(p.id): (float(p.lon), float(p.lat))  # type: ignore[attr-defined]
        for p in points
        if not getattr(p, "priority", False)
    }


def distance_to_nearest(
    grid: HouseholdGrid, places: Mapping[str, tuple[float, float]], ids: Collection[str]
) -> np.ndarray:
    """Straight-line metres from every cell to the nearest of ``ids`` (inf when none)."""
    chosen = [places[i] for i in sorted(ids) if i in places]
    if not chosen:
        return np.full(grid.n_cells, np.inf)
    lon, lat = np.array(chosen).T
    px, py = TO_METRIC.transform(lon, lat)
    d, _ = cKDTree(np.column_stack([px, py])).query(grid.xy(), k=1)
    return np.asarray(d, dtype=float)


def _access(hh: np.ndarray, d: np.ndarray) -> Access:
    return Access(
        households=float(hh.sum()),
        within_500m=float(hh[d <= NEAR_M].sum()),
        within_1km=float(hh[d <= WALK_M].sum()),
        beyond_2km=float(hh[d > FAR_M].sum()),
    )


def walking_access(
    grid: HouseholdGrid,
    areas: Areas,
    places: Mapping[str, tuple[float, float]],
    served: Collection[str] | None = None,
    *,
    household_size: float,
) -> AccessTable:
    """Walking access of every area to the served points.

    Parameters
    ----------
    grid
        Population cells (:func:`logistics.demand.grid.household_grid`).
    areas
        The areas the cells belong to (:func:`logistics.demand.load_areas`), for the
        district / macrodistrict and municipality of each.
    places
        ``point id -> (lon, lat)`` of the distribution points (:func:`point_places`).
    served
        Ids of the points that received gas; ``None``: every point in ``places``.
    household_size
        Persons per household (``demand.household_size``).

    Returns
    -------
    AccessTable
        Households within 500 m / 1 km of a served point and beyond 2 km of every one,
        per area, per reporting group, per municipality and in total.
    """
    ids = list(places) if served is None else [i for i in served if i in places]
    d = distance_to_nearest(grid, places, ids)
    hh = grid.persons / household_size
    frame = areas.frame
    group_of = [f"{m} / {g}" for m, g in zip(frame["municipality"], frame["district"], strict=True)]
    muni_of = [str(m) for m in frame["municipality"]]
    near, walk, far = hh * (d <= NEAR_M), hh * (d <= WALK_M), hh * (d > FAR_M)

    def table(labels: list[str]) -> dict[str, Access]:
        names = list(dict.fromkeys(labels))
        code = np.array([names.index(x) for x in labels])[grid.area]
        sums = [np.bincount(code, weights=w, minlength=len(names)) for w in (hh, near, walk, far)]
        return {n: Access(*(float(s[k]) for s in sums)) for k, n in enumerate(names)}

    return AccessTable(
        areas=table(list(grid.names)),
        groups=table(group_of),
        municipalities=table(muni_of),
        total=_access(hh, d),
    )
