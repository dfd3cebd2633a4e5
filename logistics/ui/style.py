"""Colours, layer order and drawing helpers of the map (our own data only, no tiles).

Colours
-------
* roads: grey; assumed connectors and plant-access links: orange, dashed; assumed return
  carriageways: thin dashed amber;
* distribution points: coloured by district / macrodistrict; excluded points grey with a
  red outline; points cut off by a blockade black with a white ``X``; points without a
  guard commission faded with a purple outline;
* blockades: a black "no entry" octagon (closed) or a yellow warning diamond (permit,
  controlled passage) at their centre, faint circles of their radius and the road edges
  they touch drawn thick in the same colour;
* excluded areas: red, semi-transparent;
* trips: one colour per truck.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import shapely

if TYPE_CHECKING:  # pragma: no cover
    pass


Colour = list[int]


ROAD_COLOUR: Colour = [140, 140, 140, 255]


ASSUMED_COLOUR: Colour = [255, 120, 0, 255]


RETURN_COLOUR: Colour = [230, 170, 30, 200]


#: Blockades: black (closed) and a signal yellow (permit), colours no district has; they
#: differ in lightness too, so they read apart in greyscale (ui/map_blockade.py).
CLOSED_COLOUR: Colour = [17, 17, 17, 255]


PERMIT_COLOUR: Colour = [255, 214, 0, 255]


EXCLUDED_FILL: Colour = [220, 30, 30, 60]


EXCLUDED_LINE: Colour = [200, 0, 0, 200]


AREA_LINE: Colour = [90, 90, 140, 90]


PLANT_COLOUR: Colour = [25, 25, 112, 255]


ONLY_A_COLOUR: Colour = [220, 20, 60, 255]


ONLY_B_COLOUR: Colour = [0, 150, 70, 255]


#: Distinct colours for districts (Tableau 20, dark halves first, without its greys: grey
#: means an excluded point).
GROUP_PALETTE: list[Colour] = [
    [31, 119, 180],
    [44, 160, 44],
    [148, 103, 189],
    [140, 86, 75],
    [227, 119, 194],
    [23, 190, 207],
    [188, 189, 34],
    [255, 127, 14],
    [214, 39, 40],
    [174, 199, 232],
    [152, 223, 138],
    [197, 176, 213],
    [196, 156, 148],
    [247, 182, 210],
    [158, 218, 229],
    [219, 219, 141],
    [255, 187, 120],
    [255, 152, 150],
]


#: Saturated colours for trips (one per truck, cycling); none of them grey like the roads.
TRIP_PALETTE: list[Colour] = [
    [230, 25, 75],
    [60, 180, 75],
    [0, 130, 200],
    [245, 130, 48],
    [145, 30, 180],
    [70, 200, 220],
    [240, 50, 230],
    [150, 200, 20],
    [0, 128, 128],
    [170, 110, 40],
    [128, 0, 0],
    [0, 0, 128],
    [128, 128, 0],
    [255, 200, 0],
    [100, 60, 255],
    [255, 90, 150],
]


#: Layer ids, bottom to top. The browser test waits for ``routes``.
LAYER_ORDER = (
    "areas",
    "excluded-areas",
    "roads",
    "assumed-returns",
    "assumed-links",
    "blockade-roads",
    "routes",
    "blockade-zones",
    "points",
    "unreachable-marks",
    "plan-stops",
    "plant",
    "blockade-markers",
    "labels",
    "only-a",
    "only-b",
)


#: Point status -> (fill, outline); ``None`` fill means "the point's group colour".
_STATUS_STYLE: dict[str, tuple[Colour | None, Colour]] = {
    "routable": (None, [30, 30, 30, 255]),
    "excluded-zone": ([170, 170, 170, 150], [220, 0, 0, 255]),
    "unreachable-blockade": ([15, 15, 15, 255], [255, 255, 255, 255]),
    "unreachable-map": ([15, 15, 15, 255], [255, 255, 255, 255]),
    "no-guard": (None, [150, 0, 200, 255]),
}


def _r(x: float) -> float:
    """Five decimals of a degree is about 1 m: enough for a map, and a smaller page."""
    return round(float(x), 5)


#: Drawn paths drop vertices that move them by less than this (degrees, about 1.5 m): the
#: unsimplified graph has a node every few metres, which would make the page megabytes.
DRAW_TOLERANCE_DEG = 0.000015


def simplify_path(coords: Sequence[Sequence[float]], tol: float = DRAW_TOLERANCE_DEG) -> list:
    """``[lon, lat]`` pairs with near-collinear vertices dropped (ends kept), rounded."""
    if len(coords) <= 2:
        return [[_r(x), _r(y)] for x, y in coords]
    line = shapely.simplify(shapely.LineString(coords), tol, preserve_topology=False)
    return [[_r(x), _r(y)] for x, y in line.coords]


def group_colours(groups: Iterable[str]) -> dict[str, Colour]:
    """A stable colour per reporting group (sorted names, so every page agrees).

    Parameters
    ----------
    groups
        Group names such as ``"El Alto / Distrito 8"``; repeats are fine.
    """
    names = sorted(set(groups))
    return {g: list(GROUP_PALETTE[k % len(GROUP_PALETTE)]) for k, g in enumerate(names)}


def trip_colour(truck_index: int) -> Colour:
    """Colour of every trip of the ``truck_index``-th truck of a plan."""
    return list(TRIP_PALETTE[truck_index % len(TRIP_PALETTE)])
