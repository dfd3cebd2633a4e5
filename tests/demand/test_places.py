"""Real candidate places: schools, named OSM places, health sites; broken files refused.

Also: every priority site of the shipped scenarios stands where the data put it (a DATA
health site at its OSM node's coordinates, a communal kitchen at an El Alto school).
"""

from __future__ import annotations

import math
import re
import sqlite3

import pytest

from logistics.demand.places import (
    file_candidates,
    health_sites,
    place_candidates,
    school_candidates,
    schools_path,
)
from logistics.model import PROJECT_ROOT, InputError, load_scenario
from tests.helpers import one_line


def test_schools_one_candidate_per_place_missing_rows_skipped():
    schools = school_candidates()
    # 464 rows, one per school shift; 2 rows have NA coordinates (SOURCES.md)
    assert len(schools) == 293
    assert len({c.id for c in schools}) == len(schools)
    assert all(-68.31 < c.lon < -68.14 and -16.64 < c.lat < -16.43 for c in schools)
    first = next(c for c in schools if c.id == "sie40730001")
    assert first.name == "U.E. 12 DE OCTUBRE"  # morning and afternoon shifts, one place


def test_broken_school_coordinate_names_file_line_and_column(tmp_path):
    lines = schools_path().read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace('"589300.575233"', '"58930O.5"')  # a letter O for a zero
    bad = tmp_path / "escuelas.csv"
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        school_candidates(path=bad)
    assert one_line(exc.value) == (
        "escuelas.csv line 3: x '58930O.5' is not a valid coordinate; expected UTM 19S "
        "easting in metres"
    )


def test_broken_named_place_coordinate_is_refused(tmp_path):
    db = tmp_path / "places.sqlite"
    con = sqlite3.connect(db)
    con.execute(
        'CREATE TABLE locations ("@id" INTEGER, "@type" TEXT, name TEXT, highway TEXT, '
        'amenity TEXT, "@lat" REAL, "@lon" REAL)'
    )
    con.execute("INSERT INTO locations VALUES (7, 'node', 'Mercado', NULL, 'marketplace', 95, 1)")
    con.commit()
    con.close()
    with pytest.raises(InputError) as exc:
        place_candidates(["marketplace"], path=db)
    assert one_line(exc.value).startswith("places.sqlite node 7: lat '95.0' is not a valid")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("a,Sede vecinal,-16.5x,-68.2", "lat '-16.5x' is not a valid coordinate"),
        ("a,Sede vecinal,-16.5,", "lon '' is not a valid coordinate"),
        ("a,Sede vecinal,-16.5,-268.2", "lon '-268.2' is not a valid coordinate"),
        (",Sede vecinal,-16.5,-68.2", "every candidate needs an id and a name"),
    ],
)
def test_broken_candidate_file(tmp_path, row, expected):
    f = tmp_path / "sedes.csv"
    f.write_text(f"id,name,lat,lon\nok,Plaza,-16.52,-68.17\n{row}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        file_candidates(f, "demand.sited.files[0]")
    assert exc.value.where == "demand.sited.files[0] (sedes.csv line 3)"
    assert expected in one_line(exc.value)


def test_health_sites_by_kind_and_area():
    sites = {s.id: s for s in health_sites()}
    mujer = sites["osm-node-7416092472"]
    assert (mujer.name, mujer.kind, mujer.district) == (
        "Hospital de la Mujer",
        "hospital",
        "Centro",
    )
    post = sites["osm-node-4614513590"]
    assert (post.kind, post.district) == ("health-post", "Max Paredes")
    assert {s.kind for s in sites.values()} == {"hospital", "health-post", "clinic"}
    in_mp = health_sites(area="max paredes", kinds=("health-post",))
    assert in_mp and all(s.district == "Max Paredes" and s.kind == "health-post" for s in in_mp)
    with pytest.raises(InputError) as exc:
        health_sites(area="Atlantis")
    assert exc.value.where == "area" and "unknown area 'Atlantis'" in exc.value.message


@pytest.mark.parametrize("name", ["senkata-2005-06.yaml", "senkata-2003-10.yaml"])
def test_shipped_priority_sites_stand_where_the_data_put_them(name):
    path = PROJECT_ROOT / "scenarios" / name
    text = path.read_text(encoding="utf-8")
    sites = {s.id: s for s in health_sites()}
    schools = school_candidates()
    health = 0
    for site in load_scenario(path).priority_sites:
        line = next(ln for ln in text.splitlines() if f"id: {site.id}," in ln)
        node = re.search(r"# DATA: OSM node (\d+)", line)
        if node:  # a real health site: exactly the OSM node's coordinates
            real = sites[f"osm-node-{node.group(1)}"]
            assert (site.lat, site.lon) == (real.lat, real.lon)
            assert real.kind in ("hospital", "health-post")
            health += 1
        else:  # an assumed communal kitchen: at an El Alto school (within 2 m)
            assert site.kind == "communal-kitchen"
            d = min(
                math.hypot((c.lon - site.lon) * 106_700, (c.lat - site.lat) * 110_600)
                for c in schools
            )
            assert d < 2.0
    assert health >= 4
