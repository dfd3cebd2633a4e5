"""Blockades as shapes on the map, shared by the validator's checks.

Kept apart from :mod:`logistics.plan.validate` so that the fair-share check
(:mod:`logistics.plan.fair_check`), which :func:`~logistics.plan.validate.validate_plan`
calls, uses the same geometry without an import circle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from logistics.model import Scenario
from logistics.roads import TO_METRIC, RoadNetwork


@dataclass
class BlockadeShape:
    """A blockade as geometry: its zone or ways, window (minutes) and delay."""

    id: str
    closed: bool
    delay_min: float
    start: float  # minutes after midnight
    end: float
    zone: BaseGeometry | None  # metric circle; None for way blockades
    ways: set[int]


def edge_line(net: RoadNetwork, e: int) -> LineString:
    """Edge ``e`` of ``net`` as a line in metric coordinates."""
    c = net.edge_coords(e)
    xs, ys = TO_METRIC.transform(c[:, 0], c[:, 1])
    return LineString(np.column_stack([xs, ys]))


def blockade_shapes(scenario: Scenario) -> list[BlockadeShape]:
    """The scenario's blockades as shapes in metric coordinates."""
    out = []
    for b in scenario.blockades:
        zone = None
        if b.way_ids is None:
            assert b.lon is not None and b.lat is not None and b.radius_m is not None
            cx, cy = TO_METRIC.transform(b.lon, b.lat)
            zone = Point(cx, cy).buffer(b.radius_m, quad_segs=32)
        start = b.window.start_min if b.window else -1.0
        end = b.window.end_min if b.window else 24 * 60 + 1.0
        out.append(
            BlockadeShape(
                b.id, b.status == "closed", b.delay_minutes, start, end, zone, set(b.way_ids or [])
            )
        )
    return out
