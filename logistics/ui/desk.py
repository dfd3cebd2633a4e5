"""The desk's work survives a reload: a desk id in the URL, a draft in the database.

Each browser session is a *desk*: its id lives in the page's address (``?desk=...``, made
on the first load), so a reload or a dropped connection comes back to the same desk. After
each action the desk's working state (the edited scenario, with its blockades and excluded
areas, the scenario as loaded, the plans made, the name of who works there) is written as
the desk's draft in the plan library's database (:class:`logistics.ledger.PlanStore`: the
ledger's database, ``$SENKATA_LEDGER_URL`` or ``ledger.sqlite`` where the app runs); a
fresh session with that desk id reads it back. Two desks have two ids: an edit in one never
reaches the other's draft; what they share is the plans they *save* to the library.

If the database cannot be used the app still plans; it says once that work is not kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

import streamlit as st

from logistics.i18n import LANGUAGES, _, ngettext
from logistics.ledger import PlanStore
from logistics.ledger.plans import DESK_RE
from logistics.ledger.store import resolve_url
from logistics.model import SenkataError, scenario_from_dict, scenario_from_text, scenario_to_yaml
from logistics.plan import Plan, ValidationReport, plan_from_json
from logistics.ui.state import (
    KEEP_PLANS,
    check_buildable,
    err_line,
    init_state,
    load_into_state,
    map_path_of,
)

#: Version of the draft's JSON (a draft of another version is not read back).
DRAFT_VERSION = 1


@st.cache_resource(show_spinner=False)
def _open_store(url: str) -> PlanStore:
    return PlanStore(url, create=True)


def desk_store() -> PlanStore | None:
    """The library's database (shared by every session of this server), or None when it
    cannot be used (said once per session, in ``ss.store_error``)."""
    ss = st.session_state
    if ss.get("store_error"):
        return None
    try:
        return _open_store(resolve_url(None))
    except SenkataError as exc:
        ss.store_error = err_line(exc)
        return None


def desk_id() -> str:
    """This session's desk id: the one in the address, else a new one put there."""
    ss = st.session_state
    if "desk" not in ss:
        given = st.query_params.get("desk", "")
        ss.desk = given if DESK_RE.match(given) else secrets.token_urlsafe(9)
    if st.query_params.get("desk") != ss.desk:
        st.query_params["desk"] = ss.desk
    return str(ss.desk)


def init_desk() -> None:
    """Start the session: defaults, then this desk's draft when there is one."""
    ss = st.session_state
    fresh = "sc_yaml" not in ss
    init_state()
    desk = desk_id()
    if fresh:
        ss.restored = None
        store = desk_store()
        if store is not None:
            restore_draft(store, desk)


def plan_record(plan: Plan, report: ValidationReport, yaml_text: str, n: int) -> dict[str, Any]:
    """A plan as the session keeps it (as :func:`logistics.ui.actions.run_plan` makes it)."""
    sc = scenario_from_text(yaml_text)
    return {
        "n": n,
        "plan": plan,
        "ok": report.ok,
        "errors": list(report.errors),
        "checked": report.checked_trips,
        "yaml": yaml_text,
        "map": map_path_of(sc),
        "blockades": len(sc.blockades),
        "at": f"{dt.datetime.now():%H:%M:%S}",
    }


def add_record(rec: dict[str, Any]) -> None:
    """Keep a plan in the session (the last :data:`KEEP_PLANS`), numbered after the last."""
    ss = st.session_state
    rec = dict(rec, n=(ss.plans[-1]["n"] + 1) if ss.plans else 1)
    ss.plans = [*ss.plans[-(KEEP_PLANS - 1) :], rec]
    ss.plan_error = None


def _plan_json(rec: dict[str, Any]) -> str:
    if "json" not in rec:  # serialised once per plan, not once per draft
        rec["json"] = rec["plan"].model_dump_json()
    return str(rec["json"])


def draft_of_session() -> dict[str, Any]:
    """The desk's working state as JSON-ready data."""
    ss = st.session_state
    keep = ("n", "ok", "errors", "checked", "yaml", "blockades", "at", "name")
    return {
        "version": DRAFT_VERSION,
        "yaml": ss.sc_yaml,
        "origin": scenario_to_yaml(scenario_from_dict(ss.origin)),
        "label": ss.sc_label,
        "uploaded": bool(ss.sc_uploaded),
        "lang": ss["w.lang"],
        "author": ss.get("w.author", ""),
        "plans": [{**{k: r[k] for k in keep if k in r}, "plan": _plan_json(r)} for r in ss.plans],
    }


def keep_draft() -> None:
    """Write the desk's draft if anything changed since it was last written."""
    ss = st.session_state
    store = desk_store()
    if store is None or "desk" not in ss:
        return
    data = draft_of_session()
    key_parts = [data["yaml"], data["origin"], data["label"], data["lang"], data["author"]]
    key_parts += [f"{r['n']}:{r.get('name', '')}:{len(r['plan'])}" for r in data["plans"]]
    key = hashlib.sha256("\x00".join(map(str, key_parts)).encode()).hexdigest()
    if ss.get("draft_key") == key:
        return
    try:
        store.save_draft(ss.desk, data)
    except SenkataError as exc:
        ss.store_error = err_line(exc)
        return
    ss.draft_key = key


def restore_draft(store: PlanStore, desk: str) -> bool:
    """Put the desk's draft back into this (fresh) session; False when there is none or
    it cannot be used (then the defaults stay, and the page says why)."""
    ss = st.session_state
    try:
        data = store.draft(desk)
        if data is None or data.get("version") != DRAFT_VERSION:
            return False
        sc = scenario_from_text(str(data["yaml"]), where="draft")
        check_buildable(sc)
        origin = scenario_from_text(str(data["origin"]), where="draft")
        plans = [
            {
                **p,
                "plan": plan_from_json(str(p["plan"]), where="draft"),
                "map": map_path_of(scenario_from_text(str(p["yaml"]), where="draft")),
            }
            for p in data.get("plans", [])[-KEEP_PLANS:]
        ]
    except (SenkataError, KeyError, TypeError, ValueError) as exc:
        line = err_line(exc) if isinstance(exc, SenkataError) else f"{type(exc).__name__}"
        ss.restored = ("error", line)
        return False
    load_into_state(sc, str(data.get("label", "")), uploaded=bool(data.get("uploaded")))
    ss.origin = origin.model_dump(mode="json", exclude_none=True)
    ss["w.limit"] = float(sc.solver.time_limit_s)
    if data.get("lang") in LANGUAGES:
        ss["w.lang"] = data["lang"]
    ss["w.author"] = str(data.get("author", ""))[:100]
    ss.plans = plans
    ss.restored = ("ok", len(plans))
    return True


def show_desk_status() -> None:
    """One line under the title: the work was restored, or cannot be kept."""
    ss = st.session_state
    if ss.get("store_error"):
        st.warning(
            _("This desk's work is not kept (the database cannot be used: {error}).").format(
                error=ss.store_error
            )
        )
    restored = ss.get("restored")
    if restored is None:
        return
    kind, value = restored
    if kind == "ok":
        st.caption(
            ngettext(
                "This desk's work was restored after the reload ({n} plan).",
                "This desk's work was restored after the reload ({n} plans).",
                value,
            ).format(n=value)
        )
    else:
        st.warning(_("This desk's saved work could not be restored: {error}").format(error=value))
    ss.restored = None  # said once
