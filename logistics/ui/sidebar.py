"""The sidebar: choosing or uploading a scenario, and editing the shift (stock, fleet,
commissions, hours, eligible areas, search).
"""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
import streamlit as st

from logistics.i18n import LANGUAGE_NAMES, LANGUAGES, N_, _
from logistics.model import WARM_STARTS, SenkataError
from logistics.ui.actions import on_language, on_pick_file, on_reset
from logistics.ui.state import (
    DEFAULT_SCENARIO,
    MAX_UPLOAD_MB,
    SCENARIO_DIR,
    WARM_START_LABELS,
    as_int,
    cell,
    err_line,
    load_into_state,
    named,
    parse_upload,
    scenario_label,
)

#: The language switch reads the same in every language: whoever cannot read the page
#: must still find it.
LANGUAGE_SWITCH = "Idioma · Language"

#: Roster roles and delegate scopes (scenario codes) in words.
ROLE_NAMES = {"plant-worker": N_("plant worker"), "junta-delegate": N_("junta delegate")}
SCOPE_NAMES = {
    "own-district": N_("only to their own district or zone"),
    "any": N_("to any district or zone"),
}


def sidebar_scenario() -> dict[str, Any]:
    """Scenario choice and upload; returns the error slots of every section."""
    ss = st.session_state
    sb = st.sidebar
    sb.radio(
        LANGUAGE_SWITCH,
        list(LANGUAGES),
        format_func=lambda k: LANGUAGE_NAMES.get(k, k),
        key="w.lang",
        horizontal=True,
        on_change=on_language,
    )
    sb.header(_("Scenario"))
    files = sorted(p.name for p in SCENARIO_DIR.glob("*.yaml"))
    if "w.file" not in ss:
        ss["w.file"] = DEFAULT_SCENARIO if DEFAULT_SCENARIO in files else files[0]
    sb.selectbox(_("Scenario file"), files, key="w.file", on_change=on_pick_file)
    up = sb.file_uploader(
        _("...or upload a scenario (YAML, at most {mb} MB)").format(mb=MAX_UPLOAD_MB),
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
            load_into_state(sc, up.name, uploaded=True)
    if ss.upload_error:
        sb.error(_("Scenario not loaded: {error}").format(error=ss.upload_error))
    slots = {"scenario": sb.empty()}
    sb.caption(_("Loaded: **{name}**").format(name=scenario_label()))
    sb.button(
        _("Reset edits"),
        key="reset",
        on_click=on_reset,
        help=_("Back to the scenario as loaded."),
    )
    return slots


def sidebar_edits(slots: dict[str, Any], area_names: list[str]) -> dict[str, Any]:  # noqa: PLR0915 - one editor per scenario section, top to bottom
    """The shift's editors; returns the edited scenario as a mapping (not yet validated)."""
    ss = st.session_state
    sb = st.sidebar
    base = ss.base
    gen = ss.gen
    cand = copy.deepcopy(base)

    sb.header(_("Shift"))
    sb.subheader(_("Plant"))
    plant = dict(cand["plants"][0])
    plant["stock"] = sb.number_input(
        _("Filled cylinders at the plant"), min_value=0, step=500, key="w.stock"
    )
    plant["loading_minutes"] = sb.number_input(
        _("Loading time per trip (min)"),
        min_value=0.0,
        max_value=600.0,
        step=5.0,
        key="w.loading",
    )
    cand["plants"] = [plant]
    slots["plants"] = sb.empty()

    sb.subheader(_("Trucks"))
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
            "ids": st.column_config.TextColumn(_("truck ids (comma-separated, or a count)")),
            "count": st.column_config.NumberColumn(_("how many"), step=1),
            "id_prefix": st.column_config.TextColumn(_("id prefix")),
            "capacity": st.column_config.NumberColumn(_("cylinders per load"), step=1),
            "speed_factor": st.column_config.NumberColumn(
                _("speed factor"), step=0.05, help=_("1 = a loaded truck's usual speed")
            ),
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

    sb.subheader(_("Guard commissions"))
    guards = dict(cand["guards"])
    guards["delegate_scope"] = sb.radio(
        _("Junta delegates ride"),
        ["own-district", "any"],
        format_func=named(SCOPE_NAMES),
        key="w.scope",
        help=_("The Assembly's rule: a delegate rides with gas only to their own district."),
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
                _("role"),
                options=["plant-worker", "junta-delegate"],
                required=True,
                format_func=named(ROLE_NAMES),
            ),
            "district": st.column_config.SelectboxColumn(_("district / zone"), options=districts),
            "count": st.column_config.NumberColumn(_("how many"), step=1),
            "id_prefix": st.column_config.TextColumn(_("id prefix")),
            "id": st.column_config.TextColumn(_("id (one person)")),
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
            "id": st.column_config.TextColumn(_("commission")),
            "members": st.column_config.TextColumn(
                _("members (ids on the roster, comma-separated)")
            ),
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
        sb.caption(_("No commissions listed: each plant worker is paired with a junta delegate."))
    cand["guards"] = guards
    slots["guards"] = sb.empty()

    sb.subheader(_("Hours"))
    c1, c2 = sb.columns(2)
    start = c1.time_input(_("Shift starts"), key="w.start", step=900)
    end = c2.time_input(_("Shift ends"), key="w.end", step=900)
    cand["shift"] = {
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "max_working_hours": sb.number_input(
            _("Longest working time per truck (h)"),
            min_value=0.5,
            max_value=24.0,
            step=0.5,
            key="w.hours",
        ),
    }
    slots["shift"] = sb.empty()

    sb.subheader(_("Who may receive gas"))
    opts = sorted(set(area_names) | set(ss["w.excluded"]) | set(ss["w.eligible"]))
    elig = dict(cand.get("eligibility") or {})
    elig["excluded"] = sb.multiselect(
        _("Excluded areas"), opts, key="w.excluded", placeholder=_("Choose areas")
    )
    eligible = sb.multiselect(
        _("Only these areas (empty: every area not excluded)"),
        opts,
        key="w.eligible",
        placeholder=_("Choose areas"),
    )
    if eligible:
        elig["eligible"] = eligible
    else:
        elig.pop("eligible", None)
    cand["eligibility"] = elig
    slots["eligibility"] = sb.empty()

    sb.subheader(_("Route search"))
    solver = dict(cand.get("solver") or {})
    solver["time_limit_s"] = sb.number_input(
        _("Seconds to look for routes"), min_value=1.0, max_value=600.0, step=1.0, key="w.limit"
    )
    solver["seed"] = sb.number_input(
        _("Seed"),
        min_value=0,
        step=1,
        key="w.seed",
        help=_("The same seed and time give the same plan."),
    )
    solver["warm_start"] = sb.selectbox(
        _("First routes to improve"),
        list(WARM_STARTS),
        format_func=named(WARM_START_LABELS),
        key="w.warm",
        help=_(
            "Where the route search starts. PyVRP's routes give fewer km on large "
            "scenarios with 30 s or more; every rule is enforced either way."
        ),
    )
    cand["solver"] = solver
    slots["solver"] = sb.empty()

    sb.header(_("Map"))
    sb.toggle(_("Show trips"), value=True, key="w.routes")
    sb.toggle(_("Show assumed return carriageways"), value=True, key="w.returns")
    sb.toggle(
        _("Online background map (needs internet)"),
        value=False,
        key="w.basemap",
        help=_("Off: only our own road data is drawn, nothing is downloaded."),
    )
    cand["blockades"] = [dict(b) for b in ss.blockades]
    return cand
