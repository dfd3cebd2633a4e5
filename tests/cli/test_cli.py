"""The `senkata` command end to end: outputs on the real map, and one-line errors."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from logistics.cli import app
from logistics.model import load_scenario
from logistics.plan import Plan, validate_plan

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "senkata-2005-06.yaml"
runner = CliRunner()


def _bad(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda s: s.replace("capacity: 300", "capacty: 300"), "fleet[0].capacty: unknown field"),
        (
            lambda s: s.replace("stock: 24000", "stock: -5"),
            "plants[0].stock: expected a number >= 0, got -5",
        ),
        (
            lambda s: s.replace("capacity: 300", "capacity: lots"),
            "fleet[0].capacity: expected a whole number, got 'lots'",
        ),
        (lambda s: s.replace('name: "Senkata', 'name: ["Senkata'), "malformed YAML at line"),
        (lambda s: s.replace("lat: -16.50361", "lat: -17.50361"), "blockades[0]"),
        (
            lambda s: s.replace("- Sopocachi ", "- Sopocachy "),
            "eligibility.excluded[2]: unknown area 'Sopocachy'",
        ),
    ],
)
def test_bad_scenario_gives_one_line_exit_2_and_writes_nothing(tmp_path, edit, expected):
    bad = _bad(tmp_path, edit(DEFAULT.read_text(encoding="utf-8")))
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", str(bad), "--out", str(out)])
    line = _one_line_error(result)
    assert expected in line
    assert "bad.yaml: " in line and len(line) <= len("error: ") + 200
    assert not out.exists()


def test_sealed_plant_is_refused(tmp_path):
    text = DEFAULT.read_text(encoding="utf-8").replace(
        "blockades:\n",
        "blockades:\n"
        "  - {id: ring, lat: -16.57401, lon: -68.18614, radius_m: 600, status: closed}\n",
        1,
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", str(_bad(tmp_path, text)), "--out", str(out)])
    assert "sealed in by closed blockades (ring" in _one_line_error(result)
    assert not out.exists()


def test_bad_time_limit_and_missing_file(tmp_path):
    r = runner.invoke(
        app, ["plan", str(DEFAULT), "--time-limit", "0", "--out", str(tmp_path / "o")]
    )
    assert "--time-limit: expected seconds > 0" in _one_line_error(r)
    r = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert "file not found; expected a scenario YAML file" in _one_line_error(r)


def test_maps_fetch_offline_fails_fast_with_one_line():
    r = runner.invoke(
        app, ["maps", "fetch", "--bbox", "-68.2,-16.6,-68.1,-16.5", "--out", "x.graphml"]
    )
    # this machine has no internet: the probe must say so at once
    assert "cannot reach the Overpass API" in _one_line_error(r)
    r = runner.invoke(app, ["maps", "fetch", "--bbox", "1,2,3"])
    assert "--bbox" in _one_line_error(r)


def test_maps_info_lists_assumed_links():
    r = runner.invoke(app, ["maps", "info"])
    assert r.exit_code == 0, r.output
    assert "ASSUMED connector" in r.stdout
    assert "assumed return carriageways" in r.stdout
    assert "partial map" in r.stdout


def test_validate_scenario_reports_points_without_solving():
    r = runner.invoke(app, ["validate", str(DEFAULT)])
    assert r.exit_code == 0, r.output
    assert "is valid" in r.stdout
    # the excluded points counted, with their reason as a sentence (not the code)
    assert re.search(r"  \d+ points: outside the eligible areas\n", r.stdout), r.stdout
    assert "excluded-zone" not in r.stdout


@pytest.mark.slow
def test_plan_default_scenario_end_to_end(tmp_path):
    """The README's main job: the June 2005 plan, its files, and the validator on them."""
    out = tmp_path / "out"
    r = runner.invoke(app, ["plan", str(DEFAULT), "--out", str(out), "--time-limit", "20"])
    assert r.exit_code == 0, r.output
    assert "validator: plan passes every rule" in r.stdout
    plan = Plan.load(out / "plan.json")
    sc = load_scenario(DEFAULT)
    rep = validate_plan(plan, sc)
    assert rep.ok, rep.errors
    # stock is short in this scenario: what stays at the plant is less than one truckload
    # (drops are whole shares of a point's ration, so an exact fit is not guaranteed)
    assert sc.plant.stock - 300 < plan.delivered <= sc.plant.stock
    assert any(u.reason == "stock-short" for u in plan.unserved)
    assert plan.delivered == sum(t.loaded for _, t in plan.trips())
    # some truck makes several trips (reloads at the plant)
    assert max(len(t.trips) for t in plan.trucks) >= 2
    # no stop in the excluded Zona Sur
    assert all(not s.group.endswith("/ Sur") for _, t in plan.trips() for s in t.stops)
    # every point not fully served has a reason
    assert plan.unserved and all(u.reason for u in plan.unserved)
    # routes follow the roads: as many vertices as road nodes driven, not just the stops
    gj = json.loads((out / "routes.geojson").read_text())
    assert len(gj["features"]) == len(plan.trips())
    for feat, (_, trip) in zip(gj["features"], plan.trips(), strict=True):
        coords = feat["geometry"]["coordinates"]
        road_nodes = sum(len(leg.nodes) - 1 for leg in trip.legs) + 1
        assert len(coords) == road_nodes > len(trip.stops) + 2
        assert coords[0] == coords[-1]  # back at the plant
    rows = list(csv.DictReader((out / "summary.csv").open()))
    # every district / macrodistrict (then its zones) and the priority sites; whole
    # cylinders that add up to what the trucks delivered
    assert sum(int(r["delivered"]) for r in rows if r["level"] != "zone") == plan.delivered
    districts = [r["group"] for r in rows if r["level"] == "district"]
    assert len(districts) == 22 and sum(r["level"] == "zone" for r in rows) == 188
    assert all(z["group"] in districts and z["zone"] for z in rows if z["level"] == "zone")
    # the CLI summary lists all 14 El Alto districts and 8 La Paz macrodistricts, then each
    # one left short with its reason in words
    table, _sep, why = r.stdout.partition("why areas got less than their ration:")
    for g in districts:
        assert re.search(rf"│ {re.escape(g.split(' / ')[1])} +│", table), g
        assert f"  {g}: " in why, g
    assert "  El Alto / Distrito 7: no road of the loaded map in the area; the nearest" in why
    assert "  La Paz / Sur: outside the eligible areas" in why
    assert "every household counted (2024 census): El Alto 246,062 households" in r.stdout
    assert "La Paz 210,398 households (757,431 people" in r.stdout


def test_warm_start_option(tmp_path, net):
    """--warm-start pyvrp reaches the solver (the plan records it); a wrong value is one
    line naming the option, and nothing is written."""
    import yaml

    from tests.helpers import D8, node_point, scenario_dict

    scen = tmp_path / "small.yaml"
    pts = [node_point(net, o, f"p{o}", households=80) for o in D8[:3]]
    scen.write_text(yaml.safe_dump(scenario_dict(pts)), encoding="utf-8")
    bad_out = tmp_path / "bad"
    r = runner.invoke(app, ["plan", str(scen), "--warm-start", "fast", "--out", str(bad_out)])
    assert "--warm-start: expected one of greedy, pyvrp, got 'fast'" in _one_line_error(r)
    assert not bad_out.exists()
    out = tmp_path / "o"
    r = runner.invoke(app, ["plan", str(scen), "--warm-start", "pyvrp", "--out", str(out)])
    assert r.exit_code == 0, r.output
    plan = Plan.model_validate_json((out / "plan.json").read_text(encoding="utf-8"))
    assert plan.solver.warm_start == "pyvrp" and plan.delivered == 240
