"""Senkata supply planner: plan a shift on the map, in the browser.

Run it from the checkout (offline; no tile server is needed)::

    .venv/bin/streamlit run app.py

The app is a thin front end. Planning is the same chain of calls the ``senkata plan``
command makes (:func:`~logistics.problem.build_problem`, :func:`~logistics.solver.solve`,
:func:`~logistics.plan.validate_plan`); the map layers come from :mod:`logistics.mapview`
and plan comparison from :mod:`logistics.plan_diff`.

State: everything a user edits lives in ``st.session_state`` (one per browser session), so
two people planning at once never see each other's edits. The road network and the built
problems are cached read-only with ``st.cache_resource``, keyed by the map and by the
scenario's YAML text; nothing cached is ever mutated.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import math
import re
import tempfile
import threading
import time
import traceback
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from logistics import mapview, plan_diff
from logistics.config import PROJECT_ROOT
from logistics.demand import load_areas
from logistics.errors import InputError, SenkataError
from logistics.network import RoadNetwork, load_network, with_plant_access
from logistics.plan import Plan, validate_plan
from logistics.problem import Problem, build_problem
from logistics.report import routes_geojson, solver_line, summary_rows
from logistics.scenario import (
    MAX_SCENARIO_BYTES,
    WARM_STARTS,
    Scenario,
    format_hhmm,
    scenario_from_dict,
    scenario_from_text,
    scenario_to_yaml,
)
from logistics.solver import solve

SCENARIO_DIR = PROJECT_ROOT / "scenarios"
DEFAULT_SCENARIO = "senkata-2005-06.yaml"
#: Uploads larger than this are refused by the browser widget (MB) and by the parser.
MAX_UPLOAD_MB = 1
#: The app's default search time: the June 2005 plan converges within about 10 s.
APP_TIME_LIMIT_S = 10.0
#: How the search starts (scenario solver.warm_start) read in the sidebar.
WARM_START_LABELS = {"greedy": "greedy (nearest stops first)", "pyvrp": "PyVRP routes"}
#: Plans kept per session for comparison.
KEEP_PLANS = 6
#: Scenario sections that have their own place (and error line) in the sidebar.
SECTIONS = ("plants", "fleet", "guards", "shift", "eligibility", "solver", "blockades")


# ------------------------------------------------------------------ caching
@st.cache_resource(show_spinner="Loading the road map...")
def cached_network(map_path: str | None) -> RoadNetwork:
    """The road network (read-only, shared by every session)."""
    return load_network(None if map_path is None else Path(map_path))


@st.cache_resource(max_entries=32, show_spinner="Placing points and blockades on the map...")
def cached_problem(yaml_text: str, map_path: str | None) -> Problem:
    """``build_problem`` for one scenario text (read-only, shared)."""
    sc = scenario_from_text(yaml_text)
    return build_problem(sc, net=cached_network(map_path))


@st.cache_resource(show_spinner=False)
def cached_roads(map_path: str | None) -> list[dict]:
    return mapview.road_chunks(cached_network(map_path))


@st.cache_resource(max_entries=8, show_spinner=False)
def cached_assumed(map_path: str | None, access: tuple[float, float, float]) -> tuple:
    return mapview.assumed_chunks(with_plant_access(cached_network(map_path), *access))


@st.cache_resource(show_spinner=False)
def cached_areas() -> tuple[list[dict], list[str]]:
    """Area outlines for the map and every area name a scenario may use."""
    areas = load_areas()
    return mapview.area_shapes(areas.frame), sorted(set(areas.known_names().values()))


# ------------------------------------------------------------- small helpers
def map_path_of(sc: Scenario) -> str | None:
    """The scenario's map file; only the embedded extract or files inside the project.

    An uploaded scenario must not make the server read arbitrary files.
    """
    src = sc.map.source
    if src == "embedded":
        return None
    p = Path(src)
    p = (p if p.is_absolute() else SCENARIO_DIR / p).resolve()
    if PROJECT_ROOT.resolve() not in p.parents:
        raise InputError(
            "map.source",
            f"{src!r} is outside the project; the app reads 'embedded' or a map file inside "
            "the checkout (e.g. ../maps/lapaz.graphml relative to scenarios/)",
        )
    return str(p)


def err_line(exc: SenkataError) -> str:
    """``where: message`` of a planner error, without the generic ``scenario:`` prefix."""
    if isinstance(exc, InputError):
        where = re.sub(r"^scenario: ", "", exc.where)
        return f"{where}: {exc.message}" if where else exc.message
    return str(exc)


def section_of(exc: SenkataError) -> str:
    """Which sidebar section an error belongs to (``fleet``, ``guards`` ...)."""
    where = re.sub(r"^scenario: ", "", getattr(exc, "where", "") or "")
    m = re.match(r"[a-z_]+", where)
    name = m.group(0) if m else ""
    return name if name in SECTIONS else "scenario"


def check_buildable(sc: Scenario) -> tuple[str, Problem]:
    """YAML text and problem of a scenario; raises the planner's error when it cannot be."""
    text = scenario_to_yaml(sc)
    return text, cached_problem(text, map_path_of(sc))


def cell(v: Any) -> Any:
    """An editor cell, with blanks (None, NaN, "") as None."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, str) and not v.strip():
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


def as_int(v: Any) -> Any:
    """Whole numbers from an editor cell; anything else is left for the validator."""
    v = cell(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def hhmm_to_time(s: str) -> dt.time:
    h, m = (int(x) for x in s.split(":"))
    return dt.time(h, m)


# ------------------------------------------------------------ session state
def load_into_state(sc: Scenario, label: str) -> None:
    """Make ``sc`` the session's scenario: reset the editors to it, keep the plans."""
    ss = st.session_state
    base = sc.model_dump(mode="json", exclude_none=True)
    ss.base = base
    ss.sc_yaml = scenario_to_yaml(sc)
    ss.sc_label = label
    ss.gen = ss.get("gen", 0) + 1
    ss.blockades = [dict(b) for b in base.get("blockades", [])]
    ss["w.stock"] = int(sc.plant.stock)
    ss["w.loading"] = float(sc.plant.loading_minutes)
    ss["w.scope"] = sc.guards.delegate_scope
    ss["w.start"] = hhmm_to_time(sc.shift.start)
    ss["w.end"] = hhmm_to_time(sc.shift.end)
    ss["w.hours"] = float(sc.shift.max_working_hours)
    ss["w.excluded"] = list(sc.eligibility.excluded)
    ss["w.eligible"] = list(sc.eligibility.eligible or [])
    ss["w.limit"] = float(min(sc.solver.time_limit_s, APP_TIME_LIMIT_S))
    ss["w.seed"] = int(sc.solver.seed)
    ss["w.warm"] = sc.solver.warm_start
    ss.cut_yaml = None
    ss.cut_prev = set()
    ss.cut_delta = None
    ss.blockade_msg = None


def init_state() -> None:
    ss = st.session_state
    if "sc_yaml" in ss:
        return
    ss.plans = []
    ss.upload_error = None
    ss.upload_seen = None
    ss.plan_error = None
    ss.sheets = {}
    path = SCENARIO_DIR / DEFAULT_SCENARIO
    sc = scenario_from_text(path.read_text(encoding="utf-8"), where=DEFAULT_SCENARIO)
    load_into_state(sc, DEFAULT_SCENARIO)


def parse_upload(name: str, data: bytes) -> Scenario:
    """An uploaded scenario, size-bounded and parsed with ``yaml.safe_load``.

    Raises
    ------
    InputError
        Too large, not UTF-8 text, malformed YAML, an invalid field, or a scenario that
        cannot be placed on the map (point off the map, plant sealed in ...).
    """
    if len(data) > MAX_SCENARIO_BYTES:
        raise InputError(
            name, f"file is {len(data):,} bytes; expected at most {MAX_SCENARIO_BYTES:,}"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(name, "not UTF-8 text; expected a scenario YAML file") from None
    sc = scenario_from_text(text, where=name)
    try:
        check_buildable(sc)
    except InputError as exc:
        raise InputError(f"{name}: {exc.where}", exc.message) from None
    return sc


# --------------------------------------------------------------- callbacks
def on_pick_file() -> None:
    ss = st.session_state
    name = ss["w.file"]
    try:
        sc = parse_upload(name, (SCENARIO_DIR / name).read_bytes())
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
    entry = dict(entry, id=mapview.next_blockade_id(b["id"] for b in ss.blockades))
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
        mapview.circle_blockade(
            "new", lat, lon, ss["pick.radius"], status, ss["pick.delay"], name=label[:150]
        )
    )


def add_way_from_pick(way: int, label: str) -> None:
    ss = st.session_state
    add_blockade(
        mapview.way_blockade("new", way, ss["pick.status"], ss["pick.delay"], name=label[:150])
    )


def add_from_form(points: dict[str, tuple[float, float]]) -> None:
    ss = st.session_state
    if ss["f.where"] == "distribution point":
        lon, lat = points[ss["f.point"]]
    else:
        lat, lon = ss["f.lat"], ss["f.lon"]
    add_blockade(
        mapview.circle_blockade(
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


# ----------------------------------------------------------------- sidebar
def sidebar_scenario() -> dict[str, Any]:
    """Scenario choice and upload; returns the error slots of every section."""
    ss = st.session_state
    sb = st.sidebar
    sb.header("Scenario")
    files = sorted(p.name for p in SCENARIO_DIR.glob("*.yaml"))
    if "w.file" not in ss:
        ss["w.file"] = DEFAULT_SCENARIO if DEFAULT_SCENARIO in files else files[0]
    sb.selectbox("Scenario file", files, key="w.file", on_change=on_pick_file)
    up = sb.file_uploader(
        f"...or upload a scenario (YAML, at most {MAX_UPLOAD_MB} MB)",
        type=["yaml", "yml"],
        key="w.upload",
        max_upload_size=MAX_UPLOAD_MB,
    )
    if up is not None and up.file_id != ss.upload_seen:
        ss.upload_seen = up.file_id
        try:
            sc = parse_upload(up.name, up.getvalue())
        except SenkataError as exc:
            ss.upload_error = err_line(exc)
        else:
            ss.upload_error = None
            load_into_state(sc, f"uploaded {up.name}")
    if ss.upload_error:
        sb.error(f"Scenario not loaded: {ss.upload_error}")
    slots = {"scenario": sb.empty()}
    sb.caption(f"Loaded: **{ss.sc_label}**")
    sb.button("Reset edits", on_click=on_reset, help="Back to the scenario as loaded.")
    return slots


def sidebar_edits(slots: dict[str, Any], area_names: list[str]) -> dict[str, Any]:
    """The shift's editors; returns the edited scenario as a mapping (not yet validated)."""
    ss = st.session_state
    sb = st.sidebar
    base = ss.base
    gen = ss.gen
    cand = copy.deepcopy(base)

    sb.header("Shift")
    sb.subheader("Plant")
    plant = dict(cand["plants"][0])
    plant["stock"] = sb.number_input(
        "Stock (filled cylinders)", min_value=0, step=500, key="w.stock"
    )
    plant["loading_minutes"] = sb.number_input(
        "Loading time per trip (min)", min_value=0.0, max_value=600.0, step=5.0, key="w.loading"
    )
    cand["plants"] = [plant]
    slots["plants"] = sb.empty()

    sb.subheader("Trucks")
    fleet_rows = [
        {
            "count": g.get("count"),
            "capacity": g.get("capacity"),
            "id_prefix": g.get("id_prefix", "T"),
            "speed_factor": g.get("speed_factor", 1.0),
            "ids": ", ".join(g.get("ids") or []),
        }
        for g in base["fleet"]
    ]
    fleet = sb.data_editor(
        pd.DataFrame(fleet_rows),
        key=f"fleet-{gen}",
        num_rows="dynamic",
        hide_index=True,
        column_config={
            "ids": st.column_config.TextColumn("ids (comma-separated, or use count)"),
            "count": st.column_config.NumberColumn("count", step=1),
            "id_prefix": st.column_config.TextColumn("prefix"),
            "capacity": st.column_config.NumberColumn("capacity (cyl.)", step=1),
            "speed_factor": st.column_config.NumberColumn("speed x", step=0.05),
        },
    )
    groups = []
    for row in fleet.to_dict("records"):
        if all(cell(v) is None for v in row.values()):
            continue
        g: dict[str, Any] = {}
        ids = [s.strip() for s in str(cell(row["ids"]) or "").split(",") if s.strip()]
        if ids:
            g["ids"] = ids
        elif cell(row["count"]) is not None:
            g["count"] = as_int(row["count"])
        for k in ("id_prefix", "capacity", "speed_factor"):
            if cell(row[k]) is not None:
                g[k] = as_int(row[k]) if k == "capacity" else cell(row[k])
        groups.append(g)
    cand["fleet"] = groups
    slots["fleet"] = sb.empty()

    sb.subheader("Guard commissions")
    guards = dict(cand["guards"])
    guards["delegate_scope"] = sb.radio(
        "Junta delegates ride to",
        ["own-district", "any"],
        key="w.scope",
        horizontal=True,
        help="own-district: a delegate escorts gas only to their own district/zone.",
    )
    roster_rows = [
        {
            "role": r.get("role"),
            "district": r.get("district"),
            "count": r.get("count"),
            "id_prefix": r.get("id_prefix"),
            "id": r.get("id"),
        }
        for r in base["guards"]["roster"]
    ]
    districts = sorted(set(area_names) | {r["district"] for r in roster_rows if r["district"]})
    roster = sb.data_editor(
        pd.DataFrame(roster_rows, columns=["role", "district", "count", "id_prefix", "id"]),
        key=f"roster-{gen}",
        num_rows="dynamic",
        hide_index=True,
        column_config={
            "role": st.column_config.SelectboxColumn(
                "role", options=["plant-worker", "junta-delegate"], required=True
            ),
            "district": st.column_config.SelectboxColumn("district / zone", options=districts),
            "count": st.column_config.NumberColumn("count", step=1),
            "id_prefix": st.column_config.TextColumn("id prefix"),
            "id": st.column_config.TextColumn("id (one person)"),
        },
    )
    entries = []
    for row in roster.to_dict("records"):
        if all(cell(v) is None for v in row.values()):
            continue
        e = {k: (as_int(v) if k == "count" else cell(v)) for k, v in row.items()}
        entries.append({k: v for k, v in e.items() if v is not None})
    guards["roster"] = entries
    com_rows = [
        {"id": c["id"], "members": ", ".join(c["members"])}
        for c in base["guards"].get("commissions") or []
    ]
    com = sb.data_editor(
        pd.DataFrame(com_rows, columns=["id", "members"]),
        key=f"commissions-{gen}",
        num_rows="dynamic",
        hide_index=True,
        column_config={
            "id": st.column_config.TextColumn("commission"),
            "members": st.column_config.TextColumn("members (roster ids, comma-separated)"),
        },
    )
    coms = []
    for row in com.to_dict("records"):
        if cell(row["id"]) is None and cell(row["members"]) is None:
            continue
        members = [m.strip() for m in str(cell(row["members"]) or "").split(",") if m.strip()]
        coms.append({"id": cell(row["id"]), "members": members})
    if coms:
        guards["commissions"] = coms
    else:
        guards.pop("commissions", None)
        sb.caption("No explicit commissions: each plant worker is paired with a junta delegate.")
    cand["guards"] = guards
    slots["guards"] = sb.empty()

    sb.subheader("Hours")
    c1, c2 = sb.columns(2)
    start = c1.time_input("Shift start", key="w.start", step=900)
    end = c2.time_input("Shift end", key="w.end", step=900)
    cand["shift"] = {
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "max_working_hours": sb.number_input(
            "Longest working time per truck (h)",
            min_value=0.5,
            max_value=24.0,
            step=0.5,
            key="w.hours",
        ),
    }
    slots["shift"] = sb.empty()

    sb.subheader("Who may receive gas")
    opts = sorted(set(area_names) | set(ss["w.excluded"]) | set(ss["w.eligible"]))
    elig = dict(cand.get("eligibility") or {})
    elig["excluded"] = sb.multiselect("Excluded areas", opts, key="w.excluded")
    eligible = sb.multiselect(
        "Only these areas (empty: every area not excluded)", opts, key="w.eligible"
    )
    if eligible:
        elig["eligible"] = eligible
    else:
        elig.pop("eligible", None)
    cand["eligibility"] = elig
    slots["eligibility"] = sb.empty()

    sb.subheader("Search")
    solver = dict(cand.get("solver") or {})
    solver["time_limit_s"] = sb.number_input(
        "Time limit (s)", min_value=1.0, max_value=600.0, step=1.0, key="w.limit"
    )
    solver["seed"] = sb.number_input("Seed", min_value=0, step=1, key="w.seed")
    solver["warm_start"] = sb.selectbox(
        "Search start",
        list(WARM_STARTS),
        format_func=lambda k: WARM_START_LABELS.get(k, k),
        key="w.warm",
        help="Where OR-Tools' search starts. PyVRP's routes give fewer km on large "
        "scenarios with 30 s or more; OR-Tools enforces every rule either way.",
    )
    cand["solver"] = solver
    slots["solver"] = sb.empty()

    sb.header("Map")
    sb.toggle("Show trips", value=True, key="w.routes")
    sb.toggle("Show assumed return carriageways", value=True, key="w.returns")
    sb.toggle(
        "Online basemap (needs internet)",
        value=False,
        key="w.basemap",
        help="Off: only our own road data is drawn, no tiles are fetched.",
    )
    cand["blockades"] = [dict(b) for b in ss.blockades]
    return cand


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


# ------------------------------------------------------------------ planning
def _solve_job(problem: Problem, sc: Scenario, box: dict) -> None:
    """Worker thread: no Streamlit calls here, only the planner's."""
    try:
        plan = solve(problem)
        box["report"] = validate_plan(plan, sc, problem.net)
        box["plan"] = plan
    except BaseException as exc:  # noqa: BLE001 - handed back to the page thread
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


# ---------------------------------------------------------------------- map
def legend_html(problem: Problem) -> str:
    def sw(rgb: list[int], text: str, shape: str = "square") -> str:
        r = "50%" if shape == "dot" else "2px"
        c = f"rgb({rgb[0]},{rgb[1]},{rgb[2]})"
        return (
            f'<span style="display:inline-block;width:11px;height:11px;background:{c};'
            f'border-radius:{r};margin:0 4px 0 10px;vertical-align:middle"></span>{text}'
        )

    colours = mapview.group_colours(p.group for p in problem.points)
    parts = [
        sw(mapview.ROAD_COLOUR, "road"),
        sw(mapview.ASSUMED_COLOUR, "assumed link (dashed)"),
        sw(mapview.PLANT_COLOUR, "plant", "dot"),
        sw(mapview.CLOSED_COLOUR, "closed blockade"),
        sw(mapview.PERMIT_COLOUR, "permit blockade"),
        sw([225, 120, 120], "excluded area"),
        sw([170, 170, 170], "excluded point (red ring)", "dot"),
        sw([15, 15, 15], "cut off (X)", "dot"),
    ]
    groups = [sw(c, g.split(" / ")[-1], "dot") for g, c in colours.items()]
    return (
        '<div style="font-size:0.8rem;line-height:1.7">'
        + "".join(parts)
        + "<br>points by area:"
        + "".join(groups)
        + "</div>"
    )


def draw_map(problem: Problem, sc: Scenario, rec: dict | None) -> Any:
    ss = st.session_state
    mp = map_path_of(sc)
    net = cached_network(mp)
    shapes, _ = cached_areas()
    access = problem.net.plant_access or (sc.plant.lon, sc.plant.lat, 0.0)
    links, returns = cached_assumed(mp, access)
    layers = [
        *mapview.area_layers(shapes, sc.eligibility),
        mapview.roads_layer(cached_roads(mp)),
        *mapview.assumed_layers(links, returns if ss["w.returns"] else []),
        *mapview.blockade_layers(problem),
        *mapview.point_layers(mapview.points_data(problem)),
        *mapview.plant_layers(sc.plant.lon, sc.plant.lat, sc.plant.name),
    ]
    if rec is not None and ss["w.routes"]:
        layers += mapview.route_layers(rec["plan"], net)
    deck = mapview.make_deck(layers, mapview.view_for(net), basemap=ss["w.basemap"])
    event = st.pydeck_chart(
        deck,
        on_select="rerun",
        selection_mode="single-object",
        key="map",
        height=640,
        alt="Road map with the plant, distribution points, blockades and planned trips",
    )
    st.markdown(legend_html(problem), unsafe_allow_html=True)
    ids = [layer.id for layer in deck.layers]
    st.caption("map layers: " + ", ".join(ids), help="From our own data; no tile server.")
    return event


def pick_panel(event: Any, problem: Problem) -> None:
    """Actions for what was clicked on the map."""
    ss = st.session_state
    sel = dict(event.selection) if event is not None and "selection" in event else None
    pick = mapview.pick_from_selection(sel)
    st.subheader("On the map")
    if pick is None:
        st.caption(
            "Click a road, a distribution point or a blockade on the map to act on it "
            "(block a road, exclude a zone, lift a blockade)."
        )
        return
    st.markdown(f"**{pick.kind}**: {pick.label}")
    if pick.kind in ("road", "point", "stop") and pick.lat is not None and pick.lon is not None:
        c1, c2, c3 = st.columns(3)
        c1.radio("Status", ["closed", "permit"], key="pick.status")
        c2.number_input("Radius (m)", 5.0, 5000.0, 60.0, step=10.0, key="pick.radius")
        c3.number_input("Delay (min)", 1.0, 600.0, 20.0, step=5.0, key="pick.delay")
        st.button(
            "Add blockade here",
            key="pick.add",
            on_click=add_from_pick,
            args=(pick.lat, pick.lon, pick.label.split(" (")[0]),
            type="primary",
        )
        if pick.way is not None:
            st.button(
                f"Block the whole OSM way {pick.way}",
                key="pick.way",
                on_click=add_way_from_pick,
                args=(pick.way, pick.label.split(" (")[0]),
            )
    if pick.kind == "blockade" and pick.blockade_id:
        if any(b["id"] == pick.blockade_id for b in ss.blockades):
            st.button(
                f"Lift blockade {pick.blockade_id}",
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
                f"Make {n} eligible again",
                key=f"pick.incl.{n}",
                on_click=set_excluded,
                args=(n, False),
            )
        else:
            st.button(f"Exclude {n}", key=f"pick.excl.{n}", on_click=set_excluded, args=(n, True))


def blockade_panel(problem: Problem, slot_msg: Any) -> None:
    ss = st.session_state
    st.subheader("Blockades")
    if ss.blockade_msg:
        kind, text = ss.blockade_msg
        (slot_msg.error if kind == "error" else slot_msg.success)(
            f"Blockade not changed: {text}" if kind == "error" else text[:1].upper() + text[1:]
        )
    effects = {e.blockade.id: e for e in problem.blockades}
    if not ss.blockades:
        st.caption("No blockades.")
    for b in ss.blockades:
        eff = effects.get(b["id"])
        what = (
            "closed"
            if b.get("status", "closed") == "closed"
            else f"permit +{b.get('delay_minutes', 0):g} min"
        )
        where = (
            f"way {', '.join(map(str, b['way_ids']))}"
            if "way_ids" in b
            else f"r {b['radius_m']:g} m"
        )
        n = len(eff.edges) if eff is not None else 0
        c1, c2 = st.columns([4, 1])
        c1.markdown(f"**{b['id']}** {b.get('name', '')} ({what}, {where}, {n} edges)")
        c2.button("Lift", key=f"lift.{b['id']}", on_click=lift_blockade, args=(b["id"],))
    with st.form("blockade-form"):
        st.markdown("**Add a blockade** by coordinates or at a distribution point")
        st.radio("Place", ["coordinates", "distribution point"], key="f.where", horizontal=True)
        pts = {p.id: (p.lon, p.lat) for p in problem.points}
        names = {p.id: f"{p.name} ({p.group})" for p in problem.points}
        st.selectbox(
            "Distribution point", list(pts), format_func=lambda k: names.get(k, k), key="f.point"
        )
        c1, c2 = st.columns(2)
        view = mapview.view_for(problem.net)
        lon0, lat0 = view.longitude, view.latitude
        c1.number_input(
            "Latitude", -90.0, 90.0, round(lat0, 5), step=0.0001, format="%.6f", key="f.lat"
        )
        c2.number_input(
            "Longitude", -180.0, 180.0, round(lon0, 5), step=0.0001, format="%.6f", key="f.lon"
        )
        c1.number_input("Radius (m)", 1.0, 5000.0, 80.0, step=10.0, key="f.radius")
        c2.selectbox("Status", ["closed", "permit"], key="f.status")
        c1.number_input("Delay if permit (min)", 1.0, 600.0, 20.0, step=5.0, key="f.delay")
        c2.text_input("Name (optional)", key="f.name", max_chars=150)
        st.form_submit_button("Add blockade", on_click=add_from_form, args=(pts,), key="f.submit")


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
    st.subheader("Cut off")
    st.markdown(f"**Cut off by blockades or the map: {len(cut)} points**")
    if ss.cut_delta:
        new, reopened = ss.cut_delta
        if new:
            st.warning(
                "Newly cut off by the last edit: "
                + ", ".join(names[k].name for k in new if k in names)
            )
        if reopened:
            st.success(
                "Reachable again: " + ", ".join(names[k].name for k in reopened if k in names)
            )
    if cut:
        st.table(
            pd.DataFrame(
                [
                    {
                        "point": names[k].name,
                        "area": names[k].group,
                        "ration": names[k].ration,
                        "reason": r,
                    }
                    for k, r in sorted(cut.items(), key=lambda kv: (kv[1], names[kv[0]].group))
                ]
            ),
            hide_index=True,
        )


# ------------------------------------------------------------------ results
def truck_rows(plan: Plan) -> list[dict]:
    rows = []
    for tr in plan.trucks_used:
        hours = (tr.trips[-1].back - tr.trips[0].load_start) / 60
        rows.append(
            {
                "truck": tr.truck_id,
                "commission": f"{tr.commission_id} ({', '.join(tr.members)})",
                "trips": len(tr.trips),
                "stops": sum(len(t.stops) for t in tr.trips),
                "cylinders": tr.delivered,
                "km": f"{tr.km:,.1f}",
                "hours": f"{hours:.1f}",
            }
        )
    return rows


def show_results(rec: dict, current_yaml: str) -> None:
    plan: Plan = rec["plan"]
    st.header(f"Plan {plan.plan_id()}")
    if rec["yaml"] != current_yaml:
        st.info("This plan was made before your latest edits: press **Plan** to re-plan.")
    if rec["ok"]:
        st.success(
            f"Validator: plan {plan.plan_id()} passes every rule ({rec['checked']} trips checked; "
            "no leg through a closed blockade)"
        )
    else:
        st.error(f"Validator: PLAN FAILS {len(rec['errors'])} rule(s)")
        for e in rec["errors"][:20]:
            st.markdown(f"- {e}")
    c = st.columns(5)
    c[0].metric(
        "Delivered", f"{plan.delivered:,}", help=f"of {plan.demand:,} cylinders of eligible ration"
    )
    c[1].metric("Stock", f"{plan.plant.stock:,}")
    c[2].metric("Trips", f"{len(plan.trips()):,}")
    c[3].metric("Trucks driving", f"{len(plan.trucks_used)}/{len(plan.trucks)}")
    c[4].metric("Km", f"{plan.km:,.0f}", help=f"{plan.driving_hours():,.1f} h driving")
    tabs = st.tabs(["Trucks", "Trips", "Districts", f"Unserved ({len(plan.unserved)})", "Notes"])
    with tabs[0]:
        st.table(pd.DataFrame(truck_rows(plan)), hide_index=True)
    with tabs[1]:
        trips = [
            {
                "truck": t.truck_id,
                "trip": tr.trip_no,
                "depart": format_hhmm(tr.depart),
                "back": format_hhmm(tr.back),
                "cylinders": tr.loaded,
                "km": round(tr.km, 1),
                "stops": " -> ".join(f"{s.name} ({s.cylinders})" for s in tr.stops),
                "assumed edges": sum(leg.assumed_edges for leg in tr.legs),
            }
            for t, tr in plan.trips()
        ]
        st.dataframe(pd.DataFrame(trips), hide_index=True, width="stretch")
    with tabs[2]:
        rows = summary_rows(plan)
        df = pd.DataFrame(
            [
                {"area": r["group"], "delivered": r["delivered"], "eligible ration": r["ration"]}
                for r in rows
            ]
        ).set_index("area")
        st.bar_chart(df, horizontal=True, stack=False, color=["#2ca02c", "#bbbbbb"])
        st.table(pd.DataFrame(rows), hide_index=True)
    with tabs[3]:
        if plan.unserved:
            un = sorted(plan.unserved, key=lambda x: (x.reason, x.group, x.point_id))
            counts: dict[str, int] = {}
            for x in un:
                counts[x.reason] = counts.get(x.reason, 0) + 1
            st.markdown(
                "Not fully served, by reason: "
                + ", ".join(f"**{k}** {v}" for k, v in counts.items())
            )
            st.table(
                pd.DataFrame(
                    [
                        {
                            "point": x.name,
                            "area": x.group,
                            "missing": x.missing,
                            "of ration": x.ration,
                            "reason": x.reason,
                        }
                        for x in un
                    ]
                ),
                hide_index=True,
            )
        else:
            st.success("Every eligible point was fully served.")
    with tabs[4]:
        for n in plan.notes:
            st.markdown(f"- {n}")
        st.caption(solver_line(plan))


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
    d = plan_diff.diff_plans(a["plan"], b["plan"])
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
        mapview.roads_layer(cached_roads(b["map"])),
        mapview.pairs_layer(
            "only-a", mapview.pair_paths(net, d.roads_only_a, mapview.ONLY_A_COLOUR, "only in A")
        ),
        mapview.pairs_layer(
            "only-b", mapview.pair_paths(net, d.roads_only_b, mapview.ONLY_B_COLOUR, "only in B")
        ),
        *mapview.blockade_layers(cached_problem(b["yaml"], b["map"])),
    ]
    deck = mapview.make_deck(layers, mapview.view_for(net), basemap=ss["w.basemap"])
    st.pydeck_chart(deck, height=420, key="compare-map")
    st.caption("Roads driven only in plan A (red) and only in plan B (green); blockades of plan B.")


def sheets_module() -> Any:
    """``logistics.sheets`` when the delivery-sheets issue has landed, else ``None``.

    Placeholder by design: the download appears by itself once ``write_sheets`` exists.
    """
    try:
        from logistics import sheets
    except Exception:  # noqa: BLE001 - any import problem just hides the button
        return None
    return sheets if hasattr(sheets, "write_sheets") else None


def show_downloads(rec: dict | None, sc: Scenario, text: str) -> None:
    ss = st.session_state
    st.header("Downloads")
    slug = re.sub(r"[^a-z0-9]+", "-", sc.name.lower()).strip("-")[:40] or "scenario"
    c = st.columns(4)
    c[0].download_button(
        "Scenario YAML",
        data=text,
        file_name=f"{slug}.yaml",
        mime="application/x-yaml",
        on_click="ignore",
        help="The edited scenario; `senkata plan` accepts it unchanged.",
    )
    if rec is None:
        st.caption("Plan first to download plan.json, routes.geojson and the summary.")
        return
    plan: Plan = rec["plan"]
    net = cached_network(rec["map"])
    c[1].download_button(
        "plan.json",
        data=plan.model_dump_json(indent=1),
        file_name="plan.json",
        mime="application/json",
        on_click="ignore",
    )
    c[2].download_button(
        "routes.geojson",
        data=json.dumps(routes_geojson(plan, net)),
        file_name="routes.geojson",
        mime="application/geo+json",
        on_click="ignore",
    )
    buf = io.StringIO()
    pd.DataFrame(summary_rows(plan)).to_csv(buf, index=False)
    c[3].download_button(
        "summary.csv",
        data=buf.getvalue(),
        file_name="summary.csv",
        mime="text/csv",
        on_click="ignore",
    )
    sheets = sheets_module()
    if sheets is None:
        st.caption("Delivery sheets: available once the delivery-sheets module lands.")
        return
    price0 = float(getattr(sheets, "OFFICIAL_PRICE_BS", 22.5))
    c1, c2 = st.columns([1, 2])
    price = c1.number_input(
        "Price per cylinder (Bs)", min_value=0.01, value=price0, step=0.5, key="w.price"
    )
    key = (plan.plan_id(), float(price))
    if c2.button("Prepare delivery sheets (zip)", key="sheets.make"):
        try:
            with st.spinner("Writing the delivery sheets (PDF, CSV, XLSX, GPX)..."):
                ss.sheets = {key: make_sheets_zip(sheets, rec, price)}
        except SenkataError as exc:
            st.error(err_line(exc))
    if key in ss.sheets:
        c2.download_button(
            "delivery-sheets.zip",
            data=ss.sheets[key],
            file_name=f"sheets-{plan.plan_id()}.zip",
            mime="application/zip",
            on_click="ignore",
        )


def make_sheets_zip(sheets: Any, rec: dict, price: float) -> bytes:
    sc = scenario_from_text(rec["yaml"])
    net = cached_network(rec["map"])
    with tempfile.TemporaryDirectory() as tmp:
        files = sheets.write_sheets(rec["plan"], sc, net, Path(tmp) / "sheets", price_bs=price)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in files:
                zf.write(f, arcname=Path(f).name)
    return buf.getvalue()


# --------------------------------------------------------------------- page
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
except Exception as exc:  # noqa: BLE001 - the page shows one line, never a bare traceback
    st.error(f"Something went wrong: {type(exc).__name__}: {str(exc)[:300]}")
    with st.expander("details"):
        st.code(traceback.format_exc())
