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
from logistics.cli.language import Typer
from logistics.i18n import N_, _, fmt_int, fmt_num
from logistics.model import InputError

maps_app = Typer(
    help=N_("The road map: what is loaded, and downloading a full one."), no_args_is_help=True
)


@maps_app.command("info", help=N_("What map is loaded, its coverage, and every assumed link."))
@_user_errors
def maps_info(
    map_file: Annotated[
        Path | None,
        typer.Option("--map", help=N_("A map file instead of the embedded extract.")),
    ] = None,
    data: DataDir = None,
) -> None:
    """What map is loaded, its coverage, and every assumed link."""
    from logistics.roads import KIND_CONNECTOR, KIND_RETURN, KIND_ROAD, load_network

    net = load_network(map_file, data=data)
    w, s, e, n = net.bounds()
    console.print(_("map: {source}").format(source=net.source), markup=False)
    console.print(
        _("covers longitude {west} .. {east}, latitude {south} .. {north}").format(
            west=fmt_num(w, 4), east=fmt_num(e, 4), south=fmt_num(s, 4), north=fmt_num(n, 4)
        )
    )
    console.print(
        _("{nodes} road nodes, {edges} one-way road segments").format(
            nodes=fmt_int(net.n_nodes), edges=fmt_int(net.n_edges)
        )
    )
    if map_file is None:
        console.print(
            _(
                "[yellow]partial map:[/yellow] 2019 OSM ways of bus/minibus routes only "
                "(© OpenStreetMap contributors, ODbL); El Alto is covered by its main "
                "corridors only"
            )
        )
    console.print(
        _("pieces before joining (road nodes each): {pieces}").format(
            pieces=", ".join(fmt_int(k) for k in net.raw_components)
        ),
        markup=False,
    )
    t = Table(title=_("Road segments by kind"))
    for col in (_("kind"), _("segments"), _("km")):
        t.add_column(col)
    for k, label in (
        (KIND_ROAD, _("OSM road")),
        (KIND_CONNECTOR, _("ASSUMED connector")),
        (KIND_RETURN, _("ASSUMED return carriageway")),
    ):
        m = net.edge_kind == k
        t.add_row(label, fmt_int(int(m.sum())), fmt_num(net.edge_length_m[m].sum() / 1000, 2))
    console.print(t)
    c = Table(
        title=_(
            "Assumed connectors (both directions; switch off with map.assumed_connectors: false)"
        )
    )
    for col in (_("from"), _("to"), _("metres")):
        c.add_column(col)
    conn = np.flatnonzero(net.edge_kind == KIND_CONNECTOR)
    for ed in conn[::2]:
        u, v = int(net.edge_u[ed]), int(net.edge_v[ed])
        c.add_row(
            f"{net.lat[u]:.5f}, {net.lon[u]:.5f}",
            f"{net.lat[v]:.5f}, {net.lon[v]:.5f}",
            fmt_int(float(net.edge_length_m[ed])),
        )
    console.print(c)
    ret = np.flatnonzero(net.edge_kind == KIND_RETURN)
    ways = Counter(int(net.edge_way[e_]) for e_ in ret)
    console.print(
        _(
            "assumed return carriageways: {edges} segments on {ways} one-way OSM ways "
            "(the reverse of one-way ways that leave no way back in the extract; "
            "switch off with map.assumed_return_links: false)"
        ).format(edges=fmt_int(len(ret)), ways=fmt_int(len(ways))),
        markup=False,
    )
    # Internal ids for whoever checks the map against OSM: kept off the headlines.
    console.print(
        _("details: map sha256 {sha}...; connectors join OSM nodes {pairs}").format(
            sha=net.source_sha256[:16],
            pairs=", ".join(
                f"{net.node_osmid[int(net.edge_u[ed])]}-{net.node_osmid[int(net.edge_v[ed])]}"
                for ed in conn[::2]
            )
            or "-",
        ),
        markup=False,
        style="dim",
    )


@maps_app.command(
    "fetch", help=N_("Download the full drivable network with osmnx (needs internet).")
)
@_user_errors
def maps_fetch(
    bbox: Annotated[
        str,
        typer.Option(
            "--bbox",
            help=N_("WEST,SOUTH,EAST,NORTH in degrees, e.g. -68.32,-16.64,-68.00,-16.44"),
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help=N_("GraphML file to write."))] = Path(
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
        raise InputError(
            "--bbox",
            _("expected WEST,SOUTH,EAST,NORTH (4 numbers), got {value}").format(value=repr(bbox)),
        )
    with console.status(_("checking the connection to Overpass...")):
        graph = fetch_graph(parts)
    path = save_graphml(graph, out)
    console.print(
        _("wrote {path} ({nodes} road nodes); use it with map.source: {path}").format(
            path=path, nodes=fmt_int(graph.number_of_nodes())
        ),
        markup=False,
    )
