"""Scenario files: one planning shift, validated.

A scenario is YAML. Every section is a pydantic model with ``extra="forbid"``: unknown keys
are errors, not silently ignored. :func:`load_scenario` turns any problem into an
:class:`~logistics.model.errors.InputError` naming the field path (``fleet[0].capacity``) and what
was expected.

Checks that need the map (a point outside it, a plant sealed in by blockades) happen when
the problem is built (:mod:`logistics.demand`), and raise the same kind of error.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date as Date
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from logistics.i18n import _, fmt_int
from logistics.model.errors import one_line, show_value

#: The Senkata plant (YPFB). Approximate: from a third-party constant table, cross-checked
#: 47 m from Av. 6 de Marzo / RN1 and inside El Alto District 8 (see shared SOURCES.md).
SENKATA_LAT = -16.57401
SENKATA_LON = -68.18614


_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_hhmm(value: str) -> int:
    """``"07:30"`` -> minutes after midnight."""
    m = _HHMM.match(str(value).strip()[:10])
    if not m:
        msg = _("expected a time of day as HH:MM, got {value}").format(value=show_value(value))
        raise ValueError(msg)
    return int(m.group(1)) * 60 + int(m.group(2))


def format_hhmm(minutes: float) -> str:
    """Minutes after midnight -> ``"HH:MM"`` (rounded down to the minute)."""
    m = int(minutes)
    return f"{m // 60:02d}:{m % 60:02d}"


def _require_unique(ids: list[str], message: str) -> None:
    """``message`` (with ``{ids}``) when some id is repeated."""
    repeated = sorted(k for k, n in Counter(ids).items() if n > 1)
    if repeated:
        shown = one_line(", ".join(repeated[:5]), 60)
        raise ValueError(message.format(ids=shown))


class _Model(BaseModel):
    # allow_inf_nan=False: .nan, .inf and 1e400 are refused in every number field
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False
    )


Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]
#: Names and ids: one line of text (they are printed on sheets and in error lines).
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]

#: Upper bounds of the lists of a scenario (far above any real shift; they keep a hostile
#: file from making the planner build millions of objects).
MAX_TRUCKS = 2000
MAX_PEOPLE = 10_000
MAX_POINTS = 5000
MAX_BLOCKADES = 500
MAX_AREA_NAMES = 1000
_PHONE = re.compile(r"^\+?[0-9][0-9 ()/-]{2,39}$")


def _phone(value: str) -> str:
    if not _PHONE.match(value):
        msg = f"expected a phone number (digits, spaces, + - ( ) /), got {value[:40]!r}"
        raise ValueError(msg)
    return value


#: A phone number printed on the delivery sheets as a contact line.
Phone = Annotated[str, AfterValidator(_phone)]


class TimeWindow(_Model):
    """A time-of-day window, ``HH:MM`` to ``HH:MM`` on the shift's day."""

    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        parse_hhmm(v)
        return v

    @model_validator(mode="after")
    def _order(self) -> TimeWindow:
        if parse_hhmm(self.end) <= parse_hhmm(self.start):
            msg = _("end {end} must be after start {start}").format(end=self.end, start=self.start)
            raise ValueError(msg)
        return self

    @property
    def start_min(self) -> int:
        return parse_hhmm(self.start)

    @property
    def end_min(self) -> int:
        return parse_hhmm(self.end)


class MapSettings(_Model):
    """Which road map to use and whether the assumed links are allowed."""

    #: ``embedded`` (the 2019 public-transport extract) or a path to a map file, relative
    #: to the scenario file.
    source: str = Field(default="embedded", min_length=1, max_length=1024)
    #: Straight links joining the disconnected pieces of the extract (see network.py).
    assumed_connectors: bool = True
    #: Reverse of one-way ways whose return carriageway is missing from the extract.
    assumed_return_links: bool = True
    #: A plant, point or blockade farther than this from the nearest road node is "outside
    #: the map" and rejected.
    max_snap_m: float = Field(default=400.0, gt=0, le=5000)


class Plant(_Model):
    """A filling plant where trucks load and reload."""

    id: Name = "senkata"
    name: Name = "Planta Senkata (YPFB)"
    lat: Lat = SENKATA_LAT
    lon: Lon = SENKATA_LON
    #: True when the coordinate is not surveyed (the default Senkata location is not).
    approximate: bool = True
    #: Filled 10 kg cylinders available for the whole shift (all trips of all trucks).
    stock: int = Field(ge=0, le=10_000_000)
    #: Minutes to load a truck, at the start and at every reload.
    loading_minutes: float = Field(default=30.0, ge=0, le=600)
    #: The gate reaches every road node within this many metres (assumed links; 0 = only
    #: the nearest node). Covers both carriageways of a divided avenue.
    access_m: float = Field(default=75.0, ge=0, le=500)
    #: Contact line printed on every delivery sheet (empty by default: we ship no numbers).
    phone: Phone | None = None


class TruckGroup(_Model):
    """Trucks of one kind: either explicit ``ids`` or a ``count`` with an id prefix."""

    ids: list[Name] | None = Field(default=None, max_length=MAX_TRUCKS)
    count: int | None = Field(default=None, ge=1, le=MAX_TRUCKS)
    id_prefix: Name = "T"
    capacity: int = Field(ge=1, le=5000, description="cylinders per trip")
    #: Multiplies road speeds (0.8 = a slow old lorry).
    speed_factor: float = Field(default=1.0, gt=0.1, le=2.0)

    @model_validator(mode="after")
    def _ids_or_count(self) -> TruckGroup:
        if (self.ids is None) == (self.count is None):
            msg = _("give exactly one of 'ids' (a list of truck ids) or 'count' (a number)")
            raise ValueError(msg)
        if self.ids is not None and not self.ids:
            msg = _("'ids' must list at least one truck id")
            raise ValueError(msg)
        return self

    def truck_ids(self) -> list[str]:
        if self.ids is not None:
            return list(self.ids)
        assert self.count is not None
        width = max(2, len(str(self.count)))
        return [f"{self.id_prefix}{i:0{width}d}" for i in range(1, self.count + 1)]


class Guard(_Model):
    """One person (or ``count`` people) of the guard roster."""

    id: Name | None = None
    count: int | None = Field(default=None, ge=1, le=MAX_TRUCKS)
    id_prefix: Name | None = None
    role: Literal["plant-worker", "junta-delegate"]
    #: For junta delegates: the district / zone / macrodistrict whose junta they represent.
    district: Name | None = None

    @model_validator(mode="after")
    def _check(self) -> Guard:
        if (self.id is None) == (self.count is None):
            msg = _("give exactly one of 'id' (one person) or 'count' (several, with id_prefix)")
            raise ValueError(msg)
        if self.role == "junta-delegate" and not self.district:
            msg = _("a junta delegate needs 'district' (the district or zone of their junta)")
            raise ValueError(msg)
        if self.role == "plant-worker" and self.district:
            msg = _("a plant worker has no 'district' (only junta delegates do)")
            raise ValueError(msg)
        return self

    def person_ids(self) -> list[str]:
        if self.id is not None:
            return [self.id]
        assert self.count is not None
        prefix = self.id_prefix or ("PW" if self.role == "plant-worker" else "JD")
        width = max(2, len(str(self.count)))
        return [f"{prefix}{i:0{width}d}" for i in range(1, self.count + 1)]


class Commission(_Model):
    """A named guard commission: the people who ride one truck for the whole shift."""

    id: Name
    members: list[Name] = Field(min_length=1, max_length=50)
    #: Contact line printed on this commission's delivery sheets (empty by default).
    phone: Phone | None = None
    #: The truck it rides; when absent the planner chooses (re-planning pins the trucks
    #: the commissions already ride).
    truck: Name | None = None


class Guards(_Model):
    """The roster and how commissions are formed."""

    #: ``own-district``: a junta delegate rides only to points of their own district/zone.
    #: ``any``: the Assembly allowed delegates to accompany deliveries anywhere eligible.
    delegate_scope: Literal["own-district", "any"] = "own-district"
    roster: list[Guard] = Field(min_length=1, max_length=MAX_PEOPLE)
    #: Explicit commissions, kept as listed; when absent, the planner forms them from the
    #: roster (one plant worker and up to ``max_commission_size - 1`` junta delegates each)
    #: and chooses who rides which truck.
    commissions: list[Commission] | None = Field(default=None, max_length=MAX_TRUCKS)
    #: The most people the planner puts in one commission it forms (2: a plant worker and
    #: a junta delegate). More lets one truck carry delegates of several districts.
    max_commission_size: int = Field(default=2, ge=2, le=4)


class Shift(TimeWindow):
    """The working day: a time window plus the longest a truck may work in it."""

    start: str = "07:00"
    end: str = "19:00"
    #: Longest a truck may work from first loading to return (hours).
    max_working_hours: float = Field(default=10.0, gt=0, le=24)


class ListedPoint(_Model):
    """A distribution point given by hand (instead of, or besides, the OSM stops)."""

    id: Name
    name: Name
    lat: Lat
    lon: Lon
    #: Households it serves; when absent they are estimated from the area population.
    households: int | None = Field(default=None, ge=0, le=1_000_000)
    #: Distribution hours set by its assembly (the hand-over must fit inside).
    window: TimeWindow | None = None


class AreaWindow(TimeWindow):
    """Distribution hours an assembly sets for every point of its district or zone."""

    area: Name


# ------------------------------------------------- demand: sited points, walking (issue 12)
#: Real candidates for ``demand.source: sited``: named OSM stops on the network, El Alto
#: schools (escuelas-ea-clean.csv) and La Paz named places (search_lapaz.sqlite).
CandidateSource = Literal["stops", "schools", "places"]
CANDIDATE_SOURCES: tuple[str, ...] = get_args(CandidateSource)
#: OSM ``amenity`` values of the named-places file that may become distribution points.
PlaceKind = Literal[
    "clinic",
    "hospital",
    "doctors",
    "marketplace",
    "community_centre",
    "social_facility",
    "school",
    "kindergarten",
]


def _every_source() -> list[CandidateSource]:
    return ["stops", "schools", "places"]


def _gathering_places() -> list[PlaceKind]:
    """Where people already queue: clinics, markets, community centres."""
    return ["clinic", "marketplace", "community_centre"]


class Siting(_Model):
    """``demand.source: sited``: points chosen from real candidates so that as many
    households as possible live within ``walk_m`` of one (maximal covering location)."""

    #: Choose at most this many points (N); absent: as many as still add households.
    max_points: int | None = Field(default=None, ge=1, le=5000)
    #: A household within this straight-line distance of a point counts as covered.
    walk_m: float = Field(default=1000.0, gt=0, le=10_000)
    #: Which real candidates to choose from.
    candidates: list[CandidateSource] = Field(default_factory=_every_source)
    #: Kinds of named places offered (OSM amenity) when ``places`` is a candidate source.
    place_kinds: list[PlaceKind] = Field(default_factory=_gathering_places)
    #: Further candidate CSV files (columns id, name, lat, lon), relative to the scenario.
    files: list[Name] = Field(default_factory=list)
    #: Areas that must get at least one point (chosen first, the best candidate in each).
    require: list[Name] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some_candidates(self) -> Siting:
        if not self.candidates and not self.files:
            msg = _("give at least one candidate source (stops, schools, places) or a file")
            raise ValueError(msg)
        if self.max_points is not None and len(self.require) > self.max_points:
            msg = _("{n} required areas do not fit in max_points {k}").format(
                n=len(self.require), k=self.max_points
            )
            raise ValueError(msg)
        return self


class Demand(_Model):
    """Where cylinders are handed over and how many each point may receive."""

    #: ``osm-stops``: the named OSM stops on the network (thinned by ``min_spacing_m``);
    #: ``listed``: only ``points`` below; ``sited``: chosen for walking coverage (``sited``).
    source: Literal["osm-stops", "listed", "sited"] = "osm-stops"
    sited: Siting = Field(default_factory=Siting)
    #: Households of an area with no distribution point of its own may walk this far
    #: (straight line) to the nearest reachable point of another area; absent: they may not.
    walk_to_neighbour_m: float | None = Field(default=None, ge=0, le=10_000)
    points: list[ListedPoint] = Field(default_factory=list, max_length=MAX_POINTS)
    #: Minimum distance between two default points (a junta queue per few blocks).
    min_spacing_m: float = Field(default=600.0, ge=0, le=10_000)
    #: Persons per household.
    household_size: float = Field(default=3.6, gt=0.5, le=20)
    #: Cylinders per household for this shift (the ration).
    cylinders_per_household: float = Field(default=0.15, gt=0, le=10)
    #: Minutes to hand over at a stop, plus seconds per cylinder.
    stop_minutes: float = Field(default=10.0, ge=0, le=240)
    seconds_per_cylinder: float = Field(default=6.0, ge=0, le=600)
    #: Distribution hours by district / zone; a point's own window takes precedence.
    windows: list[AreaWindow] = Field(default_factory=list, max_length=MAX_AREA_NAMES)

    @model_serializer(mode="wrap")
    def _dump_new_fields_when_used(self, handler: SerializerFunctionWrapHandler) -> Any:
        # A scenario that uses none of the issue-12 fields dumps as before, so its digest
        # (``plan.scenario_sha256``) and the plans already made from it stay valid.
        out = handler(self)
        if isinstance(out, dict):
            if self.source != "sited" and self.sited == Siting():
                out.pop("sited", None)
            if self.walk_to_neighbour_m is None:
                out.pop("walk_to_neighbour_m", None)
        return out

    @model_validator(mode="after")
    def _listed_needs_points(self) -> Demand:
        if self.source == "listed" and not self.points:
            msg = _("source 'listed' needs at least one entry in 'points'")
            raise ValueError(msg)
        _require_unique([p.id for p in self.points], _("point ids must be unique; repeated: {ids}"))
        return self


class PrioritySite(_Model):
    """A clinic or communal kitchen served before any other point when stock is short."""

    id: Name
    name: Name
    kind: Literal["clinic", "communal-kitchen", "school", "other"] = "other"
    lat: Lat
    lon: Lon
    cylinders: int = Field(ge=1, le=100_000)
    window: TimeWindow | None = None


class ExcludedPolygon(_Model):
    name: Name
    #: Outer ring as ``[lon, lat]`` pairs (GeoJSON order).
    coordinates: list[tuple[Lon, Lat]] = Field(min_length=3, max_length=10_000)


class Eligibility(_Model):
    """Which areas may receive gas. Names match El Alto districts (``Distrito 8``), La Paz
    macrodistricts (``Sur``, ``Max Paredes``), La Paz zones (``Calacoto``) or municipalities
    (``El Alto``, ``La Paz``)."""

    #: When given, only these areas are eligible; otherwise every area is, minus exclusions.
    eligible: list[Name] | None = Field(default=None, max_length=MAX_AREA_NAMES)
    excluded: list[Name] = Field(default_factory=list, max_length=MAX_AREA_NAMES)
    excluded_polygons: list[ExcludedPolygon] = Field(default_factory=list, max_length=200)


class Blockade(_Model):
    """A blockade: a circle on the map or a list of OSM ways, closed or passable by permit."""

    id: Name
    name: Name | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    radius_m: float | None = Field(default=None, gt=0, le=5000)
    #: OSM way ids (positive; OSM's ids are far below 10^15)
    way_ids: list[Annotated[int, Field(ge=1, le=10**15)]] | None = Field(
        default=None, max_length=10_000
    )
    status: Literal["closed", "permit"] = "closed"
    #: Checkpoint delay for a ``permit`` blockade, minutes.
    delay_minutes: float = Field(default=0.0, ge=0, le=600)
    #: When the blockade stands; absent = the whole shift.
    window: TimeWindow | None = None

    @model_validator(mode="after")
    def _where(self) -> Blockade:
        circle = self.lat is not None or self.lon is not None or self.radius_m is not None
        if circle and (self.lat is None or self.lon is None or self.radius_m is None):
            msg = _("a circle blockade needs all of 'lat', 'lon' and 'radius_m'")
            raise ValueError(msg)
        if circle == (self.way_ids is not None):
            msg = _("give either 'lat'/'lon'/'radius_m' or 'way_ids', not both and not neither")
            raise ValueError(msg)
        if self.way_ids is not None and not self.way_ids:
            msg = _("'way_ids' must list at least one OSM way id")
            raise ValueError(msg)
        if self.status == "permit" and self.delay_minutes <= 0:
            msg = _("a 'permit' blockade needs 'delay_minutes' > 0 (the checkpoint delay)")
            raise ValueError(msg)
        if self.status == "closed" and self.delay_minutes > 0:
            msg = _("'delay_minutes' applies only to status 'permit'; a closed blockade stops all")
            raise ValueError(msg)
        return self


#: Where OR-Tools' search starts (``solver.warm_start``; also the CLI's and app's choices).
WarmStart = Literal["greedy", "pyvrp"]
WARM_STARTS: tuple[str, ...] = get_args(WarmStart)


class SolverSettings(_Model):
    #: Wall-clock cap of the search, seconds.
    time_limit_s: float = Field(default=30.0, gt=0, le=3600)
    #: Changes the order in which points are presented to the search (tie-breaks).
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    #: Deterministic work budget: the search stops after this many solutions unless the
    #: time limit comes first (then the plan may depend on machine load; the summary says).
    solution_limit: int = Field(default=3000, ge=1, le=10_000_000)
    #: Where OR-Tools' search starts: ``greedy`` (nearest stops first, in milliseconds) or
    #: ``pyvrp`` (PyVRP's genetic search on the rules it can express, for up to 80 % of the
    #: time limit; then OR-Tools enforces all rules).
    warm_start: WarmStart = "greedy"
    #: PyVRP's deterministic work budget (``warm_start: pyvrp``): it stops after this many
    #: iterations unless 80 % of the time limit comes first (then the summary says so).
    pyvrp_iterations: int = Field(default=5000, ge=1, le=10_000_000)


class Scenario(_Model):
    """One shift of the People's Assembly's gas distribution."""

    name: Name
    date: Date | None = None
    description: str | None = Field(default=None, max_length=5000)
    map: MapSettings = Field(default_factory=MapSettings)
    plants: list[Plant] = Field(min_length=1, max_length=1)
    fleet: list[TruckGroup] = Field(min_length=1, max_length=100)
    guards: Guards
    shift: Shift = Field(default_factory=Shift)
    demand: Demand = Field(default_factory=Demand)
    priority_sites: list[PrioritySite] = Field(default_factory=list, max_length=1000)
    eligibility: Eligibility = Field(default_factory=Eligibility)
    blockades: list[Blockade] = Field(default_factory=list, max_length=MAX_BLOCKADES)
    #: How a short stock is shared: ``max-delivered`` (as many cylinders as possible),
    #: ``proportional`` (each district its share of the stock, by ration) or ``max-min``
    #: (raise the worst-served district first, then give the rest to who can take it).
    #: Priority sites come first under every policy.
    allocation: Literal["max-delivered", "proportional", "max-min"] = "max-delivered"
    solver: SolverSettings = Field(default_factory=SolverSettings)

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        n_trucks = sum(g.count or len(g.ids or ()) for g in self.fleet)
        if n_trucks > MAX_TRUCKS:
            msg = _("fleet: {n} trucks in all; expected at most {limit}")
            raise ValueError(msg.format(n=fmt_int(n_trucks), limit=fmt_int(MAX_TRUCKS)))
        n_people = sum(g.count or 1 for g in self.guards.roster)
        if n_people > MAX_PEOPLE:
            msg = _("guards.roster: {n} people in all; expected at most {limit}")
            raise ValueError(msg.format(n=fmt_int(n_people), limit=fmt_int(MAX_PEOPLE)))
        _require_unique(self.truck_ids(), _("fleet: truck ids must be unique; repeated: {ids}"))
        _require_unique(
            [p for g in self.guards.roster for p in g.person_ids()],
            _("guards.roster: person ids must be unique; repeated: {ids}"),
        )
        _require_unique(
            [b.id for b in self.blockades], _("blockades: ids must be unique; repeated: {ids}")
        )
        return self

    def truck_ids(self) -> list[str]:
        return [t for g in self.fleet for t in g.truck_ids()]

    @property
    def plant(self) -> Plant:
        return self.plants[0]
