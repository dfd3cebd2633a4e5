"""Blockades located on the road network: which edges each one closes or checks, and when.

A blockade with a window stands only inside it. The shift is cut into *periods* at every
window start and end that falls inside it (:func:`shift_periods`); within one period every
blockade either stands throughout or not at all, so each period has one road state
(:func:`road_state`): the closed edges removed, the checkpoint delays added.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from logistics.i18n import _, fmt_int, fmt_num
from logistics.model import Blockade, InputError, Scenario
from logistics.roads import TO_METRIC, RoadNetwork


@dataclass
class BlockadeEffect:
    """What one blockade does to the network during the shift."""

    blockade: Blockade
    #: edges it touches (closed: removed; permit: entering edges carry the delay)
    edges: np.ndarray
    entering: np.ndarray
    active_in_shift: bool

    def stands(self, start_s: float, end_s: float) -> bool:
        """True when the blockade stands at some moment strictly inside ``(start_s, end_s)``."""
        w = self.blockade.window
        return w is None or (w.start_min * 60 < end_s and w.end_min * 60 > start_s)


@dataclass(frozen=True)
class Period:
    """A stretch of the shift (seconds after midnight) with one state of the roads."""

    start_s: int
    end_s: int
    #: indices (into the effects list) of the blockades standing throughout it
    standing: tuple[int, ...]


def _segment_distances(net: RoadNetwork, cx: float, cy: float) -> np.ndarray:
    """Distance (m) from a metric point to every edge (straight u-v segments)."""
    x0, y0 = net.x[net.edge_u], net.y[net.edge_u]
    dx, dy = net.x[net.edge_v] - x0, net.y[net.edge_v] - y0
    seg2 = dx * dx + dy * dy
    t = np.where(seg2 > 0, ((cx - x0) * dx + (cy - y0) * dy) / np.where(seg2 > 0, seg2, 1), 0)
    t = np.clip(t, 0.0, 1.0)
    px, py = x0 + t * dx, y0 + t * dy
    dist: np.ndarray = np.hypot(px - cx, py - cy)
    return dist


def blockade_effects(
    scenario: Scenario, net: RoadNetwork, base_mask: np.ndarray
) -> list[BlockadeEffect]:
    """Locate every blockade on the network; reject those outside the map.

    A circle blockade touches every edge passing within its radius; a way blockade touches
    the edges of its OSM ways (and their assumed return carriageways, which stand for the
    other side of the same road). Edges *entering* the blockade from outside carry the
    permit delay, so a truck passing through pays it once.
    """
    shift = scenario.shift
    out = []
    for i, b in enumerate(scenario.blockades):
        where = f"blockades[{i}]"
        if b.way_ids is not None:
            touched = np.isin(net.edge_way, np.asarray(b.way_ids, dtype=np.int64)) & base_mask
            missing = sorted(set(b.way_ids) - set(net.edge_way[touched].tolist()))
            if missing:
                raise InputError(
                    f"{where}.way_ids",
                    _(
                        "OSM way {way} is not a drivable road of the loaded map; expected way "
                        "ids of the map (see 'senkata maps info')"
                    ).format(way=missing[0]),
                )
            inside = np.zeros(net.n_nodes, dtype=bool)
            inside[net.edge_u[touched]] = True
            inside[net.edge_v[touched]] = True
            entering = base_mask & ~inside[net.edge_u] & inside[net.edge_v]
        else:
            assert b.lat is not None and b.lon is not None and b.radius_m is not None
            cx, cy = TO_METRIC.transform(b.lon, b.lat)
            dist = _segment_distances(net, cx, cy)
            touched = (dist <= b.radius_m) & base_mask
            if not touched.any():
                nearest = float(dist[base_mask].min())
                raise InputError(
                    where,
                    _(
                        "({lat}, {lon}) radius {r} m touches no road of the map (nearest road "
                        "{m} m away); expected a blockade on a road"
                    ).format(
                        lat=f"{b.lat:.5f}",
                        lon=f"{b.lon:.5f}",
                        r=fmt_num(b.radius_m, 0 if float(b.radius_m).is_integer() else 1),
                        m=fmt_int(nearest),
                    ),
                )
            inside = np.hypot(net.x - cx, net.y - cy) <= b.radius_m
            entering = touched & ~inside[net.edge_u]
        active = b.window is None or (
            b.window.start_min < shift.end_min and b.window.end_min > shift.start_min
        )
        out.append(
            BlockadeEffect(
                blockade=b,
                edges=np.flatnonzero(touched),
                entering=np.flatnonzero(entering),
                active_in_shift=active,
            )
        )
    return out


def shift_periods(scenario: Scenario, effects: list[BlockadeEffect]) -> list[Period]:
    """Cut the shift at every blockade window start or end that falls strictly inside it.

    Adjacent periods with the same standing blockades are merged, so a scenario whose
    blockades all stand the whole shift (or have no window) has exactly one period.
    """
    s0, s1 = scenario.shift.start_min * 60, scenario.shift.end_min * 60
    cuts = {s0, s1}
    for eff in effects:
        w = eff.blockade.window
        if w is not None:
            cuts.update(t * 60 for t in (w.start_min, w.end_min) if s0 < t * 60 < s1)
    bounds = sorted(cuts)
    out: list[Period] = []
    for a, b in itertools.pairwise(bounds):
        standing = tuple(i for i, eff in enumerate(effects) if eff.stands(a, b))
        if out and out[-1].standing == standing:
            out[-1] = Period(out[-1].start_s, b, standing)
        else:
            out.append(Period(a, b, standing))
    return out


def road_state(
    effects: list[BlockadeEffect], standing: Iterable[int], base_mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Usable edges and checkpoint delays (s) while the blockades ``standing`` stand."""
    mask = base_mask.copy()
    delay = np.zeros(base_mask.shape[0])
    for i in sorted(set(standing)):
        eff = effects[i]
        if eff.blockade.status == "closed":
            mask[eff.edges] = False
        else:
            delay[eff.entering] += eff.blockade.delay_minutes * 60
    return mask, delay
