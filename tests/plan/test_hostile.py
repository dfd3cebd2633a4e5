"""Hostile plan.json files: refused in one line before any rule is checked, or re-checked.

The issue's cases (NaN times, trip 0, repeated trips, ``/dev/zero`` as the plan, unknown
fields, deep nesting, huge numbers, non-UTF-8) as regular tests; then the property over a
real small plan's JSON, mutated as a tree (wrong types, extreme numbers, missing and extra
keys, NaN and infinities, repeated entries, deeper nesting) and as bytes. The reader
(``read_plan``) runs on 10,000 of them in the slow profile; reading *and* validating (the
validator's walk on whatever the reader accepts: every violation one line) on 1,000.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics.model import InputError
from logistics.plan import read_plan, validate_plan
from tests import fuzz
from tests.helpers import plan_for, small_scenario

_CTX: dict = {}  # what the sandbox's child validates against (inherited when it forks)


@pytest.fixture(scope="module")
def small(net):
    sc, _problem, plan = plan_for(small_scenario(net), net)
    _CTX.update(sc=sc, net=net)
    return sc, plan, json.loads(plan.model_dump_json())


def _write(tmp_path, doc, name="plan.json") -> str:
    path = tmp_path / name
    text = json.dumps(doc, allow_nan=True).replace('"<5000 digits>"', "9" * 5000)
    path.write_text(text, encoding="utf-8")
    return str(path)


def _refused(path) -> InputError:
    with pytest.raises(InputError) as exc:
        read_plan(path)
    assert "\n" not in str(exc.value) and len(str(exc.value)) <= fuzz.MAX_LINE
    return exc.value


# ------------------------------------------------------- the examples, one by one
@pytest.mark.parametrize(
    ("edit", "where", "message"),
    [
        (
            lambda d: d["trucks"][0]["trips"][0].update(depart=float("nan")),
            "trucks[0].trips[0].depart",
            "expected a finite number, got nan",
        ),
        (
            lambda d: d["trucks"][0]["trips"][0]["stops"][0].update(arrive=float("inf")),
            "trucks[0].trips[0].stops[0].arrive",
            "expected a finite number, got inf",
        ),
        (
            lambda d: d["trucks"][0]["trips"][0].update(trip_no=0),
            "trucks[0].trips[0].trip_no",
            "expected a number >= 1, got 0",
        ),
        (
            lambda d: d["trucks"][0]["trips"][1].update(trip_no=1),
            "trucks[0].trips[1].trip_no",
            "trip number 1 after trip 1 of truck T01; expected 1, 2, 3 ...",
        ),
        (
            lambda d: d["trucks"][0]["trips"][0].update(loaded="<5000 digits>"),
            "",
            "not valid JSON (number out of range at line 1 column",
        ),
        (
            lambda d: d["trucks"][0].update(fuel=3),
            "trucks[0].fuel",
            "unknown field; expected only the fields of a plan.json",
        ),
        (
            lambda d: d["trucks"][0]["trips"][0]["stops"][0].update(cylinders=-5),
            "trucks[0].trips[0].stops[0].cylinders",
            "expected a number >= 0, got -5",
        ),
        (
            lambda d: d["trucks"][0]["trips"][0]["legs"][0].update(nodes="1,2,3"),
            "trucks[0].trips[0].legs[0].nodes",
            "expected a list, got text",
        ),
        (
            lambda d: d["trucks"][0].update(truck_id="T01\nT02"),
            "trucks[0].truck_id",
            "expected one line of text (no line breaks or control characters), got 'T01\\nT02'",
        ),
        (
            lambda d: d.update(notes=json.loads("[" * 40 + "]" * 40)),
            "notes[0]",
            "expected text, got a list",
        ),
    ],
)
def test_impossible_plans_are_refused_naming_the_field(small, tmp_path, edit, where, message):
    _, _, doc = small
    doc = json.loads(json.dumps(doc))
    edit(doc)
    path = _write(tmp_path, doc)
    err = _refused(path)
    # (a long temporary path is cut in the middle; the file name and field stay)
    assert err.where.endswith(f"plan.json: {where}" if where else "plan.json"), err.where
    assert err.message.startswith(message), err.message


def test_nan_plan_is_refused_by_validate_sheets_and_replan(small, tmp_path):
    """The validator used to accept a NaN departure and `sheets` then crashed on it."""
    from typer.testing import CliRunner

    from logistics.cli import app
    from logistics.model import scenario_to_yaml

    sc, _, doc = small
    doc = json.loads(json.dumps(doc))
    doc["trucks"][0]["trips"][0]["depart"] = float("nan")
    plan = _write(tmp_path, doc)
    scen = tmp_path / "s.yaml"
    scen.write_text(scenario_to_yaml(sc), encoding="utf-8")
    runs = [
        ["validate", str(scen), "--plan", plan],
        ["sheets", plan, "--scenario", str(scen), "--out", str(tmp_path / "o")],
        ["replan", plan, "-s", str(scen), "--at", "09:00", "--out", str(tmp_path / "r")],
    ]
    for args in runs:
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 2, r.output
        lines = r.stderr.strip().splitlines()
        assert lines == [
            f"error: {plan}: trucks[0].trips[0].depart: expected a finite number, got nan"
        ]
    assert not (tmp_path / "o").exists() and not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/dev/zero", "is not a regular file (a device, pipe or socket)"),
        ("/", "is a directory"),
        ("/nonexistent/plan.json", "file not found; expected a plan.json"),
    ],
)
def test_special_paths_never_hang_or_fill_memory(path, message):
    with fuzz.Sandbox(timeout_s=10) as box:
        out = box.check(read_plan, path, max_seconds=2)
    assert out.kind == "user" and message in out.detail, out.detail


def test_non_utf8_and_deep_json(small, tmp_path):
    _, _, doc = small
    text = json.dumps(doc).replace('"T01"', '"T\xf1"', 1).encode("latin-1")
    (tmp_path / "a.json").write_bytes(text)
    assert _refused(tmp_path / "a.json").message.startswith("not valid JSON")
    (tmp_path / "b.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert "recursion limit exceeded" in _refused(tmp_path / "b.json").message


# ------------------------------------------------------------------ the property
@st.composite
def plan_files(draw, doc: dict) -> bytes:
    doc = draw(fuzz.mutated(doc, max_mutations=4))
    data = json.dumps(doc, allow_nan=True, default=str).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 4)) == 0:
        data = draw(fuzz.mangled_bytes(data))
    return data


def _read(data: bytes) -> str:
    """The reader (runs in the sandbox)."""
    plan = read_plan(fuzz.workfile("plan.json", data))
    return f"{len(plan.trips())} trips"


def _read_and_validate(data: bytes) -> str:
    """Read, then re-check every rule: every violation must be one line."""
    plan = read_plan(fuzz.workfile("plan.json", data))
    rep = validate_plan(plan, _CTX["sc"], _CTX["net"])
    for e in rep.errors:
        assert "\n" not in e and "\r" not in e, e
    return f"{len(rep.errors)} violations"


@pytest.fixture(scope="module")
def sandbox(small):
    with fuzz.Sandbox() as box:
        yield box
        fuzz.report("plan.json", box)


@fuzz.FAST
@given(data=st.data())
def test_plan_reader_property(sandbox, small, data):
    sandbox.check(_read, data.draw(plan_files(small[2])), max_seconds=5)


@fuzz.SAMPLED
@given(data=st.data())
def test_plan_reader_and_validator_property(sandbox, small, data):
    sandbox.check(_read_and_validate, data.draw(plan_files(small[2])), max_seconds=20)
