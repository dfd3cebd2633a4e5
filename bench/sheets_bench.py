"""Delivery sheets benchmark: the whole June 2005 set (every trip PDF, the plant summary,
CSV, XLSX, GeoJSON, GPX) and the app's zip of it, before and after, in one run.

Each configuration runs in a fresh process (so its peak memory is its own) on the same
plan: ``before`` is the sheets code of a baseline commit (``--baseline``, exported with
``git archive`` to a temporary directory), ``after/1`` this checkout drawing the PDFs in
one process, ``after/N`` with one worker process per core. Measured: wall time of
``write_sheets`` (the map and the plan already loaded, as in the CLI after validation),
CPU seconds of the drawing, peak resident memory (the calling process, and the largest
worker), bytes written, the zip the app offers (bytes, seconds), pages per trip.

Run from the checkout (one benchmark at a time on the shared machine)::

    flock /work/bench.lock nice .venv/bin/python bench/sheets_bench.py
    flock /work/bench.lock nice .venv/bin/python bench/sheets_bench.py --plan out/plan.json

Writes ``bench/results/sheets.md`` and ``bench/results/sheets.json``.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
SCENARIO = ROOT / "scenarios" / "senkata-2005-06.yaml"
BASELINE = "73f1116"  # the sheets before issue 14 (three A4 pages per trip, matplotlib maps)

# Runs in a fresh interpreter with the code under test first on sys.path.
_MEASURE = r"""
import io, json, resource, sys, tempfile, time, zipfile
from pathlib import Path
args = json.loads(sys.argv[1])
from logistics.model import load_scenario
from logistics.plan import Plan
from logistics.roads import load_network
import logistics.paper as paper
sc = load_scenario(args["scenario"])
plan = Plan.load(args["plan"])
net = load_network()
kw = {"price_bs": 22.5}
if args["workers"]:
    kw["workers"] = args["workers"]
if args.get("lang"):
    kw["lang"] = args["lang"]
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
rss0 = rss_mb()
with tempfile.TemporaryDirectory() as tmp:
    out = Path(tmp) / "sheets"
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    res = paper.write_sheets(plan, sc, net, out, **kw)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    files = list(res)
    stats = getattr(res, "stats", {})
    pdfs = [f for f in files if f.suffix == ".pdf" and f.name != "plant-summary.pdf"]
    t1 = time.perf_counter()
    if hasattr(paper, "zip_sheets"):
        blob = paper.zip_sheets(res, out)
    else:  # the app's zip before: every file deflated, flat names
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in files:
                zf.write(f, arcname=f.name)
        blob = buf.getvalue()
    zip_s = time.perf_counter() - t1
    from pypdf import PdfReader
    pages = [len(PdfReader(f).pages) for f in pdfs]
    print(json.dumps({
        "wall_s": wall,
        "parent_cpu_s": cpu,
        "render_cpu_s": stats.get("render_cpu_s"),
        "workers": stats.get("workers", 1),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_mb": rss0,
        "worker_private_mb": stats.get("worker_private_mb"),
        "trip_pdfs": len(pdfs),
        "pdf_bytes": sum(f.stat().st_size for f in pdfs),
        "all_bytes": sum(f.stat().st_size for f in files),
        "zip_bytes": len(blob),
        "zip_s": zip_s,
        "pages": pages,
    }))
"""


def _run(code_dir: Path, plan: Path, workers: int | None, env: dict) -> dict:
    args = {"scenario": str(SCENARIO), "plan": str(plan), "workers": workers}
    proc = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(code_dir)!r})\n" + _MEASURE,
         json.dumps(args)],
        capture_output=True, text=True, env=env, cwd=code_dir, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"measurement failed in {code_dir}:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _plan(path: Path | None, tmp: Path) -> Path:
    if path is not None:
        return path.resolve()
    from logistics.model import load_scenario
    from logistics.routing import build_problem, solve

    sc = load_scenario(SCENARIO)
    sc = sc.model_copy(update={"solver": sc.solver.model_copy(update={"time_limit_s": 10})})
    plan = solve(build_problem(sc))
    return plan.save(tmp / "plan.json")


def _histogram(pages: list[int]) -> list[str]:
    count = collections.Counter(pages)
    width = max(count.values())
    return [
        f"| {n} | {count[n]} | `{'#' * round(40 * count[n] / width)}` |"
        for n in range(1, max(count) + 1)
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plan", type=Path, help="plan.json of the June 2005 scenario")
    ap.add_argument("--baseline", default=BASELINE, help="commit of the 'before' code")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ns = ap.parse_args()
    env = dict(os.environ)
    env.setdefault("SENKATA_DATA_DIR", str((ROOT / ".." / "shared" / "data").resolve()))
    env.setdefault("SENKATA_CACHE_DIR", str(ROOT / ".cache"))
    rows: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        plan = _plan(ns.plan, tmp)
        old = tmp / "before"
        old.mkdir()
        archive = subprocess.run(
            ["git", "archive", ns.baseline, "logistics"], cwd=ROOT, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
        rows["before"] = _run(old, plan, None, env)
        rows["after, 1 process"] = _run(ROOT, plan, 1, env)
        rows[f"after, {ns.workers} workers"] = _run(ROOT, plan, ns.workers, env)
        plan_id = json.loads(plan.read_text())["scenario"]
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    load = os.getloadavg()
    lines = [
        "# Delivery sheets benchmark (June 2005 plan)",
        "",
        f"{stamp}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (a shared machine: "
        f"compare within this run). Plan: {plan_id}. `before` = commit {ns.baseline}.",
        "",
        "| code | trip PDFs | pages | wall s | CPU s, all processes (drawing) "
        "| peak MB: caller (+ for the sheets) / private MB per worker | PDFs MB | all files MB "
        "| app zip MB | zip s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in rows.items():
        drawing = r["render_cpu_s"]
        in_workers = drawing if r.get("workers", 1) > 1 else 0.0
        total = r["parent_cpu_s"] + in_workers
        cpu = f"{total:.1f}" + (f" ({drawing:.1f})" if drawing is not None else "")
        worker = f" / {r['worker_private_mb']:.0f}" if r.get("worker_private_mb") else ""
        extra = r["peak_mb"] - r["rss_before_mb"]
        lines.append(
            f"| {name} | {r['trip_pdfs']} | {sum(r['pages'])} | {r['wall_s']:.1f} | {cpu} "
            f"| {r['peak_mb']:.0f} (+{extra:.0f}){worker} | {r['pdf_bytes'] / 1e6:.2f} "
            f"| {r['all_bytes'] / 1e6:.2f} | {r['zip_bytes'] / 1e6:.2f} | {r['zip_s']:.2f} |"
        )
    after = rows["after, 1 process"]
    lines += ["", "Pages per trip sheet, after:", "", "| pages | trips | |", "|---|---|---|"]
    lines += _histogram(after["pages"])
    lines += ["", "Pages per trip sheet, before:", "", "| pages | trips | |", "|---|---|---|"]
    lines += _histogram(rows["before"]["pages"])
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sheets.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (RESULTS / "sheets.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
