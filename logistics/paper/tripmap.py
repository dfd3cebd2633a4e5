"""The trip map of a delivery sheet, drawn as vectors from our own road geometry (no tiles).

Names are placed by :mod:`~logistics.paper.maplabels`; the legend and hatching are in
:mod:`~logistics.paper.maplegend`.

Black and white by design: the route is a thick black line (assumed links dashed) over thin
grey roads (main roads a little wider); stops are numbered white discs, the plant a black
square; a closed blockade is a black ring crossed out, a permit checkpoint a hatched ring
with its number (``C1``) where the route enters it. Street, stop and blockade names are real
PDF text (8 pt at least) with a white halo, placed only where they do not collide.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from shapely.geometry import Polygon, box

from logistics.i18n import _, fmt_num
from logistics.paper.checkpoints import Checkpoint
from logistics.paper.maplabels import Labels, along, place_near, tag_box, text_width
from logistics.paper.maplegend import ASSUMED_W, GREY, ROUTE_W, hatch
from logistics.paper.printing import BOLD, FONT, MIN_PT, latin
from logistics.paper.steps import node_indices
from logistics.plan import BlockadeZone, Plan, Trip
from logistics.roads import KIND_ROAD, TO_METRIC, RoadNetwork

_ROUTE_W, _ASSUMED_W, _CASING_W = ROUTE_W, ASSUMED_W, 5.0
_GREY, _MAIN_GREY = GREY, 0.45
_MAIN = {"motorway", "trunk", "primary", "secondary"}
_STOP_R = 7.0


@dataclass
class MapBox:
    """The map's place on the page (points) and its metric view."""

    x: float
    y: float
    w: float
    h: float
    x0: float = 0.0
    y0: float = 0.0
    scale: float = 1.0  # points per metre

    def page(self, mx: Any, my: Any) -> tuple[Any, Any]:
        return self.x + (mx - self.x0) * self.scale, self.y + (my - self.y0) * self.scale


def view_extent(
    net: RoadNetwork, plan: Plan, trip: Trip, checkpoints: Sequence[Checkpoint]
) -> tuple[float, float, float, float]:
    """Metric ``(x0, y0, x1, y1)`` the map must show: route, stops, plant, blockades met."""
    xs: list[float] = []
    ys: list[float] = []
    for leg in trip.legs:
        idx = node_indices(net, leg.nodes)
        xs += net.x[idx].tolist()
        ys += net.y[idx].tolist()
    px, py = TO_METRIC.transform(plan.plant.lon, plan.plant.lat)
    xs.append(px)
    ys.append(py)
    for c in checkpoints:
        z = c.blockade
        if z.zone is not None:
            b = z.zone.bounds
            xs += [b[0], b[2]]
            ys += [b[1], b[3]]
        else:
            xs.append(c.x)
            ys.append(c.y)
    return min(xs), min(ys), max(xs), max(ys)


def fit(extent: tuple[float, float, float, float], mb: MapBox, margin: float = 16.0) -> MapBox:
    """Centre ``extent`` in the box at one scale for both axes (north up), ``margin`` points
    clear on every side (and the scale bar's and attribution's strip at the foot)."""
    x0, y0, x1, y1 = extent
    foot = 14.0
    w = max(x1 - x0, 200.0)
    h = max(y1 - y0, 200.0)
    scale = min((mb.w - 2 * margin) / w, (mb.h - 2 * margin - foot) / h)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    mb.scale = scale
    mb.x0 = cx - mb.w / 2 / scale
    mb.y0 = cy - (mb.h + foot) / 2 / scale
    return mb


def _runs(net: RoadNetwork, trip: Trip) -> tuple[list[tuple[np.ndarray, np.ndarray, bool]], dict]:
    """Route polylines (metric), split where assumed links start or end; and the metric
    polylines of each named road of the route (for its label)."""
    from logistics.paper.steps import edge_lookup

    lookup = edge_lookup(net)
    runs: list[tuple[list[float], list[float], bool]] = []
    names: dict[str, list[tuple[list[float], list[float]]]] = {}
    for leg in trip.legs:
        idx = node_indices(net, leg.nodes)
        last_name = None
        for u, v in itertools.pairwise(idx):
            e = lookup.get((u, v))
            assumed = e is not None and int(net.edge_kind[e]) != KIND_ROAD
            if not runs or runs[-1][2] != assumed or runs[-1][0][-1] != net.x[u]:
                runs.append(([float(net.x[u])], [float(net.y[u])], assumed))
            runs[-1][0].append(float(net.x[v]))
            runs[-1][1].append(float(net.y[v]))
            name = net.edge_name[e] if e is not None and not assumed else ""
            if name:
                if name != last_name:
                    names.setdefault(name, []).append(([float(net.x[u])], [float(net.y[u])]))
                names[name][-1][0].append(float(net.x[v]))
                names[name][-1][1].append(float(net.y[v]))
            last_name = name
    out = [(np.asarray(xs), np.asarray(ys), a) for xs, ys, a in runs]
    return out, {k: [(np.asarray(a), np.asarray(b)) for a, b in v] for k, v in names.items()}


@dataclass
class RoadLines:
    """The map's roads as polylines (one per run of a way between junctions), built once
    per network and shared by every trip map: metric vertices ``xy[start[i]:start[i+1]]``."""

    xy: np.ndarray
    start: np.ndarray
    bbox: np.ndarray  # (n, 4): x0, y0, x1, y1
    main: np.ndarray
    name: list[str]


def road_lines(net: RoadNetwork) -> RoadLines:
    """The roads of ``net`` (real OSM roads, each carriageway once) as :class:`RoadLines`;
    cached on the network (and so pickled with it to the workers)."""
    cached = net.__dict__.get("_sheets_road_lines")
    if cached is not None:
        return cached
    ids = np.flatnonzero(net.edge_kind == KIND_ROAD)
    lo, hi = (
        np.minimum(net.edge_u[ids], net.edge_v[ids]),
        np.maximum(net.edge_u[ids], net.edge_v[ids]),
    )
    _, first = np.unique(lo.astype(np.int64) * (net.n_nodes + 1) + hi, return_index=True)
    ids = ids[np.sort(first)]
    by_way: dict[int, list[tuple[int, int, int]]] = {}
    for e, u, v, w in zip(ids.tolist(), net.edge_u[ids].tolist(), net.edge_v[ids].tolist(),
                          net.edge_way[ids].tolist(), strict=True):  # fmt: skip
        by_way.setdefault(w, []).append((u, v, e))
    lines: list[list[int]] = []
    meta: list[int] = []  # an edge of each line (its name and class)
    for segs in by_way.values():
        adj: dict[int, list[tuple[int, int]]] = {}
        for u, v, e in segs:
            adj.setdefault(u, []).append((v, e))
            adj.setdefault(v, []).append((u, e))
        used: set[int] = set()
        # walk from junctions and dead ends first, then whatever is left (closed rings)
        for n0 in [n for n, nb in adj.items() if len(nb) != 2] + list(adj):
            for first_node, first_edge in adj[n0]:
                if first_edge in used:
                    continue
                line, node, edge = [n0], first_node, first_edge
                while True:
                    used.add(edge)
                    line.append(node)
                    onward = [(m, f) for m, f in adj[node] if f not in used]
                    if len(adj[node]) != 2 or not onward:
                        break
                    node, edge = onward[0]
                lines.append(line)
                meta.append(first_edge)
    start = np.zeros(len(lines) + 1, dtype=np.int64)
    start[1:] = np.cumsum([len(x) for x in lines])
    nodes = np.fromiter(itertools.chain.from_iterable(lines), dtype=np.int64, count=int(start[-1]))
    xy = np.column_stack([net.x[nodes], net.y[nodes]])
    bbox = np.array(
        [(*xy[a:b].min(axis=0), *xy[a:b].max(axis=0)) for a, b in itertools.pairwise(start)]
    ).reshape(-1, 4)
    main = np.array([net.edge_highway[e].split("_")[0] in _MAIN for e in meta], dtype=bool)
    out = RoadLines(xy, start, bbox, main, [net.edge_name[e] for e in meta])
    net.__dict__["_sheets_road_lines"] = out
    return out


def _background(c: Any, net: RoadNetwork, mb: MapBox) -> list[tuple]:
    """Every road in view in grey (main roads wider), simplified to what 0.3 pt can show;
    returns the named ones in view (name, page x, page y, length in points)."""
    import shapely

    rl = road_lines(net)
    x1, y1 = mb.x0 + mb.w / mb.scale, mb.y0 + mb.h / mb.scale
    b = rl.bbox
    sel = np.flatnonzero(
        (b[:, 0] <= x1) & (b[:, 2] >= mb.x0) & (b[:, 1] <= y1) & (b[:, 3] >= mb.y0)
    )
    if sel.size == 0:
        return []
    counts = rl.start[sel + 1] - rl.start[sel]
    take = np.concatenate([np.arange(rl.start[i], rl.start[i + 1]) for i in sel])
    geoms = shapely.linestrings(rl.xy[take], indices=np.repeat(np.arange(sel.size), counts))
    geoms = shapely.simplify(geoms, 0.3 / mb.scale, preserve_topology=False)
    pts, which = shapely.get_coordinates(geoms, return_index=True)
    pxa, pya = mb.page(pts[:, 0], pts[:, 1])
    seg = np.hypot(np.diff(pxa), np.diff(pya))
    seg[which[1:] != which[:-1]] = 0.0  # no length between two lines
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    px, py = pxa.round(1).tolist(), pya.round(1).tolist()
    bounds = np.searchsorted(which, np.arange(sel.size + 1)).tolist()
    named = []
    for is_main, gray, width in ((False, _GREY, 0.5), (True, _MAIN_GREY, 1.1)):
        path = c.beginPath()
        for k, i in enumerate(sel.tolist()):
            if bool(rl.main[i]) != is_main:
                continue
            a, z = bounds[k], bounds[k + 1]
            path.moveTo(px[a], py[a])
            for j in range(a + 1, z):
                path.lineTo(px[j], py[j])
            if rl.name[i]:
                span = float(cum[z - 1] - cum[a])
                named.append((rl.name[i], pxa[a:z], pya[a:z], span))
        c.setStrokeGray(gray)
        c.setLineWidth(width)
        c.drawPath(path, stroke=1, fill=0)
    return named


def _zone(c: Any, net: RoadNetwork, mb: MapBox, z: BlockadeZone, labels: Labels) -> tuple:
    """Draw one blockade; return (page x, y, radius) of its mark."""
    if z.zone is not None:
        cen = z.zone.centroid
        x, y = mb.page(cen.x, cen.y)
        r = max(z.radius_m * mb.scale, 6.0)
        clip = c.beginPath()
        clip.circle(x, y, r)
        c.setFillGray(1)
        c.circle(x, y, r, stroke=0, fill=1)
        if z.closed:
            c.setLineWidth(2.2)
            d = r / math.sqrt(2)
            c.line(x - d, y - d, x + d, y + d)
            c.line(x - d, y + d, x + d, y - d)
        else:
            hatch(c, clip, (x - r, y - r, x + r, y + r), 2.6)
        c.setStrokeGray(0)
        c.setLineWidth(2.2 if z.closed else 1.4)
        c.circle(x, y, r, stroke=1, fill=0)
    else:
        on = np.isin(net.edge_way, np.fromiter(z.ways, dtype=np.int64, count=len(z.ways)))
        ids = np.flatnonzero(on)
        ux, uy = mb.page(net.x[net.edge_u[ids]], net.y[net.edge_u[ids]])
        vx, vy = mb.page(net.x[net.edge_v[ids]], net.y[net.edge_v[ids]])
        for width, gray, dash in ((6.0, 0, None), (3.0, 1, (3, 3) if z.closed else None)):
            c.setLineWidth(width)
            c.setStrokeGray(gray)
            c.setDash(*(dash or ((), 0)))
            for a, b, cc, d in zip(ux, uy, vx, vy, strict=True):
                c.line(a, b, cc, d)
        c.setDash()
        x, y, r = float(np.mean(ux)), float(np.mean(uy)), 5.0
    labels.take(Polygon([(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)]))
    return x, y, r


def _zone_label(z: BlockadeZone, tags: str, *, short: bool = False) -> str:
    if short:
        return latin((_("{tags} closed") if z.closed else _("{tags} checkpoint")).format(tags=tags))
    if z.closed:
        text = _("{tags} closed: {name}") if tags else _("closed: {name}")
    else:
        text = _("{tags} checkpoint: {name}") if tags else _("checkpoint: {name}")
    return latin(text.format(tags=tags, name=z.name))


def _simplified(mb: MapBox, lines: list[tuple[np.ndarray, np.ndarray]]) -> list[tuple]:
    """Metric polylines in page points, without the vertices 0.3 pt cannot show."""
    import shapely

    if not lines:
        return []
    counts = [len(x) for x, _y in lines]
    xy = np.column_stack([np.concatenate([x for x, _y in lines]),
                          np.concatenate([y for _x, y in lines])])  # fmt: skip
    geoms = shapely.linestrings(xy, indices=np.repeat(np.arange(len(lines)), counts))
    geoms = shapely.simplify(geoms, 0.3 / mb.scale, preserve_topology=False)
    pts, which = shapely.get_coordinates(geoms, return_index=True)
    px, py = mb.page(pts[:, 0], pts[:, 1])
    cuts = np.searchsorted(which, np.arange(len(lines) + 1))
    return [(px[a:b].round(1), py[a:b].round(1)) for a, b in itertools.pairwise(cuts)]


def _polyline(c: Any, px: np.ndarray, py: np.ndarray) -> None:
    path = c.beginPath()
    path.moveTo(float(px[0]), float(py[0]))
    for a, b in zip(px[1:].tolist(), py[1:].tolist(), strict=True):
        path.lineTo(a, b)
    c.drawPath(path, stroke=1, fill=0)


def _route(c: Any, mb: MapBox, runs: list[tuple[np.ndarray, np.ndarray, bool]]) -> None:
    """The route: a white casing, then black (assumed links thinner and dashed)."""
    lines = _simplified(mb, [(xs, ys) for xs, ys, _a in runs])
    c.setStrokeGray(1)
    c.setLineWidth(_CASING_W)
    for px, py in lines:
        _polyline(c, px, py)
    c.setStrokeGray(0)
    for (px, py), (_x, _y, assumed) in zip(lines, runs, strict=True):
        c.setLineWidth(_ASSUMED_W if assumed else _ROUTE_W)
        c.setDash(*((3, 2.2) if assumed else ((), 0)))
        _polyline(c, px, py)
    c.setDash()


def _marker(c: Any, labels: Labels, x: float, y: float, text: str, *, square: bool) -> None:
    """The plant (black square, white letter) or a stop (white disc, black number)."""
    c.setStrokeGray(0)
    c.setLineWidth(1.5)
    c.setFillGray(0 if square else 1)
    if square:
        c.rect(x - 6, y - 6, 12, 12, stroke=0, fill=1)
    else:
        c.circle(x, y, _STOP_R, stroke=1, fill=1)
    c.setFillGray(1 if square else 0)
    c.setFont(BOLD, 9)
    c.drawCentredString(x, y - 3.2, text)
    labels.take(box(x - 8, y - 8, x + 8, y + 8))


def _tags(c: Any, mb: MapBox, labels: Labels, by_zone: dict, marks: dict) -> None:
    """Checkpoint tags where the route meets them; one tag per place (a blockade met on
    the way out and back at one spot gets ``C1 C3``)."""
    for zid, met in by_zone.items():
        spots: list[tuple[list[str], float, float]] = []
        for tag, ck in met:
            tx, ty = mb.page(ck.x, ck.y) if ck.kind != "closed-near" else marks[zid][:2]
            near = [s for s in spots if math.hypot(s[1] - tx, s[2] - ty) < 30]
            if near:
                near[0][0].append(tag)
            else:
                spots.append(([tag], tx, ty))
        for tags, tx, ty in spots:
            tag_box(c, labels, " ".join(tags), tx, ty)


def _road_names(c: Any, mb: MapBox, labels: Labels, route_names: dict, named: list) -> None:
    """Names of the route's roads (black), then of up to 12 other roads in view (grey)."""
    for name, parts in sorted(route_names.items(), key=lambda kv: -_length(kv[1])):
        for xs, ys in sorted(parts, key=lambda p: -_length([p])):
            px, py = mb.page(xs, ys)
            if along(c, labels, latin(name), px, py, gray=0.0, offset=_ROUTE_W + 1.5):
                break
    done = set(route_names)
    spans = sorted(((span, name, px, py) for name, px, py, span in named), key=lambda t: -t[0])
    for span, name, px, py in spans[:60]:
        if name in done or len(done) - len(route_names) >= 12:
            continue
        text = latin(name)
        if span >= text_width(text) + 8 and along(c, labels, text, px, py, gray=0.3, offset=1.5):
            done.add(name)


def draw_trip_map(
    c: Any,
    mb: MapBox,
    net: RoadNetwork,
    plan: Plan,
    trip: Trip,
    *,
    checkpoints: Sequence[tuple[str, Checkpoint]],
    zones: Sequence[BlockadeZone],
) -> None:
    """Draw the trip's map into ``mb`` (already :func:`fit`) on canvas ``c``.

    ``checkpoints`` are the trip's (label, checkpoint) pairs; ``zones`` every blockade that
    stands during the trip (those in view are drawn, named where there is room).
    """
    labels = Labels(box(mb.x, mb.y, mb.x + mb.w, mb.y + mb.h).buffer(-2))
    c.saveState()
    clip = c.beginPath()
    clip.rect(mb.x, mb.y, mb.w, mb.h)
    c.clipPath(clip, stroke=0, fill=0)
    c.setLineCap(1)
    c.setLineJoin(1)
    named = _background(c, net, mb)
    marks = {z.id: _zone(c, net, mb, z, labels) for z in zones}
    runs, route_names = _runs(net, trip)
    _route(c, mb, runs)
    ppx, ppy = mb.page(*TO_METRIC.transform(plan.plant.lon, plan.plant.lat))
    _marker(c, labels, ppx, ppy, "P", square=True)
    stops = []
    for k, st in enumerate(trip.stops, start=1):
        i = net.node_index(st.node)
        sx, sy = mb.page(net.x[i], net.y[i])
        stops.append((k, st.name, sx, sy))
        _marker(c, labels, sx, sy, str(k), square=False)
    by_zone: dict[str, list[tuple[str, Checkpoint]]] = {}
    for tag, ck in checkpoints:
        by_zone.setdefault(ck.blockade.id, []).append((tag, ck))
    _tags(c, mb, labels, by_zone, marks)
    _scale_and_north(c, mb, labels)
    # names, most useful first: blockades, the plant, stops, the route's roads, other roads
    for z in zones:
        zx, zy, zr = marks[z.id]
        tags = " ".join(t for t, _c in by_zone.get(z.id, []))
        if not place_near(c, labels, _zone_label(z, tags), zx, zy, zr, font=BOLD) and tags:
            # no room for the name: the tags and what it is, over whatever is there
            place_near(c, labels, _zone_label(z, tags, short=True), zx, zy, zr, font=BOLD,
                       force=True)  # fmt: skip
    place_near(c, labels, latin(plan.plant.name), ppx, ppy, 7, font=BOLD)
    for k, name, sx, sy in stops:
        short = name if len(name) <= 34 else name[:33].rstrip() + "…"
        place_near(c, labels, latin(f"{k} {short}"), sx, sy, _STOP_R)
    _road_names(c, mb, labels, route_names, named)
    c.restoreState()
    c.setStrokeGray(0)
    c.setLineWidth(0.8)
    c.rect(mb.x, mb.y, mb.w, mb.h, stroke=1, fill=0)


def _length(parts: list[tuple[np.ndarray, np.ndarray]]) -> float:
    return sum(float(np.hypot(np.diff(x), np.diff(y)).sum()) for x, y in parts)


def _scale_and_north(c: Any, mb: MapBox, labels: Labels) -> None:
    width_m = mb.w / mb.scale
    bar_m = min((b for b in (100, 200, 500, 1000, 2000, 5000, 10000) if b >= width_m / 7),
                default=10000)  # fmt: skip
    x, y = mb.x + 10, mb.y + 12
    length = bar_m * mb.scale
    c.setFillGray(1)
    c.rect(x - 4, y - 5, length + 8, 19, stroke=0, fill=1)
    labels.take(box(x - 4, y - 5, x + length + 4, y + 14))
    c.setStrokeGray(0)
    c.setLineWidth(3.5)
    c.setLineCap(0)
    c.line(x, y, x + length, y)
    c.setFillGray(0)
    c.setFont(FONT, MIN_PT)
    text = f"{fmt_num(bar_m / 1000, 1)} km" if bar_m < 1000 else f"{bar_m // 1000} km"
    c.drawCentredString(x + length / 2, y + 4, text)
    nx, ny = mb.x + mb.w - 16, mb.y + mb.h - 30
    c.setFillGray(1)
    c.rect(nx - 8, ny - 3, 16, 28, stroke=0, fill=1)
    labels.take(box(nx - 8, ny - 3, nx + 8, ny + 25))
    c.setFillGray(0)
    path = c.beginPath()
    path.moveTo(nx, ny + 16)
    path.lineTo(nx - 5, ny + 4)
    path.lineTo(nx + 5, ny + 4)
    path.close()
    c.drawPath(path, stroke=0, fill=1)
    c.setFont(BOLD, 10)
    c.drawCentredString(nx, ny - 1, "N")
    c.setFont(FONT, MIN_PT)
    attribution = latin(_("roads: © OpenStreetMap contributors (ODbL), 2019 extract"))
    w = text_width(attribution)
    c.setFillGray(1)
    c.rect(mb.x + mb.w - w - 6, mb.y + 1, w + 5, 10, stroke=0, fill=1)
    labels.take(box(mb.x + mb.w - w - 6, mb.y, mb.x + mb.w, mb.y + 11))
    c.setFillGray(0)
    c.drawRightString(mb.x + mb.w - 3, mb.y + 3.5, attribution)
