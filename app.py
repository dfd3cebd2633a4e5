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
scenario's YAML text; nothing cached is ever mutated. Each session is a desk (``?desk=``
in the URL): its work is also written as a draft in the ledger's database after each
action and read back after a reload; saved plans are shared by every desk
(:mod:`logistics.ui.desk`, :mod:`logistics.ui.library`).

Language: Spanish unless the session's switch (sidebar, "Idioma · Language") says
otherwise; it is set at the start of every run of this script (:func:`i18n.set_language`)
and the planning thread inherits it. Switching keeps the edits and the plans.
"""

from __future__ import annotations

import traceback

import streamlit as st

from logistics import i18n
from logistics.i18n import _, fmt_int
from logistics.ui.actions import resolve_scenario, run_plan
from logistics.ui.compare import show_compare
from logistics.ui.desk import init_desk, keep_draft, show_desk_status
from logistics.ui.downloads import show_downloads
from logistics.ui.library import show_library
from logistics.ui.map_panel import blockade_panel, draw_map, pick_panel, reach_panel
from logistics.ui.phone import HEADLINE_KEY, MAP_KEY, use_phone_layout
from logistics.ui.results import show_results
from logistics.ui.sidebar import sidebar_edits, sidebar_scenario
from logistics.ui.state import cached_areas, scenario_label


def _headline(sc, problem) -> None:
    """What the scenario offers before planning, in the dispatch desk's words."""
    pts = problem.points
    n_cut = sum(1 for r in problem.pre_unserved.values() if r.startswith("unreachable"))
    active = [t for t in problem.trucks if t.commission is not None]
    # two rows: the words are long in Spanish, and a narrow screen keeps them whole
    c = [*st.columns(4), *st.columns(4)]
    c[0].metric(
        _("Distribution points"),
        fmt_int(len(pts)),
        help=_("named stops on the map, and the priority sites"),
    )
    c[1].metric(
        _("Eligible points"),
        fmt_int(sum(p.eligible for p in pts)),
        help=_("points in the areas that may receive gas"),
    )
    c[2].metric(
        _("Within reach"),
        fmt_int(len(problem.routable)),
        help=_("eligible points a truck with a guard commission can reach and come back from"),
    )
    c[3].metric(
        _("Cut off"), fmt_int(n_cut), help=_("no road to them, because of blockades or the map")
    )
    c[4].metric(_("Eligible ration"), fmt_int(sum(p.ration for p in pts if p.eligible)))
    c[5].metric(_("Cylinders at the plant"), fmt_int(sc.plant.stock))
    c[6].metric(_("Trucks with a commission"), f"{len(active)}/{len(problem.trucks)}")


def main() -> None:
    ss = st.session_state
    init_desk()  # this desk's work comes back after a reload (the desk id is in the URL)
    i18n.set_language(ss["w.lang"])
    st.set_page_config(page_title=_("Senkata gas planner"), layout="wide", page_icon=":fuelpump:")
    use_phone_layout()
    with st.spinner(_("Loading the road map and placing the points...")):
        _shapes, area_names = cached_areas()
    slots = sidebar_scenario()
    cand = sidebar_edits(slots, area_names)

    st.title(_("Senkata gas supply planner"))
    show_desk_status()
    msg_slot = st.empty()
    with st.spinner(_("Loading the road map and placing the points...")):
        sc, text, problem, edit_error = resolve_scenario(cand, slots)
    if edit_error:
        msg_slot.error(
            _(
                "Last edit not applied: {error}. The map and plans use the last valid scenario."
            ).format(error=edit_error)
        )
    with st.container(key=HEADLINE_KEY):  # below the map on a phone (ui/phone.py)
        st.caption(f"{sc.name} ({scenario_label()})")
        _headline(sc, problem)

    b1, b2 = st.columns([1, 5])
    go = b1.button(_("Plan"), type="primary", key="plan", width="stretch")
    b2.caption(
        _(
            "Looks for routes for up to {seconds} s (sidebar: Route search); an independent "
            "check re-tests every rule of the plan."
        ).format(seconds=f"{sc.solver.time_limit_s:g}")
    )
    if go:
        run_plan(problem, sc, text)
    if ss.plan_error:
        line, trace = ss.plan_error
        st.error(
            _("Planning failed: {error}").format(error=line)
            + (_(" (the last plan is kept)") if ss.plans else "")
        )
        if trace:
            with st.expander(_("Details")):
                st.code(trace)
    keep_draft()  # after every action: the edits and plans survive a reload
    rec = ss.plans[-1] if ss.plans else None

    with st.container(key=MAP_KEY):
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
        st.info(_("Press **Plan** to plan the shift."))
    show_compare()
    show_library(rec is not None)
    show_downloads(rec, sc, text)


try:
    main()
except Exception as exc:
    st.error(
        _("Something went wrong: {error}").format(error=f"{type(exc).__name__}: {str(exc)[:300]}")
    )
    with st.expander(_("Details")):
        st.code(traceback.format_exc())
