"""Where each blockade stands on the map, and which road edges it touches.

Pure geometry shared by the validator (:mod:`logistics.plan.validate`) and the delivery
sheets (:mod:`logistics.paper.checkpoints`), so both say the same thing about a trip: a
circle blockade is a metric disc (shapely, 32 segments per quarter), a way blockade is the
set of its OSM ways. Nothing here knows the solver.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from logistics.model import Scenario
from logistics.roads import TO_METRIC, RoadNetwork

#: Minutes after midnight before / after any shift: a blockade without a window stands all day.
ALL_DAY = (-1.0, 24 * 60 + 1.0)


@dataclass(frozen=True)
class BlockadeZone:
    """One blockade of a scenario, located: its area, status, delay and hours."""

    id: str
    name: str
    closed: bool
    delay_min: float
    #: minutes after midnight (:data:`ALL_DAY` when the scenario gives no window)
    start: float
    end: float
    #: metric disc of a circle blockade; None for a way blockade
    zone: BaseGeometry | None
    ways: frozenset[int] = field(default_factory=frozenset)
    #: the scenario gave a window (else it stands the whole day)
    windowed: bool = False
    #: centre (lon, lat) of a circle blockade, None for a way blockade
    centre: tuple[float, float] | None = None
    radius_m: float = 0.0

    def in_force(self, t: float) -> bool:
        """Does the blockade stand at ``t`` (minutes after midnight)?"""
        return self.start <= t <= self.end

    def overlaps(self, t0: float, t1: float) -> bool:
        """Does it stand at some time in ``[t0, t1]``?"""
        return self.start <= t1 and self.end >= t0


def blockade_zones(scenario: Scenario) -> list[BlockadeZone]:
    """Every blockade of ``scenario``, in scenario order, as a :class:`BlockadeZone`."""
    out = []
    for b in scenario.blockades:
        zone = None
        centre = None
        if b.way_ids is None:
            assert b.lon is not None and b.lat is not None and b.radius_m is not None
            cx, cy = TO_METRIC.transform(b.lon, b.lat)
            zone = Point(cx, cy).buffer(b.radius_m, quad_segs=32)
            centre = (float(b.lon), float(b.lat))
        start, end = (b.window.start_min, b.window.end_min) if b.window else ALL_DAY
        out.append(
            BlockadeZone(
                id=b.id,
                name=b.name or b.id,
                closed=b.status == "closed",
                delay_min=b.delay_minutes,
                start=float(start),
                end=float(end),
                zone=zone,
                ways=frozenset(b.way_ids or ()),
                windowed=b.window is not None,
                centre=centre,
                radius_m=float(b.radius_m or 0.0),
            )
        )
    return out


def edge_line(net: RoadNetwork, e: int) -> LineString:
    """Edge ``e`` as a metric line."""
    c = net.edge_coords(e)
    xs, ys = TO_METRIC.transform(c[:, 0], c[:, 1])
    return LineString(np.column_stack([xs, ys]))


class ZoneTester:
    """Blockade geometry tests on one network, with the edge lines and way masks cached.

    ``edge_hits`` is the rule both the validator and the sheets apply: a *closed* blockade
    stops an edge that touches it (a way blockade: an edge of its ways); a *permit*
    blockade checks an edge that reaches into it, and its delay counts once, on the edge
    that enters it from outside (``node_inside`` of the edge's start is false).
    """

    def __init__(self, net: RoadNetwork) -> None:
        self.net = net
        self._lines: dict[int, LineString] = {}
        self._way_nodes: dict[frozenset[int], np.ndarray] = {}

    def line(self, e: int) -> LineString:
        if e not in self._lines:
            self._lines[e] = edge_line(self.net, e)
        return self._lines[e]

    def _inside_mask(self, ways: frozenset[int]) -> np.ndarray:
        mask = self._way_nodes.get(ways)
        if mask is None:
            net = self.net
            on = np.isin(net.edge_way, np.fromiter(ways, dtype=np.int64, count=len(ways)))
            mask = np.zeros(net.n_nodes, dtype=bool)
            mask[net.edge_u[on]] = True
            mask[net.edge_v[on]] = True
            self._way_nodes[ways] = mask
        return mask

    def inside_mask(self, b: BlockadeZone) -> np.ndarray:
        """Nodes (by index) that are ends of a way blockade's ways."""
        return self._inside_mask(b.ways)

    def node_inside(self, b: BlockadeZone, n: int) -> bool:
        """Is node ``n`` (index) inside ``b`` (in its disc, or an end of one of its ways)?"""
        if b.zone is not None:
            return bool(b.zone.covers(Point(self.net.x[n], self.net.y[n])))
        return bool(self._inside_mask(b.ways)[n])

    def edge_hits(self, b: BlockadeZone, e: int) -> bool:
        """Closed: the edge touches the blockade. Permit: the edge reaches into it."""
        if b.zone is not None:
            return bool(self.line(e).intersects(b.zone))
        if b.closed:
            return int(self.net.edge_way[e]) in b.ways
        return self.node_inside(b, int(self.net.edge_v[e]))

    def distance_m(self, b: BlockadeZone, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Distance (m) from metric points ``(x, y)`` to the blockade's area (0 inside)."""
        net = self.net
        if b.zone is not None:
            c = b.zone.centroid
            return np.maximum(np.hypot(x - c.x, y - c.y) - b.radius_m, 0.0)
        nodes = np.flatnonzero(self._inside_mask(b.ways))
        if nodes.size == 0:
            return np.full(np.shape(x), np.inf)
        dx = x[:, None] - net.x[nodes][None, :]
        dy = y[:, None] - net.y[nodes][None, :]
        dist: np.ndarray = np.hypot(dx, dy).min(axis=1)
        return dist
