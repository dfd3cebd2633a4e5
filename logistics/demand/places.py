"""Real places that can become distribution points or priority sites.

Read in place from ``../shared/data/raw`` (see its SOURCES.md):

* named OSM stops on the road network (``trufi-osm-public-transport-export/.../stops.json``);
* El Alto schools (``escuelas-elalto/escuelas-ea-clean.csv``; ``x``/``y`` in UTM 19S,
  EPSG:32719; one row per school shift, so rows at one location are one place; the two
  rows whose coordinates are ``NA`` are skipped, as SOURCES.md records);
* La Paz named places (``osm-named-places-lapaz/search_lapaz.sqlite``, table ``locations``:
  clinics, hospitals, markets, community centres, ... as one point each; © OpenStreetMap
  contributors, ODbL). They cover central and southern La Paz and only the eastern edge of
  El Alto;
* a scenario's own candidate files (CSV with columns ``id, name, lat, lon``).

A coordinate that is not a number, or lies outside its range, is an
:class:`~logistics.model.InputError` naming the file, the line and the column: a broken
candidate file is refused, never half-read. Nothing here invents a coordinate.

:func:`health_sites` offers the named-places hospitals, clinics and health posts as
priority-site candidates by kind.
"""

from __future__ import annotations

import csv
import json
import math
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
from pyproj import Transformer
from shapely.geometry import Point

from logistics.demand.areas import Areas, _norm, load_areas
from logistics.i18n import _
from logistics.model import InputError, config
from logistics.roads import RoadNetwork

#: The schools file gives UTM zone 19 south metres.
_FROM_UTM19S = Transformer.from_crs("EPSG:32719", "EPSG:4326", always_xy=True)
#: Values the schools file uses for a missing coordinate.
_MISSING = {"", "na", "nan", "null"}
#: Shift words the schools file appends to a school's name (one row per shift).
_SHIFT = re.compile(r"\s+(MAÑANA|TARDE|NOCHE)\s*$", re.IGNORECASE)
#: Names that mark a first-level public health post / centre.
_HEALTH_POST = re.compile(
    r"\b(centro\s+(municipal\s+)?de\s+salud|centro\s+salud|posta|puesto\s+de\s+salud)\b|^cs\s",
    re.IGNORECASE,
)
#: OSM amenities offered as priority-site candidates (health care).
HEALTH_AMENITIES = ("hospital", "clinic", "doctors")
#: Kinds :func:`health_sites` sorts them into.
HEALTH_KINDS = ("hospital", "health-post", "clinic")


@dataclass(frozen=True)
class Candidate:
    """A real place that could become a distribution point."""

    id: str
    name: str
    lon: float
    lat: float
    #: ``stops`` | ``schools`` | ``places`` | ``file``
    source: str
    #: OSM amenity for places, ``stop``, ``school``, or ``listed`` for file rows
    kind: str
    #: where it comes from, for the record (``OSM node 1952728153``, ``SIE 40730001``)
    ref: str


def schools_path(data: Path | None = None) -> Path:
    return config.data_dir(data) / "raw" / "escuelas-elalto" / "escuelas-ea-clean.csv"


def places_path(data: Path | None = None) -> Path:
    return config.data_dir(data) / "raw" / "osm-named-places-lapaz" / "search_lapaz.sqlite"


def _number(value: object, column: str, where: str, lo: float, hi: float, unit: str) -> float:
    """``value`` as a float within ``[lo, hi]``, else one clear error naming the column."""
    try:
        out = float(str(value).strip())
    except ValueError:
        out = math.nan
    if not math.isfinite(out) or not lo <= out <= hi:
        msg = _("{column} {value!r} is not a valid coordinate; expected {unit}").format(
            column=column, value=str(value)[:40], unit=unit
        )
        raise InputError(where, msg)
    return out


def _latlon(lat: object, lon: object, where: str) -> tuple[float, float]:
    la = _number(lat, "lat", where, -90, 90, _("decimal degrees of latitude, -90 to 90"))
    lo = _number(lon, "lon", where, -180, 180, _("decimal degrees of longitude, -180 to 180"))
    return la, lo


def stop_candidates(net: RoadNetwork, data: Path | None = None) -> list[Candidate]:
    """Named OSM stops that are nodes of ``net`` (their coordinates are the map's)."""
    raw = json.loads(config.stops_path(data).read_text(encoding="utf-8"))
    out = []
    for key, rec in raw.items():
        name = str(rec.get("stop_name") or "").strip()
        if not name or name.lower() == "innominada":
            continue
        try:
            node = net.node_index(int(key))
        except KeyError:
            continue  # a stop on a way that is not drivable (e.g. under construction)
        out.append(
            Candidate(
                id=f"osm{int(key)}",
                name=name,
                lon=float(net.lon[node]),
                lat=float(net.lat[node]),
                source="stops",
                kind="stop",
                ref=f"OSM node {int(key)}",
            )
        )
    return out


def school_candidates(data: Path | None = None, *, path: Path | None = None) -> list[Candidate]:
    """El Alto schools, one candidate per location (shifts at one place merged)."""
    path = path or schools_path(data)
    by_place: dict[tuple[float, float], list[tuple[str, str]]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            x, y = (row.get("x") or "").strip(), (row.get("y") or "").strip()
            if x.lower() in _MISSING and y.lower() in _MISSING:
                continue  # recorded as missing in the source (SOURCES.md: 2 rows)
            where = f"{path.name} line {line}"
            ex = _number(x, "x", where, 1e5, 9e5, _("UTM 19S easting in metres"))
            ny = _number(y, "y", where, 1e6, 1e7, _("UTM 19S northing in metres"))
            name = _SHIFT.sub("", str(row.get("unidad_educativa") or "").strip())
            by_place.setdefault((ex, ny), []).append((str(row.get("codigo_sie", "")), name))
    out = []
    used: dict[str, int] = {}
    for (ex, ny), rows in by_place.items():
        lon, lat = _FROM_UTM19S.transform(ex, ny)
        names = list(dict.fromkeys(n for _c, n in rows if n))
        code = rows[0][0]
        # a few SIE codes appear at two places: the second gets a suffix, in file order
        used[code] = used.get(code, 0) + 1
        out.append(
            Candidate(
                id=f"sie{code}" if used[code] == 1 else f"sie{code}-{used[code]}",
                name="U.E. " + " / ".join(names) if names else f"U.E. SIE {code}",
                lon=float(lon),
                lat=float(lat),
                source="schools",
                kind="school",
                ref=f"SIE {code}",
            )
        )
    return out


def _place_rows(path: Path, amenities: tuple[str, ...]) -> list[tuple]:
    if not path.is_file():
        raise InputError(str(path), _("named-places file not found"))
    marks = ",".join("?" * len(amenities))
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(
            'SELECT "@type", "@id", name, amenity, "@lat", "@lon" FROM locations '
            f'WHERE amenity IN ({marks}) AND name IS NOT NULL ORDER BY "@type", "@id"',
            amenities,
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        msg = _("not a named-places table: {error}").format(error=exc)
        raise InputError(str(path), msg) from None
    finally:
        con.close()


def place_candidates(
    kinds: Sequence[str], data: Path | None = None, *, path: Path | None = None
) -> list[Candidate]:
    """Named OSM places of the given amenity ``kinds`` (markets, clinics, ...)."""
    path = path or places_path(data)
    out = []
    for osm_type, osm_id, name, amenity, lat, lon in _place_rows(path, tuple(kinds)):
        la, lo = _latlon(lat, lon, f"{path.name} {osm_type} {osm_id}")
        out.append(
            Candidate(
                id=f"osm-{osm_type}-{osm_id}",
                name=str(name).strip(),
                lon=lo,
                lat=la,
                source="places",
                kind=str(amenity),
                ref=f"OSM {osm_type} {osm_id}",
            )
        )
    return out


def file_candidates(path: Path, where: str) -> list[Candidate]:
    """A scenario's own candidate CSV (``id, name, lat, lon``); ``where`` names the field."""
    if not path.is_file():
        raise InputError(where, _("candidate file {path} not found").format(path=str(path)))
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"id", "name", "lat", "lon"} - set(reader.fieldnames or [])
        if missing:
            msg = _(
                "candidate file {path} lacks the columns {columns}; expected id, name, lat, lon"
            )
            raise InputError(where, msg.format(path=path.name, columns=", ".join(sorted(missing))))
        for line, row in enumerate(reader, start=2):
            here = f"{where} ({path.name} line {line})"
            la, lo = _latlon(row["lat"], row["lon"], here)
            pid, name = str(row["id"] or "").strip(), str(row["name"] or "").strip()
            if not pid or not name:
                raise InputError(here, _("every candidate needs an id and a name"))
            out.append(Candidate(pid, name, lo, la, "file", "listed", f"{path.name}:{line}"))
    return out


# ------------------------------------------------------------------ priority sites
@dataclass(frozen=True)
class HealthSite:
    """A hospital, clinic or health post of the named-places data (a priority-site candidate)."""

    id: str
    osm: str
    name: str
    #: OSM amenity: hospital, clinic, doctors
    amenity: str
    #: ``hospital`` | ``health-post`` (public first-level centre or post) | ``clinic``
    kind: str
    lon: float
    lat: float
    municipality: str | None
    district: str | None
    zone: str | None

    @property
    def area_keys(self) -> set[str]:
        return {_norm(n) for n in (self.municipality, self.district, self.zone) if n}


def health_kind(name: str, amenity: str) -> str:
    """``health-post`` for names of public health centres / posts, else by amenity."""
    if _HEALTH_POST.search(name):
        return "health-post"
    return "hospital" if amenity == "hospital" else "clinic"


def _with_areas(cands: list[Candidate], areas: Areas) -> list[dict[str, str | None]]:
    gdf = gpd.GeoDataFrame(
        {"i": range(len(cands))}, geometry=[Point(c.lon, c.lat) for c in cands], crs="EPSG:4326"
    )
    cols = ["municipality", "district", "zone", "geometry"]
    hit = gpd.sjoin(gdf, areas.frame[cols], how="left", predicate="within")
    hit = hit[~hit.index.duplicated(keep="first")].sort_values("i")
    out = []
    for _i, row in hit.iterrows():
        out.append({c: row[c] if isinstance(row[c], str) else None for c in cols[:3]})
    return out


def health_sites(
    data: Path | None = None,
    *,
    kinds: tuple[str, ...] = HEALTH_KINDS,
    area: str | None = None,
    path: Path | None = None,
) -> list[HealthSite]:
    """Hospitals, clinics and health posts of the named-places data, by kind.

    Parameters
    ----------
    data
        Shared data directory override.
    kinds
        Which of :data:`HEALTH_KINDS` to offer.
    area
        Only sites in this district / macrodistrict / zone / municipality (an unknown name
        is an :class:`~logistics.model.InputError` on ``area``).
    path
        Another named-places file (same table layout).
    """
    unknown = sorted(set(kinds) - set(HEALTH_KINDS))
    if unknown:
        msg = _("unknown kind {kind!r}; expected one of {kinds}").format(
            kind=unknown[0], kinds=", ".join(HEALTH_KINDS)
        )
        raise InputError("kinds", msg)
    areas = load_areas(data)
    want = _norm(areas.resolve(area, "area")) if area is not None else None
    cands = place_candidates(HEALTH_AMENITIES, data, path=path)
    out = []
    for c, where in zip(cands, _with_areas(cands, areas), strict=True):
        site = HealthSite(
            id=c.id,
            osm=c.ref,
            name=c.name,
            amenity=c.kind,
            kind=health_kind(c.name, c.kind),
            lon=c.lon,
            lat=c.lat,
            municipality=where["municipality"],
            district=where["district"],
            zone=where["zone"],
        )
        if site.kind in kinds and (want is None or want in site.area_keys):
            out.append(site)
    return out
