"""The plan's data model and its independent validator.

``model`` holds :class:`Plan` (trucks, trips, legs on the roads, stops, unserved points with
their reasons) and its JSON form; ``validate`` re-checks every rule of the mission on any plan
from the scenario, the map and the data alone. Neither imports the solver: a plan from any
solver, or edited by hand, is judged the same way.
"""

from __future__ import annotations

from logistics.plan.model import Leg, Stop, Trip, TruckPlan, Unserved, GroupTotal, PlantInfo, SolverInfo, Plan, REASONS
from logistics.plan.validate import TIME_TOL_MIN, KM_TOL, ValidationReport, check_plan, validate_plan

__all__ = [
    "GroupTotal",
    "KM_TOL",
    "Leg",
    "Plan",
    "PlantInfo",
    "REASONS",
    "SolverInfo",
    "Stop",
    "TIME_TOL_MIN",
    "Trip",
    "TruckPlan",
    "Unserved",
    "ValidationReport",
    "check_plan",
    "validate_plan",
]
