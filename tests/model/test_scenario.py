"""Bad input gives one clear line naming the field (``InputError.where``) and the problem.

Field checks happen when the scenario is read (:mod:`logistics.model.scenario`); checks that need
the map or the area data (a point outside the map, a blockade on no road, an unknown area
name, a roster that cannot form a commission, a plant sealed in) when the problem is built.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from tests.helpers import D8, node_point, scenario_dict

from logistics.model import PROJECT_ROOT
from logistics.model import InputError
from logistics.routing import build_problem
from logistics.model import load_scenario, scenario_from_dict, scenario_from_text, scenario_to_yaml


@pytest.fixture()
def good(net) -> dict:
    return scenario_dict([node_point(net, D8[0], "p")])


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


def _build_error(data, net) -> InputError:
    sc = scenario_from_dict(data)  # the fields themselves are fine
    with pytest.raises(InputError) as exc:
        build_problem(sc, net=net)
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
    assert "greater than or equal to 0" in err.message and "-5" in err.message


def test_non_numeric_capacity(good):
    good["fleet"][0]["capacity"] = "lots"
    err = _read_error(good)
    assert err.where == "scenario: fleet[0].capacity"
    assert "valid integer" in err.message and "'lots'" in err.message


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
            "greater than or equal to -90",
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


# --------------------------------------------------- checks against the map and data
def test_listed_point_outside_the_map(good, net):
    good["demand"]["points"][0]["lat"] = -17.5
    err = _build_error(good, net)
    assert err.where == "demand.points[0]"
    assert "from the nearest road" in err.message
    assert "within 400 m" in err.message


def test_priority_site_outside_the_map(good, net):
    good["priority_sites"] = [
        {"id": "s", "name": "Olla", "lat": -16.3, "lon": -68.5, "cylinders": 10}
    ]
    err = _build_error(good, net)
    assert err.where == "priority_sites[0]"
    assert "from the nearest road" in err.message


def test_plant_off_the_map(good, net):
    good["plants"][0].update(lat=-16.9, lon=-68.4)
    err = _build_error(good, net)
    assert err.where == "plants[0]"
    assert "from the nearest road" in err.message


def test_blockade_touching_no_road(good, net):
    good["blockades"] = [{"id": "lake", "lat": -16.60, "lon": -68.25, "radius_m": 100}]
    err = _build_error(good, net)
    assert err.where == "blockades[0]"
    assert "touches no road" in err.message


def test_blockade_on_unknown_way(good, net):
    good["blockades"] = [{"id": "w", "way_ids": [1]}]
    err = _build_error(good, net)
    assert err.where == "blockades[0].way_ids"
    assert "OSM way 1 is not a drivable road" in err.message


@pytest.mark.parametrize("key", ["excluded", "eligible"])
def test_unknown_area_in_eligibility(good, net, key):
    good["eligibility"] = {key: ["Distrito 8", "Atlantis"]}
    err = _build_error(good, net)
    assert err.where == f"eligibility.{key}[1]"
    assert "unknown area 'Atlantis'" in err.message
    assert "Distrito 1 .. Distrito 14" in err.message


def test_area_names_are_accent_and_case_insensitive(good, net):
    good["eligibility"] = {"excluded": ["periferica", "ZONA SUR", "distrito 3"]}
    problem = build_problem(scenario_from_dict(good), net=net)
    assert [p.eligible for p in problem.points] == [True]


def test_unknown_delegate_district(good, net):
    good["guards"]["roster"][1]["district"] = "Narnia"
    err = _build_error(good, net)
    assert err.where == "guards.roster[1].district"
    assert "unknown area 'Narnia'" in err.message


def test_roster_without_junta_delegate(good, net):
    good["guards"]["roster"] = [{"role": "plant-worker", "count": 3, "id_prefix": "PW"}]
    err = _build_error(good, net)
    assert err.where.startswith("guards")
    assert "no commission can be formed" in err.message
    assert "junta delegate" in err.message


def test_commission_member_not_in_roster(good, net):
    good["guards"]["commissions"] = [{"id": "c", "members": ["PW01", "ghost"]}]
    err = _build_error(good, net)
    assert err.where == "guards.commissions[0].members"
    assert "'ghost' is not in guards.roster" in err.message


def test_person_in_two_commissions(good, net):
    good["guards"]["roster"] = [
        {"role": "plant-worker", "count": 2, "id_prefix": "PW"},
        {"role": "junta-delegate", "district": "Distrito 8", "id": "jd"},
    ]
    good["guards"]["commissions"] = [
        {"id": "c1", "members": ["PW01", "jd"]},
        {"id": "c2", "members": ["PW02", "jd"]},
    ]
    err = _build_error(good, net)
    assert err.where == "guards.commissions[1].members"
    assert "already rides with commission 'c1'" in err.message


def test_plant_sealed_in_by_closed_blockades(good, net):
    good["blockades"] = [
        {"id": "ring", "lat": -16.57401, "lon": -68.18614, "radius_m": 800, "status": "closed"}
    ]
    err = _build_error(good, net)
    assert err.where == "blockades"
    assert "sealed" in err.message and "ring" in err.message


def test_permit_ring_around_the_plant_is_not_sealing(good, net):
    """The same ring as a permit checkpoint only delays: no error, the point is routable."""
    good["blockades"] = [
        {
            "id": "ring",
            "lat": -16.57401,
            "lon": -68.18614,
            "radius_m": 800,
            "status": "permit",
            "delay_minutes": 15,
        }
    ]
    problem = build_problem(scenario_from_dict(good), net=net)
    assert [p.id for p in problem.routable] == ["p"]


def test_blockade_outside_the_shift_does_not_seal(good, net):
    """A closed ring whose window lies outside the shift is not applied."""
    good["blockades"] = [
        {
            "id": "night",
            "lat": -16.57401,
            "lon": -68.18614,
            "radius_m": 800,
            "status": "closed",
            "window": {"start": "20:00", "end": "23:00"},
        }
    ]
    problem = build_problem(scenario_from_dict(good), net=net)
    assert [p.id for p in problem.routable] == ["p"]
    assert (problem.edge_mask == problem.net.kind_mask()).all()


def test_unknown_key_with_newline_still_one_line(good):
    good["bad\nkey"] = 1
    with pytest.raises(InputError) as exc:
        scenario_from_text(yaml.safe_dump(good))
    assert "\n" not in str(exc.value)
