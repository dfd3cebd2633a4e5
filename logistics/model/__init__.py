"""The scenario file format: one shift's facts and assumptions, validated.

``scenario`` holds the pydantic models (every section, ``extra="forbid"``) and the time-of-day
helpers; ``loading`` reads and writes scenario YAML with field-path errors; ``errors`` is the
project's error type (one line for the user); ``config`` says where the shared data and the
caches live. Everything else in the planner builds on this room; it imports none of them.
"""

from __future__ import annotations

from logistics.model.config import PROJECT_ROOT, data_dir, cache_dir, embedded_map_path, stops_path
from logistics.model.errors import SenkataError, InputError, MapSourceError, PlanInfeasibleError
from logistics.model.loading import MAX_SCENARIO_BYTES, scenario_from_dict, load_scenario, scenario_from_text, scenario_to_yaml
from logistics.model.scenario import SENKATA_LAT, SENKATA_LON, parse_hhmm, format_hhmm, Lat, Lon, Name, TimeWindow, MapSettings, Plant, TruckGroup, Guard, Commission, Guards, Shift, ListedPoint, AreaWindow, Demand, PrioritySite, ExcludedPolygon, Eligibility, Blockade, WarmStart, WARM_STARTS, SolverSettings, Scenario

__all__ = [
    "AreaWindow",
    "Blockade",
    "Commission",
    "Demand",
    "Eligibility",
    "ExcludedPolygon",
    "Guard",
    "Guards",
    "InputError",
    "Lat",
    "ListedPoint",
    "Lon",
    "MAX_SCENARIO_BYTES",
    "MapSettings",
    "MapSourceError",
    "Name",
    "PROJECT_ROOT",
    "PlanInfeasibleError",
    "Plant",
    "PrioritySite",
    "SENKATA_LAT",
    "SENKATA_LON",
    "Scenario",
    "SenkataError",
    "Shift",
    "SolverSettings",
    "TimeWindow",
    "TruckGroup",
    "WARM_STARTS",
    "WarmStart",
    "cache_dir",
    "data_dir",
    "embedded_map_path",
    "format_hhmm",
    "load_scenario",
    "parse_hhmm",
    "scenario_from_dict",
    "scenario_from_text",
    "scenario_to_yaml",
    "stops_path",
]
