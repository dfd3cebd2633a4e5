"""Running a shift: re-planning, comparing plans, summaries.

``replan`` re-plans from a moment of the shift (what is done is kept, trucks start where they
are); ``repair`` does it with as little change as possible (same stops, new roads where a
new blockade cuts them; ``improve_plan`` searches from there); ``diff`` compares two plans
stop by stop; ``report`` prints the summary and writes the plan's output files.
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
from logistics.ops.improve import improve_plan
from logistics.ops.repair import CrewChange, Trapped, repair
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
    "CrewChange",
    "GroupChange",
    "PlanDiff",
    "StopChange",
    "StopChangeKind",
    "Trapped",
    "TruckChange",
    "change_name",
    "details_line",
    "diff_plans",
    "fairness_line",
    "group_label",
    "improve_plan",
    "policy_name",
    "print_summary",
    "progress_from_ledger",
    "read_progress",
    "repair",
    "replan",
    "solver_line",
    "summary_rows",
    "truck_states",
    "unserved_counts",
    "warm_start_name",
    "write_outputs",
]
