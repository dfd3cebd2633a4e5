"""Hostile input through the ``senkata`` command: one line on stderr, exit 2, nothing written.

Map sources that are not map files (a name too long for the system, ``/dev/zero``, a FIFO,
a folder), a progress file in Latin-1, a ledger URL with a typo, an output folder that
cannot be written: each gives exactly one ``error:`` line and exit code 2, never a
traceback or a hang.
"""

from __future__ import annotations

import os
import threading

import pytest
import yaml
from typer.testing import CliRunner

from logistics.cli import app
from logistics.model import scenario_to_yaml
from tests.helpers import D8, node_point, plan_for, scenario_dict, small_scenario

runner = CliRunner()


def _one_line(result) -> str:
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and len(lines[0]) <= len("error: ") + 200, lines[0]
    assert "Traceback" not in result.output
    return lines[0]


def _invoke_with_deadline(args, seconds: float = 60):
    """Run the command in a thread: a hang fails the test instead of blocking it."""
    box: dict = {}
    t = threading.Thread(target=lambda: box.setdefault("r", runner.invoke(app, args)))
    t.daemon = True
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"senkata {' '.join(args)} hung"
    return box["r"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x" * 300 + ".osm", "cannot read the file (File name too long)"),
        ("/dev/zero", "unsupported format; expected .osm, .osm.gz, .osm.bz2, .osm.pbf or .graphml"),
        ("pipe.osm", "is not a regular file (a device, pipe or socket)"),
        ("folder.osm", "is a directory"),
        ("missing.osm.pbf", "file not found"),
    ],
)
def test_map_sources_that_are_not_map_files(net, tmp_path, source, message):
    os.mkfifo(tmp_path / "pipe.osm")
    (tmp_path / "folder.osm").mkdir()
    doc = scenario_dict([node_point(net, D8[0], "p")])
    doc["map"] = {"source": source}
    scen = tmp_path / "s.yaml"
    scen.write_text(yaml.safe_dump(doc), encoding="utf-8")
    out = tmp_path / "out"
    line = _one_line(_invoke_with_deadline(["plan", str(scen), "--out", str(out)]))
    assert message in line and "map file '" in line, line
    assert not out.exists()


def test_replan_with_a_latin1_progress_file(net, tmp_path):
    sc, _problem, plan = plan_for(small_scenario(net), net)
    plan_file = plan.save(tmp_path / "plan.json")
    scen = tmp_path / "s.yaml"
    scen.write_text(scenario_to_yaml(sc), encoding="utf-8")
    progress = tmp_path / "progress.csv"
    progress.write_bytes("truck,trip,point_id,delivered\nCamión 1,1,a,35\n".encode("latin-1"))
    out = tmp_path / "out"
    args = ["replan", str(plan_file), "-s", str(scen), "--at", "09:00", "--progress",
            str(progress), "--out", str(out)]  # fmt: skip
    line = _one_line(runner.invoke(app, args))
    assert "progress.csv: not UTF-8 text (byte 0xf3 at position 34)" in line
    line = _one_line(
        runner.invoke(app, ["replan", str(plan_file), "-s", str(scen), "--at", "09:00",
                            "--from-ledger", "--db", str(tmp_path / "ledgr.sqlite")])
    )  # fmt: skip
    assert "--db: no ledger at " in line
    assert not out.exists() and not (tmp_path / "ledgr.sqlite").exists()


def test_an_output_folder_that_cannot_be_written(net, tmp_path):
    doc = scenario_dict([node_point(net, D8[0], "p")])
    scen = tmp_path / "s.yaml"
    scen.write_text(yaml.safe_dump(doc), encoding="utf-8")
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    line = _one_line(runner.invoke(app, ["plan", str(scen), "--out", str(blocker / "out")]))
    assert "cannot read or write the file" in line
    assert blocker.read_text(encoding="utf-8") == "a file, not a folder"
