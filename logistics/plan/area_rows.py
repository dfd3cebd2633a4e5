"""Every area's account in a plan: households, ration, delivered, walking access, reason.

:func:`area_rows` turns the accounts of :mod:`logistics.demand.accounts` (every El Alto
district, La Paz macrodistrict and La Paz zone, with or without a point) and what the
points received into the plan's :class:`~logistics.plan.model.AreaRow` list. It is a pure
function of the scenario, the points, the map and the cylinders per point, so the planner
fills ``plan.areas`` with it and the validator (:mod:`logistics.plan.accounts_check`)
re-derives it from the plan's own stops.

An area's ``reason`` says why it got less than its ration: first the accounts' reason
(``excluded-zone``, ``no-road-on-map``, ``no-point``, ``unreachable-map``, ``no-guard``:
no gas whatever the routing); else, among its own points not fully served, the routing
reason with the most cylinders missing (``unreachable-blockade``, ``stock-short``,
``fair-share``, ``no-time``); else, when some of its households live where no point
carries their ration, ``partly-no-point``. An area short by no more than
:data:`SHORT_TOL` cylinders has no reason.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

from logistics.demand import (
    AreaAccount,
    DeliveryPoint,
    area_accounts,
    area_delivered,
    household_grid,
    load_areas,
    point_places,
    walking_access,
)
from logistics.demand.accounts import MIN_HOUSEHOLDS
from logistics.model import Scenario
from logistics.plan.model import AreaRow
from logistics.roads import RoadNetwork

#: Cylinders an area may lack (rounding of the points' rations) without a reason.
SHORT_TOL = 1.0


def _reason(acc: AreaAccount, delivered: float, missing: Mapping[str, int] | None) -> str | None:
    if acc.reason is not None:
        return acc.reason
    if delivered >= acc.ration - SHORT_TOL:
        return None
    if missing:
        return max(sorted(missing), key=lambda k: missing[k])
    # every point served: what is missing belongs to households no point carries
    return "partly-no-point" if acc.uncounted_households >= MIN_HOUSEHOLDS else None


def area_rows(
    scenario: Scenario,
    points: Sequence[DeliveryPoint],
    net: RoadNetwork,
    delivered: Mapping[str, int],
    unserved: Mapping[str, tuple[str, int]],
    *,
    data: Path | None = None,
) -> list[AreaRow]:
    """The plan's account of every area.

    Parameters
    ----------
    scenario
        The scenario (eligibility, household size, ration per household, roster).
    points
        Its distribution points and priority sites (as :func:`logistics.demand.build_points`
        places them on ``net``).
    net
        The road map as planned on (with the plant's gate links).
    delivered
        Cylinders each point received (point id -> cylinders).
    unserved
        Point id -> (reason code, cylinders missing) for the points not fully served.
    data
        Shared data directory override.

    Returns
    -------
    list[AreaRow]
        Districts / macrodistricts by municipality and name (``Distrito 2`` before
        ``Distrito 10``), each followed by its zones.
    """
    acc = area_accounts(scenario, points, net, data=data)
    got = area_delivered(points, delivered)
    served = [p.id for p in points if not p.priority and delivered.get(p.id, 0) > 0]
    access = walking_access(
        household_grid(data),
        load_areas(data),
        point_places(points),
        served,
        household_size=scenario.demand.household_size,
    )
    # cylinders missing per routing reason, per finest area and per reporting group
    missing: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_id = {p.id: p for p in points}
    for pid, (reason, n) in sorted(unserved.items()):
        p = by_id.get(pid)
        if p is None or p.priority or not p.eligible or n <= 0:
            continue
        missing[p.area or ""][reason] += n
        missing[p.group][reason] += n
    zoned = {r.group for r in acc.rows if r.level == "zone"}
    group_got: dict[str, float] = defaultdict(float)
    for r in acc.rows:  # the finest areas: La Paz zones, and districts without zones
        if r.level == "zone" or r.group not in zoned:
            group_got[r.group] += got.get(r.name, 0.0)
    out = []
    for r in sorted(acc.rows, key=_order):
        cyl = got.get(r.name, 0.0) if r.level == "zone" else group_got[r.group]
        walk = access.areas[r.name] if r.level == "zone" else access.groups[r.group]
        key = r.name if r.level == "zone" else r.group
        out.append(
            AreaRow(
                level=r.level,
                municipality=r.municipality,
                district=r.district,
                zone=r.zone,
                population=round(r.population, 1),
                households=round(r.households, 1),
                eligible_households=round(r.eligible_households, 1),
                counted_households=round(r.counted_households, 1),
                carried_households=round(r.carried_households, 1),
                ration=r.ration,
                delivered=round(cyl, 1),
                points=r.points,
                eligible_points=r.eligible_points,
                reason=_reason(r, cyl, missing.get(key)),
                road_distance_m=_m(r.road_distance_m),
                nearest_point=r.nearest_point,
                nearest_point_name=r.nearest_point_name,
                point_distance_m=_m(r.point_distance_m),
                missing_delegate=r.missing_delegate,
                without_gas={k: round(v, 1) for k, v in r.without_gas.items()},
                within_500m=round(walk.within_500m, 1),
                within_1km=round(walk.within_1km, 1),
                beyond_2km=round(walk.beyond_2km, 1),
            )
        )
    return out


def _natural(text: str) -> tuple[tuple[int, str], ...]:
    """``Distrito 2`` before ``Distrito 10``."""
    return tuple((int(t), "") if t.isdigit() else (0, t) for t in re.split(r"(\d+)", text))


def _order(r: AreaAccount) -> tuple[object, ...]:
    return (r.municipality, _natural(r.district), r.level != "district", _natural(r.zone or ""))


def _m(x: float | None) -> float | None:
    return None if x is None else round(x, 0)
