"""Turn-by-turn roads of a leg, for the sheet: consecutive edges of one road merged.

A :class:`Step` keeps codes, not sentences (``turn="right"``, ``kind="connector"``), and the
positions of its nodes in the leg, so a checkpoint can be placed on the step where it is
met; :func:`step_text` says it in the current language.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from logistics.i18n import _, fmt_num
from logistics.model import InputError
from logistics.roads import KIND_ACCESS, KIND_CONNECTOR, KIND_RETURN, RoadNetwork

#: Turn codes of a step, in the order of the sharpness of the turn.
TURNS = ("start", "continue", "bear-left", "bear-right", "left", "right", "u-turn")

#: A nameless piece shorter than this (m), or any piece between two pieces of one road, is
#: folded into the road before it: usually a crossing, not an instruction.
_FOLD_M = 50.0
_FOLD_BETWEEN_M = 30.0


@dataclass(frozen=True)
class Step:
    """One instruction: enter ``road`` as ``turn`` says and follow it for ``km``.

    ``kind`` is ``road`` (an OSM road, ``road`` its name), ``unnamed``, ``connector`` (an
    assumed link joining two pieces of the extract) or ``gate`` (the plant's assumed access).
    ``assumed_km`` of it are assumed return carriageways missing from the extract, printed so
    the guards know the map guessed there. ``start`` and ``end`` are positions in the leg's
    node list (the step drives nodes ``start..end``).
    """

    turn: str
    road: str
    km: float
    assumed_km: float = 0.0
    kind: str = "road"
    start: int = 0
    end: int = 0


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


def node_indices(net: RoadNetwork, nodes: list[int]) -> list[int]:
    """Indices of OSM node ids (vectorised; ``KeyError`` for a node not on the map)."""
    order = net.__dict__.get("_sheets_osmid_order")
    if order is None:
        order = np.argsort(net.node_osmid, kind="stable")
        net.__dict__["_sheets_osmid_order"] = order
    ids = np.asarray(nodes, dtype=net.node_osmid.dtype)
    pos = np.searchsorted(net.node_osmid[order], ids).clip(0, len(order) - 1)
    idx = order[pos]
    bad = net.node_osmid[idx] != ids
    if bad.any():
        raise KeyError(int(ids[np.argmax(bad)]))
    out: list[int] = idx.tolist()
    return out


def _kind(net: RoadNetwork, e: int) -> tuple[str, str]:
    kind = int(net.edge_kind[e])
    if kind == KIND_CONNECTOR:
        return "connector", ""
    if kind == KIND_ACCESS:
        return "gate", ""
    name = net.edge_name[e]
    return ("road", name) if name else ("unnamed", "")


def _turn(net: RoadNetwork, e_in: int, e_out: int) -> str:
    def bearing(e: int) -> float:
        u, v = int(net.edge_u[e]), int(net.edge_v[e])
        return math.degrees(math.atan2(net.x[v] - net.x[u], net.y[v] - net.y[u]))

    delta = (bearing(e_out) - bearing(e_in) + 540) % 360 - 180
    side = "right" if delta > 0 else "left"
    if abs(delta) < 30:
        return "continue"
    if abs(delta) > 150:
        return "u-turn"
    return side if abs(delta) > 60 else f"bear-{side}"


def leg_steps(net: RoadNetwork, nodes: list[int]) -> list[Step]:
    """Roads of one leg (OSM node ids), consecutive edges of one road merged.

    ``net`` must carry the plant's access links (:func:`logistics.roads.with_plant_access`).
    Short nameless pieces (< 50 m, usually a crossing) are folded into the road before them,
    and so is any piece under 30 m between two pieces of one road, so an avenue stays one
    instruction.
    """
    lookup = edge_lookup(net)
    try:
        idx = node_indices(net, nodes)
    except KeyError as exc:
        msg = f"the plan drives OSM node {exc.args[0]}, which is not on this map"
        raise InputError("plan", msg + "; expected a plan made on this map") from None
    # [kind, name, metres, assumed metres, first edge, last edge, start pos, end pos]
    groups: list[list[Any]] = []
    for pos, (u, v) in enumerate(itertools.pairwise(idx)):
        e = lookup.get((u, v))
        if e is None:
            msg = f"the plan drives OSM nodes {nodes[0]}..{nodes[-1]} over a missing road"
            raise InputError("plan", msg + "; expected a plan made on this map")
        kind, name = _kind(net, e)
        m = float(net.edge_length_m[e])
        extra = m if int(net.edge_kind[e]) == KIND_RETURN else 0.0
        if groups and groups[-1][:2] == [kind, name]:
            g = groups[-1]
            g[2], g[3], g[5], g[7] = g[2] + m, g[3] + extra, e, pos + 1
        else:
            groups.append([kind, name, m, extra, e, e, pos, pos + 1])
    merged: list[list[Any]] = []
    for k, g in enumerate(groups):
        nxt = groups[k + 1] if k + 1 < len(groups) else None
        if merged and (
            g[:2] == merged[-1][:2]
            or (g[0] == "unnamed" and g[2] < _FOLD_M)
            or (nxt is not None and nxt[:2] == merged[-1][:2] and g[2] < _FOLD_BETWEEN_M)
        ):
            last = merged[-1]
            merged[-1] = [*last[:2], last[2] + g[2], last[3] + g[3], last[4], g[5], last[6], g[7]]
        else:
            merged.append(list(g))
    steps = []
    for k, (kind, name, metres, assumed, first, _last, start, end) in enumerate(merged):
        turn = "start" if k == 0 else _turn(net, merged[k - 1][5], first)
        steps.append(Step(turn, name, metres / 1000, assumed / 1000, kind, start, end))
    return steps


def road_label(step: Step) -> str:
    """The road of a step as the sheet names it, in the current language."""
    if step.kind == "connector":
        return _("assumed connector (not in OSM)")
    if step.kind == "gate":
        return _("plant gate (assumed access)")
    if step.kind == "unnamed":
        return _("unnamed road")
    return step.road


def step_text(step: Step) -> str:
    """``Turn right onto Avenida Bolivia`` (with a note on assumed carriageways)."""
    road = road_label(step)
    templates = {
        "start": _("Start on {road}"),
        "continue": _("Continue on {road}"),
        "bear-left": _("Keep left onto {road}"),
        "bear-right": _("Keep right onto {road}"),
        "left": _("Turn left onto {road}"),
        "right": _("Turn right onto {road}"),
        "u-turn": _("Make a U-turn onto {road}"),
    }
    text = templates[step.turn].format(road=road)
    if step.assumed_km <= 0 or step.kind != "road":
        return text
    if step.assumed_km >= step.km - 0.005:
        return _("{instruction} (assumed return carriageway)").format(instruction=text)
    return _("{instruction} (incl. {km} km of assumed carriageway)").format(
        instruction=text, km=fmt_num(step.assumed_km, 2)
    )
