"""The scenario file format: one shift's facts and assumptions, validated.

``scenario`` holds the pydantic models (every section, ``extra="forbid"``) and the time-of-day
helpers; ``loading`` reads and writes scenario YAML with field-path errors; ``errors`` is the
project's error type (one line for the user); ``config`` says where the shared data and the
caches live. Everything else in the planner builds on this room; it imports none of them.
"""

from __future__ import annotations

from logistics.model.config import PROJECT_ROOT, cache_dir, data_dir, embedded_map_path, stops_path
from logistics.model.errors import InputError, MapSourceError, PlanInfeasibleError, SenkataError
from logistics.model.loading import (
    MAX_SCENARIO_BYTES,
    load_scenario,
    scenario_digest,
    scenario_from_dict,
    scenario_from_text,
    scenario_to_yaml,
)
from logistics.model.scenario import (
    SENKATA_LAT,
    SENKATA_LON,
    WARM_STARTS,
    AreaWindow,
    Blockade,
    Commission,
    Demand,
    Eligibility,
    ExcludedPolygon,
    Guard,
    Guards,
    Lat,
    ListedPoint,
    Lon,
    MapSettings,
    Name,
    Plant,
    PrioritySite,
    Scenario,
    Shift,
    SolverSettings,
    TimeWindow,
    TruckGroup,
    WarmStart,
    format_hhmm,
    parse_hhmm,
)

__all__ = [
    "MAX_SCENARIO_BYTES",
    "PROJECT_ROOT",
    "SENKATA_LAT",
    "SENKATA_LON",
    "WARM_STARTS",
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
    "MapSettings",
    "MapSourceError",
    "Name",
    "PlanInfeasibleError",
    "Plant",
    "PrioritySite",
    "Scenario",
    "SenkataError",
    "Shift",
    "SolverSettings",
    "TimeWindow",
    "TruckGroup",
    "WarmStart",
    "cache_dir",
    "data_dir",
    "embedded_map_path",
    "format_hhmm",
    "load_scenario",
    "parse_hhmm",
    "scenario_digest",
    "scenario_from_dict",
    "scenario_from_text",
    "scenario_to_yaml",
    "stops_path",
]
