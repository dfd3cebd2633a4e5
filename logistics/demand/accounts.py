"""The accounts of every household: every area of every municipality, with or without a point.

A plan's district table used to list only the areas that happened to contain a
distribution point; districts the partial road map does not reach vanished. Here every El
Alto district, every La Paz macrodistrict and every La Paz zone has a row with its
population and households (2024 census totals as we ship them: El Alto's 2012 district
figures scaled to the 2024 total; La Paz's 2024 total spread over its zones by area, an
assumption — see :mod:`logistics.demand.areas`), the households that may receive gas, the
ration they are entitled to, the points that carry their ration and — when no point of its
own can bring it gas — why, as a reason code (:data:`AREA_REASONS`):

``excluded-zone``
    the eligibility rules exclude it;
``no-road-on-map``
    no road of the loaded map that a truck can reach from the plant (and return from) lies
    in the area; ``road_distance_m`` says how far the nearest one is;
``no-point``
    the map reaches it, but no distribution point was placed there;
    ``point_distance_m`` gives the nearest point;
``unreachable-map``
    its points cannot be reached from the plant and back on the loaded map;
``no-guard``
    no junta delegate on the roster may ride to its points (``missing_delegate`` names the
    district / macrodistrict whose delegate is missing).

``without_gas`` splits the households that cannot get gas whatever the routing by these
reasons, so districts add up their zones. Households that queue at a neighbouring area's
point (``demand.walk_to_neighbour_m``) are counted in their own area (``carried_*``).
Blockades, stock and time are the routing's reasons and are added by the plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from logistics.demand.areas import Areas, _norm, load_areas
from logistics.demand.eligible import area_excluded, cell_eligible
from logistics.demand.grid import household_grid
from logistics.demand.points import DeliveryPoint
from logistics.demand.reach import round_trip_nodes, usable_nodes
from logistics.i18n import N_, _, fmt_int, fmt_num
from logistics.model import Scenario
from logistics.roads import TO_METRIC, RoadNetwork

#: Why an area has no point of its own that can bring it gas, in the order they are tested.
AREA_REASONS = ("excluded-zone", "no-road-on-map", "no-point", "unreachable-map", "no-guard")
#: Households below this are rounding between Voronoi cells and the grid, not a reason.
MIN_HOUSEHOLDS = 0.5
#: A point closer than this to an area stands on its edge (metres).
EDGE_M = 50.0
#: Levels of the rows.
DISTRICT, ZONE = "district", "zone"


@dataclass(frozen=True)
class AreaAccount:
    """One area's households and why (if so) no point of its own can bring it gas."""

    #: ``district`` (an El Alto district or a La Paz macrodistrict) or ``zone`` (La Paz)
    level: str
    municipality: str
    district: str
    zone: str | None
    population: float
    households: float
    #: households the eligibility rules allow to receive gas
    eligible_households: float
    #: eligible households whose ration some distribution point carries
    counted_households: float
    #: of which at points of other areas (``demand.walk_to_neighbour_m``)
    carried_households: float
    #: eligible households times the ration per household (what the area is entitled to)
    ration: int
    #: the part of the points' rations that belongs to this area's households
    point_ration: float
    #: distribution points in the area (priority sites not counted) and how many are eligible
    points: int
    eligible_points: int
    reason: str | None = None
    #: metres from the area to the nearest road a truck can reach (``no-road-on-map``)
    road_distance_m: float | None = None
    #: the nearest eligible distribution point and its distance from the area (metres; 0
    #: when it stands on the area's edge), for areas without a point of their own
    nearest_point: str | None = None
    nearest_point_name: str | None = None
    point_distance_m: float | None = None
    missing_delegate: str | None = None
    carried_by: tuple[str, ...] = ()
    #: households that cannot get gas whatever the routing, by reason
    without_gas: dict[str, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.zone or self.district

    @property
    def group(self) -> str:
        """The plan's reporting group (``"El Alto / Distrito 7"``, ``"La Paz / Centro"``)."""
        return f"{self.municipality} / {self.district}"

    @property
    def uncounted_households(self) -> float:
        return max(0.0, self.eligible_households - self.counted_households)


@dataclass(frozen=True)
class Accounts:
    """Every area of every municipality in the scenario's area data."""

    #: El Alto districts, La Paz macrodistricts (level ``district``) and La Paz zones
    rows: list[AreaAccount]

    def districts(self) -> list[AreaAccount]:
        """El Alto districts and La Paz macrodistricts, by municipality then name."""
        return [r for r in self.rows if r.level == DISTRICT]

    def zones(self, district: str | None = None) -> list[AreaAccount]:
        return [r for r in self.rows if r.level == ZONE and district in (None, r.district)]

    def by_group(self) -> dict[str, AreaAccount]:
        return {r.group: r for r in self.districts()}

    def municipality_totals(self) -> dict[str, dict[str, float]]:
        """Population, households, eligible and counted households per municipality."""
        out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for r in self.districts():
            t = out[r.municipality]
            t["population"] += r.population
            t["households"] += r.households
            t["eligible_households"] += r.eligible_households
            t["counted_households"] += r.counted_households
            t["ration"] += r.ration
        return {k: dict(v) for k, v in out.items()}


def roster_delegate_areas(scenario: Scenario, areas: Areas) -> set[str] | None:
    """Normalised areas the roster's junta delegates represent; ``None`` when delegates may
    ride anywhere (``guards.delegate_scope: any``)."""
    g = scenario.guards
    if g.delegate_scope == "any":
        return None
    return {
        _norm(areas.resolve(e.district, f"guards.roster[{i}].district"))
        for i, e in enumerate(g.roster)
        if e.role == "junta-delegate" and e.district
    }


def _own_households(p: DeliveryPoint) -> float:
    return max(0.0, p.households - sum(p.carries.values()))


class _Nearest:
    """Nearest of a fixed set of metric points to any geometry (an area)."""

    def __init__(self, xy: np.ndarray) -> None:
        self.tree = shapely.STRtree(np.asarray(shapely.points(xy))) if len(xy) else None

    def __call__(self, geom: BaseGeometry) -> tuple[int | None, float | None]:
        """Index of the nearest point and its distance in metres (0 inside the area)."""
        if self.tree is None:
            return None, None
        hit = self.tree.query_nearest(geom, return_distance=True, all_matches=False)
        (idx,), (dist,) = hit
        return int(idx[0]) if np.ndim(idx) else int(idx), float(dist)


@dataclass
class _Tally:
    population: float = 0.0
    households: float = 0.0
    eligible: float = 0.0
    counted: float = 0.0
    carried: float = 0.0
    point_ration: float = 0.0
    points: list[DeliveryPoint] = field(default_factory=list)
    carried_by: set[str] = field(default_factory=set)
    without: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, other: _Tally) -> None:
        self.population += other.population
        self.households += other.households
        self.eligible += other.eligible
        self.counted += other.counted
        self.carried += other.carried
        self.point_ration += other.point_ration
        self.points += other.points
        self.carried_by |= other.carried_by
        for k, v in other.without.items():
            self.without[k] += v


def _tally_point(
    p: DeliveryPoint, tallies: list[_Tally], row_of: dict[str, int], cause: str | None
) -> None:
    """Count a distribution point's households (its own and those it carries)."""
    tallies[row_of[p.area or ""]].points.append(p)
    if not p.eligible:
        return
    share = p.ration / p.households if p.households > 0 else 0.0
    parts = [(row_of[p.area or ""], _own_households(p), False)]
    parts += [(row_of[a], h, True) for a, h in p.carries.items() if a in row_of]
    for r, h, carried in parts:
        t = tallies[r]
        t.counted += h
        t.point_ration += h * share
        if carried:
            t.carried += h
            t.carried_by.add(p.id)
        if cause:
            t.without[cause] += h


def area_accounts(
    scenario: Scenario,
    points: Sequence[DeliveryPoint],
    net: RoadNetwork,
    *,
    reachable: np.ndarray | None = None,
    delegate_areas: set[str] | str | None = "roster",
    data: Path | None = None,
) -> Accounts:
    """The accounts of every household of the scenario's municipalities.

    Parameters
    ----------
    scenario
        The scenario (eligibility, household size, ration per household, roster).
    points
        Its distribution points and priority sites (:func:`~logistics.demand.build_points`).
    net
        The loaded road map.
    reachable
        Node mask of the roads a truck can reach from the plant and return from; default:
        :func:`~logistics.demand.reach.round_trip_nodes` (no blockades).
    delegate_areas
        Normalised areas whose junta delegates ride (e.g. the commissions' districts);
        ``None``: delegates may ride anywhere; default ``"roster"``: from the roster.
    data
        Shared data directory override.

    Returns
    -------
    Accounts
        One row per El Alto district, La Paz macrodistrict and La Paz zone.
    """
    areas = load_areas(data)
    grid = household_grid(data)
    dem = scenario.demand
    hh_size, rate = dem.household_size, dem.cylinders_per_household
    if isinstance(delegate_areas, str):
        delegate_areas = roster_delegate_areas(scenario, areas)
    if reachable is None:
        reachable = round_trip_nodes(net, scenario) & usable_nodes(net, scenario)
    frame = areas.frame
    names = [str(n) for n in frame["name"]]
    row_of = {n: r for r, n in enumerate(names)}
    excluded_row = area_excluded(areas, scenario.eligibility)
    ok = cell_eligible(grid, areas, scenario.eligibility)
    eligible_persons = np.bincount(grid.area, weights=grid.persons * ok, minlength=len(names))

    def guarded(p: DeliveryPoint) -> bool:
        return delegate_areas is None or bool(p.area_names() & delegate_areas)

    tallies = [_Tally() for _n in names]
    for r, pop in enumerate(frame["population"]):
        t = tallies[r]
        t.population = float(pop)
        t.households = float(pop) / hh_size
        t.eligible = float(eligible_persons[r]) / hh_size
        if t.households > t.eligible:
            t.without["excluded-zone"] += t.households - t.eligible
    for p in points:
        if not p.priority and p.area in row_of:
            cause = None
            if not reachable[p.node]:
                cause = "unreachable-map"
            elif not guarded(p):
                cause = "no-guard"
            _tally_point(p, tallies, row_of, cause)

    # roads a truck can use, and eligible points, to say how far an area is from them
    rn = np.flatnonzero(reachable)
    nearest_road = _Nearest(np.column_stack([net.x[rn], net.y[rn]]))
    homes = [p for p in points if not p.priority and p.eligible]
    nearest_point = _Nearest(
        np.array([TO_METRIC.transform(p.lon, p.lat) for p in homes]).reshape(-1, 2)
    )
    metric = list(areas.metric.geometry)
    macro_of = [str(d) for d in frame["district"]]
    muni_of = [str(m) for m in frame["municipality"]]
    zone_of = [z if isinstance(z, str) else None for z in frame["zone"]]

    def account(level: str, r: int, t: _Tally, geom: BaseGeometry, excluded: bool) -> AreaAccount:
        own = [p for p in t.points if p.eligible]
        reason = None
        road = near = None
        if excluded or t.eligible <= 0:
            reason = "excluded-zone"
        elif not own:
            road = nearest_road(geom)[1]
            reason = "no-road-on-map" if road is None or road > 0 else "no-point"
            k, dist = nearest_point(geom)
            near = (homes[k], dist) if k is not None and dist is not None else None
        elif not any(reachable[p.node] for p in own):
            reason = "unreachable-map"
        elif not any(guarded(p) for p in own):
            reason = "no-guard"
        uncounted = max(0.0, t.eligible - t.counted)
        if level == ZONE or not zone_of[r]:
            # a finest area: what no point carries has the area's own reason (or, in an
            # area with points, is the rounding between Voronoi cells and the grid)
            t.without[reason if reason in ("no-road-on-map", "no-point") else "no-point"] += (
                uncounted
            )
        return AreaAccount(
            level=level,
            municipality=muni_of[r],
            district=macro_of[r],
            zone=zone_of[r] if level == ZONE else None,
            population=t.population,
            households=t.households,
            eligible_households=t.eligible,
            counted_households=t.counted,
            carried_households=t.carried,
            ration=round(t.eligible * rate),
            point_ration=t.point_ration,
            points=len(t.points),
            eligible_points=len(own),
            reason=reason,
            road_distance_m=road if reason == "no-road-on-map" else None,
            nearest_point=near[0].id if near else None,
            nearest_point_name=near[0].name if near else None,
            point_distance_m=near[1] if near else None,
            missing_delegate=macro_of[r] if t.without.get("no-guard", 0) > 0 else None,
            carried_by=tuple(sorted(t.carried_by)),
            without_gas={k: v for k, v in sorted(t.without.items()) if v >= MIN_HOUSEHOLDS},
        )

    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in range(len(names)):
        groups[(muni_of[r], macro_of[r])].append(r)
    out = []
    for key, rows in sorted(groups.items()):
        if not any(zone_of[r] for r in rows):  # an El Alto district is its own finest area
            (r,) = rows
            out.append(account(DISTRICT, r, tallies[r], metric[r], excluded_row[r]))
            continue
        zones = [
            account(ZONE, r, tallies[r], metric[r], excluded_row[r])
            for r in sorted(rows, key=lambda r: names[r])
        ]
        total = _Tally()
        for r in rows:
            total.add(tallies[r])
        geom = areas.district_shapes[key]
        out.append(account(DISTRICT, rows[0], total, geom, all(excluded_row[r] for r in rows)))
        out.extend(zones)
    return Accounts(rows=out)


def area_delivered(
    points: Sequence[DeliveryPoint], delivered: Mapping[str, int]
) -> dict[str, float]:
    """Cylinders delivered per finest area (El Alto district, La Paz zone).

    A point that carries households of neighbouring areas shares what it received among
    them in proportion to households (one queue, one ration per household).
    """
    out: dict[str, float] = defaultdict(float)
    for p in points:
        got = delivered.get(p.id, 0)
        if p.priority or not got or p.area is None:
            continue
        if p.households <= 0:
            out[p.area] += got
            continue
        out[p.area] += got * _own_households(p) / p.households
        for a, h in p.carries.items():
            out[a] += got * h / p.households
    return dict(out)


#: Reason codes in words (translated where shown).
_REASON_TEXT = {
    "excluded-zone": N_("excluded by the eligibility rules"),
    "no-road-on-map": N_(
        "no road of the loaded map in the area; the nearest road a truck can reach is {km} km away"
    ),
    "no-point": N_("no distribution point in the area; the nearest, {point}, is {km} km away"),
    "no-point-edge": N_(
        "no distribution point in the area; the nearest, {point}, stands on its edge"
    ),
    "unreachable-map": N_("its points cannot be reached from the plant and back on the map"),
    "no-guard": N_("no junta delegate of {area} on the roster"),
}


def reason_text(row: AreaAccount) -> str:
    """The row's reason in words, in the current language ('' when it has none)."""
    if row.reason is None:
        return ""
    text = _(_REASON_TEXT[row.reason])
    if row.reason == "no-road-on-map":
        return text.format(km=fmt_num((row.road_distance_m or 0.0) / 1000, 1))
    if row.reason == "no-point":
        dist = row.point_distance_m or 0.0
        if dist < EDGE_M:
            return _(_REASON_TEXT["no-point-edge"]).format(point=row.nearest_point_name or "?")
        return text.format(point=row.nearest_point_name or "?", km=fmt_num(dist / 1000, 1))
    if row.reason == "no-guard":
        return text.format(area=row.missing_delegate or row.district)
    return text


def carried_text(row: AreaAccount) -> str:
    """``"1.234 households queue at points of neighbouring areas"`` ('' when none)."""
    if row.carried_households < MIN_HOUSEHOLDS:
        return ""
    return _("{n} households queue at points of neighbouring areas").format(
        n=fmt_int(round(row.carried_households))
    )
