"""Comparing two plans of the session: stops, districts and the roads only one of them drives."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from logistics.i18n import _, fmt_int, in_this_language
from logistics.ops import change_name, diff_plans
from logistics.plan import reason_text
from logistics.ui import deck, map_base, map_blockade, map_plan, style
from logistics.ui.actions import plan_label
from logistics.ui.state import cached_network, cached_problem, cached_roads


def _summary_table(d) -> pd.DataFrame:
    rows = d.summary_rows()
    return pd.DataFrame(
        [
            {
                "": r[""],
                _("plan A"): r["plan A"],
                _("plan B"): r["plan B"],
                _("change"): r["change"],
            }
            for r in rows
        ]
    )


def show_compare() -> None:
    ss = st.session_state
    st.header(_("Compare plans"))
    if len(ss.plans) < 2:
        st.caption(
            _("Plan twice (for example before and after adding a blockade) to compare them here.")
        )
        return
    by_n = {r["n"]: r for r in ss.plans}
    ns = list(by_n)
    latest = ns[-1]
    c1, c2 = st.columns(2)
    label = in_this_language(lambda n: plan_label(by_n[n]))  # Streamlit may call it elsewhere
    na = c1.selectbox(
        _("Plan A (before)"),
        ns,
        index=len(ns) - 2,
        format_func=label,
        key=f"cmp.a.{latest}",
    )
    nb = c2.selectbox(
        _("Plan B (after)"),
        ns,
        index=len(ns) - 1,
        format_func=label,
        key=f"cmp.b.{latest}",
    )
    a, b = by_n[na], by_n[nb]
    d = diff_plans(a["plan"], b["plan"])
    counts = d.counts()
    st.markdown(
        _(
            "Stops: **{gone}** no longer served, **{new}** newly served, **{moved}** moved to "
            "another truck, **{other}** with other amounts."
        ).format(
            gone=fmt_int(counts["disappeared"]),
            new=fmt_int(counts["appeared"]),
            moved=fmt_int(counts["moved"]),
            other=fmt_int(counts["cylinders"]),
        )
    )
    left, right = st.columns(2)
    with left:
        st.table(_summary_table(d), hide_index=True)
        st.table(
            pd.DataFrame(
                [
                    {_("why not fully served"): reason_text(r), _("plan A"): x, _("plan B"): y}
                    for r, (x, y) in d.reasons.items()
                ]
            ),
            hide_index=True,
        )
    with right:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        _("area"): g.group,
                        _("delivered A"): g.delivered_a,
                        _("delivered B"): g.delivered_b,
                        _("change"): g.delta,
                    }
                    for g in d.groups
                ]
            ),
            hide_index=True,
        )
        if d.stops:
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            _("change"): change_name(s.change),
                            _("distribution point"): s.name,
                            _("area"): s.group,
                            _("trucks A"): ", ".join(s.trucks_a),
                            _("trucks B"): ", ".join(s.trucks_b),
                            _("cylinders A"): s.cylinders_a,
                            _("cylinders B"): s.cylinders_b,
                        }
                        for s in d.stops
                    ]
                ),
                hide_index=True,
            )
    net = cached_network(b["map"])
    problem_b = cached_problem(b["yaml"], b["map"])
    layers = [
        map_base.roads_layer(cached_roads(b["map"])),
        map_plan.pairs_layer(
            "only-a",
            map_plan.pair_paths(net, d.roads_only_a, style.ONLY_A_COLOUR, _("only in plan A")),
        ),
        map_plan.pairs_layer(
            "only-b",
            map_plan.pair_paths(net, d.roads_only_b, style.ONLY_B_COLOUR, _("only in plan B")),
        ),
        *map_blockade.blockade_layers(problem_b),
    ]
    view = map_plan.initial_view(problem_b, b["plan"])
    chart = deck.make_deck(layers, view, basemap=ss["w.basemap"])
    st.pydeck_chart(chart, height=420, key="compare-map")
    st.caption(
        _("Roads driven only in plan A (red) and only in plan B (green); blockades of plan B.")
    )
