"""What the page's buttons and callbacks do to the session: blockades, areas, planning.

Planning runs in a worker thread (no Streamlit calls there) while the page shows progress;
every change to the scenario is applied only if the scenario still builds.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import streamlit as st

from logistics.i18n import _
from logistics.model import (
    MAX_SCENARIO_BYTES,
    Scenario,
    SenkataError,
    scenario_from_dict,
    scenario_from_text,
)
from logistics.model.files import read_bytes
from logistics.plan import Plan, validate_plan
from logistics.routing import Problem, solve
from logistics.ui import deck
from logistics.ui.state import (
    KEEP_PLANS,
    SCENARIO_DIR,
    cached_problem,
    check_buildable,
    err_line,
    load_into_state,
    map_path_of,
    parse_upload,
    section_of,
)


def on_pick_file() -> None:
    ss = st.session_state
    name = Path(str(ss["w.file"])).name  # a file of scenarios/, never a path
    try:
        data = read_bytes(
            SCENARIO_DIR / name, expected=_("a scenario YAML file"), max_bytes=MAX_SCENARIO_BYTES
        )
        sc = parse_upload(name, data)
    except SenkataError as exc:
        ss.upload_error = err_line(exc)
        return
    ss.upload_error = None
    load_into_state(sc, name)


def on_reset() -> None:
    ss = st.session_state
    load_into_state(scenario_from_dict(ss.base), ss.sc_label)


def try_blockades(new: list[dict], done: str) -> None:
    """Apply a new blockade list if the scenario still builds; else say why, change nothing."""
    ss = st.session_state
    cand = scenario_from_text(ss.sc_yaml).model_dump(mode="json", exclude_none=True)
    cand["blockades"] = new
    try:
        check_buildable(scenario_from_dict(cand))
    except SenkataError as exc:
        ss.blockade_msg = ("error", err_line(exc))
        return
    ss.blockades = new
    ss.blockade_msg = ("ok", done)


def add_blockade(entry: dict) -> None:
    ss = st.session_state
    entry = dict(entry, id=deck.next_blockade_id(b["id"] for b in ss.blockades))
    where = (
        f"way {entry['way_ids'][0]}"
        if "way_ids" in entry
        else (f"({entry['lat']:.5f}, {entry['lon']:.5f}) r {entry['radius_m']:g} m")
    )
    try_blockades(
        [*ss.blockades, entry], f"added {entry['status']} blockade {entry['id']} at {where}"
    )


def add_from_pick(lat: float, lon: float, label: str) -> None:
    ss = st.session_state
    status = ss["pick.status"]
    add_blockade(
        deck.circle_blockade(
            "new", lat, lon, ss["pick.radius"], status, ss["pick.delay"], name=label[:150]
        )
    )


def add_way_from_pick(way: int, label: str) -> None:
    ss = st.session_state
    add_blockade(
        deck.way_blockade("new", way, ss["pick.status"], ss["pick.delay"], name=label[:150])
    )


def add_from_form(points: dict[str, tuple[float, float]]) -> None:
    ss = st.session_state
    if ss["f.where"] == "distribution point":
        lon, lat = points[ss["f.point"]]
    else:
        lat, lon = ss["f.lat"], ss["f.lon"]
    add_blockade(
        deck.circle_blockade(
            "new",
            lat,
            lon,
            ss["f.radius"],
            ss["f.status"],
            ss["f.delay"],
            name=ss["f.name"] or None,
        )
    )


def lift_blockade(bid: str) -> None:
    ss = st.session_state
    try_blockades([b for b in ss.blockades if b["id"] != bid], f"lifted blockade {bid}")


def set_excluded(name: str, excluded: bool) -> None:
    ss = st.session_state
    cur = [n for n in ss["w.excluded"] if n != name]
    ss["w.excluded"] = [*cur, name] if excluded else cur


def resolve_scenario(
    cand: dict, slots: dict[str, Any]
) -> tuple[Scenario, str, Problem, str | None]:
    """Validate and build the edited scenario; on an error keep the last good one.

    Returns
    -------
    (scenario, yaml text, problem, error line or None)
    """
    ss = st.session_state
    try:
        sc = scenario_from_dict(cand)
        text, problem = check_buildable(sc)
    except SenkataError as exc:
        line = err_line(exc)
        slot = slots.get(section_of(exc)) or slots["scenario"]
        slot.error(line)
        sc = scenario_from_text(ss.sc_yaml)
        return sc, ss.sc_yaml, cached_problem(ss.sc_yaml, map_path_of(sc)), line
    ss.sc_yaml = text
    return sc, text, problem, None


def _solve_job(problem: Problem, sc: Scenario, box: dict) -> None:
    """Worker thread: no Streamlit calls here, only the planner's."""
    try:
        plan = solve(problem)
        box["report"] = validate_plan(plan, sc, problem.net)
        box["plan"] = plan
    except BaseException as exc:
        box["error"] = exc
        box["trace"] = traceback.format_exc()


def run_plan(problem: Problem, sc: Scenario, text: str) -> None:
    """Solve in a background thread while the page shows progress every half second."""
    ss = st.session_state
    limit = sc.solver.time_limit_s
    box: dict[str, Any] = {}
    worker = threading.Thread(target=_solve_job, args=(problem, sc, box), daemon=True)
    t0 = time.monotonic()
    worker.start()
    with st.status(f"Planning: searching routes for up to {limit:g} s...", expanded=True) as status:
        bar = st.progress(0.0, text="building the routing model...")
        while worker.is_alive():
            worker.join(0.5)
            el = time.monotonic() - t0
            bar.progress(
                min(el / (limit + 3.0), 0.99), text=f"searching... {el:.0f} s of up to {limit:g} s"
            )
        el = time.monotonic() - t0
        if "error" in box:
            status.update(label="Planning failed", state="error")
            exc = box["error"]
            ss.plan_error = (
                err_line(exc) if isinstance(exc, SenkataError) else f"{type(exc).__name__}: {exc}",
                None if isinstance(exc, SenkataError) else box.get("trace"),
            )
            return
        bar.progress(1.0, text=f"done in {el:.1f} s")
        status.update(label=f"Plan ready in {el:.1f} s", state="complete", expanded=False)
    plan: Plan = box["plan"]
    report = box["report"]
    n = (ss.plans[-1]["n"] + 1) if ss.plans else 1
    nb = len(sc.blockades)
    ss.plans = [
        *ss.plans[-(KEEP_PLANS - 1) :],
        {
            "n": n,
            "plan": plan,
            "ok": report.ok,
            "errors": list(report.errors),
            "checked": report.checked_trips,
            "yaml": text,
            "map": map_path_of(sc),
            "label": f"#{n} plan {plan.plan_id()}: {plan.delivered:,} cyl., {plan.km:,.0f} km, "
            f"{nb} blockade{'s' if nb != 1 else ''} ({dt.datetime.now():%H:%M:%S})",
        },
    ]
    ss.plan_error = None
