"""The road map: reading OpenStreetMap, the road graph, assumed links, travel tables.

``graph`` holds :class:`RoadNetwork` (flat arrays) and the speed and edge-kind constants;
``build`` turns an OSM graph into a network and keeps the on-disk cache (``load_network``);
``links`` adds the tagged assumed links (connectors, return carriageways, plant access);
``tables`` holds the shortest-path travel tables. ``osm`` reads .osm/.pbf/.graphml files and
downloads with osmnx; it is not imported here (osmnx is slow to import): use
``logistics.roads.osm`` directly.
"""

from __future__ import annotations

from logistics.roads.build import BUILD_VERSION, build_network, load_network
from logistics.roads.graph import (
    ACCESS_SPEED_KMH,
    CONNECTOR_SPEED_KMH,
    KIND_ACCESS,
    KIND_CONNECTOR,
    KIND_NAMES,
    KIND_RETURN,
    KIND_ROAD,
    LINK_SPEED_KMH,
    METRIC_CRS,
    NON_DRIVABLE,
    RETURN_TIME_FACTOR,
    TO_METRIC,
    TRUCK_SPEED_KMH,
    RoadNetwork,
)
from logistics.roads.links import with_plant_access
from logistics.roads.tables import RouteTables

__all__ = [
    "ACCESS_SPEED_KMH",
    "BUILD_VERSION",
    "CONNECTOR_SPEED_KMH",
    "KIND_ACCESS",
    "KIND_CONNECTOR",
    "KIND_NAMES",
    "KIND_RETURN",
    "KIND_ROAD",
    "LINK_SPEED_KMH",
    "METRIC_CRS",
    "NON_DRIVABLE",
    "RETURN_TIME_FACTOR",
    "TO_METRIC",
    "TRUCK_SPEED_KMH",
    "RoadNetwork",
    "RouteTables",
    "build_network",
    "load_network",
    "with_plant_access",
]
