"""The slow profile of the property-based tests: 10,000 examples per reader.

The properties of ``tests/*/test_hostile.py`` (scenario YAML, plan.json, progress CSV,
filled CSV and XLSX sheets; plus reading-and-validating plans and recording sheets in the
ledger, on fewer examples) run in two pytest processes at once, one per core, with fixed
seeds 1 and 2 and 5,000 examples each: 10,000 per reader. Each process writes a line per
reader (examples, outcomes, slowest example, peak memory of the sandboxed reader); this
test adds them up and asserts 0 crashes, 0 hangs, 0 runs over 2 GB (the properties
themselves fail on any multi-line or oversized message). ``$SENKATA_FUZZ_RESULTS`` names a
file to write the table to (``bench/results/fuzz.md``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PER_READER = 10_000
WORKERS = 2
SAMPLED = 1_000  # validating a plan (0.1 s) and recording a sheet: fewer examples
PROPERTIES = [
    "tests/model/test_hostile.py::test_scenario_reader_property",
    "tests/plan/test_hostile.py::test_plan_reader_property",
    "tests/plan/test_hostile.py::test_plan_reader_and_validator_property",
    "tests/ops/test_hostile.py::test_progress_reader_property",
    "tests/paper/test_hostile.py::test_csv_sheet_reader_property",
    "tests/paper/test_hostile.py::test_xlsx_sheet_reader_property",
    "tests/ledger/test_hostile.py::test_record_sheet_never_records_a_forgery",
]
_LINE = re.compile(
    r"^(?P<name>[^:]+): (?P<n>\d+) examples \((?P<kinds>[^)]*)\); slowest (?P<slow>[\d.]+) s; "
    r"peak RSS (?P<rss>\d+) MB; (?P<secs>[\d.]+) s in all$"
)


@pytest.mark.slow
def test_10000_examples_per_reader(tmp_path):
    procs = []
    t0 = time.monotonic()
    for k in range(1, WORKERS + 1):
        env = {
            **os.environ,
            "SENKATA_FUZZ_FAST": str(PER_READER // WORKERS),
            "SENKATA_FUZZ_SAMPLED": str(SAMPLED // WORKERS),
            "SENKATA_FUZZ_SEED": str(k),
            "SENKATA_FUZZ_REPORT": str(tmp_path / f"worker{k}.txt"),
            "PYTHONPATH": str(ROOT),
        }
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
               f"--hypothesis-seed={k}", *PROPERTIES]  # fmt: skip
        log = (tmp_path / f"worker{k}.log").open("w")
        procs.append((subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log), log))
    for proc, log in procs:
        proc.wait(timeout=3600)
        log.close()
    wall = time.monotonic() - t0
    for k, (proc, _) in enumerate(procs, start=1):
        out = (tmp_path / f"worker{k}.log").read_text(encoding="utf-8")
        assert proc.returncode == 0, out[-6000:]
    totals: dict[str, dict] = defaultdict(lambda: defaultdict(float))
    for k in range(1, WORKERS + 1):
        for line in (tmp_path / f"worker{k}.txt").read_text(encoding="utf-8").splitlines():
            m = _LINE.match(line)
            assert m, line
            t = totals[m["name"]]
            t["examples"] += int(m["n"])
            for part in m["kinds"].split(", "):
                kind, n = part.split()
                t[kind] += int(n)
            t["slowest"] = max(t["slowest"], float(m["slow"]))
            t["rss"] = max(t["rss"], float(m["rss"]))
            t["seconds"] += float(m["secs"])
    rows = [
        "| reader | examples | valid | refused in one line | crash | hang | over memory "
        "| slowest | peak RSS |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, t in totals.items():
        rows.append(
            f"| {name} | {int(t['examples']):,} | {int(t['ok']):,} | {int(t['user']):,} | "
            f"{int(t['crash'])} | {int(t['hang'])} | {int(t['memory'])} | "
            f"{t['slowest']:.2f} s | {t['rss']:.0f} MB |"
        )
        assert t["crash"] == t["hang"] == t["memory"] == 0, (name, dict(t))
        assert t["rss"] < 2048
    table = "\n".join(rows) + f"\n\n{WORKERS} processes, {wall / 60:.1f} min wall.\n"
    print(table)
    if os.environ.get("SENKATA_FUZZ_RESULTS"):
        Path(os.environ["SENKATA_FUZZ_RESULTS"]).write_text(table, encoding="utf-8")
    # every reader got its 10,000 (the plan's two properties add up under one name)
    assert totals["scenario"]["examples"] >= PER_READER
    assert totals["progress.csv"]["examples"] >= PER_READER
    assert totals["plan.json"]["examples"] >= PER_READER + SAMPLED
    assert totals["filled sheets"]["examples"] >= 2 * PER_READER  # CSV and XLSX
    assert totals["record_sheet"]["examples"] >= SAMPLED
