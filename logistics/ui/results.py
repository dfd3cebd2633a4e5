"""The plan's results: validator verdict, headline numbers and the trucks / trips /
districts / unserved / notes tabs.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from logistics.model import format_hhmm
from logistics.ops import solver_line, summary_rows
from logistics.plan import Plan


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
