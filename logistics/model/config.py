"""Where the planner finds the shared data and keeps its caches.

Configured once from the environment (or explicit arguments); nothing here is mutated at
run time, so one Streamlit process can serve several users without state leaking.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The checkout this package lives in (``logistics/model/config.py`` is two levels down).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def data_dir(override: str | Path | None = None) -> Path:
    """Directory holding the shared raw data (``raw/derived/...``).

    Parameters
    ----------
    override
        Explicit directory; else ``$SENKATA_DATA_DIR``; else ``../shared/data`` beside the
        checkout.
    """
    if override is not None:
        return Path(override)
    env = os.environ.get("SENKATA_DATA_DIR")
    if env:
        return Path(env)
    return PROJECT_ROOT.parent / "shared" / "data"


def cache_dir(override: str | Path | None = None) -> Path:
    """Directory for built graphs (gitignored ``.cache/`` in the checkout by default)."""
    if override is not None:
        return Path(override)
    env = os.environ.get("SENKATA_CACHE_DIR")
    if env:
        return Path(env)
    return PROJECT_ROOT / ".cache"


def embedded_map_path(data: Path | None = None) -> Path:
    """The embedded 2019 public-transport OSM extract."""
    return data_dir(data) / "raw" / "derived" / "lapaz_elalto_pt_ways_2019.osm.gz"


def stops_path(data: Path | None = None) -> Path:
    """The 2,544 named OSM stop nodes (Trufi export)."""
    return (
        data_dir(data)
        / "raw"
        / "trufi-osm-public-transport-export"
        / "bolivia-lapaz"
        / "stops.json"
    )
