"""The plan's results: validator verdict, headline numbers and the trucks / trips /
districts / unserved / notes tabs; solver figures and internal ids in a "details" expander.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from logistics.i18n import _, fmt_int, fmt_num, fmt_pct
from logistics.model import format_hhmm
from logistics.ops import details_line, group_label, summary_rows
from logistics.plan import Plan, reason_text


def truck_rows(plan: Plan) -> list[dict]:
    """One row per truck that drives, with translated column names."""
    rows = []
    for tr in plan.trucks_used:
        hours = (tr.trips[-1].back - tr.trips[0].load_start) / 60
        rows.append(
            {
                _("truck"): tr.truck_id,
                _("guard commission"): f"{tr.commission_id} ({', '.join(tr.members)})",
                _("trips"): len(tr.trips),
                _("stops"): sum(len(t.stops) for t in tr.trips),
                _("cylinders"): tr.delivered,
                _("km"): fmt_num(tr.km, 1),
                _("hours"): fmt_num(hours, 1),
            }
        )
    return rows


def trip_rows(plan: Plan) -> list[dict]:
    """One row per trip: departure, return, load, km and its stops in order."""
    return [
        {
            _("truck"): t.truck_id,
            _("trip"): tr.trip_no,
            _("leaves"): format_hhmm(tr.depart),
            _("back"): format_hhmm(tr.back),
            _("cylinders"): tr.loaded,
            _("km"): round(tr.km, 1),
            _("stops"): " → ".join(f"{s.name} ({s.cylinders})" for s in tr.stops),
            _("assumed road segments"): sum(leg.assumed_edges for leg in tr.legs),
        }
        for t, tr in plan.trips()
    ]


def area_rows(plan: Plan, *, level: str = "district") -> list[dict]:
    """Every district / macrodistrict (``level="zone"``: every La Paz zone) and the
    priority sites: households, ration, delivered, served share beside walking access
    (straight line) and why an area got less than its ration."""
    rows = summary_rows(plan)
    if not plan.areas:  # a plan from before the accounts: groups with points only
        return [
            {
                _("area"): group_label(r["group"]),
                _("points"): r["points"],
                _("eligible points"): r["eligible_points"],
                _("ration"): r["ration"],
                _("delivered"): r["delivered"],
                _("served"): fmt_pct(r["served_pct"] / 100),
            }
            for r in rows
            if level == "district"
        ]
    keep = (level, "priority") if level == "district" else (level,)
    out = []
    for r in rows:
        if r["level"] not in keep:
            continue
        prio = r["level"] == "priority"
        out.append(
            {
                _("area"): r["zone"] if level == "zone" else group_label(r["group"]),
                **({_("macrodistrict"): r["group"]} if level == "zone" else {}),
                _("households"): "" if prio else fmt_int(r["households"]),
                _("ration"): r["ration"],
                _("delivered"): r["delivered"],
                _("served"): fmt_pct(r["served_pct"] / 100),
                _("within 500 m"): "" if prio else fmt_pct(r["within_500m_pct"] / 100),
                _("within 1 km"): "" if prio else fmt_pct(r["within_1km_pct"] / 100),
                _("beyond 2 km"): "" if prio else fmt_int(r["beyond_2km_households"]),
                _("why not all"): r["why"],
            }
        )
    return out


def _show_areas(plan: Plan) -> None:
    """The district tab: a bar per district, the table of every area, the zones below."""
    rows = [r for r in summary_rows(plan) if r.get("level", "district") != "zone"]
    delivered, ration = _("delivered"), _("eligible ration")
    df = pd.DataFrame(
        [
            {_("area"): group_label(r["group"]), delivered: r["delivered"], ration: r["ration"]}
            for r in rows
        ]
    ).set_index(_("area"))
    st.bar_chart(df, horizontal=True, stack=False, color=["#2ca02c", "#bbbbbb"])
    st.table(pd.DataFrame(area_rows(plan)), hide_index=True)
    if plan.areas:
        st.caption(
            _(
                "Households from the 2024 census. Within 500 m / 1 km: the share of the "
                "households living that close to a point that received gas, in straight "
                "lines (the map has no footpaths); beyond 2 km: households with no such "
                "point within 2 km."
            )
        )
        zones = area_rows(plan, level="zone")
        with st.expander(
            _("La Paz zones ({n})").format(n=fmt_int(len(zones))), key="results.zones"
        ):
            st.dataframe(pd.DataFrame(zones), hide_index=True, width="stretch")


def unserved_rows(plan: Plan) -> list[dict]:
    """Every point not fully served, with its reason as a sentence."""
    un = sorted(plan.unserved, key=lambda x: (x.reason, x.group, x.point_id))
    return [
        {
            _("distribution point"): x.name,
            _("area"): x.group,
            _("missing"): x.missing,
            _("of ration"): x.ration,
            _("why"): reason_text(x.reason, x.group),
        }
        for x in un
    ]


def _show_unserved(plan: Plan) -> None:
    if not plan.unserved:
        st.success(_("Every eligible point was fully served."))
        return
    counts: dict[str, int] = {}
    for x in sorted(plan.unserved, key=lambda x: x.reason):
        counts[x.reason] = counts.get(x.reason, 0) + 1
    st.markdown(
        _("Not fully served, by reason: {counts}").format(
            counts=", ".join(f"**{reason_text(k)}** {fmt_int(v)}" for k, v in counts.items())
        )
    )
    st.table(pd.DataFrame(unserved_rows(plan)), hide_index=True)


def show_results(rec: dict, current_yaml: str) -> None:
    plan: Plan = rec["plan"]
    st.header(_("Plan {plan_id}").format(plan_id=plan.plan_id()))
    if rec["yaml"] != current_yaml:
        st.info(_("This plan was made before your latest edits: press **Plan** to re-plan."))
    if rec["ok"]:
        st.success(
            _(
                "Independent check: plan {plan_id} passes every rule ({trips} trips checked; "
                "no trip drives through a closed blockade)"
            ).format(plan_id=plan.plan_id(), trips=fmt_int(rec["checked"]))
        )
    else:
        st.error(
            _("Independent check: PLAN FAILS {n} rule(s)").format(n=fmt_int(len(rec["errors"])))
        )
        for e in rec["errors"][:20]:
            st.markdown(f"- {e}")
    c = st.columns(5)
    c[0].metric(
        _("Cylinders delivered"),
        fmt_int(plan.delivered),
        help=_("of {ration} cylinders of the eligible ration").format(ration=fmt_int(plan.demand)),
    )
    c[1].metric(_("Cylinders at the plant"), fmt_int(plan.plant.stock))
    c[2].metric(_("Trips"), fmt_int(len(plan.trips())))
    c[3].metric(_("Trucks driving"), f"{len(plan.trucks_used)}/{len(plan.trucks)}")
    c[4].metric(
        _("Km"),
        fmt_int(plan.km),
        help=_("{hours} h driving").format(hours=fmt_num(plan.driving_hours(), 1)),
    )
    tabs = st.tabs(
        [
            _("Trucks"),
            _("Trips"),
            _("Districts"),
            _("Not served ({n})").format(n=len(plan.unserved)),
            _("Notes"),
        ]
    )
    with tabs[0]:
        st.table(pd.DataFrame(truck_rows(plan)), hide_index=True)
    with tabs[1]:
        st.dataframe(pd.DataFrame(trip_rows(plan)), hide_index=True, width="stretch")
    with tabs[2]:
        _show_areas(plan)
    with tabs[3]:
        _show_unserved(plan)
    with tabs[4]:
        for n in plan.notes:
            st.markdown(f"- {n}")
        if not plan.notes:
            st.caption(_("No notes."))
    with st.expander(_("Details"), key="results.details"):
        st.caption(details_line(plan))
        st.caption(
            _("scenario checksum {sha}; points not fully served: {ids}").format(
                sha=plan.scenario_sha256[:12],
                ids=", ".join(u.point_id for u in plan.unserved) or "-",
            )
        )
