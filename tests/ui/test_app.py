"""The Streamlit app's flows, driven headless with Streamlit's ``AppTest``.

AppTest runs ``app.py`` in this process (no browser): widgets are set by key, buttons
clicked, and the page's elements read back. Map clicks (pydeck selections) cannot be made
here; the same actions go through the app's fallback blockade form, and the click-to-pick
translation is unit-tested in ``test_mapview.py``. The real browser test is
``test_app_browser.py``.

The app speaks Spanish unless the session's switch says otherwise: tests of the app's own
words read the Spanish; tests whose messages come from other rooms (the scenario model,
the routing problem) run the page in English (``fresh("en")``) and check the same things.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from logistics.i18n import use_language
from logistics.model import Blockade, InputError, load_scenario
from logistics.ops import diff_plans, warm_start_name
from logistics.plan import reason_text
from logistics.roads import load_network
from logistics.routing import build_problem
from logistics.ui import deck
from tests.helpers import D8, node_point, scenario_dict

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
DEFAULT = ROOT / "scenarios" / "senkata-2005-06.yaml"


@pytest.fixture(scope="module")
def problem():
    """The default scenario's problem, built by the library (to choose places to block)."""
    return build_problem(load_scenario(DEFAULT), net=load_network())


@pytest.fixture(scope="module")
def far(problem):
    """The routable OSM-stop point farthest from the plant; it sits on a road node, so a
    30 m closed circle isolates it without sealing the plant."""
    plant = problem.scenario.plant
    stops = [p for p in problem.routable if p.kind == "stop"]
    return max(stops, key=lambda p: (p.lon - plant.lon) ** 2 + (p.lat - plant.lat) ** 2)


def fresh(lang: str | None = None) -> AppTest:
    """A new session of the app; ``lang`` set as if the switch had been used first."""
    at = AppTest.from_file(APP, default_timeout=120)
    if lang is not None:
        at.session_state["w.lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """Every piece of text on the page, one string (for 'is it shown?' checks)."""
    parts = []
    for kind in ("markdown", "caption", "error", "warning", "success", "info", "header"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label}={m.value}" for m in at.metric]
    return "\n".join(parts)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def deck_layers(at: AppTest) -> list[str]:
    decks = at.get("deck_gl_json_chart")
    assert decks, "no map on the page"
    return deck.layer_ids(decks[0].proto.json)


def road_with_detour(plan, net, radius_m: float) -> tuple[float, float]:
    """A road node some trip drives (1.5-8 km from the plant, not at a stop) whose closing
    leaves all but at most two routable points reachable: a re-plan must detour around it.

    (Av. 6 de Marzo north of the plant has no side road in the extract; closing it cuts
    the whole north off, which avoids the blockade but shows no detour.)
    """
    sc = load_scenario(DEFAULT)
    base = len(build_problem(sc, net=net).routable)
    plant = [(plan.plant.lon, plan.plant.lat)]
    stops = {s.node for _, t in plan.trips() for s in t.stops}
    cands, seen = [], set()
    for _, trip in plan.trips():
        for leg in trip.legs:
            for osmid in leg.nodes[2:-2]:
                if osmid in seen or osmid in stops:
                    continue
                seen.add(osmid)
                lon, lat = net.path_coords([osmid])[0]
                if 1500 < deck.min_distance_m(plant, lon, lat) < 8000:
                    cands.append((lon, lat))
    for lon, lat in cands[:: max(1, len(cands) // 25)]:
        blk = Blockade.model_validate(deck.circle_blockade("probe", lat, lon, radius_m))
        try:
            p = build_problem(sc.model_copy(update={"blockades": [*sc.blockades, blk]}), net=net)
        except InputError:
            continue
        if len(p.routable) >= base - 2:
            return lon, lat
    raise AssertionError("no driven road with a detour found")


def add_blockade_by_form(at: AppTest, lat: float, lon: float, radius: float) -> None:
    at.radio(key="f.where").set_value("coordinates")
    at.number_input(key="f.lat").set_value(lat)
    at.number_input(key="f.lon").set_value(lon)
    at.number_input(key="f.radius").set_value(radius)
    at.selectbox(key="f.status").set_value("closed")
    at.button(key="f.submit").click()
    at.run()
    assert not at.exception, at.exception


def plan(at: AppTest, limit: float = 2.0) -> None:
    at.number_input(key="w.limit").set_value(limit)
    at.button(key="plan").click()
    at.run()
    assert not at.exception, at.exception


def table_with(at: AppTest, column: str):
    for t in at.table:
        if column in t.value.columns:
            return t.value
    raise AssertionError(f"no table with a {column!r} column")


def test_default_scenario_loads_with_its_map():
    at = fresh()
    assert int(metric(at, "Puntos de distribución")) > 50
    assert metric(at, "Garrafas en planta") == "24.000"
    layers = deck_layers(at)
    for layer in ("roads", "assumed-links", "points", "plant", "excluded-areas", "blockade-zones"):
        assert layer in layers
    assert "routes" not in layers  # nothing planned yet
    assert not at.error
    assert "Cortados por bloqueos o por el mapa: 0 puntos de distribución" in texts(at)


def test_edit_stock_changes_summary_and_yaml_round_trips(tmp_path):
    at = fresh()
    at.number_input(key="w.stock").set_value(1000)
    at.run()
    assert metric(at, "Garrafas en planta") == "1.000"
    # The scenario YAML download serves this text; `senkata plan` must accept it unchanged.
    path = tmp_path / "edited.yaml"
    path.write_text(at.session_state["sc_yaml"], encoding="utf-8")
    sc = load_scenario(path)
    assert sc.plant.stock == 1000
    assert [b.id for b in sc.blockades] == ["ceja", "rio-seco-checkpoint"]
    assert sc.solver.time_limit_s == 10  # the app's default search time


def test_closed_blockade_from_form_cuts_a_point_off(far):
    at = fresh()
    add_blockade_by_form(at, far.lat, far.lon, 30.0)
    assert not at.error, [e.value for e in at.error]
    assert len(at.session_state["blockades"]) == 3
    assert int(metric(at, "Cortados")) >= 1
    page = texts(at)
    assert "Cortados por el último cambio" in page and far.name in page
    cut = table_with(at, "por qué")
    assert far.name in set(cut["punto de distribución"])
    assert set(cut["por qué"]) == {"cortado por un bloqueo"}  # the reason as a sentence
    assert "map-1" in page  # listed among the blockades, with a Lift button
    assert "Se agregó el bloqueo cerrado map-1" in page
    at.button(key="lift.map-1").click()
    at.run()
    assert int(metric(at, "Cortados")) == 0
    assert "Otra vez al alcance" in texts(at)


def test_blockade_sealing_the_plant_is_refused_next_to_the_form(problem):
    at = fresh("en")  # the "sealed" line is the routing room's
    plant = problem.scenario.plant
    add_blockade_by_form(at, plant.lat, plant.lon, 400.0)
    errors = " ".join(str(e.value) for e in at.error)
    assert "sealed" in errors and "blockades" in errors
    assert len(at.session_state["blockades"]) == 2  # unchanged
    assert "Traceback" not in texts(at)


def test_impossible_shift_shows_error_and_keeps_last_good_scenario():
    at = fresh("en")  # the shift's error line is the scenario model's
    before = at.session_state["sc_yaml"]
    at.time_input(key="w.end").set_value(dt.time(6, 0))
    at.run()
    assert not at.exception
    errors = " ".join(str(e.value) for e in at.error)
    assert "shift" in errors and "must be after start" in errors
    assert at.session_state["sc_yaml"] == before
    assert deck_layers(at)  # the map still shows the last valid scenario


def test_plan_then_bad_uploads_keep_the_plan():
    at = fresh("en")  # "malformed YAML" and the field errors are the scenario model's
    plan(at)
    page = texts(at)
    assert "passes every rule" in page
    trucks = table_with(at, "guard commission")
    assert len(trucks) > 0 and trucks["cylinders"].astype(int).sum() > 0
    assert "routes" in deck_layers(at)
    assert len(table_with(at, "missing")) > 0  # the unserved list, with reasons
    plan_id = at.session_state["plans"][-1]["plan"].plan_id()

    bad = [
        (b"name: [unclosed\n", "malformed YAML"),
        (DEFAULT.read_bytes().replace(b"capacity: 300", b"capacity: -5"), "fleet[0].capacity"),
        (b"# " + b"x" * 1_100_000, "at most"),
    ]
    for data, expected in bad:
        at.file_uploader(key="w.upload").set_value(("bad.yaml", data, "application/x-yaml"))
        at.run()
        assert not at.exception, at.exception
        errors = " ".join(str(e.value) for e in at.error)
        assert expected in errors, errors
        assert "Scenario not loaded" in errors
        assert at.session_state["plans"][-1]["plan"].plan_id() == plan_id
        assert "passes every rule" in texts(at)
        assert metric(at, "Cylinders at the plant") == "24,000"


def test_good_upload_replaces_the_scenario():
    at = fresh()
    data = DEFAULT.read_bytes().replace(b"stock: 24000", b"stock: 777")
    at.file_uploader(key="w.upload").set_value(("mine.yaml", data, "application/x-yaml"))
    at.run()
    assert not at.error
    assert metric(at, "Garrafas en planta") == "777"
    assert "Cargado: **mine.yaml (subido)**" in texts(at)


def test_two_sessions_do_not_share_edits(far):
    one, two = fresh(), fresh()
    one.number_input(key="w.stock").set_value(5)
    one.run()
    add_blockade_by_form(one, far.lat, far.lon, 30.0)
    two.run()
    assert metric(one, "Garrafas en planta") == "5"
    assert metric(two, "Garrafas en planta") == "24.000"
    assert len(one.session_state["blockades"]) == 3
    assert len(two.session_state["blockades"]) == 2


def test_replan_after_closed_blockade_avoids_it_and_compares():
    at = fresh()
    plan(at)
    first = at.session_state["plans"][-1]["plan"]
    net = load_network()
    lon, lat = road_with_detour(first, net, 40.0)
    add_blockade_by_form(at, lat, lon, 40.0)
    assert not at.error, [e.value for e in at.error]
    plan(at)
    assert "cumple todas las reglas" in texts(at)
    second = at.session_state["plans"][-1]["plan"]
    for _, trip in second.trips():
        for leg in trip.legs:
            assert deck.min_distance_m(net.path_coords(leg.nodes), lon, lat) > 40.0
    # the compare map shows the blocked road among those driven only before
    diff = diff_plans(first, second)
    near = [
        pr for pr in diff.roads_only_a if deck.min_distance_m(net.path_coords(pr), lon, lat) <= 40.0
    ]
    assert near
    assert second.delivered > 0.9 * first.delivered
    page = texts(at)
    assert "Comparar planes" in page and "Paradas:" in page
    rows = table_with(at, "plan A")
    assert "km recorridos" in set(rows[""])
    assert json.loads(second.model_dump_json())["trucks"]


def test_small_upload_plans_and_zips_delivery_sheets():
    """A small uploaded scenario plans in a second from PyVRP's routes (sidebar choice);
    the delivery sheets come as one zip."""
    net = load_network()
    data = scenario_dict([node_point(net, o, f"p{o}", households=80) for o in D8[:2]])
    at = fresh()
    text = yaml.safe_dump(data).encode()
    at.file_uploader(key="w.upload").set_value(("small.yaml", text, "application/x-yaml"))
    at.run()
    assert not at.error, [e.value for e in at.error]
    at.selectbox(key="w.warm").set_value("pyvrp")  # the sidebar's search start
    plan(at, limit=1.0)
    assert "cumple todas las reglas" in texts(at)
    assert at.session_state["plans"][-1]["plan"].solver.warm_start == "pyvrp"
    with use_language("es"):
        start = warm_start_name("pyvrp")
    assert f"inicio: {start})" in texts(at)  # the solver line, in the Details expander
    at.button(key="sheets.make").click()
    at.run()
    assert not at.exception and not at.error
    ((_, blob),) = at.session_state["sheets"].items()
    names = zipfile.ZipFile(io.BytesIO(blob)).namelist()
    assert any(n.endswith(".pdf") for n in names), names


def test_solver_crash_shows_one_line_and_keeps_the_last_plan(monkeypatch):
    at = fresh()
    plan(at)
    kept = at.session_state["plans"][-1]["plan"].plan_id()

    def boom(problem, **kwargs):
        raise RuntimeError("solver exploded")

    # the planning action looks `solve` up in its module at each call, so the patch reaches it
    monkeypatch.setattr("logistics.ui.actions.solve", boom)
    at.button(key="plan").click()
    at.run()
    assert not at.exception
    errors = " ".join(str(e.value) for e in at.error)
    assert "No se pudo planificar: RuntimeError: solver exploded" in errors
    assert "se mantiene el último plan" in errors
    assert any(e.label == "Detalles" for e in at.expander)  # the traceback, folded away
    assert any("RuntimeError: solver exploded" in str(c.value) for c in at.code)
    assert at.session_state["plans"][-1]["plan"].plan_id() == kept
    assert "cumple todas las reglas" in texts(at)


# ------------------------------------------------------------------ languages
def _shown(value) -> list[str]:
    """The words a JSON setting shows (a table editor's column labels, help, options)."""
    if isinstance(value, dict):
        out = [str(v) for k, v in value.items() if k in ("label", "help", "placeholder")]
        return out + [s for k, v in value.items() if k != "value" for s in _shown(v)]
    if isinstance(value, list):
        return [s for v in value for s in _shown(v)]
    return []


def _proto_strings(msg) -> list[str]:
    """Every string a protobuf message holds (labels, help, options, bodies), recursively;
    of JSON settings only what they show."""
    out: list[str] = []
    for field, value in msg.ListFields():
        if field.name in ("id", "form_id", "json", "arrow_data", "data", "css"):
            continue
        for v in value if field.is_repeated else [value]:
            if isinstance(v, str) and v.startswith("{"):
                try:
                    out += _shown(json.loads(v))
                except ValueError:
                    out.append(v)
            elif isinstance(v, str):
                out.append(v)
            elif hasattr(v, "ListFields"):
                out += _proto_strings(v)
    return out


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def page_strings(at: AppTest) -> list[str]:
    """Everything the page shows as text: every element's labels, help, options and
    bodies; tab and expander labels; table headers and cells; the map's tooltips."""
    out: list[str] = []
    for root in (at.main, at.sidebar):
        for node in _nodes(root):
            proto = getattr(node, "proto", None)
            if proto is not None and hasattr(proto, "ListFields"):
                out += _proto_strings(proto)
            label = getattr(node, "label", None)
            if isinstance(label, str):
                out.append(label)
    for t in [*at.table, *(d for d in at.dataframe if d.editing_mode == "read_only")]:
        out += [str(c) for c in t.value.columns]
        out += [str(v) for v in t.value.astype(str).to_numpy().ravel()]
    for chart in at.get("deck_gl_json_chart"):
        for layer in json.loads(chart.proto.json)["layers"]:
            out += [str(d["tip"]) for d in layer.get("data") or [] if "tip" in d]
    return [s for s in out if s.strip()]


def english_left(strings: list[str]) -> list[str]:
    """The old English words still on a page, as ``word in text`` hits."""
    from tests.ui.labels import ENGLISH_LABELS, ENGLISH_PHRASES

    hits = {f"{w!r} in {s[:80]!r}" for s in strings for w in ENGLISH_PHRASES if w in s}
    hits |= {repr(s) for s in strings if s.strip() in ENGLISH_LABELS}
    return sorted(hits)


def test_the_spanish_page_shows_none_of_the_english_labels():
    """Default language: the page before and after planning, every tab, the map's
    tooltips and the comparison, with a blockade added, all in Spanish."""
    at = fresh()
    assert at.radio(key="w.lang").value == "es"
    assert english_left(page_strings(at)) == []
    plan(at)
    plan(at, limit=1.0)  # a second plan: the comparison shows
    strings = page_strings(at)
    last = at.session_state["plans"][-1]["plan"]
    assert "Plan A (antes)" in strings and f"Sin atender ({len(last.unserved)})" in strings
    assert english_left(strings) == []
    # the reasons read as sentences, in Spanish
    with use_language("es"):
        sentences = {reason_text(u.reason, u.group) for u in last.unserved}
    with use_language("en"):
        english = {reason_text(u.reason, u.group) for u in last.unserved}
    assert sentences and set(table_with(at, "por qué")["por qué"]) == sentences
    # (which reasons occur depends on how far a 1 s search got; each one reads in Spanish)
    assert not sentences & english


def test_the_page_in_english_shows_the_same_plan():
    """Switching to English keeps the plans and shows the same numbers, in English."""
    at = fresh()
    plan(at)
    ids = [r["plan"].plan_id() for r in at.session_state["plans"]]
    es = {m.label: m.value for m in at.metric}
    es_unserved = table_with(at, "por qué")
    at.radio(key="w.lang").set_value("en").run()
    assert not at.exception, at.exception
    assert [r["plan"].plan_id() for r in at.session_state["plans"]] == ids
    en = {m.label: m.value for m in at.metric}
    assert en["Cylinders delivered"].replace(",", "") == es["Garrafas entregadas"].replace(".", "")
    assert en["Cylinders at the plant"] == "24,000" and es["Garrafas en planta"] == "24.000"
    assert en["Trips"] == es["Viajes"]
    en_unserved = table_with(at, "why")
    assert list(en_unserved["distribution point"]) == list(es_unserved["punto de distribución"])
    assert "not enough cylinders" in set(en_unserved["why"])
    assert f"Plan {ids[-1]}" in texts(at)
    assert "passes every rule" in texts(at)


def test_switching_language_keeps_every_edit():
    """Edits survive the switch, the truck table's too (Streamlit would re-make that
    editor empty of edits when its column labels change)."""
    at = fresh()
    gen = at.session_state["gen"]
    at.session_state[f"fleet-{gen}"] = {
        "edited_rows": {"0": {"count": 12}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.number_input(key="w.stock").set_value(5000)
    at.run()
    at.multiselect(key="w.excluded").select("Max Paredes")
    at.run()
    assert metric(at, "Camiones con comisión") == "12/12"
    yaml_es = at.session_state["sc_yaml"]
    at.radio(key="w.lang").set_value("en").run()
    assert not at.exception, at.exception
    assert metric(at, "Trucks with a commission") == "12/12"
    assert metric(at, "Cylinders at the plant") == "5,000"
    assert "Max Paredes" in at.multiselect(key="w.excluded").value
    assert at.session_state["sc_yaml"] == yaml_es
    # "Reset edits" still goes back to the scenario as loaded
    at.button(key="reset").click().run()
    assert metric(at, "Trucks with a commission") == "30/30"
    assert metric(at, "Cylinders at the plant") == "24,000"
