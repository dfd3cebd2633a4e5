"""Distribution points sited for the people: a maximal covering location choice.

``demand.source: sited`` chooses at most ``demand.sited.max_points`` points (and none
closer to another than ``demand.min_spacing_m``) from real candidates
(:mod:`logistics.demand.places`) so that as many eligible households as possible live
within ``demand.sited.walk_m`` (straight line) of a point. Households sit on the
population cells of :mod:`logistics.demand.grid`.

The solver is a **lazy greedy** (pick, again and again, the candidate that adds the most
uncovered households; ties by source and id, so the choice is deterministic). Coverage is
monotone submodular, so the greedy choice covers at least ``1 - 1/e`` (63 %) of the best
choice of as many points, and more usefully it proves a bound on its own run: for any
chosen set ``S``, no ``k`` points cover more than ``f(S)`` plus the ``k`` largest gains of
single candidates over ``S`` (Minoux / Leskovec et al.). :class:`CoverResult` keeps the
smallest such bound seen, so every siting reports how far from the optimum it can be at
most. (The spacing rule only removes choices, so the bound holds with it too.) It is pure
numpy / scipy: the validator re-derives the points with the same code and no solver
(``bench/siting_bench.py`` compares it with an exact CP-SAT model).

A candidate must snap to a road node a truck can reach from the plant and come back from
within ``map.max_snap_m``, and lie in an eligible area; households of excluded areas are
not counted.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
from scipy.sparse import csc_matrix
from scipy.spatial import cKDTree
from shapely.geometry import Point

from logistics.demand.areas import Areas, _norm
from logistics.demand.eligible import cell_eligible, excluded_polygons_metric, names_rule
from logistics.demand.grid import household_grid
from logistics.demand.places import (
    Candidate,
    file_candidates,
    place_candidates,
    school_candidates,
    stop_candidates,
)
from logistics.demand.reach import round_trip_nodes
from logistics.i18n import _
from logistics.model import InputError, Scenario
from logistics.roads import TO_METRIC, RoadNetwork

#: Candidate sources in tie-break order (a stop wins a tie: trucks already stop there).
SOURCE_RANK = {"stops": 0, "schools": 1, "places": 2, "file": 3}


@dataclass(frozen=True)
class CoverResult:
    """What a covering choice achieved, and how far from the best it can be at most."""

    #: chosen site indices (columns of the coverage matrix), in the order they were picked
    chosen: list[int]
    #: weight (households) within the radius of a chosen candidate
    covered: float
    #: no choice of at most ``k`` candidates covers more (proven; see the module docstring)
    bound: float
    #: weight within the radius of any candidate (what any number of points could cover)
    coverable: float
    #: all weight (eligible households)
    total: float

    @property
    def gap(self) -> float:
        """Largest possible shortfall from the optimum, as a share of the bound."""
        return (self.bound - self.covered) / self.bound if self.bound > 0 else 0.0


def coverage_matrix(cells: np.ndarray, sites: np.ndarray, radius: float) -> csc_matrix:
    """Boolean ``cells x sites`` matrix: cell ``i`` lies within ``radius`` of site ``j``."""
    tree = cKDTree(cells)
    hits = tree.query_ball_point(sites, r=radius, return_sorted=True) if len(sites) else []
    indptr = np.zeros(len(sites) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(h) for h in hits])
    indices = np.fromiter((i for h in hits for i in h), dtype=np.int64, count=int(indptr[-1]))
    data = np.ones(indices.size, dtype=bool)
    return csc_matrix((data, indices, indptr), shape=(len(cells), len(sites)))


def greedy_cover(
    cover: csc_matrix,
    weight: np.ndarray,
    *,
    k: int | None,
    xy: np.ndarray,
    spacing: float = 0.0,
    required: Sequence[np.ndarray] = (),
    rank: np.ndarray | None = None,
) -> CoverResult:
    """Choose at most ``k`` sites (``None``: no limit) covering the most ``weight``.

    Parameters
    ----------
    cover
        ``cells x sites`` coverage (:func:`coverage_matrix`).
    weight
        Households of each cell.
    k
        Most sites to choose.
    xy
        Site coordinates (metres), for the spacing rule.
    spacing
        No two chosen sites closer than this (metres).
    required
        Groups of site indices; the best site of each group is chosen first (whatever
        the spacing), unless the group already has a chosen site.
    rank
        Tie-break order of the sites (lower first); default: their index.
    """
    n = cover.shape[1]
    rank = np.arange(n) if rank is None else rank
    indptr, indices = cover.indptr, cover.indices
    covered = np.zeros(cover.shape[0], dtype=bool)
    ub = np.asarray(cover.T @ weight, dtype=float)  # exact gains now, upper bounds later
    coverable = float(weight[np.asarray(cover.sum(axis=1)).ravel() > 0].sum())
    blocked = np.zeros(n, dtype=bool)
    stamp = np.zeros(n, dtype=np.int64)  # len(chosen) when ub[j] was last computed
    chosen: list[int] = []
    state = {"f": 0.0, "bound": coverable}
    limit = n if k is None else min(k, n)

    def gain(j: int) -> float:
        rows = indices[indptr[j] : indptr[j + 1]]
        return float(weight[rows[~covered[rows]]].sum())

    def tighten() -> None:
        if k is None or not n:
            return
        top = np.partition(ub, n - min(k, n))[n - min(k, n) :]
        state["bound"] = min(state["bound"], state["f"] + float(top.sum()))

    def take(j: int) -> None:
        state["f"] += gain(j)
        covered[indices[indptr[j] : indptr[j + 1]]] = True
        chosen.append(j)
        ub[j] = 0.0
        blocked[j] = True
        if spacing > 0:
            blocked[np.hypot(xy[:, 0] - xy[j, 0], xy[:, 1] - xy[j, 1]) < spacing] = True

    tighten()
    for group in required:
        if len(chosen) >= limit or any(j in chosen for j in group):
            continue
        best = min(group, key=lambda j: (-gain(j), rank[j]))
        take(int(best))
    heap = [(-ub[j], int(rank[j]), j) for j in range(n) if not blocked[j]]
    heapq.heapify(heap)
    while heap and len(chosen) < limit:
        neg, r, j = heapq.heappop(heap)
        if blocked[j] or -neg != ub[j]:
            continue  # chosen, too close to a chosen site, or an outdated entry of j
        if stamp[j] == len(chosen):  # fresh: no other candidate can add more
            if ub[j] <= 0:
                break
            take(j)
            tighten()
            continue
        ub[j] = gain(j)
        stamp[j] = len(chosen)
        heapq.heappush(heap, (-ub[j], r, j))
    # exact gains over the final choice give the last (often the tightest) bound
    free = np.flatnonzero(~np.isin(np.arange(n), chosen))
    ub[:] = 0.0
    ub[free] = [gain(int(j)) for j in free]
    tighten()
    return CoverResult(
        chosen=chosen,
        covered=state["f"],
        bound=max(state["bound"], state["f"]),
        coverable=coverable,
        total=float(weight.sum()),
    )


@dataclass(frozen=True)
class SitedPoint:
    candidate: Candidate
    node: int
    snap_m: float


@dataclass(frozen=True)
class SitingInstance:
    """The covering model of a scenario: usable candidates, households, who covers whom."""

    #: the usable candidates (snapped within ``map.max_snap_m``, in an eligible area)
    candidates: list[Candidate]
    #: their road nodes and snap distances (metres)
    nodes: np.ndarray
    snap_m: np.ndarray
    #: their metric coordinates, ``(n, 2)``
    xy: np.ndarray
    #: ``cells x candidates`` coverage within ``demand.sited.walk_m`` (cells with households)
    cover: csc_matrix
    #: eligible households of those cells
    weight: np.ndarray
    #: candidate index groups of ``demand.sited.require`` (one per required area)
    required: list[np.ndarray]
    #: tie-break order (stops first, then by id)
    rank: np.ndarray
    #: candidates read before snapping and eligibility
    read: int


@dataclass(frozen=True)
class Siting:
    """The sited points of a scenario and what they cover."""

    points: list[SitedPoint]
    result: CoverResult
    instance: SitingInstance


def gather_candidates(
    scenario: Scenario, net: RoadNetwork, data: Path | None, scenario_dir: Path | None
) -> list[Candidate]:
    """Every candidate the scenario names (``demand.sited``), ids unique."""
    cfg = scenario.demand.sited
    out: list[Candidate] = []
    if "stops" in cfg.candidates:
        out += stop_candidates(net, data)
    if "schools" in cfg.candidates:
        out += school_candidates(data)
    if "places" in cfg.candidates and cfg.place_kinds:
        out += place_candidates(cfg.place_kinds, data)
    seen = {c.id for c in out}
    for i, name in enumerate(cfg.files):
        path = Path(name)
        if not path.is_absolute() and scenario_dir is not None:
            path = scenario_dir / path
        where = f"demand.sited.files[{i}]"
        for c in file_candidates(path, where):
            if c.id in seen:
                msg = _("candidate id {id!r} is used twice; expected unique ids").format(id=c.id)
                raise InputError(where, msg)
            seen.add(c.id)
            out.append(c)
    return out


def _area_keys_at(areas: Areas, cands: list[Candidate]) -> list[set[str]]:
    gdf = gpd.GeoDataFrame(
        {"i": range(len(cands))}, geometry=[Point(c.lon, c.lat) for c in cands], crs="EPSG:4326"
    )
    cols = ["name", "district", "zone", "municipality"]
    hit = gpd.sjoin(gdf, areas.frame[[*cols, "geometry"]], how="inner", predicate="intersects")
    keys: list[set[str]] = [set() for _c in cands]
    for row in hit.itertuples(index=False):
        names = (getattr(row, c) for c in cols)
        keys[int(row.i)].update(_norm(v) for v in names if isinstance(v, str))
    return keys


def siting_instance(
    scenario: Scenario,
    net: RoadNetwork,
    areas: Areas,
    *,
    usable_nodes: np.ndarray | None = None,
    data: Path | None = None,
    scenario_dir: Path | None = None,
) -> SitingInstance:
    """The covering model of ``scenario`` (see the module docstring).

    Raises
    ------
    InputError
        A broken candidate file, an unknown area in ``demand.sited.require`` or one with no
        usable candidate, an unknown eligibility name.
    """
    dem = scenario.demand
    cfg = dem.sited
    cands = gather_candidates(scenario, net, data, scenario_dir)
    reach = round_trip_nodes(net, scenario)
    if usable_nodes is not None:
        reach &= usable_nodes
    nodes = np.flatnonzero(reach)
    lon = np.array([c.lon for c in cands])
    lat = np.array([c.lat for c in cands])
    cx, cy = TO_METRIC.transform(lon, lat)
    xy = np.column_stack([cx, cy]) if cands else np.zeros((0, 2))
    if nodes.size and cands:
        snap, k = cKDTree(np.column_stack([net.x[nodes], net.y[nodes]])).query(xy)
    else:
        snap, k = np.full(len(cands), np.inf), np.zeros(len(cands), dtype=int)
    excluded = names_rule(areas, scenario.eligibility)
    polys = excluded_polygons_metric(scenario.eligibility)
    keys = _area_keys_at(areas, cands)
    ok = [
        bool(snap[i] <= scenario.map.max_snap_m)
        and bool(keys[i])
        and not excluded(keys[i])
        and not any(p.covers(Point(xy[i])) for p in polys)
        for i in range(len(cands))
    ]
    keep = np.flatnonzero(ok)
    grid = household_grid(data)
    w = grid.persons / dem.household_size * cell_eligible(grid, areas, scenario.eligibility)
    live = w > 0
    required = []
    for i, name in enumerate(cfg.require):
        key = _norm(areas.resolve(name, f"demand.sited.require[{i}]"))
        group = np.array([m for m, j in enumerate(keep) if key in keys[j]], dtype=int)
        if not group.size:
            msg = _(
                "no candidate in {area} lies within {m} m (map.max_snap_m) of a road the "
                "trucks can reach; expected an area the loaded map reaches"
            ).format(area=areas.resolve(name, ""), m=f"{scenario.map.max_snap_m:g}")
            raise InputError(f"demand.sited.require[{i}]", msg)
        required.append(group)
    kept = [cands[j] for j in keep]
    order = sorted(range(len(kept)), key=lambda m: (SOURCE_RANK[kept[m].source], kept[m].id))
    rank = np.empty(len(kept), dtype=np.int64)
    rank[order] = np.arange(len(kept))
    return SitingInstance(
        candidates=kept,
        nodes=nodes[k[keep]] if keep.size else np.zeros(0, dtype=int),
        snap_m=np.asarray(snap)[keep],
        xy=xy[keep],
        cover=coverage_matrix(grid.xy()[live], xy[keep], cfg.walk_m),
        weight=w[live],
        required=required,
        rank=rank,
        read=len(cands),
    )


def site_points(
    scenario: Scenario,
    net: RoadNetwork,
    areas: Areas,
    *,
    usable_nodes: np.ndarray | None = None,
    data: Path | None = None,
    scenario_dir: Path | None = None,
) -> Siting:
    """Choose the sited distribution points of a scenario (greedy; see the module docstring).

    Raises
    ------
    InputError
        As :func:`siting_instance`.
    """
    inst = siting_instance(
        scenario, net, areas, usable_nodes=usable_nodes, data=data, scenario_dir=scenario_dir
    )
    result = greedy_cover(
        inst.cover,
        inst.weight,
        k=scenario.demand.sited.max_points,
        xy=inst.xy,
        spacing=scenario.demand.min_spacing_m,
        required=inst.required,
        rank=inst.rank,
    )
    points = [
        SitedPoint(inst.candidates[m], int(inst.nodes[m]), float(inst.snap_m[m]))
        for m in result.chosen
    ]
    return Siting(points=points, result=result, instance=inst)
