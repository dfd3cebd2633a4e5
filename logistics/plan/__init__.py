"""The plan's data model and its independent validator.

``reading`` reads a plan.json from a user (a file or schema problem is one error line);
``model`` holds :class:`Plan` (trucks, trips, legs on the roads, stops, unserved points with
their reasons) and its JSON form; ``reasons`` turns a reason code into a sentence in the
reader's language; ``validate`` re-checks every rule of the mission on any plan
from the scenario, the map and the data alone; ``blockade_zones`` is the blockade geometry it
shares with the delivery sheets. Neither imports the solver: a plan from any
solver, or edited by hand, is judged the same way.
"""

from __future__ import annotations

from logistics.plan.blockade_zones import BlockadeZone, ZoneTester, blockade_zones
from logistics.plan.model import (
    AREA_REASON_CODES,
    REASONS,
    AreaRow,
    GroupTotal,
    Leg,
    Plan,
    PlantInfo,
    SolverInfo,
    Stop,
    Trip,
    TruckPlan,
    Unserved,
)
from logistics.plan.reading import MAX_PLAN_BYTES, plan_from_json, read_plan
from logistics.plan.reasons import area_of, area_reason_text, reason_text
from logistics.plan.validate import (
    KM_TOL,
    TIME_TOL_MIN,
    ValidationReport,
    check_plan,
    validate_plan,
)

__all__ = [
    "AREA_REASON_CODES",
    "KM_TOL",
    "MAX_PLAN_BYTES",
    "REASONS",
    "TIME_TOL_MIN",
    "AreaRow",
    "BlockadeZone",
    "GroupTotal",
    "Leg",
    "Plan",
    "PlantInfo",
    "SolverInfo",
    "Stop",
    "Trip",
    "TruckPlan",
    "Unserved",
    "ValidationReport",
    "ZoneTester",
    "area_of",
    "area_reason_text",
    "blockade_zones",
    "check_plan",
    "plan_from_json",
    "read_plan",
    "reason_text",
    "validate_plan",
]
