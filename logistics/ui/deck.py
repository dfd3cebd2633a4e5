"""The pydeck deck, what a click on it means, and blockade entries made from a click."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pydeck as pdk

from logistics.roads import TO_METRIC, RoadNetwork
from logistics.ui.style import LAYER_ORDER

if TYPE_CHECKING:  # pragma: no cover
    pass


#: Clicks and hovers pick anything within this many pixels (roads are 2-5 px wide).
PICKING_RADIUS_PX = 6


class CompactDeck(pdk.Deck):
    """A :class:`pydeck.Deck` whose JSON has no indentation (pydeck indents by 2, which
    doubles the page sent to the browser on every rerun) and a picking radius, so a click
    near a thin road still selects it."""

    def to_json(self) -> str:
        spec = json.loads(super().to_json())
        spec["pickingRadius"] = PICKING_RADIUS_PX
        return json.dumps(spec, separators=(",", ":"))


#: The box (px) every first view is fitted to: a phone's map (390 px wide, half of an
#: 844 px screen; ui/phone.py). The page cannot know the browser's size before it draws,
#: so a view that fits a phone fits a desktop's larger map too, with room around it.
FIT_WIDTH_PX = 350
FIT_HEIGHT_PX = 400


def fit_view(
    coords: Iterable[Sequence[float]],
    *,
    width_px: int = FIT_WIDTH_PX,
    height_px: int = FIT_HEIGHT_PX,
    max_zoom: float = 15.0,
) -> pdk.ViewState:
    """A view centred on ``[lon, lat]`` pairs that shows all of them in the box.

    Parameters
    ----------
    coords
        The places that must be in view (at least one).
    width_px, height_px
        The chart's size the view must fit.
    max_zoom
        Closest zoom, so a single place is not shown at street-corner scale.
    """
    arr = np.asarray([(float(c[0]), float(c[1])) for c in coords], dtype=float)
    w, s = arr.min(axis=0)
    e, n = arr.max(axis=0)
    lat = (s + n) / 2
    # Web Mercator: the world is 512 px wide at zoom 0; latitude spans stretch by 1/cos.
    dlon = max(e - w, 1e-6)
    dlat = max(n - s, 1e-6) / max(math.cos(math.radians(lat)), 0.1)
    zoom = math.log2(min(width_px * 360 / (512 * dlon), height_px * 360 / (512 * dlat)))
    zoom = min(zoom - 0.1, max_zoom)  # a little margin round the edges
    return pdk.ViewState(
        longitude=round((w + e) / 2, 6), latitude=round(lat, 6), zoom=round(zoom, 2), pitch=0
    )


def view_for(net: RoadNetwork, *, width_px: int = 700, height_px: int = 640) -> pdk.ViewState:
    """A view that fits the whole map in a ``width_px`` x ``height_px`` chart."""
    w, s, e, n = net.bounds()
    return fit_view([(w, s), (e, n)], width_px=width_px, height_px=height_px, max_zoom=22)


def make_deck(
    layers: Sequence[pdk.Layer], view: pdk.ViewState, *, basemap: bool = False
) -> CompactDeck:
    """The deck: our layers in :data:`LAYER_ORDER`, no tiles unless ``basemap``.

    ``map_provider=None`` keeps the page off the network (Streamlit would otherwise add a
    Carto basemap); with ``basemap`` a light Carto style is used, which needs internet.
    """
    rank = {name: k for k, name in enumerate(LAYER_ORDER)}
    ordered = sorted(layers, key=lambda layer: rank.get(layer.id, len(rank)))
    kwargs: dict[str, Any] = {"map_provider": None}
    if basemap:
        kwargs = {"map_provider": "carto", "map_style": "light"}
    return CompactDeck(
        layers=list(ordered),
        initial_view_state=view,
        tooltip={
            "html": "{tip}",
            "style": {"fontSize": "12px", "backgroundColor": "#222", "color": "white"},
        },
        **kwargs,
    )


def layer_ids(deck_json: str) -> list[str]:
    """Layer ids of a deck's JSON spec, bottom to top (for tests and the page caption)."""
    spec = json.loads(deck_json)
    return [str(layer.get("id")) for layer in spec.get("layers", [])]


@dataclass(frozen=True)
class MapPick:
    """What the user clicked on the map, in terms the blockade and area forms use."""

    kind: str  # road | point | blockade | plant | stop
    label: str
    lon: float | None = None
    lat: float | None = None
    way: int | None = None
    blockade_id: str | None = None
    point_id: str | None = None
    #: what the place is called (a road's name, "unnamed road near ..."), for the headline
    #: of the pick panel and a new blockade's name
    name: str | None = None


_PICK_KIND = {
    "roads": "road",
    "assumed-links": "road",
    "points": "point",
    "blockade-zones": "blockade",
    "blockade-markers": "blockade",
    "plant": "plant",
    "plan-stops": "stop",
}


def pick_from_selection(selection: Mapping[str, Any] | None) -> MapPick | None:
    """Turn Streamlit's pydeck selection (``{"objects": {layer id: [obj]}}``) into a pick.

    The most specific layer wins when several are reported (a blockade over a road).
    """
    if not selection:
        return None
    objects = selection.get("objects") or {}
    for layer in ("blockade-markers", "blockade-zones", "points", "plant", "plan-stops",
                  "roads", "assumed-links"):  # fmt: skip
        objs = objects.get(layer) or []
        if not objs:
            continue
        o = objs[0]
        kind = _PICK_KIND[layer]
        lon, lat = o.get("lon"), o.get("lat")
        path = o.get("path")
        if lon is None and isinstance(path, list) and path:  # road pieces: the middle vertex
            lon, lat = path[len(path) // 2][:2]
        lon = float(lon) if lon is not None else None
        lat = float(lat) if lat is not None else None
        if kind == "road":
            way = int(o.get("way", -1))
            name = str(o["name"]) if o.get("name") else None
            way_id = way if way >= 0 else None
            return MapPick(kind, str(o.get("tip", "road")), lon, lat, way=way_id, name=name)
        if kind == "blockade":
            return MapPick(kind, str(o.get("tip", "")), lon, lat, blockade_id=str(o.get("id")))
        if kind == "point":
            name = str(o["name"]) if o.get("name") else None
            return MapPick(
                kind, str(o.get("tip", "")), lon, lat, point_id=str(o.get("id")), name=name
            )
        return MapPick(kind, str(o.get("tip", "")), lon, lat)
    return None


def next_blockade_id(existing: Iterable[str], prefix: str = "map") -> str:
    """``map-1``, ``map-2`` ...: the first id of that form not used yet."""
    used = set(existing)
    k = 1
    while f"{prefix}-{k}" in used:
        k += 1
    return f"{prefix}-{k}"


def circle_blockade(  # noqa: PLR0917 - the fields of a blockade entry in YAML order
    bid: str,
    lat: float,
    lon: float,
    radius_m: float,
    status: str = "closed",
    delay_minutes: float = 0.0,
    name: str | None = None,
) -> dict[str, Any]:
    """A scenario ``blockades`` entry (a circle) as the YAML file would hold it."""
    out: dict[str, Any] = {"id": bid}
    if name:
        out["name"] = name
    out.update(lat=round(float(lat), 6), lon=round(float(lon), 6), radius_m=float(radius_m))
    out["status"] = status
    if status == "permit":
        out["delay_minutes"] = float(delay_minutes)
    return out


def way_blockade(
    bid: str, way: int, status: str = "closed", delay_minutes: float = 0.0, name: str | None = None
) -> dict[str, Any]:
    """A scenario ``blockades`` entry closing (or checking) one whole OSM way."""
    out: dict[str, Any] = {"id": bid}
    if name:
        out["name"] = name
    out["way_ids"] = [int(way)]
    out["status"] = status
    if status == "permit":
        out["delay_minutes"] = float(delay_minutes)
    return out


def min_distance_m(coords: Sequence[Sequence[float]], lon: float, lat: float) -> float:
    """Shortest distance (m) from ``(lon, lat)`` to a polyline of ``[lon, lat]`` pairs."""
    if not coords:
        return float("inf")
    arr = np.asarray(coords, dtype=float)
    xs, ys = TO_METRIC.transform(arr[:, 0], arr[:, 1])
    cx, cy = TO_METRIC.transform(lon, lat)
    xs, ys = np.atleast_1d(xs), np.atleast_1d(ys)
    if len(xs) == 1:
        return float(np.hypot(xs[0] - cx, ys[0] - cy))
    x0, y0, dx, dy = xs[:-1], ys[:-1], np.diff(xs), np.diff(ys)
    seg2 = dx * dx + dy * dy
    t = np.where(seg2 > 0, ((cx - x0) * dx + (cy - y0) * dy) / np.where(seg2 > 0, seg2, 1), 0)
    t = np.clip(t, 0.0, 1.0)
    return float(np.hypot(x0 + t * dx - cx, y0 + t * dy - cy).min())
