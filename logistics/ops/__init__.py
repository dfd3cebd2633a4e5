"""Running a shift: re-planning, comparing plans, summaries.

``replan`` re-plans from a moment of the shift (what is done is kept, trucks start where they
are); ``diff`` compares two plans stop by stop; ``report`` prints the summary and writes the
plan's output files.
"""

from __future__ import annotations

from logistics.ops.diff import (
    CHANGE_NAMES,
    GroupChange,
    PlanDiff,
    StopChange,
    StopChangeKind,
    TruckChange,
    change_name,
    diff_plans,
)
from logistics.ops.replan import (
    PROGRESS_COLUMNS,
    progress_from_ledger,
    read_progress,
    replan,
    truck_states,
)
from logistics.ops.report import (
    POLICY_NAMES,
    PRIORITY_GROUP,
    WARM_START_NAMES,
    details_line,
    fairness_line,
    group_label,
    policy_name,
    print_summary,
    solver_line,
    summary_rows,
    unserved_counts,
    warm_start_name,
    write_outputs,
)

__all__ = [
    "CHANGE_NAMES",
    "POLICY_NAMES",
    "PRIORITY_GROUP",
    "PROGRESS_COLUMNS",
    "WARM_START_NAMES",
    "GroupChange",
    "PlanDiff",
    "StopChange",
    "StopChangeKind",
    "TruckChange",
    "change_name",
    "details_line",
    "diff_plans",
    "fairness_line",
    "group_label",
    "policy_name",
    "print_summary",
    "progress_from_ledger",
    "read_progress",
    "replan",
    "solver_line",
    "summary_rows",
    "truck_states",
    "unserved_counts",
    "warm_start_name",
    "write_outputs",
]
