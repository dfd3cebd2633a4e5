"""The map panel: the deck on the page, its legend, and what a click on it offers.

Also the blockade list and form, and which points the blockades (or the map) cut off.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
import streamlit as st

from logistics.i18n import N_, _, fmt_int, ngettext
from logistics.model import Scenario
from logistics.plan import area_of, reason_text
from logistics.routing import Problem
from logistics.ui import deck, map_base, map_blockade, map_plan, style
from logistics.ui.actions import (
    add_from_form,
    add_from_pick,
    add_way_from_pick,
    lift_blockade,
    set_excluded,
)
from logistics.ui.state import (
    cached_areas,
    cached_assumed,
    cached_network,
    cached_roads,
    map_path_of,
    named,
)

#: What a click picked (:attr:`deck.MapPick.kind`), in words.
PICK_NAMES = {
    "road": N_("road"),
    "point": N_("distribution point"),
    "blockade": N_("blockade"),
    "plant": N_("plant"),
    "stop": N_("stop of a trip"),
}
#: Blockade statuses (scenario codes) in words.
STATUS_NAMES = {"closed": N_("closed"), "permit": N_("permit (checkpoint with a delay)")}
PLACE_NAMES = {"coordinates": N_("coordinates"), "distribution point": N_("distribution point")}


def legend_html(problem: Problem) -> str:
    def sw(rgb: list[int], text: str, shape: str = "square") -> str:
        r = "50%" if shape == "dot" else "2px"
        c = f"rgb({rgb[0]},{rgb[1]},{rgb[2]})"
        return (
            f'<span style="display:inline-block;width:11px;height:11px;background:{c};'
            f'border-radius:{r};margin:0 4px 0 10px;vertical-align:middle"></span>{text}'
        )

    def symbol(status: str, text: str) -> str:
        return (
            f'<img src="{map_blockade.symbol_url(status)}" alt="" width="16" height="16" '
            f'style="margin:0 4px 0 10px;vertical-align:middle">{text}'
        )

    colours = style.group_colours(p.group for p in problem.points)
    parts = [
        sw(style.ROAD_COLOUR, _("road")),
        sw(style.ASSUMED_COLOUR, _("assumed road link (dashed)")),
        sw(style.PLANT_COLOUR, _("plant"), "dot"),
        symbol("closed", _("closed blockade")),
        symbol("permit", _("blockade with controlled crossing")),
        sw([225, 120, 120], _("excluded area")),
        sw([170, 170, 170], _("excluded point (red ring)"), "dot"),
        sw([15, 15, 15], _("cut off (X)"), "dot"),
    ]
    groups = [sw(c, html.escape(area_of(g)), "dot") for g, c in colours.items()]
    return (
        '<div style="font-size:0.8rem;line-height:1.7">'
        + "".join(parts)
        + "<br>"
        + _("distribution points by area:")
        + "".join(groups)
        + "</div>"
    )


def draw_map(problem: Problem, sc: Scenario, rec: dict | None) -> Any:
    ss = st.session_state
    mp = map_path_of(sc)
    net = cached_network(mp)
    shapes, _names = cached_areas()
    access = problem.net.plant_access or (sc.plant.lon, sc.plant.lat, 0.0)
    links, returns = cached_assumed(mp, access)
    layers = [
        *map_base.area_layers(shapes, sc.eligibility),
        map_base.roads_layer(cached_roads(mp)),
        *map_base.assumed_layers(links, returns if ss["w.returns"] else []),
        *map_blockade.blockade_layers(problem),
        *map_plan.point_layers(map_plan.points_data(problem)),
        *map_plan.plant_layers(sc.plant.lon, sc.plant.lat, sc.plant.name),
    ]
    if rec is not None and ss["w.routes"]:
        layers += map_plan.route_layers(rec["plan"], net)
    view = map_plan.initial_view(problem, rec["plan"] if rec is not None else None)
    chart = deck.make_deck(layers, view, basemap=ss["w.basemap"])
    event = st.pydeck_chart(
        chart,
        on_select="rerun",
        selection_mode="single-object",
        # a new key after every action (actions.new_action) drops the old selection, which
        # would leave the rest of the map dimmed
        key=f"map-{ss.get('map_gen', 0)}",
        height=640,
        alt=_("Road map with the plant, distribution points, blockades and planned trips"),
    )
    st.markdown(legend_html(problem), unsafe_allow_html=True)
    with st.expander(_("Map details"), key="map.details"):
        st.caption(
            _("map file {file} (sha256 {sha}...); drawn from our own data, no tile server").format(
                file=net.source.split("/")[-1], sha=net.source_sha256[:12]
            )
        )
        st.caption(
            _("map layers: {layers}").format(layers=", ".join(layer.id for layer in chart.layers))
        )
    return event


def pick_panel(event: Any, problem: Problem) -> None:
    """Actions for what was clicked on the map."""
    ss = st.session_state
    sel = dict(event.selection) if event is not None and "selection" in event else None
    pick = deck.pick_from_selection(sel)
    st.subheader(_("On the map"))
    if pick is None:
        st.caption(
            _(
                "Click a road, a distribution point or a blockade on the map to act on it "
                "(block a road, exclude a zone, lift a blockade)."
            )
        )
        return
    kind = _(PICK_NAMES.get(pick.kind, pick.kind))
    if pick.name:
        st.markdown(f"**{kind}**: **{pick.name}**")
        st.caption(pick.label)
    else:
        st.markdown(f"**{kind}**: {pick.label}")
    details = [] if pick.way is None else [_("OSM way {way}").format(way=pick.way)]
    if pick.lat is not None and pick.lon is not None:
        details.append(f"{pick.lat:.5f}, {pick.lon:.5f}")
    if details:
        st.caption(" · ".join(details))
    if pick.kind in ("road", "point", "stop") and pick.lat is not None and pick.lon is not None:
        c1, c2, c3 = st.columns(3)
        c1.radio(
            _("Blockade"),
            ["closed", "permit"],
            format_func=named(STATUS_NAMES),
            key="pick.status",
        )
        c2.number_input(_("Radius (m)"), 5.0, 5000.0, 60.0, step=10.0, key="pick.radius")
        c3.number_input(
            _("Delay at the checkpoint (min)"), 1.0, 600.0, 20.0, step=5.0, key="pick.delay"
        )
        name = pick.name or pick.label.split(" (")[0].split(" · ")[0]
        st.button(
            _("Add blockade here"),
            key="pick.add",
            on_click=add_from_pick,
            args=(pick.lat, pick.lon, name),
            type="primary",
        )
        if pick.way is not None:
            st.button(
                _("Block the whole street"),
                key="pick.way",
                on_click=add_way_from_pick,
                args=(pick.way, name),
                help=_("Every segment of OSM way {way}").format(way=pick.way),
            )
    if (
        pick.kind == "blockade"
        and pick.blockade_id
        and any(b["id"] == pick.blockade_id for b in ss.blockades)
    ):
        st.button(
            _("Lift blockade {id}").format(id=pick.blockade_id),
            key="pick.lift",
            on_click=lift_blockade,
            args=(pick.blockade_id,),
        )
    if pick.kind == "point" and pick.point_id:
        p = next((q for q in problem.points if q.id == pick.point_id), None)
        if p is not None and p.zone:
            toggle_area_buttons(p.zone, p.district)
        elif p is not None and p.district:
            toggle_area_buttons(p.district, None)


def toggle_area_buttons(name: str, parent: str | None) -> None:
    excluded = set(st.session_state["w.excluded"])
    for n in [name, parent] if parent else [name]:
        if n in excluded:
            st.button(
                _("Make {area} eligible again").format(area=n),
                key=f"pick.incl.{n}",
                on_click=set_excluded,
                args=(n, False),
            )
        else:
            st.button(
                _("Exclude {area}").format(area=n),
                key=f"pick.excl.{n}",
                on_click=set_excluded,
                args=(n, True),
            )


def blockade_panel(problem: Problem, slot_msg: Any) -> None:
    ss = st.session_state
    st.subheader(_("Blockades"))
    if ss.blockade_msg:
        kind, (text, values) = ss.blockade_msg
        if kind == "error":
            slot_msg.error(_("Blockade not changed: {error}").format(error=text))
        else:
            slot_msg.success(_(text).format(**values))
    effects = {e.blockade.id: e for e in problem.blockades}
    if not ss.blockades:
        st.caption(_("No blockades."))
    for b in ss.blockades:
        eff = effects.get(b["id"])
        what = (
            _("closed")
            if b.get("status", "closed") == "closed"
            else _("permit, {minutes} min at the checkpoint").format(
                minutes=f"{b.get('delay_minutes', 0):g}"
            )
        )
        where = (
            _("the whole street")
            if "way_ids" in b
            else _("radius {radius} m").format(radius=f"{b['radius_m']:g}")
        )
        n = len(eff.edges) if eff is not None else 0
        c1, c2 = st.columns([3, 1.3])  # room for "Levantar"
        c1.markdown(
            _("**{id}** {name} ({what}, {where}, {n} road segments)").format(
                id=b["id"], name=b.get("name", ""), what=what, where=where, n=fmt_int(n)
            )
        )
        c2.button(_("Lift"), key=f"lift.{b['id']}", on_click=lift_blockade, args=(b["id"],))
    with st.form("blockade-form"):
        st.markdown(_("**Add a blockade** by coordinates or at a distribution point"))
        st.radio(
            _("Where"),
            ["coordinates", "distribution point"],
            format_func=named(PLACE_NAMES),
            key="f.where",
            horizontal=True,
        )
        pts = {p.id: (p.lon, p.lat) for p in problem.points}
        names = {p.id: f"{p.name} ({p.group})" for p in problem.points}
        st.selectbox(
            _("Distribution point"),
            list(pts),
            format_func=lambda k: names.get(k, k),
            key="f.point",
        )
        c1, c2 = st.columns(2)
        view = deck.view_for(problem.net)
        lon0, lat0 = view.longitude, view.latitude
        c1.number_input(
            _("Latitude"), -90.0, 90.0, round(lat0, 5), step=0.0001, format="%.6f", key="f.lat"
        )
        c2.number_input(
            _("Longitude"),
            -180.0,
            180.0,
            round(lon0, 5),
            step=0.0001,
            format="%.6f",
            key="f.lon",
        )
        c1.number_input(_("Radius (m)"), 1.0, 5000.0, 80.0, step=10.0, key="f.radius")
        c2.selectbox(
            _("Blockade"), ["closed", "permit"], format_func=named(STATUS_NAMES), key="f.status"
        )
        c1.number_input(
            _("Delay at the checkpoint (min)"), 1.0, 600.0, 20.0, step=5.0, key="f.delay"
        )
        c2.text_input(_("Name (optional)"), key="f.name", max_chars=150)
        st.form_submit_button(
            _("Add blockade"), on_click=add_from_form, args=(pts,), key="f.submit"
        )


def reach_panel(problem: Problem, text: str) -> None:
    """Which points the blockades (or the map) cut off, and what the last edit changed."""
    ss = st.session_state
    cut = {pid: r for pid, r in problem.pre_unserved.items() if r.startswith("unreachable")}
    if ss.cut_yaml != text:
        if ss.cut_yaml is not None:
            before = ss.cut_prev
            ss.cut_delta = (sorted(set(cut) - before), sorted(before - set(cut)))
        ss.cut_yaml, ss.cut_prev = text, set(cut)
    names = {p.id: p for p in problem.points}
    st.subheader(_("Cut off"))
    st.markdown(
        ngettext(
            "**Cut off by blockades or the map: {n} distribution point**",
            "**Cut off by blockades or the map: {n} distribution points**",
            len(cut),
        ).format(n=fmt_int(len(cut)))
    )
    if ss.cut_delta:
        new, reopened = ss.cut_delta
        if new:
            st.warning(
                _("Newly cut off by the last edit: {points}").format(
                    points=", ".join(names[k].name for k in new if k in names)
                )
            )
        if reopened:
            st.success(
                _("Reachable again: {points}").format(
                    points=", ".join(names[k].name for k in reopened if k in names)
                )
            )
    if cut:
        st.table(
            pd.DataFrame(
                [
                    {
                        _("distribution point"): names[k].name,
                        _("area"): names[k].group,
                        _("ration"): names[k].ration,
                        _("why"): reason_text(r, names[k].group),
                    }
                    for k, r in sorted(cut.items(), key=lambda kv: (kv[1], names[kv[0]].group))
                ]
            ),
            hide_index=True,
        )
