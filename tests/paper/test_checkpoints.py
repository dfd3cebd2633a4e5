"""The blockades a trip meets, on its sheet: found from the plan's legs and the scenario's
blockades at the true times, as the validator finds them.

The small plan on the real map gets a permit checkpoint on RN1 (in force), a permit
checkpoint on its way back that stands only in the afternoon, and a closed blockade on Av.
6 de Marzo 1.3 km north of the plant, beside the trips' way (see ``conftest.py``).
"""

from __future__ import annotations

import pytest

from logistics.paper import sheet_context
from logistics.plan import ZoneTester, blockade_zones
from logistics.roads import with_plant_access
from tests.paper.pdfs import pdf_text


@pytest.fixture(scope="module")
def ctx(blocked, net):
    sc, plan = blocked
    return sheet_context(plan, sc, net, price_bs=22.5, date="", lang="en")


def test_each_trip_meets_the_blockades_in_order(blocked, ctx):
    _, plan = blocked
    for tr, trip in plan.trips():
        cks = ctx.checkpoints(tr, trip)
        kinds = [(c.kind, c.blockade.id) for c in cks]
        # out through the checkpoint, back past the afternoon site and the checkpoint again;
        # the closed blockade is listed where the route passes closest to it
        assert ("permit", "check") in kinds
        assert ("permit-off-hours", "later") in kinds
        assert ("closed-near", "shut") in kinds
        assert kinds.count(("permit-off-hours", "later")) == 1  # one passage, listed once
        assert [(c.leg, c.pos) for c in cks] == sorted((c.leg, c.pos) for c in cks)
        near = next(c for c in cks if c.kind == "closed-near")
        assert 1000 < near.distance_m < 1600
        for leg_no, leg in enumerate(trip.legs):
            counted = sum(c.delay_min for c in cks if c.leg == leg_no)
            # the sheet counts what the roads and the hours give; the plan (which the
            # validator accepted) counts at least that: the solver applies a windowed
            # blockade to the whole shift, the sheet only at the hours it stands
            assert counted <= leg.delay_min + 1e-9
            assert counted == 5.0 * sum(1 for c in cks if c.leg == leg_no and c.kind == "permit")


def test_zones_are_the_validators(blocked, net):
    """The geometry the sheets use is the validator's: an edge the validator calls closed
    is closed for the sheets (one implementation, plan/blockade_zones.py)."""
    sc, _plan = blocked
    anet = with_plant_access(net, sc.plant.lon, sc.plant.lat, sc.plant.access_m)
    zones = {z.id: z for z in blockade_zones(sc)}
    tester = ZoneTester(anet)
    shut = zones["shut"]
    assert shut.closed and not shut.windowed
    assert zones["later"].in_force(15 * 60) and not zones["later"].in_force(8 * 60)
    i = anet.node_index(4419032134)  # a node of RN1 far from Av. 6 de Marzo
    assert not tester.node_inside(shut, i)
    hit = [e for e in range(anet.n_edges) if tester.edge_hits(shut, e)]
    assert hit and {anet.edge_name[e] for e in hit} == {"Avenida 6 de Marzo"}


def test_the_sheet_lists_marks_and_steps_each_checkpoint(blocked, blocked_written):
    """On the sheet: the list with a stamp box per checkpoint, the turn-by-turn row where it
    is met, its tag and name on the map, the plant's contact line; the summary lists every
    blockade with status and hours."""
    _, plan = blocked
    out, files = blocked_written
    assert set(files.pages.values()) <= {1, 2}
    text = pdf_text(out / "sheets" / "T01-trip1.pdf")
    for needed in (
        "Checkpoints and blockades on the way",
        "Stamp or signature of the checkpoint, time",
        "C1 Control RN1 Permit checkpoint: stop, show this sheet, have it stamped here.",
        "C1 Checkpoint Control RN1: stop, show this sheet, have box C1 stamped (about 5 min)",
        "Site of a permit checkpoint, not standing at the planned time",
        "15:00-16:00",
        "Closed blockade, 1.3 km from the route: do not drive towards it.",
        "Closed blockade Bloqueo 6 de Marzo, 1.3 km away: do not turn towards it",
        "closed: Bloqueo 6 de Marzo",  # the map's label
        "checkpoint: Control RN1",
        "Plant contact +591 2 2800000",
    ):
        assert needed in text, needed
    summary = pdf_text(out / "plant-summary.pdf")
    for needed in (
        "B1 Control RN1 blockade with controlled crossing all day 5 min "
        "3 trips pass the checkpoint",
        "B2 Control de la tarde blockade with controlled crossing 15:00-16:00 5 min",
        "B3 Bloqueo 6 de Marzo closed blockade all day - 3 trips pass near it (none crosses it)",
        "Plant contact: +591 2 2800000",
        "[1] 07:10 · 35 · B1 B2 B3",
    ):
        assert needed in summary, needed
    assert len(plan.trips()) == 3
