"""The areas gas is shared between, and their population.

El Alto's 14 districts (2012 census, scaled to the 2024 municipal total) and La Paz's 188
zones in 8 macrodistricts (population spread by area: an assumption, the zones carry none),
with the name normalisation every scenario field and roster entry goes through.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from logistics.i18n import _
from logistics.model import InputError, config
from logistics.roads import METRIC_CRS

EL_ALTO_CODE = "20105"


LA_PAZ_CODE = "20101"


#: Names people use for an area that the data spells differently.
AREA_ALIASES = {"zona sur": "sur"}


def _norm(name: str) -> str:
    """Case- and accent-insensitive key (``"Periférica"`` == ``"periferica"``)."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().strip()
    return AREA_ALIASES.get(s, s)


@dataclass(frozen=True)
class Areas:
    """Population areas: El Alto districts and La Paz zones (with their macrodistrict)."""

    #: columns: name, municipality, district, zone, population, note, geometry (EPSG:4326)
    frame: gpd.GeoDataFrame
    #: metric copy for areas and Voronoi cells
    metric: gpd.GeoDataFrame

    @cached_property
    def _names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for col in ("district", "zone", "municipality"):
            for v in self.frame[col].dropna().unique():
                names[_norm(str(v))] = str(v)
        return names

    def known_names(self) -> dict[str, str]:
        """Normalised name -> display name, over districts, zones and municipalities."""
        return dict(self._names)

    @cached_property
    def district_shapes(self) -> dict[tuple[str, str], BaseGeometry]:
        """``(municipality, district) ->`` the metric union of its areas (a La Paz
        macrodistrict is the union of its zones; built once, the accounts need it often)."""
        rows: dict[tuple[str, str], list[BaseGeometry]] = {}
        for m, d, g in zip(
            self.metric["municipality"],
            self.metric["district"],
            self.metric.geometry,
            strict=True,
        ):
            rows.setdefault((str(m), str(d)), []).append(g)
        return {k: shapely.union_all(v) for k, v in rows.items()}

    def resolve(self, name: str, where: str) -> str:
        """Display name for ``name``, or an :class:`InputError` listing what exists."""
        known = self.known_names()
        hit = known.get(_norm(name))
        if hit is None:
            el_alto = sorted(
                {d for d in self.frame.loc[self.frame.municipality == "El Alto", "district"]},
                key=lambda s: int(s.split()[-1]),
            )
            macro = sorted(set(self.frame.loc[self.frame.municipality == "La Paz", "district"]))
            msg = _(
                "unknown area {name}; expected an El Alto district ({first} .. {last}), a "
                "La Paz macrodistrict ({macrodistricts}), a La Paz zone name, or a "
                "municipality (El Alto, La Paz)"
            ).format(
                name=repr(name),
                first=el_alto[0],
                last=el_alto[-1],
                macrodistricts=", ".join(macro),
            )
            raise InputError(where, msg)
        return hit


def _municipal_population(data: Path) -> dict[str, int]:
    path = data / "raw" / "atlasurbano" / "municipios.csv"
    with path.open(encoding="utf-8") as fh:
        return {row["codigo"]: int(row["poblacion"]) for row in csv.DictReader(fh)}


@lru_cache(maxsize=4)
def load_areas(data: Path | None = None) -> Areas:
    """Read district/zone boundaries and attach 2024 population (see module docstring)."""
    root = config.data_dir(data)
    raw = root / "raw"
    pop2024 = _municipal_population(root)
    districts = gpd.read_file(raw / "escuelas-elalto" / "elalto_distritos.geojson")
    scale = pop2024[EL_ALTO_CODE] / float(districts["poblacion"].sum())
    ea = gpd.GeoDataFrame(
        {
            "name": [f"Distrito {int(c)}" for c in districts["c_dist_mun"]],
            "municipality": "El Alto",
            "district": [f"Distrito {int(c)}" for c in districts["c_dist_mun"]],
            "zone": None,
            "population": districts["poblacion"].astype(float) * scale,
            "note": "2012 census district population scaled to the 2024 El Alto total",
        },
        geometry=districts.geometry.values,
        crs="EPSG:4326",
    )
    zones = gpd.read_file(raw / "la-paz-city-map" / "zones.geojson")
    macro = gpd.read_file(raw / "la-paz-city-map" / "macrodistricts.geojson")
    # Three macrodistrict rings pinch on themselves in the source; repair before predicates.
    macro["geometry"] = shapely.make_valid(macro.geometry.values)
    rep = gpd.GeoDataFrame(geometry=zones.representative_point(), crs=zones.crs)
    joined = gpd.sjoin(rep, macro[["name", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    zone_area = zones.to_crs(METRIC_CRS).area
    lp = gpd.GeoDataFrame(
        {
            "name": zones["name"].astype(str),
            "municipality": "La Paz",
            "district": joined["name"].astype(str).values,
            "zone": zones["name"].astype(str),
            "population": pop2024[LA_PAZ_CODE] * zone_area / zone_area.sum(),
            "note": "ASSUMPTION: 2024 La Paz population spread over zones by area",
        },
        geometry=zones.geometry.values,
        crs="EPSG:4326",
    )
    frame = gpd.GeoDataFrame(
        gpd.pd.concat([ea, lp], ignore_index=True), geometry="geometry", crs="EPSG:4326"
    )
    return Areas(frame=frame, metric=frame.to_crs(METRIC_CRS))


def resolve_delegate_district(areas: Areas, name: str, where: str) -> str:
    """Normalised key of a junta delegate's district/zone (validated against the data)."""
    return _norm(areas.resolve(name, where))


def norm_area(name: str) -> str:
    """Public normaliser for area names (used by the validator and the solver alike)."""
    return _norm(name)
