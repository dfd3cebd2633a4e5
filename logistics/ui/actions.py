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

from logistics import i18n
from logistics.i18n import N_, _, fmt_int, fmt_num, ngettext
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
    in_session_language,
    load_into_state,
    map_path_of,
    parse_upload,
    rebase_editors,
    section_of,
)


@in_session_language
def on_pick_file() -> None:
    ss = st.session_state
    new_action()
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


@in_session_language
def on_reset() -> None:
    ss = st.session_state
    new_action()
    load_into_state(scenario_from_dict(ss.origin), ss.sc_label, uploaded=ss.sc_uploaded)


@in_session_language
def on_language() -> None:
    """The page's language changed: keep every edit (the tables are re-made with them)."""
    rebase_editors()


def new_action() -> None:
    """An action starts: the banners of earlier actions go (a blockade added, a plan that
    failed, an upload refused, what the last edit cut off), and the map gets a new key so
    its old selection, which dims everything else, is dropped."""
    ss = st.session_state
    ss.blockade_msg = None
    ss.plan_error = None
    ss.upload_error = None
    ss.cut_delta = None
    ss.map_gen = ss.get("map_gen", 0) + 1


def try_blockades(new: list[dict], done: tuple[str, dict[str, Any]]) -> None:
    """Apply a new blockade list if the scenario still builds; else say why, change nothing.

    ``done`` is the message to show (an English msgid and its values: it is written in the
    page's language when shown, so a language switch rewrites it too).
    """
    ss = st.session_state
    new_action()
    cand = scenario_from_text(ss.sc_yaml).model_dump(mode="json", exclude_none=True)
    cand["blockades"] = new
    try:
        check_buildable(scenario_from_dict(cand))
    except SenkataError as exc:
        ss.blockade_msg = ("error", (err_line(exc), {}))
        return
    ss.blockades = new
    ss.blockade_msg = ("ok", done)


def add_blockade(entry: dict) -> None:
    ss = st.session_state
    entry = dict(entry, id=deck.next_blockade_id(b["id"] for b in ss.blockades))
    if "way_ids" in entry:
        msg = (
            N_("Added closed blockade {id} on {name}")
            if entry["status"] == "closed"
            else N_("Added permit blockade {id} on {name}")
        )
        values = {"id": entry["id"], "name": entry.get("name") or _("the road")}
    else:
        msg = (
            N_("Added closed blockade {id} at ({lat}, {lon}), radius {radius} m")
            if entry["status"] == "closed"
            else N_("Added permit blockade {id} at ({lat}, {lon}), radius {radius} m")
        )
        values = {
            "id": entry["id"],
            "lat": f"{entry['lat']:.5f}",
            "lon": f"{entry['lon']:.5f}",
            "radius": f"{entry['radius_m']:g}",
        }
    try_blockades([*ss.blockades, entry], (msg, values))


@in_session_language
def add_from_pick(lat: float, lon: float, label: str) -> None:
    ss = st.session_state
    status = ss["pick.status"]
    add_blockade(
        deck.circle_blockade(
            "new", lat, lon, ss["pick.radius"], status, ss["pick.delay"], name=label[:150]
        )
    )


@in_session_language
def add_way_from_pick(way: int, label: str) -> None:
    ss = st.session_state
    add_blockade(
        deck.way_blockade("new", way, ss["pick.status"], ss["pick.delay"], name=label[:150])
    )


@in_session_language
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


@in_session_language
def lift_blockade(bid: str) -> None:
    ss = st.session_state
    try_blockades(
        [b for b in ss.blockades if b["id"] != bid], (N_("Lifted blockade {id}"), {"id": bid})
    )


@in_session_language
def set_excluded(name: str, excluded: bool) -> None:
    ss = st.session_state
    new_action()
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
    new_action()
    limit = sc.solver.time_limit_s
    box: dict[str, Any] = {}
    # the worker speaks the page's language (its notes, its errors)
    job = i18n.in_this_language(_solve_job)
    worker = threading.Thread(target=job, args=(problem, sc, box), daemon=True)
    t0 = time.monotonic()
    worker.start()
    secs = f"{limit:g}"
    with st.status(
        _("Planning: looking for routes for up to {seconds} s...").format(seconds=secs),
        expanded=True,
    ) as status:
        bar = st.progress(0.0, text=_("preparing the trucks and the points..."))
        while worker.is_alive():
            worker.join(0.5)
            el = time.monotonic() - t0
            bar.progress(
                min(el / (limit + 3.0), 0.99),
                text=_("looking for routes... {elapsed} s of up to {seconds} s").format(
                    elapsed=fmt_int(el), seconds=secs
                ),
            )
        el = time.monotonic() - t0
        if "error" in box:
            status.update(label=_("Planning failed"), state="error")
            exc = box["error"]
            ss.plan_error = (
                err_line(exc) if isinstance(exc, SenkataError) else f"{type(exc).__name__}: {exc}",
                None if isinstance(exc, SenkataError) else box.get("trace"),
            )
            return
        bar.progress(1.0, text=_("done in {seconds} s").format(seconds=fmt_num(el, 1)))
        status.update(
            label=_("Plan ready in {seconds} s").format(seconds=fmt_num(el, 1)),
            state="complete",
            expanded=False,
        )
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
            "blockades": nb,
            "at": f"{dt.datetime.now():%H:%M:%S}",
        },
    ]
    ss.plan_error = None


def plan_label(rec: dict[str, Any]) -> str:
    """A session plan as the comparison lists it, in the page's language."""
    plan: Plan = rec["plan"]
    nb = rec["blockades"]
    return ngettext(
        "#{n} plan {plan_id}: {cylinders} cylinders, {km} km, {blockades} blockade ({at})",
        "#{n} plan {plan_id}: {cylinders} cylinders, {km} km, {blockades} blockades ({at})",
        nb,
    ).format(
        n=rec["n"],
        plan_id=plan.plan_id(),
        cylinders=fmt_int(plan.delivered),
        km=fmt_int(plan.km),
        blockades=nb,
        at=rec["at"],
    )
