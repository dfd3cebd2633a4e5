"""The app's old English words, which the Spanish page must not show (AppTest and the
real browser test share the lists).

``ENGLISH_PHRASES`` are looked for anywhere in the page's text (long or distinctive enough
never to be part of a Spanish word or of the data: point names, area names); ``ENGLISH_LABELS``
must not be the whole text of any label, heading, tab, column or button (short words like
"Map", which Spanish "Mapa" contains).
"""

from __future__ import annotations

ENGLISH_PHRASES = [
    # the page's headline numbers and the solver's words the issue named
    "Eligible / routable", "Distribution points", "Eligible points", "Eligible ration",
    "Trucks guarded", "Trucks with a commission", "Cylinders at the plant", "drops offered",
    "Search start", "Search up to", "independent validator", "Within reach",
    # the sidebar
    "Scenario file", "upload a scenario", "Reset edits", "Loaded:", "(uploaded)",
    "filled cylinders", "Loading time per trip", "Guard commissions", "Junta delegates",
    "Shift start", "Shift end", "Longest working time", "Who may receive gas",
    "Excluded areas", "Only these areas", "Time limit", "Route search", "Show trips",
    "Show assumed", "Online basemap", "background map", "greedy", "PyVRP routes",
    "nearest stops", "comma-separated", "capacity (cyl.)", "speed x", "id prefix",
    "one person", "district / zone", "plant worker", "junta delegate", "own-district",
    "any district",
    # the map panel, its legend and tooltips
    "On the map", "Click a road", "No blockades", "Add a blockade", "Add blockade",
    "Cut off by blockades", "Newly cut off", "Reachable again", "closed blockade",
    "permit blockade", "excluded area", "excluded point", "points by area", "assumed link",
    "map layers", "Map details", "Block the whole", "Lift blockade", "Delay (min)",
    "Delay if permit", "Delay at the checkpoint", "Name (optional)", "Latitude",
    "Longitude", "Radius (m)", "OSM way", "unnamed road", "ASSUMED", "routable",
    "loading and reloads", "Senkata plant", "Senkata LPG", "CLOSED", "permit,",
    "min checkpoint", "touches", "road segments", "ration ", "cylinders", "cylinders at",
    "trip 1", "truck T",
    # results, comparison and downloads
    "passes every rule", "Validator", "Independent check", "Trucks driving", "Unserved",
    "Not fully served", "not fully served", "Every eligible point", "assumed edges",
    "eligible ration", "Compare plans", "Plan A (before)", "Plan B (after)", "km driven",
    "cylinders delivered", "trucks driving", "newly served", "no longer served",
    "moved to another truck", "other amount", "only in plan", "Roads driven only",
    "Downloads", "Price per cylinder", "delivery sheets", "Scenario YAML",
    "Plan first to download", "Press **Plan**", "Planning failed", "Plan ready",
    "searching", "looking for routes", "solver:", "search:", "start: ", "seed ",
    "Something went wrong", "Last edit not applied", "Scenario not loaded",
    "Blockade not changed", "Added closed", "Added permit", "Lifted blockade",
    # reason codes, never shown raw
    "excluded-zone", "unreachable-blockade", "unreachable-map", "no-guard", "stock-short",
    "no-time", "fair-share", "plant-worker", "junta-delegate",
]  # fmt: skip

ENGLISH_LABELS = [
    "Plan", "Trips", "Trucks", "Districts", "Notes", "Stock", "Delivered", "Seed", "Hours",
    "Shift", "Plant", "Scenario", "Map", "Search", "Cut off", "Status", "Place", "Lift",
    "Details", "details", "Blockades", "truck", "commission", "guard commission", "trips",
    "stops", "cylinders", "hours", "area", "missing", "of ration", "reason", "why", "point",
    "depart", "leaves", "back", "change", "capacity", "count", "prefix", "role", "members",
    "trip", "delivered", "eligible points", "points", "ration", "served", "Where",
]  # fmt: skip
