"""Downloads: the edited scenario, plan.json, routes.geojson, summary.csv, the sheets' zip."""

from __future__ import annotations

import io
import json
import re
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from logistics.i18n import DEFAULT_LANGUAGE, LANGUAGES, _
from logistics.model import Scenario, SenkataError, scenario_from_text
from logistics.ops import summary_rows
from logistics.paper import OFFICIAL_PRICE_BS, routes_geojson, write_sheets, zip_sheets
from logistics.plan import Plan
from logistics.ui.state import cached_network, err_line


def show_downloads(rec: dict | None, sc: Scenario, text: str) -> None:
    ss = st.session_state
    st.header(_("Downloads"))
    slug = re.sub(r"[^a-z0-9]+", "-", sc.name.lower()).strip("-")[:40] or "scenario"
    c = st.columns(4)
    c[0].download_button(
        _("Scenario (YAML)"),
        data=text,
        file_name=f"{slug}.yaml",
        mime="application/x-yaml",
        on_click="ignore",
        help=_("The edited scenario; `senkata plan` accepts it unchanged."),
    )
    if rec is None:
        st.caption(_("Plan first to download plan.json, routes.geojson and the summary."))
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
    c1, c2, c3 = st.columns([1, 1, 2])
    price = c1.number_input(
        _("Price per cylinder (Bs)"),
        min_value=0.01,
        value=OFFICIAL_PRICE_BS,
        step=0.5,
        key="w.price",
    )
    lang = c2.selectbox(
        _("Language of the sheets"),
        LANGUAGES,
        index=LANGUAGES.index(DEFAULT_LANGUAGE),
        key="w.sheet_lang",
        help=_("The guards' language; Spanish unless the commission reads English."),
    )
    key = (plan.plan_id(), float(price), lang)
    if c3.button(_("Prepare the delivery sheets (zip)"), key="sheets.make"):
        try:
            with st.spinner(_("Writing the delivery sheets (PDF, CSV, XLSX, GPX)...")):
                ss.sheets = {key: make_sheets_zip(rec, price, lang=lang)}
        except SenkataError as exc:
            st.error(err_line(exc))
    if key in ss.sheets:
        c3.download_button(
            _("Delivery sheets (zip)"),
            data=ss.sheets[key],
            file_name=f"sheets-{plan.plan_id()}.zip",
            mime="application/zip",
            on_click="ignore",
        )


def make_sheets_zip(rec: dict, price: float, *, lang: str = DEFAULT_LANGUAGE) -> bytes:
    """Every sheet file of the record's plan, zipped in memory (nothing kept on disk).

    The PDFs are stored as they are (compressed already); the text files deflated.
    """
    sc = scenario_from_text(rec["yaml"])
    net = cached_network(rec["map"])
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sheets"
        return zip_sheets(write_sheets(rec["plan"], sc, net, out, price_bs=price, lang=lang), out)
