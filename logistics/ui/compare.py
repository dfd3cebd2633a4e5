"""Comparing two plans of the session: stops, districts and the roads only one of them drives."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from logistics.ops import diff_plans
from logistics.ui import deck, map_base, map_plan, style
from logistics.ui.state import cached_network, cached_problem, cached_roads


def show_compare() -> None:
    ss = st.session_state
    st.header("Compare plans")
    if len(ss.plans) < 2:
        st.caption(
            "Plan twice (for example before and after adding a blockade) to compare them here."
        )
        return
    by_n = {r["n"]: r for r in ss.plans}
    ns = list(by_n)
    latest = ns[-1]
    c1, c2 = st.columns(2)
    na = c1.selectbox(
        "Plan A (before)",
        ns,
        index=len(ns) - 2,
        format_func=lambda n: by_n[n]["label"],
        key=f"cmp.a.{latest}",
    )
    nb = c2.selectbox(
        "Plan B (after)",
        ns,
        index=len(ns) - 1,
        format_func=lambda n: by_n[n]["label"],
        key=f"cmp.b.{latest}",
    )
    a, b = by_n[na], by_n[nb]
    d = diff_plans(a["plan"], b["plan"])
    counts = d.counts()
    st.markdown(
        f"Stops: **{counts['disappeared']}** no longer served, **{counts['appeared']}** newly "
        f"served, **{counts['moved']}** moved to another truck, **{counts['cylinders']}** with "
        "other amounts."
    )
    left, right = st.columns(2)
    with left:
        st.table(pd.DataFrame(d.summary_rows()), hide_index=True)
        st.table(
            pd.DataFrame(
                [
                    {"unserved reason": r, "plan A": x, "plan B": y}
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
                        "area": g.group,
                        "delivered A": g.delivered_a,
                        "delivered B": g.delivered_b,
                        "change": g.delta,
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
                            "change": s.change,
                            "point": s.name,
                            "area": s.group,
                            "trucks A": ", ".join(s.trucks_a),
                            "trucks B": ", ".join(s.trucks_b),
                            "cyl. A": s.cylinders_a,
                            "cyl. B": s.cylinders_b,
                        }
                        for s in d.stops
                    ]
                ),
                hide_index=True,
            )
    net = cached_network(b["map"])
    layers = [
        map_base.roads_layer(cached_roads(b["map"])),
        map_plan.pairs_layer(
            "only-a", map_plan.pair_paths(net, d.roads_only_a, style.ONLY_A_COLOUR, "only in A")
        ),
        map_plan.pairs_layer(
            "only-b", map_plan.pair_paths(net, d.roads_only_b, style.ONLY_B_COLOUR, "only in B")
        ),
        *map_plan.blockade_layers(cached_problem(b["yaml"], b["map"])),
    ]
    chart = deck.make_deck(layers, deck.view_for(net), basemap=ss["w.basemap"])
    st.pydeck_chart(chart, height=420, key="compare-map")
    st.caption("Roads driven only in plan A (red) and only in plan B (green); blockades of plan B.")
