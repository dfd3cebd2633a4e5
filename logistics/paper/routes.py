"""Route files of a plan: GeoJSON (every trip on its roads) and GPX (tracks and stops)."""

from __future__ import annotations

from logistics.model import format_hhmm
from logistics.plan import Plan
from logistics.roads import RoadNetwork

#: Decimals of a coordinate in the route files: 6 is about 0.1 m, finer than the map.
DECIMALS = 6


def _coords(net: RoadNetwork, nodes: list[int]) -> list[list[float]]:
    return [[round(lon, DECIMALS), round(lat, DECIMALS)] for lon, lat in net.path_coords(nodes)]


def routes_geojson(plan: Plan, net: RoadNetwork) -> dict:
    """GeoJSON FeatureCollection: one LineString per trip following its roads (coordinates
    to :data:`DECIMALS` decimals, as RFC 7946 advises)."""
    feats = []
    for truck, trip in plan.trips():
        coords: list[list[float]] = []
        for leg in trip.legs:
            pts = _coords(net, leg.nodes)
            coords += pts if not coords else pts[1:]
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": {
                    "truck": truck.truck_id,
                    "trip": trip.trip_no,
                    "commission": truck.commission_id,
                    "cylinders": trip.loaded,
                    "km": round(trip.km, 2),
                    "depart": format_hhmm(trip.depart),
                    "back": format_hhmm(trip.back),
                    "stops": [s.point_id for s in trip.stops],
                    "assumed_edges": sum(leg.assumed_edges for leg in trip.legs),
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def _gpx(plan: Plan, net: RoadNetwork) -> str:
    import gpxpy.gpx

    gpx = gpxpy.gpx.GPX()
    gpx.creator = "senkata sheets"
    gpx.name = f"plan {plan.plan_id()} - {plan.scenario}"
    gpx.waypoints.append(
        gpxpy.gpx.GPXWaypoint(plan.plant.lat, plan.plant.lon, name=plan.plant.name)
    )
    for tr, t in plan.trips():
        track = gpxpy.gpx.GPXTrack(name=f"{tr.truck_id} trip {t.trip_no}")
        track.description = f"{t.loaded} cylinders, depart {format_hhmm(t.depart)}"
        seg = gpxpy.gpx.GPXTrackSegment()
        for leg in t.legs:
            pts = _coords(net, leg.nodes)
            for lon, lat in pts if not seg.points else pts[1:]:
                seg.points.append(gpxpy.gpx.GPXTrackPoint(lat, lon))
        track.segments.append(seg)
        gpx.tracks.append(track)
        for k, s in enumerate(t.stops, start=1):
            gpx.waypoints.append(
                gpxpy.gpx.GPXWaypoint(
                    s.lat,
                    s.lon,
                    name=f"{tr.truck_id}/{t.trip_no} #{k} {s.name}",
                    description=f"{s.cylinders} cylinders, {s.group}",
                )
            )
    return gpx.to_xml(prettyprint=False)  # no indentation: a third of the bytes


def _geojson(plan: Plan, net: RoadNetwork) -> dict:
    from logistics.paper.routes import routes_geojson

    doc = routes_geojson(plan, net)
    for tr, t in plan.trips():
        for k, s in enumerate(t.stops, start=1):
            doc["features"].append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                    "properties": {
                        "kind": "stop",
                        "truck": tr.truck_id,
                        "trip": t.trip_no,
                        "stop": k,
                        "point_id": s.point_id,
                        "name": s.name,
                        "cylinders": s.cylinders,
                    },
                }
            )
    doc["properties"] = {"plan_id": plan.plan_id(), "scenario": plan.scenario}
    return doc
