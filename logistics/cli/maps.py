"""``senkata maps info|fetch``: the map that is loaded, and downloading a full one."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from logistics.cli.common import DataDir, console
from logistics.cli.common import user_errors as _user_errors
from logistics.model import InputError

maps_app = typer.Typer(
    help="The road map: what is loaded, and downloading a full one.", no_args_is_help=True
)


@maps_app.command("info")
@_user_errors
def maps_info(
    map_file: Annotated[
        Path | None, typer.Option("--map", help="A map file instead of the embedded extract.")
    ] = None,
    data: DataDir = None,
) -> None:
    """What map is loaded, its coverage, and every assumed link."""
    from logistics.roads import KIND_CONNECTOR, KIND_RETURN, KIND_ROAD, load_network

    net = load_network(map_file, data=data)
    w, s, e, n = net.bounds()
    console.print(f"map: {net.source}")
    console.print(
        f"sha256 {net.source_sha256[:16]}...  bounds lon {w:.4f}..{e:.4f}, lat {s:.4f}..{n:.4f}"
    )
    console.print(f"{net.n_nodes:,} nodes, {net.n_edges:,} directed edges")
    if map_file is None:
        console.print(
            "[yellow]partial map:[/yellow] 2019 OSM ways of bus/minibus routes only "
            "(© OpenStreetMap contributors, ODbL); El Alto is covered by its main corridors only"
        )
    console.print(f"pieces before joining (nodes each): {net.raw_components}")
    t = Table(title="Edges by kind")
    for col in ("kind", "edges", "km"):
        t.add_column(col)
    for k, label in (
        (KIND_ROAD, "OSM road"),
        (KIND_CONNECTOR, "ASSUMED connector"),
        (KIND_RETURN, "ASSUMED return carriageway"),
    ):
        m = net.edge_kind == k
        t.add_row(label, f"{int(m.sum()):,}", f"{net.edge_length_m[m].sum() / 1000:,.2f}")
    console.print(t)
    c = Table(
        title="Assumed connectors (both directions; switch off with map.assumed_connectors: false)"
    )
    for col in ("from node", "to node", "from lat,lon", "to lat,lon", "metres"):
        c.add_column(col)
    conn = np.flatnonzero(net.edge_kind == KIND_CONNECTOR)
    for ed in conn[::2]:
        u, v = int(net.edge_u[ed]), int(net.edge_v[ed])
        c.add_row(
            str(net.node_osmid[u]),
            str(net.node_osmid[v]),
            f"{net.lat[u]:.5f},{net.lon[u]:.5f}",
            f"{net.lat[v]:.5f},{net.lon[v]:.5f}",
            f"{net.edge_length_m[ed]:.0f}",
        )
    console.print(c)
    ret = np.flatnonzero(net.edge_kind == KIND_RETURN)
    ways = Counter(int(net.edge_way[e_]) for e_ in ret)
    console.print(
        f"assumed return carriageways: {len(ret):,} edges on {len(ways):,} one-way OSM ways "
        "(reverse of one-way ways that leave no way back in the extract; "
        "switch off with map.assumed_return_links: false)"
    )


@maps_app.command("fetch")
@_user_errors
def maps_fetch(
    bbox: Annotated[
        str,
        typer.Option(
            "--bbox", help="WEST,SOUTH,EAST,NORTH in degrees, e.g. -68.32,-16.64,-68.00,-16.44"
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="GraphML file to write.")] = Path(
        "maps/lapaz-elalto.graphml"
    ),
) -> None:
    """Download the full drivable network with osmnx (needs internet)."""
    from logistics.roads.osm import fetch_graph, save_graphml

    try:
        parts = tuple(float(x) for x in bbox.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 4:
        raise InputError("--bbox", f"expected WEST,SOUTH,EAST,NORTH (4 numbers), got {bbox!r}")
    with console.status("checking the connection to Overpass..."):
        graph = fetch_graph(parts)
    path = save_graphml(graph, out)
    console.print(
        f"wrote {path} ({graph.number_of_nodes():,} nodes); use it with map.source: {path}"
    )
