"""Running a shift: re-planning, comparing plans, summaries.

``replan`` re-plans from a moment of the shift (what is done is kept, trucks start where they
are); ``diff`` compares two plans stop by stop; ``report`` prints the summary and writes the
plan's output files.
"""

from __future__ import annotations

from logistics.ops.diff import StopChangeKind, StopChange, GroupChange, TruckChange, PlanDiff, diff_plans
from logistics.ops.replan import PROGRESS_COLUMNS, read_progress, progress_from_ledger, truck_states, replan
from logistics.ops.report import summary_rows, write_outputs, solver_line, print_summary

__all__ = [
    "GroupChange",
    "PROGRESS_COLUMNS",
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
