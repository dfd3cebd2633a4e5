"""Running a shift: re-planning, comparing plans, summaries.

``replan`` re-plans from a moment of the shift (what is done is kept, trucks start where they
are); ``diff`` compares two plans stop by stop; ``report`` prints the summary and writes the
plan's output files.
"""

from __future__ import annotations

from logistics.ops.diff import (
    GroupChange,
    PlanDiff,
    StopChange,
    StopChangeKind,
    TruckChange,
    diff_plans,
)
from logistics.ops.replan import (
    PROGRESS_COLUMNS,
    progress_from_ledger,
    read_progress,
    replan,
    truck_states,
)
from logistics.ops.report import print_summary, solver_line, summary_rows, write_outputs

__all__ = [
    "PROGRESS_COLUMNS",
    "GroupChange",
    "PlanDiff",
    "StopChange",
    "StopChangeKind",
    "TruckChange",
    "diff_plans",
    "print_summary",
    "progress_from_ledger",
    "read_progress",
    "replan",
    "solver_line",
    "summary_rows",
    "truck_states",
    "write_outputs",
]
