"""The plan library on the page: save, open, compare, rename, export, upload a plan.json.

Saved plans live in the database every desk of this server uses (see
:mod:`logistics.ui.desk`), so a plan saved at one desk is listed at every other; opening
one makes it (and its scenario) this desk's current work, and it is re-checked by the
independent validator first. An uploaded plan.json is read with the same bounds as any
plan file and checked against its scenario (found by the digest the plan records: in the
library, this desk's work or the shipped scenarios); a bad file is one error line.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from logistics.i18n import N_, _, fmt_int, in_this_language
from logistics.ledger import PlanRecord, PlanStore
from logistics.model import SenkataError, scenario_digest, scenario_from_text
from logistics.model.errors import one_line
from logistics.plan import Plan, plan_from_json, validate_plan
from logistics.plan.reading import MAX_PLAN_BYTES
from logistics.ui.desk import add_record, desk_store, plan_record
from logistics.ui.state import (
    SCENARIO_DIR,
    check_buildable,
    err_line,
    in_session_language,
    load_into_state,
)

#: Largest plan.json the upload widget takes (MB): the plan-file limit.
MAX_PLAN_UPLOAD_MB = MAX_PLAN_BYTES // 1_000_000


def _say(kind: str, msgid: str, **values: Any) -> None:
    """Keep a message for the library panel (written in the page's language when shown)."""
    st.session_state.lib_msg = (kind, msgid, values)


def open_plan(plan: Plan, yaml_text: str, label: str) -> bool:
    """Make ``plan`` and its scenario this desk's current work, after the validator passes.

    Returns False (and says why in the panel) when the scenario cannot be built or the
    plan fails the check against it.
    """
    sc = scenario_from_text(yaml_text, where=label)
    text, problem = check_buildable(sc)
    report = validate_plan(plan, sc, problem.net)
    if not report.ok:
        _say(
            "error",
            N_("{file}: plan {plan_id} fails the independent check against its scenario: {rule}"),
            file=label,
            plan_id=plan.plan_id(),
            rule=one_line(report.errors[0], 160),
        )
        return False
    rec = plan_record(plan, report, text, 0)
    rec["name"] = label
    load_into_state(sc, label)
    add_record(rec)
    return True


def _open_saved(store: PlanStore, number: int) -> bool:
    rec = store.get(number)
    label = f"#{rec.id} {rec.name}"
    return open_plan(store.plan(number), store.scenario_yaml(rec.scenario_version), label)


@in_session_language
def on_open(number: int) -> None:
    store = desk_store()
    if store is None:
        return
    try:
        if _open_saved(store, number):
            _say("ok", N_("Opened plan #{n} from the library."), n=number)
    except SenkataError as exc:
        _say("error", "{error}", error=err_line(exc))


@in_session_language
def on_compare(first: int, second: int) -> None:
    store = desk_store()
    if store is None:
        return
    try:
        if _open_saved(store, first) and _open_saved(store, second):
            _say("ok", N_("Plans #{a} and #{b} opened: see Compare plans."), a=first, b=second)
    except SenkataError as exc:
        _say("error", "{error}", error=err_line(exc))


@in_session_language
def on_save() -> None:
    ss = st.session_state
    store = desk_store()
    if store is None or not ss.plans:
        return
    rec = ss.plans[-1]
    if not rec["ok"]:
        _say("error", N_("This plan fails the independent check; it is not saved."))
        return
    author = (ss.get("w.author") or "").strip() or _("desk {desk}").format(desk=ss.desk)
    name = (ss.get("lib.name") or "").strip() or None
    try:
        saved = store.save_plan(rec["plan"], rec["yaml"], name=name, author=author)
    except SenkataError as exc:
        _say("error", "{error}", error=err_line(exc))
        return
    rec["name"] = f"#{saved.id} {saved.name}"
    _say("ok", N_("Saved as plan #{n} in the library: every desk sees it."), n=saved.id)


@in_session_language
def on_rename(number: int) -> None:
    store = desk_store()
    if store is None:
        return
    try:
        rec = store.rename(number, st.session_state.get("lib.rename") or "")
    except SenkataError as exc:
        _say("error", "{error}", error=err_line(exc))
        return
    _say("ok", N_('Plan #{n} is now called "{name}".'), n=rec.id, name=rec.name)


def scenario_of(plan: Plan, store: PlanStore | None) -> str | None:
    """The YAML of the scenario a plan.json was made from (by the digest it records): in
    the library, in this desk's work, or among the shipped scenarios."""
    ss = st.session_state
    found = store.scenario_for(plan.scenario_sha256) if store is not None else None
    if found is not None:
        return found
    texts = [ss.sc_yaml, *(r["yaml"] for r in ss.plans)]
    texts += [p.read_text(encoding="utf-8") for p in sorted(SCENARIO_DIR.glob("*.yaml"))]
    for text in texts:
        try:
            if scenario_digest(scenario_from_text(text)) == plan.scenario_sha256:
                return text
        except SenkataError:
            continue
    return None


@in_session_language
def on_upload() -> None:
    ss = st.session_state
    up = ss.get("lib.upload")
    if up is None:
        return
    name = one_line(up.name, 80) or "plan.json"
    try:
        plan = plan_from_json(up.getvalue(), where=name)
        yaml_text = scenario_of(plan, desk_store())
        if yaml_text is None:
            _say(
                "error",
                N_(
                    "{file}: the scenario of plan {plan_id} ('{scenario}') is not in the "
                    "library nor at this desk; load that scenario first, then the plan"
                ),
                file=name,
                plan_id=plan.plan_id(),
                scenario=one_line(plan.scenario, 60),
            )
            return
        if open_plan(plan, yaml_text, name):
            _say("ok", N_("Opened {file}: plan {plan_id} passes every rule."), file=name,
                 plan_id=plan.plan_id())  # fmt: skip
    except SenkataError as exc:
        _say("error", "{error}", error=err_line(exc))


def _rows(rows: list[PlanRecord]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "#": r.id,
                _("name"): r.name,
                _("plan"): r.plan_id,
                _("scenario"): f"#{r.scenario_version} {r.scenario_name}",
                _("cylinders"): fmt_int(r.delivered),
                _("km"): fmt_int(r.km),
                _("trips"): r.trips,
                _("saved (UTC)"): r.created_at[:16].replace("T", " "),
                _("by"): r.author,
            }
            for r in rows
        ]
    )


def _message() -> None:
    """The last library action's outcome, shown once (no stale banner after later runs)."""
    ss = st.session_state
    msg = ss.get("lib_msg")
    if not msg:
        return
    kind, msgid, values = msg
    line = (_(msgid) if msgid != "{error}" else msgid).format(**values)
    (st.success if kind == "ok" else st.error)(line)
    ss.lib_msg = None


def show_library(has_plan: bool) -> None:
    """The library panel (below the comparison)."""
    st.header(_("Plan library"))
    store = desk_store()
    if store is None:
        st.caption(_("The plan library needs the database; this desk plans without it."))
        return
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    c1.text_input(_("Your name (kept with the plans you save)"), key="w.author", max_chars=100)
    if has_plan:
        c2.text_input(_("Name of the plan to save"), key="lib.name", max_chars=120)
        c3.button(_("Save the plan"), key="lib.save", on_click=on_save, type="primary")
    st.file_uploader(
        _("Open a plan.json (it is checked against its scenario)"),
        type=["json"],
        key="lib.upload",
        on_change=on_upload,
        max_upload_size=MAX_PLAN_UPLOAD_MB,
    )
    _message()
    try:
        rows = store.plans()
    except SenkataError as exc:
        st.error(err_line(exc))
        return
    if not rows:
        st.caption(_("No saved plans yet. Plan, then save the plan: every desk will see it."))
        return
    st.dataframe(_rows(rows), hide_index=True)
    ids = [r.id for r in rows]
    by_id = {r.id: r for r in rows}
    label = in_this_language(lambda n: f"#{n} {by_id[n].name} ({by_id[n].plan_id})")
    a, b = st.columns(2)
    pick = a.selectbox(_("Saved plan"), ids, format_func=label, key="lib.pick")
    other = b.selectbox(
        _("Compare it with"), ids, index=min(1, len(ids) - 1), format_func=label, key="lib.other"
    )
    c = st.columns(4, vertical_alignment="bottom")
    # the callbacks read the choices as they are when the button is pressed (arguments bound
    # here would be the choices of the previous run)
    ss = st.session_state
    c[0].button(_("Open"), key="lib.open", on_click=lambda: on_open(ss["lib.pick"]))
    c[1].button(
        _("Compare the two"),
        key="lib.compare",
        on_click=lambda: on_compare(ss["lib.other"], ss["lib.pick"]),
        disabled=other == pick,
    )
    c[2].text_input(_("New name"), key="lib.rename", max_chars=120)
    c[3].button(_("Rename"), key="lib.do_rename", on_click=lambda: on_rename(ss["lib.pick"]))
    try:
        text = store.plan_text(pick)
    except SenkataError as exc:
        st.error(err_line(exc))
        return
    st.download_button(
        _("Export plan #{n} (plan.json)").format(n=pick),
        data=text,
        file_name=f"plan-{by_id[pick].plan_id}.json",
        mime="application/json",
        on_click="ignore",
        key="lib.export",
    )
