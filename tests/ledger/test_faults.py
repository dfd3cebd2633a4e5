"""The ledger under faults: 100 random SIGKILLs of a desk during dispatch and record.

A desk (a forked process) runs commands back to back: dispatch plan *k*, record the filled
sheet of plan *k* (every stop, with its sheet's checksum, as ``ledger record`` does), then
*k + 1* ... and tells the test when each command begins, when it has appended an entry
(uncommitted) and when it has committed. The test kills it with SIGKILL 100 times: half
at a random moment, half within 3 ms after a random appended entry (inside the write
transaction), and after each kill starts a new desk that re-runs the interrupted command (as a
dispatcher would): a dispatch or a sheet already in the ledger is refused, so re-running
never duplicates. Then ``verify`` (integrity check and hash chain) and the count of
committed commands lost, commands recorded twice and commands recorded in part: all 0.
On SQLite and on PostgreSQL; the figures are in the README.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import signal
import time
from collections import Counter

import pytest

from logistics.ledger import Ledger, dispatch, record_stops
from logistics.model import InputError
from logistics.paper import StopRecord, plan_sheets
from tests.helpers import plan_for, small_scenario

KILLS = 100
DATE = "2005-06-08"
PRICE = 22.5

_CTX: dict = {}  # the plans and points, inherited by the forked desks


def _variant(k: int):
    # a new plan id per command (the notes are not part of the id: the scenario name is)
    plan = _CTX["plan"]
    return plan.model_copy(update={"scenario": f"{plan.scenario} (fault-test variant {k})"})


def _records(plan) -> list[StopRecord]:
    """Plan ``k``'s filled sheet: every stop delivered in full, with its sheet checksum."""
    sheets = plan_sheets(plan, price_bs=PRICE, date=DATE)
    pid = plan.plan_id()
    return [
        StopRecord(pid, tr.truck_id, t.trip_no, s.point_id, s.cylinders, 0, 0, "junta",
                   stop=k, sheet=sheets[(tr.truck_id, t.trip_no)][0]["sheet"], source="sheet")
        for tr, t in plan.trips()
        for k, s in enumerate(t.stops, start=1)
    ]  # fmt: skip


def _desk(url: str, first_op: int, conn) -> None:
    """Run commands from ``first_op`` on until killed; report begin/append/commit."""
    from logistics.ledger import store

    append = store.Ledger.append

    def announced(self, *a, **kw):
        entry = append(self, *a, **kw)
        conn.send(("A", op))
        return entry

    store.Ledger.append = announced
    with Ledger(url) as ledger:
        op = first_op
        while True:
            conn.send(("B", op))
            plan = _variant(op // 2)
            try:
                if op % 2 == 0:
                    dispatch(ledger, plan, _CTX["points"], price_bs=PRICE, date=DATE, by="desk")
                else:
                    record_stops(ledger, _records(plan), by="desk", from_sheet=True)
                conn.send(("C", op))
            except InputError as exc:  # re-run of a command that had committed: refused
                conn.send(("R", op, str(exc)))
            op += 1


def _run_kills(url: str, seed: int) -> dict:
    ctx = mp.get_context("fork")
    rng = random.Random(seed)
    committed: set[int] = set()
    refused: set[int] = set()
    next_op, in_command, in_transaction = 0, 0, 0
    for kill in range(KILLS):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_desk, args=(url, next_op, child), daemon=True)
        proc.start()
        child.close()
        msgs: list[tuple] = []
        if kill % 2 == 0:  # at a random moment
            time.sleep(rng.uniform(0.02, 0.6))
        else:  # just after the desk appended its j-th entry, inside the write transaction
            wanted, seen = rng.randint(1, 12), 0
            deadline = time.monotonic() + 30
            while seen < wanted and time.monotonic() < deadline and parent.poll(5):
                msgs.append(parent.recv())
                seen += msgs[-1][0] == "A"
            time.sleep(rng.uniform(0, 0.003))
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(10)
        while parent.poll():
            try:
                msgs.append(parent.recv())
            except EOFError:
                break
        parent.close()
        last = msgs[-1] if msgs else None
        for msg in msgs:
            if msg[0] == "C":
                committed.add(msg[1])
            elif msg[0] == "R":
                refused.add(msg[1])
        if last is not None and last[0] in ("B", "A"):
            in_command += 1
            in_transaction += last[0] == "A"
            next_op = last[1]  # the desk re-runs the command it was killed in
        elif last is not None:
            next_op = last[1] + 1
    return {
        "committed": committed,
        "refused": refused,
        "ops": next_op,
        "in_command": in_command,
        "in_transaction": in_transaction,
    }


@pytest.fixture(scope="module")
def plans(net):
    _sc, problem, plan = plan_for(small_scenario(net), net)
    _CTX.update(plan=plan, points=problem.points)
    return plan


@pytest.mark.slow
def test_100_kills_lose_nothing_duplicate_nothing_corrupt_nothing(db_url, plans, request):
    Ledger(db_url, create=True).close()
    run = _run_kills(db_url, seed=16)
    with Ledger(db_url) as ledger:
        rep = ledger.verify()
        entries = ledger.entries()
    variants = {_variant(k).plan_id(): k for k in range(run["ops"] // 2 + 2)}
    dispatched = Counter(variants[e.plan_id] * 2 for e in entries if e.kind == "dispatch")
    stops = Counter(
        (variants[e.plan_id] * 2 + 1, e.truck, e.trip, e.stop_no)
        for e in entries
        if e.kind == "stop"
    )
    per_record = Counter(op for op, *_ in stops)
    n_stops = len(_records(plans))
    present = set(dispatched) | set(per_record)
    lost = sorted(run["committed"] - present)
    duplicated = sorted(
        [op for op, n in dispatched.items() if n > 1] + [k for k, n in stops.items() if n > 1]
    )
    torn = sorted(op for op, n in per_record.items() if n != n_stops)
    figures = (
        f"{request.node.callspec.id}: {KILLS} kills ({run['in_command']} inside a command, "
        f"{run['in_transaction']} after an appended entry, before its commit was reported), "
        f"{run['ops']} commands, {len(run['committed'])} committed, "
        f"{len(run['refused'])} re-runs refused; "
        f"lost {len(lost)}, duplicated {len(duplicated)}, torn {len(torn)}, "
        f"verify {'ok' if rep.ok else rep.problem} ({rep.entries} entries, {rep.checked})"
    )
    print(figures)
    target = os.environ.get("SENKATA_FUZZ_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(figures + "\n")
    assert rep.ok, rep.problem
    assert lost == [] and duplicated == [] and torn == []
    # a quarter of the kills at least landed inside transactions (timing: on a loaded
    # 2-core machine PostgreSQL gave 41-45 of 100, SQLite 57)
    assert run["in_transaction"] >= KILLS // 4
    assert run["refused"] <= present  # a refused re-run is one whose first run had committed
