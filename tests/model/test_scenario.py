"""Bad input gives one clear line naming the field (``InputError.where``) and the problem.

Field checks happen when the scenario is read (:mod:`logistics.model.scenario`); checks that need
the map or the area data (a point outside the map, a blockade on no road, an unknown area
name, a roster that cannot form a commission, a plant sealed in) when the problem is built.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from logistics.model import (
    PROJECT_ROOT,
    InputError,
    load_scenario,
    scenario_from_dict,
    scenario_from_text,
    scenario_to_yaml,
)


def _one_line(err: InputError) -> str:
    s = str(err)
    assert "\n" not in s and "\r" not in s, s
    assert s == f"{err.where}: {err.message}"
    return s


def _read_error(data) -> InputError:
    with pytest.raises(InputError) as exc:
        scenario_from_dict(data)
    _one_line(exc.value)
    return exc.value


# ------------------------------------------------------------------ reading
def test_good_scenario_reads_and_round_trips(good):
    sc = scenario_from_dict(good)
    assert sc.plant.stock == 5000 and sc.truck_ids() == ["T01"]
    assert scenario_from_text(scenario_to_yaml(sc)) == sc


def test_shipped_scenarios_read():
    for path in sorted((PROJECT_ROOT / "scenarios").glob("*.yaml")):
        sc = load_scenario(path)
        assert sc.plants and sc.fleet, path


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("name: x\nplants: [\n  {stock: 1\nfleet: 3\n", 4, 6),
        ("name: x\n  bad: : indent\n", 2, 6),
        ("name: 'unclosed\n", 2, 1),
    ],
)
def test_malformed_yaml_names_line_and_column(text, line, column):
    with pytest.raises(InputError) as exc:
        scenario_from_text(text, where="shift.yaml")
    err = exc.value
    _one_line(err)
    assert err.where == "shift.yaml"
    assert err.message.startswith("malformed YAML at ")
    assert f"line {line}, column {column}" in err.message


def test_malformed_yaml_from_file(tmp_path: Path):
    p = tmp_path / "bad.yaml"
    p.write_text("name: x\nfleet: [1, 2\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_scenario(p)
    _one_line(exc.value)
    assert exc.value.where == str(p)
    assert "line 3, column 1" in exc.value.message


def test_missing_file():
    with pytest.raises(InputError) as exc:
        load_scenario("/nonexistent/scenario.yaml")
    assert "not found" in _one_line(exc.value)


def test_not_a_mapping():
    with pytest.raises(InputError) as exc:
        scenario_from_text("- just\n- a list\n")
    assert "expected a mapping" in _one_line(exc.value)


def test_unknown_key_is_named(good):
    good["fleet"][0]["capacty"] = 300
    err = _read_error(good)
    assert err.where == "scenario: fleet[0].capacty"
    assert err.message.startswith("unknown field")


def test_unknown_top_level_section(good):
    good["blockade"] = []
    err = _read_error(good)
    assert err.where == "scenario: blockade"
    assert "unknown field" in err.message


def test_misspelt_required_key_is_named_as_unknown(good):
    """A typo of a required key gives pydantic both "unknown" and "missing"; the unknown
    key (the cause) is the one named."""
    good["fleet"][0]["capacty"] = good["fleet"][0].pop("capacity")
    err = _read_error(good)
    assert err.where == "scenario: fleet[0].capacty"
    assert "unknown field" in err.message


def test_negative_stock(good):
    good["plants"][0]["stock"] = -5
    err = _read_error(good)
    assert err.where == "scenario: plants[0].stock"
    assert err.message == "expected a number >= 0, got -5"


def test_non_numeric_capacity(good):
    good["fleet"][0]["capacity"] = "lots"
    err = _read_error(good)
    assert err.where == "scenario: fleet[0].capacity"
    assert err.message == "expected a whole number, got 'lots'"


def test_non_numeric_capacity_from_yaml(good):
    good["fleet"][0]["capacity"] = "a truckful"
    with pytest.raises(InputError) as exc:
        scenario_from_text(yaml.safe_dump(good), where="s.yaml")
    assert _one_line(exc.value).startswith("s.yaml: fleet[0].capacity: ")


@pytest.mark.parametrize(
    ("mutate", "where", "needle"),
    [
        (lambda d: d["shift"].update(start="25:00"), "shift.start", "HH:MM"),
        (lambda d: d["shift"].update(end="06:00"), "shift", "must be after start"),
        (lambda d: d["fleet"][0].pop("count"), "fleet[0]", "exactly one of 'ids'"),
        (lambda d: d["demand"].update(points=[]), "demand", "needs at least one"),
        (
            lambda d: d["guards"]["roster"].append({"role": "junta-delegate", "id": "x"}),
            "guards.roster[2]",
            "needs 'district'",
        ),
        (
            lambda d: d["blockades"].append(
                {"id": "b", "lat": -16.6, "lon": -68.18, "radius_m": 50, "status": "permit"}
            ),
            "blockades[0]",
            "delay_minutes",
        ),
        (
            lambda d: d["blockades"].append({"id": "b", "lat": -16.6, "radius_m": 50}),
            "blockades[0]",
            "needs all of 'lat', 'lon' and 'radius_m'",
        ),
        (
            lambda d: d["demand"]["points"][0].update(lat=-95),
            "demand.points[0].lat",
            "expected a number >= -90, got -95",
        ),
        (
            lambda d: d.update(
                fleet=[
                    {"count": 2, "capacity": 100, "id_prefix": "A"},
                    {"ids": ["A01"], "capacity": 100},
                ]
            ),
            "scenario",
            "truck ids must be unique",
        ),
    ],
)
def test_field_errors_name_the_field(good, mutate, where, needle):
    mutate(good)
    err = _read_error(good)
    assert err.where == f"scenario: {where}"
    assert needle in err.message


def test_unknown_key_with_newline_still_one_line(good):
    good["bad\nkey"] = 1
    with pytest.raises(InputError) as exc:
        scenario_from_text(yaml.safe_dump(good))
    assert "\n" not in str(exc.value)
