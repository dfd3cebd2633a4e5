"""``senkata plan --save`` and ``senkata plans list|show|export``, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
import yaml
from typer.testing import CliRunner

from logistics.cli import app
from logistics.model import load_scenario
from logistics.plan import read_plan, validate_plan
from tests.helpers import small_scenario

runner = CliRunner()


@pytest.fixture(scope="module")
def small_yaml(net, tmp_path_factory):
    path = tmp_path_factory.mktemp("plans") / "small.yaml"
    text = "# DATA: the small test scenario of tests/helpers.py\n" + yaml.safe_dump(
        small_scenario(net), sort_keys=False, allow_unicode=True
    )
    path.write_text(text, encoding="utf-8")
    return path


def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_plan_save_list_show_export_round_trip(db_url, small_yaml, tmp_path, net, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # one table row per plan
    out = tmp_path / "out"
    r = runner.invoke(
        app,
        ["plan", str(small_yaml), "--out", str(out), "--save", "--name", "morning shift",
         "--db", db_url, "--create", "--by", "desk 1"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    written = read_plan(out / "plan.json")
    pid = written.plan_id()
    assert re.search(rf'saved plan #1 "morning shift" \({pid}, scenario version #1\)', r.stdout)

    # a second save of the same scenario file is a second plan of the same version
    r = runner.invoke(app, ["plan", str(small_yaml), "--out", str(out), "--save", "--db", db_url])
    assert r.exit_code == 0, r.output
    assert "saved plan #2" in r.stdout and "scenario version #1)" in r.stdout

    r = runner.invoke(app, ["plans", "list", "--db", db_url])
    assert r.exit_code == 0, r.output
    rows = [ln for ln in r.stdout.splitlines() if pid in ln]
    assert len(rows) == 2, r.stdout
    assert "morning shift" in rows[1] and "desk 1" in rows[1]
    assert re.match(r"\W*2\W", rows[0]), rows  # newest first

    r = runner.invoke(app, ["plans", "show", "#1", "--db", db_url])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == f'plan #1 "morning shift": {pid}'
    assert "120 of 120 cylinders, 3 trips, 2 trucks" in r.stdout

    plan_out, sc_out = tmp_path / "back.json", tmp_path / "back.yaml"
    r = runner.invoke(
        app, ["plans", "export", "1", "--out", str(plan_out), "--scenario", str(sc_out),
              "--db", db_url],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    back = read_plan(plan_out)
    assert back.model_dump() == written.model_dump()
    # the scenario file is kept as written (its comments too) and the plan passes against it
    assert sc_out.read_text(encoding="utf-8") == small_yaml.read_text(encoding="utf-8")
    assert validate_plan(back, load_scenario(sc_out), net).ok


def test_bad_id_typo_and_options_without_save_are_one_line(db_url, small_yaml, tmp_path):
    runner.invoke(app, ["ledger", "init", "--db", db_url])
    assert _one_line_error(runner.invoke(app, ["plans", "show", "9", "--db", db_url])) == (
        "error: ID: no plan #9 in the library"
    )
    line = _one_line_error(runner.invoke(app, ["plans", "export", "x1", "-o", "p.json",
                                               "--db", db_url]))  # fmt: skip
    assert line == "error: ID: expected a plan number from `senkata plans list`, got 'x1'"
    typo = str(tmp_path / "ledgr.sqlite")
    line = _one_line_error(runner.invoke(app, ["plans", "list", "--db", typo]))
    assert line.startswith("error: --db: no ledger at ") and "ledgr.sqlite" in line
    # the typo is caught before the search, and nothing is written
    out = tmp_path / "out"
    r = runner.invoke(app, ["plan", str(small_yaml), "-o", str(out), "--save", "--db", typo])
    assert _one_line_error(r).startswith("error: --db: no ledger at ")
    assert not out.exists()
    r = runner.invoke(app, ["plan", str(small_yaml), "-o", str(out), "--name", "x"])
    assert _one_line_error(r) == "error: --save: --name, --db and --create need --save"


def test_library_messages_in_spanish(db_url):
    runner.invoke(app, ["ledger", "init", "--db", db_url])
    r = runner.invoke(app, ["plans", "list", "--db", db_url, "--lang", "es"])
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == "no hay planes guardados (guarde uno con `senkata plan ... --save`)"
    r = runner.invoke(app, ["plans", "show", "3", "--db", db_url, "--lang", "es"])
    assert _one_line_error(r) == "error: ID: no hay plan #3 en la biblioteca de planes"
