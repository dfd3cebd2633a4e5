"""Why a point was not fully served, as a sentence the dispatch desk reads.

``plan.json`` keeps the reason codes (:data:`~logistics.plan.model.REASONS`: a file format,
English, stable); everything a person reads shows :func:`reason_text` instead, in the
current language: ``no-guard`` for a point of Centro reads "sin delegado de Centro en la
lista", ``stock-short`` "sin garrafas suficientes". The app, the CLI summary and the plant
summary all take their sentences from here, so one code reads the same everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from logistics.i18n import N_, _, fmt_int, fmt_num

if TYPE_CHECKING:  # pragma: no cover
    from logistics.plan.model import AreaRow

#: Reason code -> the sentence when the point's area is not named (English msgids).
_GENERIC: dict[str, str] = {
    "excluded-zone": N_("outside the eligible areas"),
    "unreachable-blockade": N_("cut off by a blockade"),
    "unreachable-map": N_("no road to it on the map"),
    "no-guard": N_("no delegate of its area on the roster"),
    "stock-short": N_("not enough cylinders"),
    "fair-share": N_("its area already got its fair share"),
    "no-time": N_("the trucks ran out of time in the shift"),
}

#: Reasons whose sentence names the area when it is known.
_WITH_AREA: dict[str, str] = {
    "no-guard": N_("no {area} delegate on the roster"),
}


def area_of(group: str) -> str:
    """The area's own name in a reporting group: ``El Alto / Distrito 8`` -> ``Distrito 8``."""
    return group.rsplit(" / ", maxsplit=1)[-1].strip()


def reason_text(reason: str, group: str | None = None) -> str:
    """The sentence for an unserved reason code, in the current language.

    Parameters
    ----------
    reason
        A code of :data:`~logistics.plan.model.REASONS`; an unknown code is returned as
        it is (a plan from a newer planner still prints).
    group
        The point's reporting group (``La Paz / Centro``), to name its area where the
        sentence needs it; ``None`` for the sentence that fits every point (counts).

    Returns
    -------
    str
        E.g. ``sin delegado de Centro en la lista`` (es), ``not enough cylinders`` (en).
    """
    if group and reason in _WITH_AREA:
        return _(_WITH_AREA[reason]).format(area=area_of(group))
    if reason in _GENERIC:
        return _(_GENERIC[reason])
    return reason


#: An area's reason when it has details to name (distances, the nearest point).
_AREA: dict[str, str] = {
    "no-road-on-map": N_(
        "no road of the loaded map in the area; the nearest road a truck can reach is {km} km away"
    ),
    "no-point": N_("no distribution point in the area; the nearest, {point}, is {km} km away"),
    "no-point-edge": N_(
        "no distribution point in the area; the nearest, {point}, stands on its edge"
    ),
}
#: A point this close to an area (metres) stands on its edge.
_EDGE_M = 50.0


def _km(metres: float | None) -> str:
    return fmt_num((metres or 0.0) / 1000, 1)


def area_reason_text(area: AreaRow) -> str:  # noqa: PLR0911 - one sentence per code
    """Why an area of the plan's accounts got less than its ration, as a sentence.

    ``no-road-on-map`` gives the distance to the nearest road a truck can reach,
    ``no-point`` the nearest point, ``no-guard`` names the area whose junta delegate is
    missing (``sin delegado de Centro en la lista``). ``''`` when the area has no reason.
    """
    code = area.reason
    if code is None:
        return ""
    if code == "no-road-on-map":
        return _(_AREA[code]).format(km=_km(area.road_distance_m))
    if code == "no-point":
        point = area.nearest_point_name or area.nearest_point or "?"
        if (area.point_distance_m or 0.0) < _EDGE_M:
            return _(_AREA["no-point-edge"]).format(point=point)
        return _(_AREA[code]).format(point=point, km=_km(area.point_distance_m))
    if code == "no-guard":
        return _(_WITH_AREA[code]).format(area=area.missing_delegate or area.name)
    if code == "partly-no-point":
        n = max(0.0, area.eligible_households - area.counted_households)
        return _(
            "{n} of its households live where no distribution point carries their ration"
        ).format(n=fmt_int(round(n)))
    return reason_text(code)
