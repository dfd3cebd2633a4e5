"""Hostile scenario files: one line naming the field, never a traceback, a hang or a blow-up.

First the cases the issue lists (and those Hypothesis found), each as a regular test; then
the property over generated documents: built from the scenario model itself
(:func:`tests.fuzz.model_documents`) or from a valid small scenario, mutated (wrong types,
missing and extra keys, extreme numbers, bad times, unicode), written as YAML with tricks
(tags, anchors and alias bombs, deep nesting, huge integers, duplicate keys, several
documents) and as bytes that may not be UTF-8. The reader is ``load_scenario`` on a file,
run in the sandbox of :mod:`tests.fuzz` (memory and time bounded).
"""

from __future__ import annotations

import copy
import json
import os
import re

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from logistics.model import InputError, Scenario, load_scenario, scenario_from_dict
from tests import fuzz
from tests.helpers import D8, node_point, scenario_dict


@pytest.fixture(scope="module")
def base(net) -> dict:
    return scenario_dict([node_point(net, D8[0], "p"), node_point(net, D8[1], "q")])


def _error(text: str | bytes, tmp_path) -> InputError:
    path = tmp_path / "s.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    line = str(exc.value)
    assert "\n" not in line and len(line) <= fuzz.MAX_LINE, line
    return exc.value


def _yaml(doc: dict) -> str:
    return yaml.safe_dump(doc, sort_keys=False)


# ------------------------------------------------------- the examples, one by one
def test_non_utf8_file_names_the_byte(base, tmp_path):
    data = _yaml(base).replace("test scenario", "escenario de El Alto año 2005").encode("latin-1")
    err = _error(data, tmp_path)
    assert re.fullmatch(
        r"not UTF-8 text \(byte 0xf1 at position \d+\); expected a scenario YAML file",
        err.message,
    ), err.message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!bool maybe", "'maybe' is not a valid bool"),
        ("!!float x", "'x' is not a valid float"),
        ("!!int 12x", "'12x' is not a valid int"),
        ("9" * 5000, "is not a valid int"),  # Python's int-string limit
        ("!!python/object:os.system x", "could not determine a constructor for the tag"),
    ],
)
def test_values_pyyaml_cannot_construct(base, tmp_path, value, message):
    text = _yaml(base).replace("stock: 5000", f"stock: {value}")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "stock:" in ln)
    err = _error(text, tmp_path)
    assert err.message.startswith(f"malformed YAML at line {line}, column "), err.message
    assert message in err.message


def test_timestamp_with_month_13(base, tmp_path):
    err = _error(_yaml(base) + "date: 2005-13-08\n", tmp_path)
    assert err.message.endswith("'2005-13-08' is not a valid timestamp"), err.message


def test_deep_flow_nesting_is_refused_at_the_limit(base, tmp_path):
    err = _error(_yaml(base) + "description: " + "[" * 100_000 + "]" * 100_000 + "\n", tmp_path)
    assert err.message.endswith("nested deeper than 32 levels"), err.message


def test_alias_bomb_is_refused_before_it_expands(base, tmp_path):
    """The issue's 705 KB file of aliases took the planner past 4 GB; ten levels of ten
    aliases (10^10 values once expanded) are refused at the loader, in milliseconds."""
    bomb = "lol0: &l0 [" + ", ".join(["lol"] * 10) + "]\n"
    for k in range(1, 10):
        bomb += f"lol{k}: &l{k} [" + ", ".join([f"*l{k - 1}"] * 10) + "]\n"
    err = _error(_yaml(base).replace("demand:", bomb + "demand:", 1), tmp_path)
    assert "more than 100 aliases" in err.message or "expands to more than" in err.message
    few = "big: &b [" + ", ".join(["x"] * 5000) + "]\nbigger: [" + ", ".join(["*b"] * 60) + "]\n"
    err = _error(few + _yaml(base), tmp_path)
    assert err.message.startswith("the document expands to more than 200,000 values"), err


def test_the_bomb_costs_no_memory_in_the_sandbox(base):
    bomb = "lol0: &l0 [" + ", ".join(["lol"] * 10) + "]\n"
    for k in range(1, 10):
        bomb += f"lol{k}: &l{k} [" + ", ".join([f"*l{k - 1}"] * 10) + "]\n"
    bomb += "demand: {points: *l9}\n"
    with fuzz.Sandbox() as box:
        before = box.run(_read, _yaml(base).encode()).peak_rss
        out = box.check(_read, (bomb * 700).encode()[:700_000], max_seconds=5)
    assert out.kind == "user"
    assert out.peak_rss - before < 100 * 2**20


@pytest.mark.parametrize(
    ("edit", "where", "message"),
    [
        (
            lambda d: d["blockades"].append(
                {"id": "b", "lat": -16.5, "lon": -68.1, "radius_m": 10**400}
            ),
            "blockades[0].radius_m",
            "expected a number of a sensible size, got <401 digits>",
        ),
        (
            lambda d: d["blockades"].append(
                {"id": "b", "lat": -16.5, "lon": -68.1, "radius_m": 1e9}
            ),
            "blockades[0].radius_m",
            "expected a number <= 5,000, got 1000000000.0",
        ),
        (
            lambda d: d["blockades"].append(
                {"id": "b", "lat": -16.5, "lon": -68.1, "radius_m": 5, "status": "permit",
                 "delay_minutes": 10**30}
            ),
            "blockades[0].delay_minutes",
            "expected a number <= 600, got 1000000000000000000000000000000",
        ),
        (
            lambda d: d["plants"][0].update(stock=float("nan")),
            "plants[0].stock",
            "expected a finite number, got nan",
        ),
        (
            lambda d: d["plants"][0].update(loading_minutes=float("inf")),
            "plants[0].loading_minutes",
            "expected a finite number, got inf",
        ),
        (
            lambda d: d["solver"].update(seed=10**100),
            "solver.seed",
            "expected a number <= 2,147,483,647, got <101 digits>",
        ),
        (
            lambda d: d["blockades"].append({"id": "w", "way_ids": [0, -5]}),
            "blockades[0].way_ids[0]",
            "expected a number >= 1, got 0",
        ),
        (
            lambda d: d["fleet"][0].update(count=10**6),
            "fleet[0].count",
            "expected a number <= 2,000, got 1000000",
        ),
        (
            lambda d: d["fleet"].extend({"count": 2000, "id_prefix": f"G{k}-", "capacity": 9}
                                        for k in range(2)),
            "scenario",
            "fleet: 4,001 trucks in all; expected at most 2,000",
        ),
        (
            lambda d: d.update(name="x" * 9000),
            "name",
            "expected at most 200 characters, got 'xxxxxxxxxxxxxxxxxxxxxxxxxxx…",
        ),
        (
            lambda d: d.update(name="two\nlines"),
            "name",
            "expected one line of text (no line breaks or control characters), got 'two\\nlines'",
        ),
        (
            lambda d: d["shift"].update(start="０７:００"),  # noqa: RUF001 - full-width digits
            "shift.start",
            "expected a time of day as HH:MM, got '０７:００'",  # noqa: RUF001
        ),
        (
            lambda d: d["map"].update(source="x" * 5000 + ".osm") if "map" in d else
            d.update(map={"source": "x" * 5000 + ".osm"}),
            "map.source",
            "expected at most 1,024 characters, got 'xxxxxxxxxxxxxxxxxxxxxxxxxxx…",
        ),
    ],
)  # fmt: skip
def test_numbers_and_texts_out_of_bounds_name_the_bound(base, edit, where, message):
    doc = copy.deepcopy(base)
    edit(doc)
    with pytest.raises(InputError) as exc:
        scenario_from_dict(doc, where="s.yaml")
    err = exc.value
    assert err.where == f"s.yaml: {where}"
    if message.endswith("…"):  # a long value, cut
        assert err.message.startswith(message[:-1]) and err.message.endswith("…"), err.message
    else:
        assert err.message == message.replace("'two\\nlines'", repr("two\nlines"))
    assert len(str(err)) <= fuzz.MAX_LINE


def test_a_megabyte_value_is_cut_to_one_short_line(base, tmp_path):
    text = _yaml(base).replace("name: test scenario", "name: '" + "ab\\n" * 200_000 + "'")
    err = _error(text, tmp_path)  # a scalar over 10,000 characters: refused by the loader
    assert "a value of 800,000 characters; expected at most 10,000" in err.message


@pytest.mark.parametrize(
    "special",
    ["directory", "fifo", "device", "long-name", "missing", "nul"],
)
def test_special_files_are_refused_without_reading_them(tmp_path, special):
    """A FIFO would block a reader forever, /dev/zero never ends: both are refused before
    anything is read (the sandbox's time bound would catch a hang)."""
    path = {
        "directory": str(tmp_path),
        "fifo": str(tmp_path / "pipe.yaml"),
        "device": "/dev/zero",
        "long-name": str(tmp_path / ("x" * 300 + ".yaml")),
        "missing": str(tmp_path / "nope.yaml"),
        "nul": str(tmp_path / "a\x00b.yaml"),
    }[special]
    if special == "fifo":
        os.mkfifo(path)
    with fuzz.Sandbox(timeout_s=10) as box:
        out = box.check(load_scenario, path, max_seconds=2)
    assert out.kind == "user"
    expected = {
        "directory": "is a directory; expected a scenario YAML file",
        "fifo": "is not a regular file (a device, pipe or socket)",
        "device": "is not a regular file (a device, pipe or socket)",
        "long-name": "cannot read the file (File name too long)",
        "missing": "file not found; expected a scenario YAML file",
        "nul": "file name contains a NUL character",
    }[special]
    assert expected in out.detail, out.detail


# ------------------------------------------------------------------ the property
_TAGGED = [
    "!!bool maybe",
    "!!float x",
    "!!int 0x",
    "!!timestamp 2005-13-01",
    "2005-02-30",
    "!!binary '@@@'",
    "!!binary gIGC",
    "!!python/object/apply:os.system ['true']",
    "!!set {a, b}",
    "!!omap [a: 1, b: 2]",
    "!!pairs [a: 1]",
    "!custom 1",
    "!!str",
    "!!null x",
    "*undefined",
    "&a 1",
    ".nan",
    "-.inf",
    "0o777",
    "0b2",
    "1_000_000",
    "'unclosed",
    '"\\ud800"',
    '"\\x00"',
    "9" * 5000,
    "-" + "9" * 4299,
    "1e99999",
    "[" * 60 + "]" * 60,
    "{a: " * 50 + "1" + "}" * 50,
    "? [1, 2]\n  : x",
    "|\n  two\n  lines",
    "<<: {x: 1}",
]


def _bomb(levels: int, width: int) -> str:
    out = "bomb0: &b0 [" + ", ".join(["x"] * width) + "]\n"
    for k in range(1, levels):
        out += f"bomb{k}: &b{k} [" + ", ".join([f"*b{k - 1}"] * width) + "]\n"
    return out


@st.composite
def yaml_text(draw, doc: object) -> str:
    """``doc`` written as YAML (block or flow style) or JSON, then 0-2 YAML tricks."""
    try:
        text = yaml.dump(
            doc,
            Dumper=_DUMPER,
            sort_keys=False,
            allow_unicode=draw(st.booleans()),
            default_flow_style=draw(st.sampled_from([False, True, None])),
            width=draw(st.sampled_from([80, 10**6])),
        )
    except (yaml.YAMLError, ValueError, TypeError, UnicodeError):
        text = json.dumps(doc, allow_nan=True, default=str)
    n_tricks = draw(st.sampled_from([0, 0, 1, 2]))
    for trick in draw(st.lists(st.integers(0, 6), min_size=n_tricks, max_size=n_tricks)):
        lines = text.splitlines()
        scalar = [i for i, ln in enumerate(lines) if re.search(r": \S", ln)]
        if trick == 0 and scalar:  # a tag PyYAML's constructors choke on, or a nasty scalar
            i = draw(st.sampled_from(scalar))
            key = lines[i].split(": ", 1)[0]
            lines[i] = f"{key}: {draw(st.sampled_from(_TAGGED))}"
            text = "\n".join(lines) + "\n"
        elif trick == 1:  # an alias bomb, under an unknown key or inside a real field
            bomb = _bomb(draw(st.integers(2, 10)), draw(st.integers(2, 12)))
            text = bomb + text
            if scalar and draw(st.booleans()):
                i = draw(st.sampled_from(scalar))
                key = lines[i].split(": ", 1)[0]
                text += f"\n{key.strip()}: *b1\n"
        elif trick == 2:  # deep nesting
            k = draw(st.sampled_from([31, 33, 100, 10_000]))
            text += f"\ndescription: {'[' * k}{']' * k}\n"
        elif trick == 3:  # a second document, or a document marker only
            text += draw(st.sampled_from(["\n---\nname: y\n", "\n...\n", "\n---\n"]))
        elif trick == 4:  # duplicate keys, merge keys
            text += draw(st.sampled_from(["\nname: again\n", "\n<<: {x: 1}\n", "\nname:\n"]))
        elif trick == 5 and scalar:  # tabs and odd indentation
            i = draw(st.sampled_from(scalar))
            lines[i] = "\t" + lines[i]
            text = "\n".join(lines) + "\n"
        elif trick == 6:  # a long scalar
            text += f"\ndescription: {'y' * draw(st.sampled_from([4999, 5001, 10_001]))}\n"
    return text


_STRINGS = {
    "start": fuzz.TIMES,
    "end": fuzz.TIMES,
    "district": st.sampled_from(["Distrito 8", "Distrito 2", "Max Paredes", "Sur", "Nowhere"]),
    "source": st.sampled_from(["embedded", "listed", "osm-stops", "maps/x.osm", "/dev/zero"]),
}


#: One strategy per scenario section, built from the model once (strategies are reusable).
_SECTIONS = fuzz.model_sections(Scenario, strings=_STRINGS)
_WHOLE = fuzz.model_documents(Scenario, strings=_STRINGS)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@st.composite
def scenario_files(draw, base: dict) -> bytes:
    """The bytes of a scenario file: a valid small scenario with some sections drawn from
    the scenario model (or a whole document from the model), mutated, written as YAML with
    tricks, perhaps mangled as bytes."""
    if draw(st.integers(0, 9)) == 0:
        doc = draw(_WHOLE)
    else:
        doc = dict(base)
        for name in draw(st.lists(st.sampled_from(sorted(_SECTIONS)), max_size=2, unique=True)):
            doc[name] = draw(_SECTIONS[name])
    doc = draw(fuzz.mutated(doc, leaf=fuzz.TIMES))
    data = draw(yaml_text(doc)).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 3)) == 0:
        data = draw(fuzz.mangled_bytes(data))
    return data


def _read(data: bytes) -> str:
    """The reader under test (runs in the sandbox): a scenario file, read as the CLI does."""
    return load_scenario(fuzz.workfile("s.yaml", data)).name


@pytest.fixture(scope="module")
def sandbox():
    with fuzz.Sandbox() as box:
        yield box
        fuzz.report("scenario", box)


@fuzz.FAST
@given(data=st.data())
def test_scenario_reader_property(sandbox, base, data):
    sandbox.check(_read, data.draw(scenario_files(base)), max_seconds=5)
