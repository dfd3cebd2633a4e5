"""Validator check: the plan's account of every area is re-derived and must match.

From the scenario and the shared data it re-derives every El Alto district, La Paz
macrodistrict and La Paz zone (:func:`logistics.plan.area_rows.area_rows`), with the
cylinders taken from the plan's own stops (as the validator walked them), not from the
plan's totals: households, eligibility, ration, delivered, the reason code and its
details, and walking access to the points that received gas. An area missing from the
plan, one that is not an area of the scenario, or any figure that differs is one line.

A plan.json from before the accounts (no ``areas``) is not checked here. Imports no
routing code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from logistics.demand import DeliveryPoint
from logistics.i18n import _, fmt_num
from logistics.model import Scenario
from logistics.plan.area_rows import area_rows
from logistics.plan.model import AreaRow, Plan
from logistics.roads import RoadNetwork

#: Households and cylinders may differ by rounding (the plan keeps one decimal).
TOL = 0.5
#: Distances (metres) may differ by rounding.
TOL_M = 1.0

_FIGURES = (
    "population",
    "households",
    "eligible_households",
    "counted_households",
    "carried_households",
    "ration",
    "delivered",
    "points",
    "eligible_points",
    "within_500m",
    "within_1km",
    "beyond_2km",
)
_WORDS = ("reason", "nearest_point", "missing_delegate")
_METRES = ("road_distance_m", "point_distance_m")


def _key(a: AreaRow) -> tuple[str, str, str, str]:
    return (a.level, a.municipality, a.district, a.zone or "")


def _label(a: AreaRow) -> str:
    return f"{a.group} / {a.zone}" if a.zone else a.group


def _differs(got: float | None, want: float | None, tol: float) -> bool:
    if got is None or want is None:
        return got is not want
    return abs(got - want) > tol


def check_accounts(
    plan: Plan,
    scenario: Scenario,
    net: RoadNetwork,
    points: Sequence[DeliveryPoint],
    delivered: Mapping[str, int],
    *,
    data: Path | None = None,
) -> list[str]:
    """Violations of the plan's area accounts (empty when they match, or are absent).

    Parameters
    ----------
    plan
        The plan checked.
    scenario, net
        The scenario and the map as the validator allows it (plant gate links added).
    points
        The points the validator re-derived from the scenario.
    delivered
        Cylinders per point, added up from the plan's stops by the validator.
    """
    if not plan.areas:
        return []
    out: list[str] = []
    unserved = {u.point_id: (u.reason, u.missing) for u in plan.unserved}
    want = {_key(a): a for a in area_rows(scenario, points, net, delivered, unserved, data=data)}
    got: dict[tuple[str, str, str, str], AreaRow] = {}
    for a in plan.areas:
        if _key(a) in got:
            out.append(_("area {area} is listed twice in the accounts").format(area=_label(a)))
        got[_key(a)] = a
    for k, need in want.items():
        if k not in got:
            msg = _("area {area} is missing from the plan's accounts")
            out.append(msg.format(area=_label(need)))
    for k, a in got.items():
        w = want.get(k)
        if w is None:
            out.append(
                _("area {area} in the accounts is not an area of the scenario").format(
                    area=_label(a)
                )
            )
            continue
        for name in _FIGURES:
            x, y = float(getattr(a, name)), float(getattr(w, name))
            if _differs(x, y, TOL):
                out.append(
                    _("area {area}: {field} is {got}, expected {want}").format(
                        area=_label(a), field=name, got=fmt_num(x, 1), want=fmt_num(y, 1)
                    )
                )
        for name in _METRES:
            if _differs(getattr(a, name), getattr(w, name), TOL_M):
                out.append(
                    _("area {area}: {field} is {got}, expected {want}").format(
                        area=_label(a),
                        field=name,
                        got=getattr(a, name),
                        want=getattr(w, name),
                    )
                )
        for name in _WORDS:
            if getattr(a, name) != getattr(w, name):
                out.append(
                    _("area {area}: {field} is {got!r}, expected {want!r}").format(
                        area=_label(a), field=name, got=getattr(a, name), want=getattr(w, name)
                    )
                )
    return out
