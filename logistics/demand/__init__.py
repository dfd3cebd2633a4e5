"""Who needs gas, where and how much: areas, population, distribution points, rations.

``areas`` reads the El Alto districts and La Paz zones / macrodistricts with their population;
``points`` places distribution points on the map (named OSM stops, listed or sited points,
priority sites), gives each its households, ration, eligibility and hours. ``grid`` cuts the
areas into population cells; ``access`` measures walking access to served points;
``places`` reads real candidate places (stops, schools, clinics, markets) and offers health
sites as priority sites; ``siting`` chooses points for coverage; ``neighbours`` lets
households without a point queue at a neighbour's; ``accounts`` gives every area its
households and, when no point can bring it gas, the reason; ``reach`` and ``eligible`` are
the roads a truck can use and the eligibility of areas and cells.
"""

from __future__ import annotations

from logistics.demand.access import Access, AccessTable, point_places, walking_access
from logistics.demand.accounts import (
    AREA_REASONS,
    Accounts,
    AreaAccount,
    area_accounts,
    area_delivered,
    carried_text,
    reason_text,
)
from logistics.demand.areas import (
    AREA_ALIASES,
    EL_ALTO_CODE,
    LA_PAZ_CODE,
    Areas,
    load_areas,
    norm_area,
    resolve_delegate_district,
)
from logistics.demand.grid import HouseholdGrid, household_grid
from logistics.demand.places import Candidate, HealthSite, health_sites
from logistics.demand.points import DeliveryPoint, build_points
from logistics.demand.reach import round_trip_nodes
from logistics.demand.siting import CoverResult, site_points

__all__ = [
    "AREA_ALIASES",
    "AREA_REASONS",
    "EL_ALTO_CODE",
    "LA_PAZ_CODE",
    "Access",
    "AccessTable",
    "Accounts",
    "AreaAccount",
    "Areas",
    "Candidate",
    "CoverResult",
    "DeliveryPoint",
    "HealthSite",
    "HouseholdGrid",
    "area_accounts",
    "area_delivered",
    "build_points",
    "carried_text",
    "health_sites",
    "household_grid",
    "load_areas",
    "norm_area",
    "point_places",
    "reason_text",
    "resolve_delegate_district",
    "round_trip_nodes",
    "site_points",
    "walking_access",
]
