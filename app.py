"""Senkata supply planner: plan a shift on the map, in the browser.

Run it from the checkout (offline; no tile server is needed)::

    .venv/bin/streamlit run app.py

This file only wires the page together: the panels, map layers and actions live in
:mod:`logistics.ui`, and planning is the same chain of calls the ``senkata plan`` command
makes (:func:`~logistics.routing.build_problem`, :func:`~logistics.routing.solve`,
:func:`~logistics.plan.validate_plan`).

State: everything a user edits lives in ``st.session_state`` (one per browser session), so
two people planning at once never see each other's edits. The road network and the built
problems are cached read-only with ``st.cache_resource``, keyed by the map and by the
scenario's YAML text; nothing cached is ever mutated.
"""

from __future__ import annotations

import traceback

import streamlit as st

from logistics.ui.actions import resolve_scenario, run_plan
from logistics.ui.compare import show_compare
from logistics.ui.downloads import show_downloads
from logistics.ui.map_panel import blockade_panel, draw_map, pick_panel, reach_panel
from logistics.ui.results import show_results
from logistics.ui.sidebar import sidebar_edits, sidebar_scenario
from logistics.ui.state import cached_areas, init_state


def main() -> None:
    st.set_page_config(page_title="Senkata LPG planner", layout="wide", page_icon=":fuelpump:")
    init_state()
    ss = st.session_state
    _, area_names = cached_areas()
    slots = sidebar_scenario()
    cand = sidebar_edits(slots, area_names)

    st.title("Senkata LPG supply planner")
    msg_slot = st.empty()
    sc, text, problem, edit_error = resolve_scenario(cand, slots)
    if edit_error:
        msg_slot.error(
            f"Last edit not applied: {edit_error}. The map and plans use the last valid scenario."
        )
    st.caption(f"{sc.name} ({ss.sc_label}); map: {problem.net.source.split('/')[-1]}")

    pts = problem.points
    n_cut = sum(1 for r in problem.pre_unserved.values() if r.startswith("unreachable"))
    active = [t for t in problem.trucks if t.commission is not None]
    c = st.columns(6)
    c[0].metric("Distribution points", len(pts), help="named OSM stops and priority sites")
    c[1].metric("Eligible / routable", f"{sum(p.eligible for p in pts)} / {len(problem.routable)}")
    c[2].metric("Cut off", n_cut, help="unreachable because of blockades or the map")
    c[3].metric("Eligible ration", f"{sum(p.ration for p in pts if p.eligible):,}")
    c[4].metric("Stock", f"{sc.plant.stock:,}")
    c[5].metric("Trucks guarded", f"{len(active)}/{len(problem.trucks)}")

    b1, b2 = st.columns([1, 5])
    go = b1.button("Plan", type="primary", key="plan", width="stretch")
    b2.caption(
        f"Search up to {sc.solver.time_limit_s:g} s (sidebar: Search), seed {sc.solver.seed}; "
        "the plan is re-checked by the independent validator."
    )
    if go:
        run_plan(problem, sc, text)
    if ss.plan_error:
        line, trace = ss.plan_error
        st.error(f"Planning failed: {line}" + (" (the last plan is kept)" if ss.plans else ""))
        if trace:
            with st.expander("details"):
                st.code(trace)
    rec = ss.plans[-1] if ss.plans else None

    left, right = st.columns([3, 1.35])
    with left:
        event = draw_map(problem, sc, rec)
    with right:
        pick_panel(event, problem)
        blk_msg = st.empty()
        blockade_panel(problem, blk_msg)
        reach_panel(problem, text)

    if rec is not None:
        show_results(rec, text)
    else:
        st.info("Press **Plan** to plan the shift.")
    show_compare()
    show_downloads(rec, sc, text)


try:
    main()
except Exception as exc:
    st.error(f"Something went wrong: {type(exc).__name__}: {str(exc)[:300]}")
    with st.expander("details"):
        st.code(traceback.format_exc())
