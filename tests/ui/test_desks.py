"""Several desks at once: ten app sessions in one process, editing and planning.

Ten ``AppTest`` sessions of ``app.py`` run in ten threads of this process, as one Streamlit
server runs the scripts of ten browser sessions. ``AppTest`` swaps process-wide objects
(Streamlit's ``Runtime``, its config) for the length of each script run, so the runs take
turns (a lock around each); the ten desks' sequences of edits and plans interleave freely.
Each desk uploads its own small scenario (its own name, stock and point), edits the stock,
plans, and must see only its own state: scenario, stock, plans and their stops. Three desks
first try a hostile upload (an alias bomb, a file that is not UTF-8, a valid scenario whose
model would not fit in memory) and get one error line; the others are not affected.

What does run truly at once on a server is the search: ten planning threads of ten
sessions with the same scenario share one cached problem. The second test solves it in
ten threads at the same moment and checks every plan is valid and the same as a plan
solved alone (the search is deterministic on its solution budget), and that the shared
problem is not changed.
"""

from __future__ import annotations

import copy
import resource
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from logistics.model import scenario_from_dict
from logistics.plan import validate_plan
from logistics.routing import build_problem, solve
from tests.helpers import D8, node_point, roster, scenario_dict

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
DESKS = 10
_RUN = threading.Lock()  # one AppTest script run at a time (see the module docstring)
_BOMB = "".join(
    f"l{k}: &l{k} [" + ", ".join([f"*l{k - 1}" if k else "x"] * 10) + "]\n" for k in range(10)
).encode()


def _desk_scenario(net, k: int) -> bytes:
    pts = [node_point(net, D8[k % 5], f"d{k}p", households=40 + k)]
    doc = scenario_dict(pts, stock=1000 + k, time_limit_s=1.0, solution_limit=50)
    doc["name"] = f"desk {k}"
    return yaml.safe_dump(doc).encode()


def _lang(k: int) -> str:
    """Even desks keep the default language (Spanish), odd desks switch to English."""
    return "en" if k % 2 else "es"


# What each hostile upload's one error line must say, in the desk's language.
_NOT_LOADED = {"en": "Scenario not loaded", "es": "No se cargó el escenario"}
_HOSTILE_WORDS = {
    "aliases": {"en": "aliases", "es": "alias"},
    "utf8": {"en": "not UTF-8 text", "es": "no es texto UTF-8"},
    "size": {"en": "would need about", "es": "necesitaría unos"},
}


def _hostile(net, k: int) -> tuple[bytes, str] | None:
    if k == 1:
        return _BOMB, _HOSTILE_WORDS["aliases"][_lang(k)]
    if k == 2:
        return "name: año\n".encode("latin-1"), _HOSTILE_WORDS["utf8"][_lang(k)]
    if k == 3:
        doc = yaml.safe_load(_desk_scenario(net, k))
        doc["fleet"][0]["capacity"] = 1
        doc["plants"][0]["stock"] = 10_000_000
        doc["demand"]["points"][0]["households"] = 1_000_000
        return yaml.safe_dump(doc).encode(), _HOSTILE_WORDS["size"][_lang(k)]
    return None


def _run(at: AppTest) -> None:
    with _RUN:
        at.run()
    assert not at.exception, at.exception


def _upload(at: AppTest, name: str, data: bytes) -> None:
    at.file_uploader(key="w.upload").set_value((name, data, "application/x-yaml"))
    _run(at)


def _run_desk(net, k: int, out: dict) -> None:
    try:
        at = AppTest.from_file(APP, default_timeout=600)
        at.session_state["w.lang"] = _lang(k)
        _run(at)
        bad = _hostile(net, k)
        if bad is not None:
            _upload(at, "bad.yaml", bad[0])
            errors = [str(e.value) for e in at.error]
            assert any(_NOT_LOADED[_lang(k)] in e and bad[1] in e for e in errors), errors
            assert all("\n" not in e for e in errors), errors
        _upload(at, f"desk{k}.yaml", _desk_scenario(net, k))
        assert not at.error, [e.value for e in at.error]
        at.number_input(key="w.stock").set_value(500 + k)
        _run(at)
        at.number_input(key="w.limit").set_value(1.0)
        at.button(key="plan").click()
        _run(at)
        ss = at.session_state
        last = ss["plans"][-1]
        out[k] = {
            "name": ss["base"]["name"],
            "label": ss["sc_label"],
            "uploaded": ss["sc_uploaded"],
            "stock": ss["w.stock"],
            "plans": [p["plan"].scenario for p in ss["plans"]],
            "plan_stock": last["plan"].plant.stock,
            "yaml_name": yaml.safe_load(last["yaml"])["name"],
            "points": sorted({s.point_id for _, t in last["plan"].trips() for s in t.stops}),
            "delivered": last["plan"].delivered,
            "ok": last["ok"],
        }
    except BaseException as exc:  # reported by the test, with the desk's number
        out[k] = exc


@pytest.mark.slow
def test_ten_desks_see_only_their_own_state(net):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out: dict[int, object] = {}
    threads = [threading.Thread(target=_run_desk, args=(net, k, out)) for k in range(DESKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(1800)
    assert not any(t.is_alive() for t in threads), "a desk hung"
    failed = {k: v for k, v in out.items() if isinstance(v, BaseException)}
    assert not failed, failed
    for k in range(DESKS):
        got = out[k]
        assert got["name"] == got["yaml_name"] == f"desk {k}"
        assert got["label"] == f"desk{k}.yaml" and got["uploaded"]
        assert got["stock"] == got["plan_stock"] == 500 + k
        assert got["plans"] == [f"desk {k}"]  # no plan of another desk in this session
        assert got["points"] == [f"d{k}p"] and got["ok"]
        assert 0 < got["delivered"] <= 40 + k
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(f"{DESKS} desks: peak memory of the process grew by {grown_mb:.0f} MB")
    assert grown_mb < 2048


def test_ten_searches_at_once_on_one_shared_problem(net):
    pts = [node_point(net, o, f"p{o}", households=90) for o in D8[:4]]
    doc = scenario_dict(
        pts, trucks=2, capacity=100, guards=roster(2, [("Distrito 8", 2)]), solution_limit=100,
        time_limit_s=30,
    )  # fmt: skip
    sc = scenario_from_dict(doc)
    problem = build_problem(sc, net=net)  # shared, as st.cache_resource shares it
    routable = copy.deepcopy([(p.id, p.ration) for p in problem.routable])
    alone = solve(problem).model_dump_json(exclude={"solver"})
    with ThreadPoolExecutor(DESKS) as pool:
        plans = list(pool.map(lambda _: solve(problem), range(DESKS)))
    for plan in plans:
        assert validate_plan(plan, sc, net).ok
        assert plan.model_dump_json(exclude={"solver"}) == alone
    assert [(p.id, p.ration) for p in problem.routable] == routable  # the shared problem is intact
