"""Fair rationing: how a short stock is shared between districts, and how fair a plan is.

Groups are the reporting areas of the plan: El Alto districts and La Paz macrodistricts.
A group's *share* is cylinders delivered over its ration (the ration is households times
cylinders per household, so the share is also proportional to cylinders per household).
Priority sites (clinics, communal kitchens) stand outside the groups: they are served
first under every policy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

#: Drop size (cylinders) under the fair policies: finer than a truckload so each group's
#: delivery can come close to its cap (the share tolerance is about one drop).
FAIR_DROP = 100


def fair_caps(
    demand: Mapping[str, int], stock: int, *, fixed: Mapping[str, int] | None = None
) -> dict[str, int]:
    """Water-filling: the largest common share every group can have, capped by its demand.

    Parameters
    ----------
    demand
        Reachable ration per group.
    stock
        Cylinders to share (after priority sites).
    fixed
        Groups whose delivery is already decided (e.g. the fleet could not do more); they
        keep that amount and the others share the rest.

    Returns
    -------
    dict
        Cylinder cap per group (rounded up, so the caps may exceed the stock by a few
        cylinders; the stock constraint still holds).
    """
    fixed = dict(fixed or {})
    caps = {g: int(v) for g, v in fixed.items()}
    left = max(0, stock - sum(caps.values()))
    open_groups = {g: d for g, d in demand.items() if g not in caps and d > 0}
    # Shares are relative to each group's own ration, so one common share f fits all; it
    # saturates (f = 1) only when the stock covers every open group entirely.
    total = sum(open_groups.values())
    f = min(1.0, left / total) if total else 0.0
    for g, d in open_groups.items():
        caps[g] = min(d, math.ceil(f * d))
    for g in demand:
        caps.setdefault(g, 0)
    return caps


def shares(delivered: Mapping[str, int], ration: Mapping[str, int]) -> dict[str, float]:
    """Served share per group (delivered / ration), for groups with a ration."""
    return {g: delivered.get(g, 0) / r for g, r in ration.items() if r > 0}


def spread(values: Mapping[str, float]) -> tuple[float, float]:
    """(minimum, max - min) of a mapping of shares; (0, 0) when empty."""
    if not values:
        return 0.0, 0.0
    lo, hi = min(values.values()), max(values.values())
    return lo, hi - lo
