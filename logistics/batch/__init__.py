"""Many plans at once, on Dask: scenario files and variants of one scenario.

``variants`` makes the variants (grids of fleet, stock ... and random blockade subsets);
``runs`` plans them on a Dask cluster with resumable results; ``report`` turns the rows into
tables and plots.
"""

from __future__ import annotations

from logistics.batch.report import RESULTS_PARQUET, RESULTS_CSV, SERVED_PNG, RANKING_PNG, RANKING_CSV, COLUMNS, results_table, write_tables, MIN_PAIRS, blockade_ranking, plot_served_vs_fleet, plot_blockade_ranking, write_plots, served_summary
from logistics.batch.runs import RESULTS_JSONL, CONNECT_TIMEOUT_S, plan_row, run_variant, read_results, BatchResult, run_variants
from logistics.batch.variants import MAX_VARY_VALUES, Variant, variant_id, VARY_PARAMS, parse_vary, parse_varies, load_candidates, check_candidates, make_variants, variants_from_files

__all__ = [
    "BatchResult",
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
