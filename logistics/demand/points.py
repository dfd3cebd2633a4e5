"""Areas, population, distribution points, their ration and who may receive gas.

Population sources (read from ``../shared/data/raw``):

* El Alto: 14 districts with their 2012 census population (sums to 848,452), scaled to the
  2024 census municipal total (885,825) — the same factor for every district, because no
  2024 figure per district is published in the shared data.
* La Paz: 188 GAMLP zones (2020, referential) with **no** population. **Assumption**: the
  2024 municipal population (757,431) is spread over the zones in proportion to their area
  (uniform density). The rural north of the municipality (Zongo, Hampaturi) is outside the
  zones, so this over-counts urban zones slightly.

Where the points come from (``demand.source``): the named OSM stops on the network,
thinned to one every ``min_spacing_m`` (``osm-stops``, the default); only the listed
``points`` (``listed``); or chosen from real candidates for walking coverage (``sited``,
:mod:`logistics.demand.siting`). Listed points and priority sites are added to any source.

Each distribution point serves the households of its own area that are closer to it than
to any other point of the area (its Voronoi cell clipped to the area; uniform density
within an area — an assumption). With ``demand.walk_to_neighbour_m``, households of an area
without a point of their own may queue at the nearest reachable point of another area
(:mod:`logistics.demand.neighbours`); that point carries them (``DeliveryPoint.carries``).
Its **ration** for the shift is ``households * cylinders_per_household`` (rounded), and no
point may receive more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry

from logistics.demand.areas import Areas, _norm, load_areas
from logistics.demand.eligible import area_keys, cell_eligible
from logistics.demand.grid import household_grid
from logistics.demand.neighbours import neighbour_walk
from logistics.demand.reach import round_trip_nodes
from logistics.demand.siting import site_points
from logistics.i18n import _, fmt_int
from logistics.model import Eligibility, InputError, Scenario, config
from logistics.roads import TO_METRIC, RoadNetwork


@dataclass
class DeliveryPoint:
    """A place where a truck hands cylinders to a neighbourhood junta."""

    id: str
    name: str
    lon: float
    lat: float
    node: int
    snap_m: float
    #: area row in :class:`Areas` (None: outside every populated area)
    area: str | None
    district: str | None
    zone: str | None
    municipality: str | None
    households: float
    #: most cylinders this point may receive in the shift (its ration)
    ration: int
    kind: str  # "stop" | "listed" | "sited" | "priority"
    priority: bool = False
    excluded_by: str | None = None
    notes: list[str] = field(default_factory=list)
    #: normalised names of further areas covering the point (overlapping boundaries)
    overlaps: set[str] = field(default_factory=set)
    #: distribution hours (minutes after midnight) the hand-over must fit in, if any
    window: tuple[int, int] | None = None
    #: households of other areas that queue here (``demand.walk_to_neighbour_m``):
    #: area name -> households; they are part of ``households`` and of the ration
    carries: dict[str, float] = field(default_factory=dict)

    @property
    def eligible(self) -> bool:
        return self.excluded_by is None

    @property
    def group(self) -> str:
        """Reporting group: El Alto district or La Paz macrodistrict."""
        if self.municipality is None:
            return "outside known areas"
        return f"{self.municipality} / {self.district}"

    def area_names(self) -> set[str]:
        own = {_norm(n) for n in (self.district, self.zone, self.municipality, self.area) if n}
        return own | self.overlaps


def _load_stops(data: Path | None) -> dict[int, str]:
    path = config.stops_path(data)
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {int(k): str(v.get("stop_name") or "").strip() for k, v in raw.items()}


def _thin(candidates: list[tuple[int, str]], net: RoadNetwork, spacing: float) -> list[int]:
    """Greedy minimum-spacing selection, deterministic (intersection names first)."""
    # "X y Y" names a crossing people can find; prefer them, then by OSM id.
    ordered = sorted(candidates, key=lambda c: (" y " not in c[1], net.node_osmid[c[0]]))
    chosen: list[int] = []
    xs: list[float] = []
    ys: list[float] = []
    for node, _dist in ordered:
        x, y = net.x[node], net.y[node]
        if xs and spacing > 0:
            d2 = (np.asarray(xs) - x) ** 2 + (np.asarray(ys) - y) ** 2
            if d2.min() < spacing**2:
                continue
        chosen.append(node)
        xs.append(x)
        ys.append(y)
    return chosen


def _assign_areas(points: list[DeliveryPoint], areas: Areas) -> None:
    if not points:
        return
    gdf = gpd.GeoDataFrame(
        {"i": range(len(points))},
        geometry=[Point(p.lon, p.lat) for p in points],
        crs="EPSG:4326",
    )
    hit = gpd.sjoin(gdf, areas.frame[["name", "geometry"]], how="left", predicate="intersects")
    for i, row in zip(hit["i"], hit["index_right"], strict=True):
        if pd.isna(row):  # in no area
            continue
        a = areas.frame.loc[int(row)]
        p = points[int(i)]
        if p.area is None:
            p.area, p.district, p.municipality = a["name"], a["district"], a["municipality"]
            p.zone = a["zone"] if isinstance(a["zone"], str) else None
        else:
            # The El Alto and La Paz boundaries overlap in places; a point there belongs to
            # both for eligibility (an exclusion of either wins) and for junta delegates.
            names = (a["name"], a["district"], a["zone"], a["municipality"])
            p.overlaps.update(_norm(n) for n in names if isinstance(n, str))


def _voronoi_households(points: list[DeliveryPoint], areas: Areas, hh_size: float) -> None:
    """Households per point: area households times the point's Voronoi share of the area."""
    by_area: dict[str, list[DeliveryPoint]] = {}
    for p in points:
        if p.area is not None and p.kind != "priority":
            by_area.setdefault(p.area, []).append(p)
    metric = areas.metric.set_index("name")
    for name, pts in by_area.items():
        row = metric.loc[name]
        poly = row.geometry
        households = float(row["population"]) / hh_size
        todo = [p for p in pts if p.households < 0]
        if not todo:
            continue
        xy = [Point(*TO_METRIC.transform(p.lon, p.lat)) for p in todo]
        if len(todo) == 1:
            shares = [1.0]
        else:
            cells = shapely.voronoi_polygons(MultiPoint(xy), extend_to=poly)
            shares = []
            for pt in xy:
                cell = next((c for c in cells.geoms if c.covers(pt)), None)
                shares.append(cell.intersection(poly).area / poly.area if cell else 0.0)
            total = sum(shares) or 1.0
            shares = [s / total for s in shares]
        for p, s in zip(todo, shares, strict=True):
            p.households = households * s


def _excluded_reason(
    p: DeliveryPoint, elig: Eligibility, names: set[str], polys: list
) -> str | None:
    own = p.area_names()
    hit = own & {_norm(n) for n in elig.excluded}
    if hit:
        return f"in excluded area {sorted(hit)[0]!r}"
    pt = Point(p.lon, p.lat)
    for name, poly in polys:
        if poly.covers(pt):
            return f"inside excluded polygon {name!r}"
    if elig.eligible is not None and not (own & names):
        return "not in any area listed as eligible"
    return None


def build_points(
    scenario: Scenario,
    net: RoadNetwork,
    *,
    usable_nodes: np.ndarray | None = None,
    data: Path | None = None,
    scenario_dir: Path | None = None,
) -> list[DeliveryPoint]:
    """All distribution points and priority sites of a scenario, with ration and eligibility.

    Parameters
    ----------
    scenario
        The validated scenario.
    net
        Road network the points are snapped to.
    usable_nodes
        Nodes touched by a usable edge (assumed links may be switched off); points snap
        only to these.
    data
        Shared data directory override.
    scenario_dir
        Directory relative candidate files (``demand.sited.files``) are read from.

    Raises
    ------
    InputError
        A listed point or priority site lies outside the map, an eligibility name is
        unknown, or a candidate file of ``demand.sited`` is broken.
    """
    areas = load_areas(data)
    dem = scenario.demand
    max_snap = scenario.map.max_snap_m
    points: list[DeliveryPoint] = []
    if dem.source == "osm-stops":
        stops = _load_stops(data)
        cands = []
        for osmid, name in stops.items():
            if not name or name.lower() == "innominada":
                continue
            try:
                node = net.node_index(osmid)
            except KeyError:
                continue  # stop on a non-drivable way (e.g. under construction)
            if usable_nodes is not None and not usable_nodes[node]:
                continue
            cands.append((node, name))
        for node in _thin(cands, net, dem.min_spacing_m):
            points.append(
                DeliveryPoint(
                    id=f"osm{int(net.node_osmid[node])}",
                    name=stops[int(net.node_osmid[node])],
                    lon=float(net.lon[node]),
                    lat=float(net.lat[node]),
                    node=node,
                    snap_m=0.0,
                    area=None,
                    district=None,
                    zone=None,
                    municipality=None,
                    households=-1.0,
                    ration=0,
                    kind="stop",
                )
            )

    elif dem.source == "sited":
        sited = site_points(
            scenario, net, areas, usable_nodes=usable_nodes, data=data, scenario_dir=scenario_dir
        )
        for sp in sited.points:
            c = sp.candidate
            points.append(
                DeliveryPoint(
                    id=c.id,
                    name=c.name,
                    lon=c.lon,
                    lat=c.lat,
                    node=sp.node,
                    snap_m=sp.snap_m,
                    area=None,
                    district=None,
                    zone=None,
                    municipality=None,
                    households=-1.0,
                    ration=0,
                    kind="sited",
                    notes=[c.ref],
                )
            )

    def placed(i: int, where: str, item, **fields) -> DeliveryPoint:
        node, dist = _snap_checked(net, item.lon, item.lat, max_snap, f"{where}[{i}]", usable_nodes)
        win = item.window  # the point's own distribution hours, if its assembly set them
        fields["window"] = (win.start_min, win.end_min) if win is not None else None
        return DeliveryPoint(
            id=item.id,
            lon=item.lon,
            lat=item.lat,
            node=node,
            snap_m=dist,
            area=None,
            district=None,
            zone=None,
            municipality=None,
            **fields,
        )

    for i, lp in enumerate(dem.points):
        hh = -1.0 if lp.households is None else float(lp.households)
        points.append(
            placed(i, "demand.points", lp, name=lp.name, households=hh, ration=0, kind="listed")
        )
    for i, site in enumerate(scenario.priority_sites):
        points.append(
            placed(
                i,
                "priority_sites",
                site,
                # the name alone: the kind is a code (clinic, communal-kitchen), and a
                # name stored in the plan must not depend on the reader's language
                name=site.name,
                households=0.0,
                ration=site.cylinders,
                kind="priority",
                priority=True,
            )
        )
    ids = [p.id for p in points]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise InputError(
            "priority_sites",
            _("ids clash with point ids: {ids}; expected ids of their own").format(
                ids=", ".join(dup)
            ),
        )
    _assign_areas(points, areas)
    # Points outside every populated area have no households to serve (stops outside the
    # El Alto districts and La Paz zones); listed points keep their given households.
    points = [p for p in points if p.area is not None or p.kind not in ("stop", "sited")]
    _voronoi_households(points, areas, dem.household_size)
    for p in points:
        if p.households < 0:
            p.households = 0.0
            p.notes.append("outside the populated areas; no households estimated")
        if p.kind != "priority":
            p.ration = round(p.households * dem.cylinders_per_household)
    points = [p for p in points if p.ration > 0]
    _apply_eligibility(points, scenario.eligibility, areas)
    _apply_windows(points, dem, areas)
    if dem.walk_to_neighbour_m is not None:
        _walk_to_neighbours(points, scenario, net, areas, usable_nodes, data)
    return points


def _walk_to_neighbours(
    points: list[DeliveryPoint],
    scenario: Scenario,
    net: RoadNetwork,
    areas: Areas,
    usable_nodes: np.ndarray | None,
    data: Path | None,
) -> None:
    """Let households of areas without a point queue at a neighbour's (see ``neighbours``)."""
    dem = scenario.demand
    assert dem.walk_to_neighbour_m is not None
    grid = household_grid(data)
    ok = cell_eligible(grid, areas, scenario.eligibility)
    reach = round_trip_nodes(net, scenario)
    if usable_nodes is not None:
        reach &= usable_nodes
    row_of = {str(n): r for r, n in enumerate(grid.names)}
    homes = [p for p in points if not p.priority and p.eligible and p.area is not None]
    own = {row_of[p.area] for p in homes if p.area in row_of}
    carriers = [p for p in homes if reach[p.node]]
    xy = np.array([TO_METRIC.transform(p.lon, p.lat) for p in carriers]).reshape(-1, 2)
    keys = area_keys(areas)
    for k, by_row in neighbour_walk(grid, ok, own, xy, dem.walk_to_neighbour_m).items():
        p = carriers[k]
        for row, persons in sorted(by_row.items()):
            p.carries[grid.names[row]] = persons / dem.household_size
            p.overlaps.update(keys[row])
        p.households += sum(p.carries.values())
        p.ration = round(p.households * dem.cylinders_per_household)


def _snap_checked(
    net: RoadNetwork,
    lon: float,
    lat: float,
    max_snap: float,
    where: str,
    usable: np.ndarray | None,
) -> tuple[int, float]:
    node, dist = net.snap(lon, lat, usable)
    if dist > max_snap:
        w, s, e, n = net.bounds()
        msg = _(
            "({lat}, {lon}) is {dist} m from the nearest road of the map; expected a point "
            "within {max} m of a road (the map covers longitude {west} .. {east}, latitude "
            "{south} .. {north})"
        ).format(
            lat=f"{lat:.5f}",
            lon=f"{lon:.5f}",
            dist=fmt_int(dist),
            max=fmt_int(max_snap),
            west=f"{w:.3f}",
            east=f"{e:.3f}",
            south=f"{s:.3f}",
            north=f"{n:.3f}",
        )
        raise InputError(where, msg)
    return node, dist


def _apply_windows(points: list[DeliveryPoint], dem, areas: Areas) -> None:
    """Area distribution hours for points without their own (first matching area wins)."""
    rules = [
        (_norm(areas.resolve(w.area, f"demand.windows[{i}].area")), (w.start_min, w.end_min))
        for i, w in enumerate(dem.windows)
    ]
    for p in points:
        if p.window is not None:
            continue
        names = p.area_names()
        p.window = next((win for key, win in rules if key in names), None)


def _apply_eligibility(points: list[DeliveryPoint], elig: Eligibility, areas: Areas) -> None:
    for i, name in enumerate(elig.excluded):
        areas.resolve(name, f"eligibility.excluded[{i}]")
    eligible_names: set[str] = set()
    for i, name in enumerate(elig.eligible or []):
        eligible_names.add(_norm(areas.resolve(name, f"eligibility.eligible[{i}]")))
    polys = []
    for i, ep in enumerate(elig.excluded_polygons):
        poly: BaseGeometry = Polygon(ep.coordinates)
        if not poly.is_valid:
            poly = shapely.make_valid(poly)
        if poly.area == 0:
            raise InputError(
                f"eligibility.excluded_polygons[{i}].coordinates",
                _("polygon has no area; expected at least 3 distinct [lon, lat] corners"),
            )
        polys.append((ep.name, poly))
    for p in points:
        p.excluded_by = _excluded_reason(p, elig, eligible_names, polys)
