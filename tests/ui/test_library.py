"""The desk's work after a reload, the plan library and plan.json uploads (``AppTest``).

Every session here is a desk with its own ``?desk=`` id; the drafts and saved plans go to
the session's throw-away database (``tests/ui/conftest.py``). A reload is a new
``AppTest`` session opened with the same desk id in its address.
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from logistics.ledger import PlanStore
from logistics.model import load_scenario
from logistics.plan import Plan
from logistics.roads import load_network
from logistics.routing import build_problem
from tests.ui.test_app import APP, DEFAULT, add_blockade_by_form, fresh, metric, plan, texts

pytestmark = pytest.mark.slow  # each test plans the June 2005 shift at least once


@pytest.fixture(scope="module")
def far():
    """The routable stop farthest from the plant (as in test_app.py): a 30 m closed
    circle there cuts it off without sealing the plant."""
    problem = build_problem(load_scenario(DEFAULT), net=load_network())
    plant = problem.scenario.plant
    stops = [p for p in problem.routable if p.kind == "stop"]
    return max(stops, key=lambda p: (p.lon - plant.lon) ** 2 + (p.lat - plant.lat) ** 2)


def reopen(desk: str) -> AppTest:
    """A fresh session of the same desk: what a reload of the page is."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["desk"] = desk
    at.run()
    assert not at.exception, at.exception
    return at


def errors(at: AppTest) -> list[str]:
    return [str(e.value) for e in at.error]


def library(at: AppTest):
    for df in at.dataframe:
        if "plan" in df.value.columns and "#" in df.value.columns:
            return df.value
    raise AssertionError("no plan library on the page")


def test_a_reload_restores_edits_blockades_excluded_areas_and_plans(far):
    at = fresh()
    desk = at.query_params["desk"]
    assert len(desk) >= 8  # made on the first load, kept in the address
    at.number_input(key="w.stock").set_value(7000)
    at.run()
    add_blockade_by_form(at, far.lat, far.lon, 30.0)
    at.multiselect(key="w.excluded").select("Distrito 4")
    at.run()
    plan(at)
    pid = at.session_state["plans"][-1]["plan"].plan_id()
    yaml_before = at.session_state["sc_yaml"]

    back = reopen(desk)
    assert back.query_params["desk"] == desk
    assert metric(back, "Garrafas en planta") == "7.000"
    assert [b["id"] for b in back.session_state["blockades"]] == [
        b["id"] for b in at.session_state["blockades"]
    ]
    assert len(back.session_state["blockades"]) == 3
    assert "Distrito 4" in back.session_state["w.excluded"]
    assert back.session_state["sc_yaml"] == yaml_before
    assert [r["plan"].plan_id() for r in back.session_state["plans"]] == [pid]
    assert "cumple todas las reglas" in texts(back)  # the plan's check is shown again
    assert "Se recuperó el trabajo de esta mesa después de recargar (1 plan)." in texts(back)
    # "Reset edits" still goes back to the scenario as first loaded
    back.button(key="reset").click()
    back.run()
    assert metric(back, "Garrafas en planta") == "24.000"

    other = fresh()  # another desk: a new id, the shipped scenario
    assert other.query_params["desk"] != desk
    assert metric(other, "Garrafas en planta") == "24.000"
    assert other.session_state["plans"] == []


def test_a_saved_plan_is_seen_by_another_desk_and_an_unsaved_edit_is_not():
    one, two = fresh(), fresh()
    plan(one)
    one.text_input(key="w.author").input("Delegada Distrito 8")
    one.text_input(key="lib.name").input("Turno mañana")
    one.button(key="lib.save").click()
    one.run()
    assert not errors(one), errors(one)
    assert "todas las mesas lo ven" in " ".join(str(s.value) for s in one.success)
    saved_pid = one.session_state["plans"][-1]["plan"].plan_id()
    one.number_input(key="w.stock").set_value(5)  # unsaved work of desk one
    one.run()

    two.run()
    rows = library(two)
    mine = rows[rows["nombre"] == "Turno mañana"]
    assert list(mine["plan"]) == [saved_pid]
    assert list(mine["por"]) == ["Delegada Distrito 8"]
    assert metric(two, "Garrafas en planta") == "24.000"  # desk one's edit is not here
    number = int(mine["#"].iloc[0])
    two.selectbox(key="lib.pick").set_value(number)
    two.button(key="lib.open").click()
    two.run()
    assert not errors(two), errors(two)
    assert two.session_state["plans"][-1]["plan"].plan_id() == saved_pid
    assert metric(two, "Garrafas en planta") == "24.000"  # the plan's scenario, as saved
    assert metric(one, "Garrafas en planta") == "5"

    two.text_input(key="lib.rename").input("Turno mañana, revisado")
    two.button(key="lib.do_rename").click()
    two.run()
    one.run()
    assert "Turno mañana, revisado" in list(library(one)["nombre"])
    # the export is the saved plan.json, byte for byte
    one.selectbox(key="lib.pick").set_value(number)
    one.run()
    with PlanStore() as store:
        saved = store.plan_text(number)
    export = next(b for b in one.get("download_button") if "Exportar el plan" in b.proto.label)
    assert export.proto.label == f"Exportar el plan #{number} (plan.json)"
    assert Plan.model_validate_json(saved).plan_id() == saved_pid


def test_compare_two_saved_plans(far):
    at = fresh()
    plan(at)
    at.button(key="lib.save").click()
    at.run()
    add_blockade_by_form(at, far.lat, far.lon, 30.0)
    plan(at)
    at.button(key="lib.save").click()
    at.run()
    first, second = (int(n) for n in library(at)["#"].iloc[:2])  # newest first
    desk = fresh()
    desk.selectbox(key="lib.pick").set_value(first)
    desk.selectbox(key="lib.other").set_value(second)
    desk.button(key="lib.compare").click()
    desk.run()
    assert not errors(desk), errors(desk)
    got = [r["plan"].plan_id() for r in desk.session_state["plans"]]
    assert got == [r["plan"].plan_id() for r in at.session_state["plans"]]
    assert "Se abrieron los planes" in " ".join(str(s.value) for s in desk.success)
    assert "Comparar planes" in [h.value for h in desk.header]
    assert desk.selectbox(key="cmp.a.2").value == 1


def _upload(at: AppTest, name: str, data: bytes) -> None:
    at.file_uploader(key="lib.upload").set_value((name, data, "application/json"))
    at.run()
    assert not at.exception, at.exception


def test_uploading_a_plan_json_opens_it_and_a_bad_one_is_one_line():
    at = fresh()
    plan(at)
    text = at.session_state["plans"][-1]["plan"].model_dump_json()
    pid = at.session_state["plans"][-1]["plan"].plan_id()

    desk = fresh()
    _upload(desk, "plan.json", text.encode())
    assert errors(desk) == []
    assert desk.session_state["plans"][-1]["plan"].plan_id() == pid
    assert f"Se abrió plan.json: el plan {pid} cumple todas las reglas." in [
        str(s.value) for s in desk.success
    ]

    bad = fresh()
    _upload(bad, "x.json", b"{not json")
    assert len(errors(bad)) == 1
    assert errors(bad)[0].startswith("x.json: no es JSON válido")
    assert bad.session_state["plans"] == []

    data = json.loads(text)
    data["trucks"][0]["trips"][0]["stops"][0]["cylinders"] += 5000  # more than it carries
    _upload(bad, "tampered.json", json.dumps(data).encode())
    assert len(errors(bad)) == 1
    assert "no pasa la revisión independiente contra su escenario" in errors(bad)[0]
    assert bad.session_state["plans"] == []

    data = json.loads(text)
    data["scenario_sha256"] = "0" * 64
    orphan = Plan.model_validate(data).plan_id()
    _upload(bad, "orphan.json", json.dumps(data).encode())
    assert errors(bad) == [
        f"orphan.json: el escenario del plan {orphan} ('{data['scenario']}') no está en la "
        "biblioteca ni en esta mesa; cargue primero ese escenario y después el plan"
    ]
