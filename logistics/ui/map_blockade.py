"""Blockades on the map: a symbol per kind, the circle they cover and the roads they touch.

A closed blockade is a black octagon with a white bar (a "no entry" sign); a blockade with
controlled passage (permit) is a yellow diamond with a black border and a black ``!`` (a
warning sign). Black and that yellow are in no district's colour (:data:`style.GROUP_PALETTE`),
and the two symbols differ in shape and in lightness, so they read apart in greyscale and
to a colour-blind eye too. The symbols are small SVG images inside the page (``data:``
URLs): nothing is downloaded.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import numpy as np
import pydeck as pdk

from logistics.i18n import _, fmt_int
from logistics.ui.style import CLOSED_COLOUR, PERMIT_COLOUR, Colour, _r

if TYPE_CHECKING:  # pragma: no cover
    from logistics.routing import Problem

#: Size of a symbol on the map: metres, kept between these pixel sizes at every zoom.
SYMBOL_METRES = 150
SYMBOL_MIN_PX = 24
SYMBOL_MAX_PX = 44


def _hex(c: Colour) -> str:
    return "#{:02x}{:02x}{:02x}".format(*c[:3])


#: The symbols' drawings (64 x 64 SVG).
SYMBOL_SVG = {
    "closed": (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
        '<polygon points="19,2 45,2 62,19 62,45 45,62 19,62 2,45 2,19" '
        f'fill="{_hex(CLOSED_COLOUR)}" stroke="#ffffff" stroke-width="4"/>'
        '<rect x="12" y="26" width="40" height="12" fill="#ffffff"/></svg>'
    ),
    "permit": (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
        f'<polygon points="32,3 61,32 32,61 3,32" fill="{_hex(PERMIT_COLOUR)}" '
        'stroke="#111111" stroke-width="5"/>'
        '<rect x="28.5" y="16" width="7" height="21" fill="#111111"/>'
        '<rect x="28.5" y="41" width="7" height="7" fill="#111111"/></svg>'
    ),
}


def symbol_url(status: str) -> str:
    """The ``data:`` URL of a blockade status's symbol (``closed`` or ``permit``)."""
    svg = SYMBOL_SVG["closed" if status == "closed" else "permit"]
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _icon(status: str) -> dict[str, Any]:
    kind = "closed" if status == "closed" else "permit"
    return {"id": kind, "url": symbol_url(kind), "width": 64, "height": 64, "anchorY": 32}


def blockades_data(problem: Problem) -> tuple[list[dict], list[dict], list[dict]]:
    """Blockade circles, their symbols' positions and the road edges they touch.

    Returns
    -------
    (zones, markers, roads)
        ``zones``: circle blockades (``radius_m``); ``markers``: one per blockade (the
        circle's centre, or the middle of a way blockade's edges) with its ``status`` and
        ``icon``; ``roads``: the touched edges as paths. Every entry carries the blockade
        ``id`` so a click can lift it.
    """
    net = problem.net
    zones, markers, roads = [], [], []
    for eff in problem.blockades:
        b = eff.blockade
        colour = CLOSED_COLOUR if b.status == "closed" else PERMIT_COLOUR
        what = (
            _("CLOSED")
            if b.status == "closed"
            else _("permit, {minutes} min at the checkpoint").format(minutes=f"{b.delay_minutes:g}")
        )
        when = f", {b.window.start}-{b.window.end}" if b.window else ""
        tip = _("blockade {id}: {name} ({what}); touches {n} road segments").format(
            id=b.id, name=b.name or "", what=what + when, n=fmt_int(len(eff.edges))
        )
        if b.lat is not None and b.lon is not None:
            lon, lat = b.lon, b.lat
            zones.append(
                {
                    "id": b.id,
                    "lon": _r(lon),
                    "lat": _r(lat),
                    "radius_m": float(b.radius_m or 0),
                    "fill": [*colour[:3], 60],
                    "line": colour,
                    "tip": tip,
                }
            )
        elif len(eff.edges):
            nodes = np.concatenate([net.edge_u[eff.edges], net.edge_v[eff.edges]])
            mid = nodes[len(nodes) // 2]
            lon, lat = float(net.lon[mid]), float(net.lat[mid])
        else:  # pragma: no cover - build_problem rejects a blockade touching nothing
            continue
        markers.append(
            {
                "id": b.id,
                "status": b.status,
                "lon": _r(lon),
                "lat": _r(lat),
                "icon": _icon(b.status),
                "tip": tip,
            }
        )
        seen: set[tuple[int, int]] = set()
        for e in eff.edges:
            u, v = int(net.edge_u[e]), int(net.edge_v[e])
            if (min(u, v), max(u, v)) in seen:
                continue
            seen.add((min(u, v), max(u, v)))
            roads.append(
                {
                    "id": b.id,
                    "path": [[_r(net.lon[u]), _r(net.lat[u])], [_r(net.lon[v]), _r(net.lat[v])]],
                    "color": colour,
                }
            )
    return zones, markers, roads


def blockade_layers(problem: Problem) -> list[pdk.Layer]:
    """Touched roads, the circles (faint) and the pickable symbols on top."""
    zones, markers, roads = blockades_data(problem)
    return [
        pdk.Layer(
            "PathLayer",
            id="blockade-roads",
            data=roads,
            get_path="path",
            get_color="color",
            get_width=25,
            width_min_pixels=6,
            cap_rounded=True,
            pickable=False,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            id="blockade-zones",
            data=zones,
            get_position=["lon", "lat"],
            get_radius="radius_m",
            radius_min_pixels=3,
            get_fill_color="fill",
            get_line_color="line",
            stroked=True,
            line_width_min_pixels=2,
            pickable=True,
        ),
        pdk.Layer(
            "IconLayer",
            id="blockade-markers",
            data=markers,
            get_icon="icon",
            get_position=["lon", "lat"],
            get_size=SYMBOL_METRES,
            size_units="'meters'",  # quoted: pydeck reads a bare string as an expression
            size_min_pixels=SYMBOL_MIN_PX,
            size_max_pixels=SYMBOL_MAX_PX,
            pickable=True,
        ),
    ]
