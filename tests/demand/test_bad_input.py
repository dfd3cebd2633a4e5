"""Bad demand input through ``senkata plan``: one line naming the field, exit 2, no files.

N < 1, a negative walking distance, a candidate file with broken coordinates and an
unknown area name (issue 12's new fields).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from logistics.cli import app
from tests.helpers import D8, node_point, scenario_dict

runner = CliRunner()


def _run(tmp_path: Path, net, edit) -> str:
    data = scenario_dict([node_point(net, D8[0], "p")])
    edit(data["demand"])
    scen = tmp_path / "s.yaml"
    scen.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", str(scen), "--out", str(out), "--time-limit", "1"])
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert not out.exists()  # nothing written
    return re.sub(r"^error: .*?\.yaml: ", "", lines[0])


def _sited(**fields):
    def edit(dem: dict) -> None:
        dem["source"] = "sited"
        dem["sited"] = {"candidates": ["stops"], **fields}

    return edit


def test_n_below_one(tmp_path, net):
    line = _run(tmp_path, net, _sited(max_points=0))
    assert line == "demand.sited.max_points: expected a number >= 1, got 0"


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda d: d.update(walk_to_neighbour_m=-50), "demand.walk_to_neighbour_m"),
        (_sited(walk_m=-1), "demand.sited.walk_m"),
    ],
)
def test_negative_walking_distance(tmp_path, net, edit, field):
    line = _run(tmp_path, net, edit)
    assert line.startswith(f"{field}: expected a number")
    assert line.endswith(", got -50") or line.endswith(", got -1")


def test_candidate_file_with_broken_coordinates(tmp_path, net):
    bad = tmp_path / "sedes.csv"
    bad.write_text("id,name,lat,lon\nsede1,Sede vecinal,-16.5O,-68.2\n", encoding="utf-8")
    line = _run(tmp_path, net, _sited(candidates=[], files=[str(bad)]))
    assert line == (
        "demand.sited.files[0] (sedes.csv line 2): lat '-16.5O' is not a valid coordinate; "
        "expected decimal degrees of latitude, -90 to 90"
    )


def test_unknown_area_name(tmp_path, net):
    line = _run(tmp_path, net, _sited(require=["Distrito 15"]))
    assert line.startswith("demand.sited.require[0]: unknown area 'Distrito 15'; expected")
