"""Why a point was not fully served, as a sentence the dispatch desk reads.

``plan.json`` keeps the reason codes (:data:`~logistics.plan.model.REASONS`: a file format,
English, stable); everything a person reads shows :func:`reason_text` instead, in the
current language: ``no-guard`` for a point of Centro reads "sin delegado de Centro en la
lista", ``stock-short`` "sin garrafas suficientes". The app, the CLI summary and the plant
summary all take their sentences from here, so one code reads the same everywhere.
"""

from __future__ import annotations

from logistics.i18n import N_, _

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
