"""Batch planning on Dask (``logistics.batch``, ``senkata batch`` / ``senkata sweep``).

A small scenario on the real map (four points near the plant, two guarded trucks at
most, 1 s searches) is planned on a local Dask cluster of two worker processes:
every variant gets its row, a bad variant is a failed row with its one-line error, and a
second run in the same directory plans only what is new.
"""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest
import typer
import yaml
from typer.testing import CliRunner

from logistics.batch import (
    RESULTS_JSONL,
    Variant,
    blockade_ranking,
    make_variants,
    parse_varies,
    parse_vary,
    read_results,
    results_table,
    run_variants,
    variant_id,
    write_plots,
)
from logistics.i18n import use_language
from logistics.model import Blockade, InputError, scenario_from_dict
from logistics.plan import Plan, validate_plan
from tests.helpers import D2, D8, PLANT_OSMID, node_lonlat, node_point, roster, scenario_dict

GUARDS = roster(workers=2, delegates=(("Distrito 8", 2),))


@pytest.fixture(scope="module")
def base(net) -> dict:
    """Four points of 50 cylinders (ration 200), one truck of 300, stock 300.

    Two are on Av. 6 de Marzo north of the plant (Distrito 2), two on RN1 south of it
    (Distrito 8), whose trucks turn on the RN1 loop 4 km south to come back.
    """
    pts = [node_point(net, o) for o in (*D2[:2], *D8[:2])]
    return scenario_dict(pts, trucks=1, stock=300, guards=GUARDS, time_limit_s=1)


@pytest.fixture(scope="module")
def seal(net) -> Blockade:
    """Closed circle of 250 m around the plant's road node: seals the plant in."""
    lon, lat = node_lonlat(net, PLANT_OSMID)
    return Blockade(id="seal", name="at the gate", lat=lat, lon=lon, radius_m=250)


@pytest.fixture(scope="module")
def cut(net) -> Blockade:
    """Closed circle on RN1 2.9 km south: the trucks can no longer turn back from the two
    RN1 points (100 cylinders of ration cut off); Av. 6 de Marzo stays open."""
    lon, lat = node_lonlat(net, D8[2])
    return Blockade(id="cut", name="RN1 south", lat=lat, lon=lon, radius_m=30)


@pytest.fixture(scope="module")
def cluster():
    """An existing local Dask cluster (2 single-threaded worker processes), by address."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": ":0"},  # no fixed port 8787
        silence_logs=logging.ERROR,
    ) as c:
        yield c.scheduler_address


def _jsonl(out) -> list[str]:
    return (out / RESULTS_JSONL).read_text(encoding="utf-8").splitlines()


# ------------------------------------------------------------------ parsing
def test_parse_vary_ranges_and_lists():
    assert parse_vary("trucks=20:60:10") == ("trucks", [20, 30, 40, 50, 60])
    assert parse_vary("trucks = 1:3") == ("trucks", [1, 2, 3])
    assert parse_vary("stock=20000,30000,20000") == ("stock", [20000, 30000])
    assert parse_vary("allocation=max-min,proportional") == (
        "allocation",
        ["max-min", "proportional"],
    )
    assert parse_varies(["trucks=1:2", "stock=5"]) == {"trucks": [1, 2], "stock": [5]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("trucks", "expected NAME=START:STOP[:STEP] or NAME=V1,V2,..."),
        ("lorries=1,2", "unknown parameter 'lorries'"),
        ("trucks=", "expected NAME=START:STOP[:STEP]"),
        ("trucks=60:20:10", "expected START <= STOP and STEP > 0"),
        ("trucks=1:5:0", "expected START <= STOP and STEP > 0"),
        ("trucks=1:x", "with whole numbers in a range"),
        ("trucks=ten,20", "trucks takes whole numbers"),
        ("stock=1,,2", "empty value"),
        ("allocation=1:3", "with whole numbers in a range"),
        ("trucks=1:100000", "gives more than 1000 values"),
    ],
)
def test_parse_vary_errors_are_one_line(text, expected):
    with pytest.raises(InputError) as info:
        parse_vary(text)
    msg = str(info.value)
    assert msg.startswith("--vary: ") and expected in msg and "\n" not in msg


def test_parse_varies_rejects_a_repeated_parameter():
    with pytest.raises(InputError, match=r"^--vary: 'stock' is given twice"):
        parse_varies(["stock=1", "stock=2"])


# ----------------------------------------------------------------- variants
def test_make_variants_grid_samples_and_ids(base, cut, seal):
    cands = [cut, seal, Blockade(id="c3", lat=-16.6, lon=-68.18, radius_m=10)]
    vs = make_variants(base, {"trucks": [1, 2], "stock": [100, 200]}, cands, 4, seed=7)
    assert len(vs) == 16 and len({v.id for v in vs}) == 16
    for v in vs:
        assert v.id == variant_id(v.scenario)
        sc = scenario_from_dict(v.scenario)  # every variant is a valid scenario
        assert len(sc.truck_ids()) == v.params["trucks"]
        assert sc.plant.stock == v.params["stock"]
        assert [b.id for b in sc.blockades] == v.params["blockades"]
        assert v.label.startswith(f"trucks={v.params['trucks']} stock={v.params['stock']} ")
    # the same blockade combinations in every grid cell, and the same ones for the same seed
    combos = [tuple(v.params["blockades"]) for v in vs]
    assert combos[:4] * 4 == combos
    again = make_variants(base, {"trucks": [1, 2], "stock": [100, 200]}, cands, 4, seed=7)
    assert [v.id for v in again] == [v.id for v in vs]
    other = make_variants(base, {"trucks": [1, 2], "stock": [100, 200]}, cands, 4, seed=8)
    assert {v.id for v in other} != {v.id for v in vs}
    # as many samples as combinations: each of the 2**3 combinations once
    full = make_variants(base, None, cands, 8, seed=1)
    assert sorted(len(v.params["blockades"]) for v in full) == [0, 1, 1, 1, 2, 2, 2, 3]
    # p_present is honoured (8 candidates: 256 combinations, 20 drawn)
    eight = [cut.model_copy(update={"id": f"c{k}"}) for k in range(8)]
    for p, lo, hi in ((0.1, 0, 2), (0.9, 6, 8)):
        drawn = make_variants(base, None, eight, 20, 0, p_present=p)
        mean = sum(len(v.params["blockades"]) for v in drawn) / len(drawn)
        assert len(drawn) == 20 and lo <= mean <= hi
    with pytest.raises(InputError, match=r"^--samples: expected a number >= 1"):
        make_variants(base, None, cands, 0)


def test_read_results_drops_a_line_cut_short(tmp_path):
    p = tmp_path / RESULTS_JSONL
    good = [json.dumps({"variant_id": f"v{i}", "status": "ok"}) for i in range(2)]
    p.write_text("\n".join(good) + '\n{"variant_id": "v2", "sta', encoding="utf-8")
    rows = read_results(p)
    assert sorted(rows) == ["v0", "v1"]
    assert p.read_text(encoding="utf-8") == "\n".join(good) + "\n"


def _grid_rows() -> list[dict]:
    """Two fleet sizes x every combination of candidate blockades a and b, planned."""

    def row(i, trucks, cands, delivered, cutoff):
        return {
            "variant_id": f"v{i}",
            "label": f"v{i}",
            "params": {"trucks": trucks, "blockades": cands},
            "status": "ok",
            "delivered": delivered,
            "demand": 1000,
            "served_pct": delivered / 10,
            "trucks": trucks,
            "trucks_guarded": trucks,
            "stock": 1000,
            "candidates": ",".join(cands),
            "missing_unreachable_blockade": cutoff,
        }

    return [
        row(0, 1, [], 400, 0),
        row(1, 1, ["a"], 100, 600),
        row(2, 1, ["b"], 380, 50),
        row(3, 1, ["a", "b"], 90, 620),
        row(4, 2, [], 800, 0),
        row(5, 2, ["a"], 200, 600),
        row(6, 2, ["b"], 800, 50),
        row(7, 2, ["a", "b"], 200, 620),
    ]


def test_blockade_ranking_compares_within_grid_cells(tmp_path):
    table = results_table(_grid_rows())
    rank = blockade_ranking(table, {"a": "Road A"})
    assert list(rank["blockade"]) == ["a", "b"]
    a = rank.iloc[0]
    # cell trucks=1: (400+380)/2 - (100+90)/2 = 295; trucks=2: 800 - 200 = 600; mean 447.5
    assert a["served_drop"] == pytest.approx(447.5, abs=0.1) and a["name"] == "Road A"
    assert a["cutoff_ration"] == pytest.approx(585.0) and (a["n_with"], a["n_without"]) == (4, 4)
    # every combination was planned: the paired estimate equals the difference of means
    assert (a["method"], a["n_pairs"]) == ("paired", 4)
    _ranking, files, notes = write_plots(table, tmp_path, names={"a": "Road A"})
    assert [f.name for f in files] == [
        "served_vs_fleet.png",
        "blockade_ranking.png",
        "blockade_ranking.csv",
    ]
    assert not notes and all(f.stat().st_size > 0 for f in files)


def test_plots_in_spanish(tmp_path, monkeypatch):
    """Every word drawn on the two plots (titles, axes, legend, notes) in Spanish."""
    import matplotlib.text
    from matplotlib.figure import Figure

    drawn: list[str] = []
    save = Figure.savefig

    def keep_words(fig, *args, **kwargs):
        drawn.extend(t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text())
        return save(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep_words)
    with use_language("es"):
        write_plots(results_table(_grid_rows()), tmp_path, names={"a": "Avenida A"})
    words = "\n".join(drawn)
    for spanish in ("Garrafas entregadas según el número de camiones", "camiones disponibles",
                    "garrafas en planta", "Qué calles pesan más", "más cupo cortado por un bloqueo",
                    "4 con él, 4 sin él; 4 pares", "1.000"):  # fmt: skip
        assert spanish in words, spanish
    for english in ("cylinders", "trucks", "Which roads", "with,", "pairs", "stock"):
        assert english not in words, english


# ------------------------------------------------------------ on Dask clusters
@pytest.mark.slow
def test_run_variants_on_a_local_cluster_records_failures_and_resumes(base, tmp_path, cluster):
    grid = make_variants(base, {"trucks": [1, 2], "stock": [100, 200]})
    bad = make_variants(base, {"stock": [-1]})
    out = tmp_path / "sweep"
    res = run_variants(grid + bad, out, workers=2, time_limit_s=1, progress=False)
    t = res.table
    assert res.ran == 5 and res.skipped == 0 and len(t) == 5
    assert list(t["variant_id"]) == [v.id for v in grid + bad]
    ok = t[t["status"] == "ok"]
    assert len(ok) == 4 and res.failed == 1
    for _, r in ok.iterrows():
        params = json.loads(r["params"])
        assert (r["trucks"], r["stock"]) == (params["trucks"], params["stock"])
        assert r["delivered"] == min(params["stock"], 200) and r["demand"] == 200
        assert r["served_pct"] == pytest.approx(100 * r["delivered"] / 200)
        assert r["valid"] and r["time_limit_s"] == 1 and r["trucks_used"] >= 1
    failed = t[t["status"] == "failed"].iloc[0]
    assert json.loads(failed["params"]) == {"stock": -1}
    assert failed["error"] == ("scenario: plants[0].stock: expected a number >= 0, got -1")
    on_disk = pd.read_parquet(out / "results.parquet")
    assert list(on_disk["variant_id"]) == list(t["variant_id"])
    assert len(pd.read_csv(out / "results.csv")) == 5
    assert (out / "served_vs_fleet.png").stat().st_size > 0
    first = _jsonl(out)
    assert len(first) == 5

    # Resume on an existing cluster (by address): only the two new variants are planned;
    # the five finished lines stay as they were (same bytes, same finished_at).
    more = make_variants(base, {"trucks": [1, 2], "stock": [150]})
    res2 = run_variants(grid + bad + more, out, scheduler=cluster, time_limit_s=1, progress=False)
    assert (res2.ran, res2.skipped, len(res2.table)) == (2, 5, 7)
    lines = _jsonl(out)
    assert lines[:5] == first and len(lines) == 7
    assert len({json.loads(x)["variant_id"] for x in lines}) == 7

    # Nothing left to do: no cluster is contacted at all (this address has none).
    res3 = run_variants(grid, out, scheduler="tcp://127.0.0.1:9", progress=False)
    assert (res3.ran, res3.skipped, len(res3.table)) == (0, 4, 4) and _jsonl(out) == lines

    # --retry-failed plans the failed variant again (it fails again; its new row wins).
    res4 = run_variants(grid + bad, out, scheduler=cluster, retry_failed=True, progress=False)
    assert (res4.ran, res4.skipped) == (1, 4) and len(_jsonl(out)) == 8
    assert res4.table["status"].tolist().count("failed") == 1


def _write(path, data) -> str:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def _app() -> typer.Typer:
    from logistics.cli.batch import batch, sweep

    app = typer.Typer()
    app.command("batch")(batch)
    app.command("sweep")(sweep)
    return app


def test_sweep_command_blockade_samples_and_ranking(base, cut, seal, tmp_path, cluster):
    scen = _write(tmp_path / "small.yaml", base)
    cands = [b.model_dump(mode="json", exclude_none=True) for b in (cut, seal)]
    cfile = _write(tmp_path / "cands.yaml", {"blockades": cands})
    out = tmp_path / "out"
    args = [scen, "--vary", "trucks=1:2", "--blockades-from", cfile, "--samples", "4"]
    args += ["--out", str(out), "--scheduler", cluster, "--time-limit", "1", "--quiet"]
    r = CliRunner().invoke(_app(), ["sweep", *args])
    assert r.exit_code == 0, r.output
    t = pd.read_csv(out / "results.csv")
    t["candidates"] = t["candidates"].fillna("")
    assert len(t) == 8  # 2 fleet sizes x all 4 combinations of the 2 candidates
    sealed = t["candidates"].str.contains("seal")
    assert (t.loc[sealed, "status"] == "failed").all() and (t.loc[~sealed, "status"] == "ok").all()
    assert t.loc[sealed, "error"].str.contains("the plant is sealed in by closed blockades").all()
    with_cut = t[~sealed & (t["candidates"] == "cut")]
    assert (with_cut["delivered"] == 100).all() and (
        with_cut["missing_unreachable_blockade"] == 100
    ).all()
    rank = pd.read_csv(out / "blockade_ranking.csv")
    assert rank["blockade"].tolist() == ["cut"]  # 'seal' is never planned, so not ranked
    assert rank.loc[0, "served_drop"] == 100 and rank.loc[0, "cutoff_ration"] == 100
    for png in ("served_vs_fleet.png", "blockade_ranking.png"):
        assert (out / png).stat().st_size > 0
    assert "8 variants: 4 ok, 4 failed" in r.stdout

    # bad options: one line, exit 2, nothing planned
    r = CliRunner().invoke(_app(), ["sweep", scen, "--vary", "trucks=3:1", "--out", str(out)])
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines() == [
        "error: --vary: expected START <= STOP and STEP > 0 in 'trucks=3:1' (the range is "
        "inclusive)"
    ]
    cands[0]["radius_m"] = -5
    cfile = _write(tmp_path / "bad.yaml", {"blockades": cands})
    r = CliRunner().invoke(_app(), ["sweep", scen, "--blockades-from", cfile])
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines() == [
        f"error: {cfile}: blockades[0].radius_m: input should be greater than 0"
    ]


def test_batch_command_writes_each_valid_plan(base, net, tmp_path, cluster):
    good = _write(tmp_path / "good.yaml", base)
    broken = dict(base, fleet=[{"count": 1, "capacity": 0}])
    bad = _write(tmp_path / "bad.yaml", broken)
    out = tmp_path / "res"
    args = ["batch", good, bad, "--out", str(out), "--scheduler", cluster, "--quiet"]
    r = CliRunner().invoke(_app(), args)
    assert r.exit_code == 1, r.output  # one scenario failed
    t = pd.read_csv(out / "results.csv")
    assert t["label"].tolist() == ["good", "bad"]
    assert t["status"].tolist() == ["ok", "failed"]
    assert t.loc[1, "error"] == (f"{bad}: fleet[0].capacity: expected a number >= 1, got 0")
    plan = Plan.load(out / t.loc[0, "plan"])
    assert t.loc[0, "plan"] == f"plans/{t.loc[0, 'variant_id']}/plan.json"
    assert validate_plan(plan, scenario_from_dict(base), net).ok
    assert plan.delivered == t.loc[0, "delivered"] == 200
    assert not (out / "plans" / t.loc[1, "variant_id"]).exists()


def test_variant_error_is_recorded_without_a_cluster(tmp_path):
    v = Variant("abc", "broken", {"file": "x.yaml"}, {}, error="x.yaml: scenario file not found")
    res = run_variants([v], tmp_path, scheduler="tcp://127.0.0.1:9", progress=False)
    assert res.ran == 1 and res.table.loc[0, "error"] == "x.yaml: scenario file not found"
    assert res.notes == ["no served_vs_fleet.png: no variant was planned successfully"]


def test_unreachable_scheduler_is_one_line_and_writes_nothing(base, tmp_path, monkeypatch):
    monkeypatch.setattr("logistics.batch.runs.CONNECT_TIMEOUT_S", 1)
    out = tmp_path / "never"
    with pytest.raises(InputError) as info:
        run_variants(make_variants(base), out, scheduler="tcp://127.0.0.1:9", progress=False)
    msg = str(info.value)
    assert (
        msg.startswith("--scheduler: cannot connect to 'tcp://127.0.0.1:9' (") and "\n" not in msg
    )
    assert not out.exists()
