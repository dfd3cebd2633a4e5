"""Batch results: the table (Parquet, CSV) and the plots (served vs fleet, blockade ranking)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from logistics.i18n import _, fmt_int, ngettext
from logistics.plan import REASONS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


RESULTS_PARQUET = "results.parquet"
RESULTS_CSV = "results.csv"
SERVED_PNG = "served_vs_fleet.png"
RANKING_PNG = "blockade_ranking.png"
RANKING_CSV = "blockade_ranking.csv"

#: Columns of the results table, in order.
COLUMNS = [
    "variant_id",
    "label",
    "params",
    "status",
    "error",
    "delivered",
    "demand",
    "served_pct",
    "km",
    "trucks",
    "trucks_guarded",
    "trucks_used",
    "trips",
    "stock",
    "blockades",
    "candidates",
    *[f"unserved_{r.replace('-', '_')}" for r in REASONS],
    *[f"missing_{r.replace('-', '_')}" for r in REASONS],
    "min_share",
    "solve_s",
    "build_s",
    "validate_s",
    "wall_s",
    "time_limit_s",
    "hit_time_limit",
    "valid",
    "plan",
    "worker",
    "finished_at",
]


# ------------------------------------------------------------------ variants


def results_table(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Rows -> the results DataFrame (:data:`COLUMNS`; ``params`` as a JSON string)."""
    import pandas as pd

    recs = []
    for r in rows:
        rec = {c: r.get(c) for c in COLUMNS}
        rec["params"] = json.dumps(r.get("params") or {}, sort_keys=True, ensure_ascii=False)
        recs.append(rec)
    df = pd.DataFrame.from_records(recs, columns=COLUMNS)
    ints = ["delivered", "demand", "trucks", "trucks_guarded", "trucks_used", "trips", "stock"]
    ints += [c for c in COLUMNS if c.startswith(("unserved_", "missing_"))]
    for c in ints:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("Int64")
    for c in ("served_pct", "km", "min_share", "solve_s", "build_s", "validate_s", "wall_s"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    df["time_limit_s"] = pd.to_numeric(df["time_limit_s"], errors="coerce").astype("float64")
    for c in ("hit_time_limit", "valid"):
        df[c] = df[c].astype("boolean")
    return df


def write_tables(table: pd.DataFrame, out: Path) -> list[Path]:
    """``results.parquet`` and ``results.csv`` (written atomically)."""
    files = []
    for name, write in (
        (RESULTS_PARQUET, lambda p: table.to_parquet(p, index=False)),
        (RESULTS_CSV, lambda p: table.to_csv(p, index=False)),
    ):
        target = out / name
        tmp = out / (name + ".tmp")
        write(tmp)
        tmp.replace(target)
        files.append(target)
    return files


# ---------------------------------------------------------------------- plots
def _present_sets(table: pd.DataFrame) -> pd.Series:
    return table["candidates"].map(
        lambda s: frozenset(x for x in str(s).split(",") if x) if isinstance(s, str) else None
    )


#: Fewest (with, without) pairs every candidate needs for the paired estimate.
MIN_PAIRS = 3


def blockade_ranking(table: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """How much each candidate blockade cuts off when present, from the ``ok`` rows.

    Two estimates of "variants with it minus variants without it", always within a cell
    of the ``--vary`` grid (same fleet, stock, ...):

    * ``paired`` (used when every candidate has at least :data:`MIN_PAIRS` pairs): the
      mean, over planned combinations S holding the candidate whose S without it was
      planned too, of f(S without it) - f(S). Blockades interact (a road behind another
      closed one cuts nothing more), and pairs compare like with like, so the estimate is
      exact for the ration cut off (which depends only on the roads) and not swamped by
      the large effects of the other candidates.
    * ``difference of means`` otherwise (few samples of many candidates): the mean of the
      variants without the candidate minus the mean of those with it, per cell, averaged
      weighted by cell size. With every combination planned both estimates are equal.

    Returns
    -------
    DataFrame
        ``blockade, name, n_with, n_without, n_pairs, method, served_drop`` (cylinders no
        longer delivered), ``served_drop_pct`` (points of served %), ``cutoff_ration``
        (more ration behind closed blockades, ``unreachable-blockade``); sorted by
        ``served_drop`` then ``cutoff_ration``. Candidates never both present and absent
        in a cell are not ranked.
    """
    import numpy as np
    import pandas as pd

    cols = [
        "blockade",
        "name",
        "n_with",
        "n_without",
        "n_pairs",
        "method",
        "served_drop",
        "served_drop_pct",
        "cutoff_ration",
    ]
    ok = table[(table["status"] == "ok") & table["candidates"].notna()].reset_index(drop=True)
    if ok.empty:
        return pd.DataFrame(columns=cols)
    present = _present_sets(ok)
    cells = ok["params"].map(
        lambda p: json.dumps(
            {k: v for k, v in json.loads(p).items() if k != "blockades"}, sort_keys=True
        )
    )
    # "without it minus with it" of delivered and served % is what it costs; of minus the
    # ration cut off, it is the ration it adds behind closed blockades
    vals = np.column_stack(
        [
            ok["delivered"].astype(float),
            ok["served_pct"].astype(float),
            -ok["missing_unreachable_blockade"].astype(float),
        ]
    )
    where = {(c, s): i for i, (c, s) in enumerate(zip(cells, present, strict=True))}
    ids = sorted(set().union(*present))
    est = {}
    for c in ids:
        has = present.map(lambda s, c=c: c in s).to_numpy()
        acc = np.zeros(3)
        weight = 0.0
        for _cell, members in cells.groupby(cells).groups.items():
            idx = np.asarray(members)
            h = has[idx]
            if h.all() or not h.any():
                continue
            acc += len(idx) * (vals[idx[~h]].mean(axis=0) - vals[idx[h]].mean(axis=0))
            weight += len(idx)
        if weight == 0:
            continue
        pairs = [
            (where[(cells[i], present[i] - {c})], i)
            for i in np.flatnonzero(has)
            if (cells[i], present[i] - {c}) in where
        ]
        paired = (
            np.mean([vals[j] - vals[i] for j, i in pairs], axis=0) if pairs else np.full(3, np.nan)
        )
        est[c] = (int(has.sum()), int((~has).sum()), len(pairs), acc / weight, paired)
    use_pairs = bool(est) and all(e[2] >= MIN_PAIRS for e in est.values())
    out = []
    for c, (n_with, n_without, n_pairs, means, paired) in est.items():
        v = paired if use_pairs else means
        out.append(
            {
                "blockade": c,
                "name": (names or {}).get(c, ""),
                "n_with": n_with,
                "n_without": n_without,
                "n_pairs": n_pairs,
                "method": "paired" if use_pairs else "difference of means",
                "served_drop": round(float(v[0]), 1) + 0.0,  # + 0.0: no "-0"
                "served_drop_pct": round(float(v[1]), 2) + 0.0,
                "cutoff_ration": round(float(v[2]), 1) + 0.0,
            }
        )
    df = pd.DataFrame(out, columns=cols)
    return df.sort_values(["served_drop", "cutoff_ration"], ascending=False, ignore_index=True)


def plot_served_vs_fleet(table: pd.DataFrame, path: str | Path) -> Path | None:
    """Served % vs trucks in the fleet, one line per stock value.

    Points are the mean over the variants of a (stock, fleet) cell (blockade samples,
    seeds), bars their min-max; the dashed line of each stock is its ceiling, stock over
    the eligible ration.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    ok = table[table["status"] == "ok"].dropna(subset=["trucks", "served_pct", "stock"])
    if ok.empty:
        return None
    fig = Figure(figsize=(8, 5), dpi=120, layout="constrained")
    ax = fig.subplots()
    for stock in sorted(ok["stock"].unique()):
        cell = ok[ok["stock"] == stock]
        agg = cell.groupby("trucks")["served_pct"].agg(["mean", "min", "max"]).sort_index()
        x = [int(v) for v in agg.index]
        bars = [agg["mean"] - agg["min"], agg["max"] - agg["mean"]]
        line = ax.errorbar(
            x, agg["mean"], yerr=bars, marker="o", capsize=4, label=fmt_int(int(stock))
        )
        demand = float(cell["demand"].median())
        if demand > 0 and 100 * stock / demand < 100:
            ax.axhline(100 * stock / demand, color=line.lines[0].get_color(), ls="--", lw=0.8)
    guarded = int(ok["trucks_guarded"].max())
    if (ok["trucks"] > guarded).any():
        ax.axvline(guarded, color="grey", ls=":", lw=1)
        ax.annotate(
            _("{n} guard commissions:\nmore trucks stay at the plant").format(n=guarded),
            (guarded, 0),
            xytext=(4, 8),
            textcoords="offset points",
            fontsize=8,
            color="dimgrey",
        )
    n_rows = int(ok.groupby(["stock", "trucks"]).size().max())
    title = (
        _(
            "Cylinders delivered vs fleet size\n(mean of up to {n} variants, bars min-max; "
            "dashed: the most the plant's cylinders can cover)"
        ).format(n=n_rows)
        if n_rows > 1
        else _(
            "Cylinders delivered vs fleet size\n(dashed: the most the plant's cylinders can cover)"
        )
    )
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(_("trucks in the fleet"))
    ax.set_ylabel(_("cylinders delivered, % of the eligible ration"))
    fleets = sorted(int(v) for v in ok["trucks"].unique())
    if len(fleets) <= 15:
        ax.set_xticks(fleets)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, 105)
    ax.grid(alpha=0.3)
    ax.legend(title=_("cylinders at the plant"), fontsize=9, title_fontsize=9, loc="best")
    p = Path(path)
    fig.savefig(p)
    return p


def plot_blockade_ranking(ranking: pd.DataFrame, path: str | Path, *, subtitle: str = "") -> Path:
    """Labelled horizontal bars: cylinders lost, and ration cut off, per candidate blockade.

    ``ranking`` is :func:`blockade_ranking`'s table; the largest loss is at the top.
    """
    from matplotlib.figure import Figure

    r = ranking.iloc[::-1]
    n = len(r)
    paired = bool(n) and r["method"].iloc[0] == "paired"
    fig = Figure(figsize=(12, 2.2 + 0.6 * n), dpi=120, layout="constrained")
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    labels = []
    for _row, row in r.iterrows():
        nm = str(row["name"] or "")
        head = f"{row['blockade']}: {nm[:46] + '...' if len(nm) > 48 else nm}" if nm else ""
        counts = _("{with_} with, {without} without").format(
            with_=row["n_with"], without=row["n_without"]
        )
        if paired:
            counts += "; " + ngettext("{n} pair", "{n} pairs", int(row["n_pairs"])).format(
                n=row["n_pairs"]
            )
        labels.append(f"{head or row['blockade']}\n({counts})")
    if paired:
        how = _("mean over pairs of variants differing only by this blockade")
    else:
        how = _("mean of variants without it minus mean of variants with it")
    y = list(range(n))
    panels = (
        (ax1, r["served_drop"], "tab:red", _("fewer cylinders delivered when it stands")),
        (ax2, r["cutoff_ration"], "tab:purple", _("more ration cut off by a blockade")),
    )
    for ax, vals, color, title in panels:
        ax.barh(y, vals, color=color, alpha=0.8)
        span = max(float(vals.abs().max()), 1.0)
        ax.set_xlim(min(0.0, float(vals.min()) * 1.3), span * 1.3)
        for yi, v in zip(y, vals, strict=True):
            ax.annotate(
                fmt_int(v),
                (max(v, 0), yi),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(_("cylinders"), fontsize=9)
        ax.axvline(0, color="black", lw=0.6)
        ax.grid(axis="x", alpha=0.3)
    ax1.set_yticks(y, labels, fontsize=8)
    fig.suptitle(
        _(
            "Which roads matter most: candidate blockades ranked by the demand they cut off\n"
            "({how}, at the same fleet and cylinders at the plant{subtitle})"
        ).format(how=how, subtitle="; " + subtitle if subtitle else ""),
        fontsize=10,
    )
    p = Path(path)
    fig.savefig(p)
    return p


def write_plots(
    table: pd.DataFrame, out: Path, *, names: dict[str, str] | None = None
) -> tuple[pd.DataFrame | None, list[Path], list[str]]:
    """Write the plots (and the ranking table) that the results support.

    Returns
    -------
    (ranking or None, files written, notes on plots left out)
    """
    files: list[Path] = []
    notes: list[str] = []
    p = plot_served_vs_fleet(table, out / SERVED_PNG)
    if p is None:
        notes.append(_("no {file}: no variant was planned successfully").format(file=SERVED_PNG))
    else:
        files.append(p)
    ranking = None
    if table["candidates"].notna().any():
        ranking = blockade_ranking(table, names)
        if ranking.empty:
            notes.append(
                _(
                    "no {file}: no candidate blockade was both present and absent among "
                    "planned variants of one grid cell"
                ).format(file=RANKING_PNG)
            )
        else:
            ok = int(((table["status"] == "ok") & table["candidates"].notna()).sum())
            n_failed = int((table["status"] != "ok").sum())
            sub = _("{n} planned variants").format(n=ok) + (
                _(", {n} failed ones left out").format(n=n_failed) if n_failed else ""
            )
            files.append(plot_blockade_ranking(ranking, out / RANKING_PNG, subtitle=sub))
            tmp = out / (RANKING_CSV + ".tmp")
            ranking.to_csv(tmp, index=False)
            tmp.replace(out / RANKING_CSV)
            files.append(out / RANKING_CSV)
    return ranking, files, notes


def served_summary(table: pd.DataFrame) -> dict[str, Any]:
    """Counts and served-% range of a results table (for the CLI summary)."""
    ok = table[table["status"] == "ok"]
    served = ok["served_pct"].dropna()
    return {
        "variants": len(table),
        "ok": len(ok),
        "failed": len(table) - len(ok),
        "served_min": float(served.min()) if len(served) else math.nan,
        "served_max": float(served.max()) if len(served) else math.nan,
    }
