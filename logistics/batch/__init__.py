"""Many plans at once, on Dask: scenario files and variants of one scenario.

``variants`` makes the variants (grids of fleet, stock ... and random blockade subsets);
``runs`` plans them on a Dask cluster with resumable results; ``report`` turns the rows into
tables and plots.
"""

from __future__ import annotations

from logistics.batch.report import (
    COLUMNS,
    MIN_PAIRS,
    RANKING_CSV,
    RANKING_PNG,
    RESULTS_CSV,
    RESULTS_PARQUET,
    SERVED_PNG,
    blockade_ranking,
    plot_blockade_ranking,
    plot_served_vs_fleet,
    results_table,
    served_summary,
    write_plots,
    write_tables,
)
from logistics.batch.runs import (
    CONNECT_TIMEOUT_S,
    RESULTS_JSONL,
    BatchResult,
    plan_row,
    read_results,
    run_variant,
    run_variants,
)
from logistics.batch.variants import (
    MAX_VARY_VALUES,
    VARY_PARAMS,
    Variant,
    check_candidates,
    load_candidates,
    make_variants,
    parse_varies,
    parse_vary,
    variant_id,
    variants_from_files,
)

__all__ = [
    "COLUMNS",
    "CONNECT_TIMEOUT_S",
    "MAX_VARY_VALUES",
    "MIN_PAIRS",
    "RANKING_CSV",
    "RANKING_PNG",
    "RESULTS_CSV",
    "RESULTS_JSONL",
    "RESULTS_PARQUET",
    "SERVED_PNG",
    "VARY_PARAMS",
    "BatchResult",
    "Variant",
    "blockade_ranking",
    "check_candidates",
    "load_candidates",
    "make_variants",
    "parse_varies",
    "parse_vary",
    "plan_row",
    "plot_blockade_ranking",
    "plot_served_vs_fleet",
    "read_results",
    "results_table",
    "run_variant",
    "run_variants",
    "served_summary",
    "variant_id",
    "variants_from_files",
    "write_plots",
    "write_tables",
]
