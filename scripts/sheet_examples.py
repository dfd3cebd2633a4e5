"""Render the example delivery sheets shown in the README (``docs/sheet-*.png``).

From a June 2005 plan (``--plan``, else planned here with a 10 s search): the shortest trip
through the Río Seco permit checkpoint of the shipped scenario (both pages), a trip of one
page, and the plant summary; Spanish, the sheets' default language; 100 dpi PNG, what a
phone photo of a printout shows. Needs Debian's ``pdftoppm``.

    .venv/bin/python scripts/sheet_examples.py --plan out/plan.json
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SCENARIO = ROOT / "scenarios" / "senkata-2005-06.yaml"


def _png(pdf: Path, page: int, dest: Path, dpi: int = 100) -> None:
    stem = dest.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile",
         str(pdf), str(stem)],
        check=True,
    )  # fmt: skip
    print("wrote", dest.relative_to(ROOT))


def main() -> None:
    from logistics.model import load_scenario
    from logistics.paper import write_sheets
    from logistics.plan import Plan
    from logistics.roads import load_network

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plan", type=Path, help="a plan.json of the June 2005 scenario")
    ns = ap.parse_args()
    sc = load_scenario(SCENARIO)
    net = load_network()
    if ns.plan:
        plan = Plan.load(ns.plan)
    else:
        from logistics.routing import build_problem, solve

        sc = sc.model_copy(update={"solver": sc.solver.model_copy(update={"time_limit_s": 10})})
        plan = solve(build_problem(sc, net=net))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        files = write_sheets(plan, sc, net, out, price_bs=22.5)
        through = [
            (t.km, tr.truck_id, t.trip_no)
            for tr, t in plan.trips()
            if any(leg.delay_min > 0 for leg in t.legs)
        ]
        _km, truck, trip = min(through)
        pdf = out / "sheets" / f"{truck}-trip{trip}.pdf"
        _png(pdf, 1, DOCS / "sheet-example.png")
        if files.pages[pdf] > 1:
            _png(pdf, 2, DOCS / "sheet-example-2.png")
        one = min((t.km, tr.truck_id, t.trip_no) for tr, t in plan.trips() if len(t.stops) > 1)
        short = out / "sheets" / f"{one[1]}-trip{one[2]}.pdf"
        if files.pages[short] == 1:
            _png(short, 1, DOCS / "sheet-short.png")
        _png(out / "plant-summary.pdf", 1, DOCS / "plant-summary.png", dpi=80)
        print(f"Río Seco example: {truck} trip {trip}; one-page example: {one[1]} trip {one[2]}")


if __name__ == "__main__":
    main()
