"""The Streamlit app's flows, driven headless with Streamlit's ``AppTest``.

AppTest runs ``app.py`` in this process (no browser): widgets are set by key, buttons
clicked, and the page's elements read back. Map clicks (pydeck selections) cannot be made
here; the same actions go through the app's fallback blockade form, and the click-to-pick
translation is unit-tested in ``test_mapview.py``. The real browser test is
``test_app_browser.py``.
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

from logistics.model import Blockade, InputError, load_scenario
from logistics.ops import diff_plans
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


def fresh() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
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
    assert int(metric(at, "Distribution points")) > 50
    assert metric(at, "Stock") == "24,000"
    layers = deck_layers(at)
    for layer in ("roads", "assumed-links", "points", "plant", "excluded-areas", "blockade-zones"):
        assert layer in layers
    assert "routes" not in layers  # nothing planned yet
    assert not at.error
    assert "Cut off by blockades or the map: 0 points" in texts(at)


def test_edit_stock_changes_summary_and_yaml_round_trips(tmp_path):
    at = fresh()
    at.number_input(key="w.stock").set_value(1000)
    at.run()
    assert metric(at, "Stock") == "1,000"
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
    assert int(metric(at, "Cut off")) >= 1
    page = texts(at)
    assert "Newly cut off by the last edit" in page and far.name in page
    cut = table_with(at, "reason")
    assert far.name in set(cut["point"])
    assert set(cut["reason"]) == {"unreachable-blockade"}
    assert "map-1" in page  # listed among the blockades, with a Lift button
    at.button(key="lift.map-1").click()
    at.run()
    assert int(metric(at, "Cut off")) == 0
    assert "Reachable again" in texts(at)


def test_blockade_sealing_the_plant_is_refused_next_to_the_form(problem):
    at = fresh()
    plant = problem.scenario.plant
    add_blockade_by_form(at, plant.lat, plant.lon, 400.0)
    errors = " ".join(str(e.value) for e in at.error)
    assert "sealed" in errors and "blockades" in errors
    assert len(at.session_state["blockades"]) == 2  # unchanged
    assert "Traceback" not in texts(at)


def test_impossible_shift_shows_error_and_keeps_last_good_scenario():
    at = fresh()
    before = at.session_state["sc_yaml"]
    at.time_input(key="w.end").set_value(dt.time(6, 0))
    at.run()
    assert not at.exception
    errors = " ".join(str(e.value) for e in at.error)
    assert "shift" in errors and "must be after start" in errors
    assert at.session_state["sc_yaml"] == before
    assert deck_layers(at)  # the map still shows the last valid scenario


def test_plan_then_bad_uploads_keep_the_plan():
    at = fresh()
    plan(at)
    page = texts(at)
    assert "passes every rule" in page
    trucks = table_with(at, "commission")
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
        assert metric(at, "Stock") == "24,000"


def test_good_upload_replaces_the_scenario():
    at = fresh()
    data = DEFAULT.read_bytes().replace(b"stock: 24000", b"stock: 777")
    at.file_uploader(key="w.upload").set_value(("mine.yaml", data, "application/x-yaml"))
    at.run()
    assert not at.error
    assert metric(at, "Stock") == "777"
    assert "uploaded mine.yaml" in texts(at)


def test_two_sessions_do_not_share_edits(far):
    one, two = fresh(), fresh()
    one.number_input(key="w.stock").set_value(5)
    one.run()
    add_blockade_by_form(one, far.lat, far.lon, 30.0)
    two.run()
    assert metric(one, "Stock") == "5"
    assert metric(two, "Stock") == "24,000"
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
    assert "passes every rule" in texts(at)
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
    assert "Compare plans" in page and "Stops:" in page
    rows = table_with(at, "plan A")
    assert "km driven" in set(rows[""])
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
    assert "passes every rule" in texts(at)
    assert at.session_state["plans"][-1]["plan"].solver.warm_start == "pyvrp"
    assert "start: pyvrp" in texts(at)  # the plan tab's solver line
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
    assert "Planning failed: RuntimeError: solver exploded" in errors
    assert "the last plan is kept" in errors
    assert at.expander and at.expander[-1].label == "details"
    assert at.session_state["plans"][-1]["plan"].plan_id() == kept
    assert "passes every rule" in texts(at)
