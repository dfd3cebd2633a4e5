"""Turn-by-turn roads of a leg, for the sheet: consecutive edges of one road merged."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from logistics.model import InputError
from logistics.roads import KIND_ACCESS, KIND_CONNECTOR, KIND_RETURN, RoadNetwork


@dataclass(frozen=True)
class Step:
    """One instruction: enter ``road`` as ``turn`` says and follow it for ``km``.

    ``assumed_km`` of it are assumed links (a connector, the plant gate, or a return
    carriageway missing from the extract), printed so the guards know the map guessed there.
    """

    turn: str
    road: str
    km: float
    assumed_km: float = 0.0

    def text(self) -> str:
        if self.assumed_km <= 0 or self.road.startswith(("assumed", "plant gate")):
            return f"{self.turn} {self.road}"
        if self.assumed_km >= self.km - 0.005:
            return f"{self.turn} {self.road} (assumed return carriageway)"
        return f"{self.turn} {self.road} (incl. {self.assumed_km:.2f} km assumed carriageway)"


def edge_lookup(net: RoadNetwork) -> dict[tuple[int, int], int]:
    """(u, v) node indices -> the shortest edge between them (built once per network)."""
    cached = net.__dict__.get("_sheetsedge_lookup")
    if cached is None:
        cached = {}
        order = np.argsort(-net.edge_length_m)  # shortest written last wins
        for e in order.tolist():
            cached[(int(net.edge_u[e]), int(net.edge_v[e]))] = e
        net.__dict__["_sheetsedge_lookup"] = cached
    return cached


def _label(net: RoadNetwork, e: int) -> str:
    kind = int(net.edge_kind[e])
    if kind == KIND_CONNECTOR:
        return "assumed connector (not in OSM)"
    if kind == KIND_ACCESS:
        return "plant gate (assumed access)"
    return net.edge_name[e] or "unnamed road"


def _turn(net: RoadNetwork, e_in: int, e_out: int) -> str:
    def bearing(e: int) -> float:
        u, v = int(net.edge_u[e]), int(net.edge_v[e])
        return math.degrees(math.atan2(net.x[v] - net.x[u], net.y[v] - net.y[u]))

    delta = (bearing(e_out) - bearing(e_in) + 540) % 360 - 180
    side = "right" if delta > 0 else "left"
    if abs(delta) < 30:
        return "continue on"
    if abs(delta) > 150:
        return "U-turn onto"
    return f"turn {side} onto" if abs(delta) > 60 else f"bear {side} onto"


def leg_steps(net: RoadNetwork, nodes: list[int]) -> list[Step]:
    """Roads of one leg (OSM node ids), consecutive edges of one road merged.

    ``net`` must carry the plant's access links (:func:`logistics.roads.with_plant_access`).
    Short nameless pieces (< 50 m, usually a crossing) are folded into the road before them,
    and a road interrupted by one is joined up again, so an avenue stays one instruction.
    """
    lookup = edge_lookup(net)
    idx = [net.node_index(n) for n in nodes]
    groups: list[list[Any]] = []  # [label, metres, assumed metres, first edge, last edge]
    for u, v in itertools.pairwise(idx):
        e = lookup.get((u, v))
        if e is None:
            msg = f"the plan drives OSM nodes {nodes[0]}..{nodes[-1]} over a missing road"
            raise InputError("plan", msg + "; expected a plan made on this map")
        label, m = _label(net, e), float(net.edge_length_m[e])
        extra = m if int(net.edge_kind[e]) == KIND_RETURN else 0.0
        if groups and groups[-1][0] == label:
            groups[-1][1:3] = [groups[-1][1] + m, groups[-1][2] + extra]
            groups[-1][4] = e
        else:
            groups.append([label, m, extra, e, e])
    merged: list[list[Any]] = []
    for g in groups:
        if merged and (g[0] == merged[-1][0] or (g[0] == "unnamed road" and g[1] < 50)):
            last = merged[-1]
            merged[-1] = [last[0], last[1] + g[1], last[2] + g[2], last[3], g[4]]
        else:
            merged.append(g)
    steps = []
    for k, (label, metres, assumed, first, _) in enumerate(merged):
        turn = "start on" if k == 0 else _turn(net, merged[k - 1][4], first)
        steps.append(Step(turn, label, metres / 1000, assumed / 1000))
    return steps
