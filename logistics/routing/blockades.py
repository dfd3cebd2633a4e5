"""Blockades located on the road network: which edges each one closes or checks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
                    f"OSM way {missing[0]} is not a drivable road of the loaded map; expected "
                    "way ids of the map (see 'senkata maps info')",
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
                    f"({b.lat:.5f}, {b.lon:.5f}) radius {b.radius_m:g} m touches no road of the "
                    f"map (nearest road {nearest:,.0f} m away); expected a blockade on a road",
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
