"""Who needs gas, where and how much: areas, population, distribution points, rations.

``areas`` reads the El Alto districts and La Paz zones / macrodistricts with their population;
``points`` places distribution points on the map (named OSM stops or listed points, priority
sites), gives each its households, ration, eligibility and hours.
"""

from __future__ import annotations

from logistics.demand.areas import (
    AREA_ALIASES,
    EL_ALTO_CODE,
    LA_PAZ_CODE,
    Areas,
    load_areas,
    norm_area,
    resolve_delegate_district,
)
from logistics.demand.points import DeliveryPoint, build_points

__all__ = [
    "AREA_ALIASES",
    "EL_ALTO_CODE",
    "LA_PAZ_CODE",
    "Areas",
    "DeliveryPoint",
    "build_points",
    "load_areas",
    "norm_area",
    "resolve_delegate_district",
]
