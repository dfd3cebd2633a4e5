"""Session state, cached read-only resources and small helpers every page piece shares.

Everything a user edits lives in ``st.session_state`` (one per browser session). The road
network and built problems are cached with ``st.cache_resource``, keyed by the map and the
scenario's YAML text, and never mutated.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from logistics.demand import load_areas
from logistics.i18n import (
    DEFAULT_LANGUAGE,
    N_,
    _,
    current_language,
    fmt_int,
    set_language,
    use_language,
)
from logistics.model import (
    MAX_SCENARIO_BYTES,
    PROJECT_ROOT,
    InputError,
    MapSourceError,
    Scenario,
    SenkataError,
    data_dir,
    scenario_from_text,
    scenario_to_yaml,
)
from logistics.model.errors import one_line, show_value
from logistics.model.files import decode_text
from logistics.roads import RoadNetwork, load_network, with_plant_access
from logistics.routing import Problem, build_problem
from logistics.ui import map_base

SCENARIO_DIR = PROJECT_ROOT / "scenarios"


DEFAULT_SCENARIO = "senkata-2005-06.yaml"


#: Uploads larger than this are refused by the browser widget (MB) and by the parser.
MAX_UPLOAD_MB = 1


#: The app's default search time: the June 2005 plan converges within about 10 s.
APP_TIME_LIMIT_S = 10.0


#: How the search starts (scenario solver.warm_start) read in the sidebar.
WARM_START_LABELS = {
    "greedy": N_("nearest stops first (quick)"),
    "pyvrp": N_("PyVRP routes (fewer km on large scenarios)"),
}


#: Plans kept per session for comparison.
KEEP_PLANS = 6


#: Scenario sections that have their own place (and error line) in the sidebar.
SECTIONS = ("plants", "fleet", "guards", "shift", "eligibility", "solver", "blockades")


# The caches show no spinner of their own (its text would be fixed at import, in one
# language); the page wraps its first loads in a translated st.spinner. Whatever holds
# words people read (tooltips, notes) is cached per language, so two desks in two
# languages never see each other's words.
@st.cache_resource(show_spinner=False)
def cached_network(map_path: str | None) -> RoadNetwork:
    """The road network (read-only, shared by every session)."""
    return load_network(None if map_path is None else Path(map_path))


@st.cache_resource(max_entries=32, show_spinner=False)
def _problem(yaml_text: str, map_path: str | None, lang: str) -> Problem:
    sc = scenario_from_text(yaml_text)
    return build_problem(sc, net=cached_network(map_path))


def cached_problem(yaml_text: str, map_path: str | None) -> Problem:
    """``build_problem`` for one scenario text (read-only, shared by sessions of the
    current language: the problem's notes are in it)."""
    return _problem(yaml_text, map_path, current_language())


@st.cache_resource(max_entries=4, show_spinner=False)
def _roads(map_path: str | None, lang: str) -> list[dict]:
    return map_base.road_chunks(cached_network(map_path), areas=cached_areas()[0])


def cached_roads(map_path: str | None) -> list[dict]:
    """The map's road pieces with their names, areas and tooltips in the current language."""
    return _roads(map_path, current_language())


@st.cache_resource(max_entries=8, show_spinner=False)
def _assumed(map_path: str | None, access: tuple[float, float, float], lang: str) -> tuple:
    return map_base.assumed_chunks(with_plant_access(cached_network(map_path), *access))


def cached_assumed(map_path: str | None, access: tuple[float, float, float]) -> tuple:
    """Assumed links (connectors and plant access, return carriageways) as map pieces."""
    return _assumed(map_path, access, current_language())


@st.cache_resource(max_entries=4, show_spinner=False)
def _areas(lang: str) -> tuple[list[dict], list[str]]:
    areas = load_areas()
    return map_base.area_shapes(areas.frame), sorted(set(areas.known_names().values()))


def cached_areas() -> tuple[list[dict], list[str]]:
    """Area outlines for the map and every area name a scenario may use."""
    return _areas(current_language())


def map_folders() -> list[Path]:
    """The folders the app reads map files from: the project's ``maps/`` and
    ``scenarios/``, and the shared data directory."""
    return [(PROJECT_ROOT / "maps").resolve(), SCENARIO_DIR.resolve(), data_dir().resolve()]


def map_path_of(sc: Scenario) -> str | None:
    """The scenario's map file: the embedded extract, or a map file in the data folders.

    An uploaded scenario must not make the server read arbitrary files: the path (symbolic
    links followed) must lie inside :func:`map_folders` and be a regular map file.
    """
    src = sc.map.source
    if src == "embedded":
        return None
    try:
        p = Path(src)
        p = (p if p.is_absolute() else SCENARIO_DIR / p).resolve()
    except (OSError, ValueError, RuntimeError):
        p = None
    if p is None or not any(folder in p.parents for folder in map_folders()):
        msg = _(
            "{source} is outside the data folders; the app reads 'embedded' or a map file in "
            "maps/, scenarios/ or the shared data directory"
        )
        raise InputError("map.source", msg.format(source=show_value(src)))
    from logistics.roads.osm import check_map_file  # osmnx loads only when a map file is named

    try:
        check_map_file(p)
    except MapSourceError as exc:
        raise InputError("map.source", str(exc)) from None
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


def scenario_label() -> str:
    """The loaded scenario's file name, as the sidebar and the page show it."""
    ss = st.session_state
    if ss.get("sc_uploaded"):
        return _("{name} (uploaded)").format(name=ss.sc_label)
    return str(ss.sc_label)


def load_into_state(sc: Scenario, label: str, *, uploaded: bool = False) -> None:
    """Make ``sc`` the session's scenario: reset the editors to it, keep the plans.

    ``label`` is the file name; ``uploaded`` says it came from the browser (the words
    around it are written in the language of the page when shown).
    """
    ss = st.session_state
    base = sc.model_dump(mode="json", exclude_none=True)
    ss.base = base
    ss.origin = copy.deepcopy(base)
    ss.sc_yaml = scenario_to_yaml(sc)
    ss.sc_label = label
    ss.sc_uploaded = uploaded
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


def named(names: dict[str, str]) -> Callable[[Any], str]:
    """A widget's ``format_func`` showing a code (``closed``) by its name, in the language
    of the run that drew the widget (Streamlit may call it from another thread)."""
    lang = current_language()

    def fmt(code: Any) -> str:
        if code not in names:
            return str(code)
        with use_language(lang):
            return _(names[code])

    return fmt


def in_session_language(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A widget callback run in the session's language.

    Streamlit runs each rerun (and the callbacks before it) in a fresh thread, whose
    language is the default until the script sets it; a callback that writes a message
    must set it itself.
    """

    @wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        set_language(st.session_state.get("w.lang", DEFAULT_LANGUAGE))
        return fn(*args, **kwargs)

    return run


def rebase_editors() -> None:
    """Make the last valid edits the editors' starting point (the tables keep them).

    Streamlit gives a table editor a new identity when its column labels change, which
    would drop its edits; a language switch calls this first. "Reset edits" still goes
    back to the scenario as loaded (``ss.origin``).
    """
    ss = st.session_state
    ss.base = scenario_from_text(ss.sc_yaml).model_dump(mode="json", exclude_none=True)
    ss.gen = ss.get("gen", 0) + 1


def init_state() -> None:
    ss = st.session_state
    if "w.lang" not in ss:
        ss["w.lang"] = DEFAULT_LANGUAGE
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
    """An uploaded scenario, checked against every bound before it costs the server much.

    In this order: the size (before any parsing), UTF-8, the bounded safe YAML loader
    (depth, aliases, expansion, scalar length), the scenario's field bounds, the map
    source (only the data folders), and the size of the problem it would build
    (:func:`logistics.routing.size.check_model_size`, before any travel table is made):
    one desk's upload cannot take the shared server down.

    Raises
    ------
    InputError
        Too large, not UTF-8 text, malformed YAML, an invalid field, a problem too large
        for the machine, or a scenario that cannot be placed on the map (point off the
        map, plant sealed in ...).
    """
    name = one_line(name, 80) or "upload"
    if len(data) > MAX_SCENARIO_BYTES:
        msg = _("file is {n} bytes; expected at most {limit}")
        raise InputError(name, msg.format(n=fmt_int(len(data)), limit=fmt_int(MAX_SCENARIO_BYTES)))
    text = decode_text(data, where=name, expected=_("a scenario YAML file"))
    sc = scenario_from_text(text, where=name)
    try:
        check_buildable(sc)
    except InputError as exc:
        raise InputError(f"{name}: {exc.where}", exc.message) from None
    except MapSourceError as exc:
        raise InputError(f"{name}: map.source", str(exc)) from None
    return sc
