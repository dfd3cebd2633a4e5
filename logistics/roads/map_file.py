"""Map file checks that need no map library (osmnx loads only when a map is parsed).

A cached map is read without parsing its file; the checks here (name, kind, size, a
regular file) still run first, so reading from the cache never imports osmnx.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from logistics.i18n import _, fmt_int
from logistics.model import InputError, MapSourceError
from logistics.model.files import MAX_PATH_CHARS, label_of, regular_file

_EXPECTED_FORMATS: Final = ".osm, .osm.gz, .osm.bz2, .osm.pbf or .graphml"

MAX_MAP_BYTES: Final = 200_000_000
"""Largest map file read (a city's OSM extract is tens of MB; more would not fit in memory)."""

# File-name endings (lower case) -> kind of file. Longest endings first, so that
# ``x.osm.pbf`` is not mistaken for something else.
_SUFFIX_KINDS: Final[tuple[tuple[str, str], ...]] = (
    (".osm.pbf", "pbf"),
    (".osm.bz2", "xml"),
    (".osm.gz", "xml"),
    (".graphml", "graphml"),
    (".osm", "xml"),
    (".xml", "xml"),
    (".pbf", "pbf"),
)


def map_label(path: str | Path) -> str:
    """``map file '<path>'`` as error lines name a map (a long path cut in the middle)."""
    return _("map file '{path}'").format(path=label_of(path))


def _kind_of(file: Path) -> str | None:
    """Return ``"xml"``, ``"pbf"`` or ``"graphml"`` from the file name, else None."""
    name = file.name.lower()
    for suffix, kind in _SUFFIX_KINDS:
        if name.endswith(suffix) and len(name) > len(suffix):
            return kind
    return None


def check_map_file(path: str | Path) -> Path:
    """``path`` if it names a regular map file of an accepted type and size.

    Devices (``/dev/zero``), FIFOs, sockets and directories are refused before anything
    is opened, so a map source can neither hang the planner nor make it read forever; so
    are names longer than the system allows and files over :data:`MAX_MAP_BYTES`.

    Raises
    ------
    MapSourceError
        One line naming the file and what was expected.
    """
    label = map_label(path)
    if len(str(path)) <= MAX_PATH_CHARS and _kind_of(Path(path)) is None:
        msg = _("{label}: unsupported format; expected {formats}")
        raise MapSourceError(msg.format(label=label, formats=_EXPECTED_FORMATS))
    expected = _("an existing {formats} file").format(formats=_EXPECTED_FORMATS)
    try:
        file = regular_file(path, expected=expected)
        size = file.stat().st_size
    except InputError as exc:
        raise MapSourceError(f"{label}: {exc.message}") from None
    except OSError as exc:
        msg = _("{label}: cannot read the file ({reason})")
        raise MapSourceError(msg.format(label=label, reason=exc.strerror)) from None
    if size > MAX_MAP_BYTES:
        msg = _("{label}: file is larger than {limit} bytes; expected a map of one city")
        raise MapSourceError(msg.format(label=label, limit=fmt_int(MAX_MAP_BYTES)))
    return file
