"""A time limit that holds: OR-Tools searches in a worker process killed at the deadline.

OR-Tools checks its time limit between search steps, and on ~1,000-node models one
guided-local-search step (or one global-cheapest-insertion LNS move over hundreds of
unperformed drops) can run for tens of seconds past it (google/or-tools#2660; measured in
``bench/deadline_bench.py``). No search parameter bounds such a step, so the search runs
in a forked copy of this process (the model is already built: nothing is pickled or built
again) that streams every improving solution back through a pipe; the parent keeps the
best one received and kills the worker at the hard deadline. When the search ends by
itself (its own time or solution limit), the worker sends OR-Tools' final answer, so the
result is exactly that of an in-process solve (same seed and solution limit, same plan).

Where ``os.fork`` does not exist (Windows) the search runs in this process with OR-Tools'
own limit, as before.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ortools.constraint_solver import pywrapcp

#: Share of the time limit (and seconds) past it at which the worker is killed; the rest
#: of the promised margin (10 % + 1 s) is left for turning the routes into a plan.
KILL_SHARE = 0.03
KILL_EXTRA_S = 0.3

#: An improving solution is copied out only if the last copy took under this share of the
#: time since it (copying ~2,000 next-variables costs a few milliseconds).
_COPY_SHARE = 0.05

_HEADER = struct.Struct("<Q")


def hard_deadline(t0: float, limit_s: float) -> float:
    """The monotonic time at which a search started at ``t0`` with ``limit_s`` is cut."""
    return t0 + limit_s * (1 + KILL_SHARE) + KILL_EXTRA_S


@dataclass
class Found:
    """One solution of a routing model, as node numbers.

    Attributes
    ----------
    routes
        Per vehicle, the node numbers it visits (start and end excluded).
    starts
        Per vehicle, the ``Time`` cumul at its start (0 without a time dimension).
    objective
        OR-Tools' objective value.
    """

    routes: list[list[int]]
    starts: list[int]
    objective: int


@dataclass
class SearchOutcome:
    """What a guarded search returned.

    ``how`` is ``"finished"`` (the search ended by itself), ``"killed"`` (the worker was
    stopped at the deadline; ``found`` is the best solution it had sent) or ``"in-process"``
    (no fork on this platform).
    """

    found: Found | None
    how: str
    solutions: int = 0


def _read(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    time_dim: pywrapcp.RoutingDimension | None,
    value: Any,
) -> tuple[list[list[int]], list[int]]:
    """Routes and start times through ``value`` (a variable -> int function)."""
    routes, starts = [], []
    for v in range(routing.vehicles()):
        idx = value(routing.NextVar(routing.Start(v)))
        route = []
        while not routing.IsEnd(idx):
            route.append(manager.IndexToNode(idx))
            idx = value(routing.NextVar(idx))
        routes.append(route)
        starts.append(0 if time_dim is None else value(time_dim.CumulVar(routing.Start(v))))
    return routes, starts


def _final(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    time_dim: pywrapcp.RoutingDimension | None,
    assignment: pywrapcp.Assignment | None,
) -> Found | None:
    if assignment is None:
        return None
    routes, starts = _read(routing, manager, time_dim, assignment.Value)
    return Found(routes, starts, int(assignment.ObjectiveValue()))


def _run(
    routing: pywrapcp.RoutingModel,
    params: Any,
    start: pywrapcp.Assignment | None,
) -> pywrapcp.Assignment | None:
    if start is not None:
        return routing.SolveFromAssignmentWithParameters(start, params)
    return routing.SolveWithParameters(params)


def _send(fd: int, msg: tuple[Any, ...]) -> None:
    blob = pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL)
    data = memoryview(_HEADER.pack(len(blob)) + blob)
    while data:
        n = os.write(fd, data)
        data = data[n:]


def _worker(  # pragma: no cover - runs in the forked child, which never returns
    fd: int,
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    time_dim: pywrapcp.RoutingDimension | None,
    params: Any,
    start: pywrapcp.Assignment | None,
) -> None:
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
        best = [float("inf"), 0.0, 0.0]  # objective, last copy time, its cost

        def at_solution() -> None:
            cost = routing.CostVar().Min()
            now = time.monotonic()
            if cost >= best[0] or now - best[1] < best[2] / _COPY_SHARE:
                return
            routes, starts = _read(routing, manager, time_dim, lambda var: var.Min())
            best[0], best[1] = cost, now
            best[2] = time.monotonic() - now
            _send(fd, ("solution", Found(routes, starts, int(cost))))

        routing.AddAtSolutionCallback(at_solution)
        found = _final(routing, manager, time_dim, _run(routing, params, start))
        _send(fd, ("final", found))
    except BaseException:  # the parent sees EOF and keeps what it received
        code = 1
    finally:
        os._exit(code)


def search_in_process(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    params: Any,
    start: pywrapcp.Assignment | None,
    time_dim: pywrapcp.RoutingDimension | None = None,
) -> Found | None:
    """The unguarded search: OR-Tools' own time limit only (kept to measure its overruns)."""
    return _final(routing, manager, time_dim, _run(routing, params, start))


def _parse(buf: bytearray) -> list[tuple[Any, ...]]:
    out = []
    while len(buf) >= _HEADER.size:
        (n,) = _HEADER.unpack_from(buf)
        if len(buf) < _HEADER.size + n:
            break
        out.append(pickle.loads(bytes(buf[_HEADER.size : _HEADER.size + n])))
        del buf[: _HEADER.size + n]
    return out


def _read_some(rfd: int, deadline: float, buf: bytearray) -> bool | None:
    """Wait for the worker's next bytes and append them to ``buf``.

    True when bytes came, False when the worker closed the pipe, None when ``deadline``
    (``time.monotonic()``) passed first.
    """
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([rfd], [], [], min(left, 0.5))
        if ready:
            break
    chunk = os.read(rfd, 1 << 20)
    buf += chunk
    return bool(chunk)


def guarded_search(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    params: Any,
    start: pywrapcp.Assignment | None,
    *,
    deadline: float,
    time_dim: pywrapcp.RoutingDimension | None = None,
) -> SearchOutcome:
    """Solve a closed routing model and return by ``deadline`` (``time.monotonic()``).

    Parameters
    ----------
    routing, manager
        The model, closed with ``params``.
    params
        Search parameters; their own time limit should end before ``deadline``.
    start
        Warm-start assignment, or None for OR-Tools' first-solution strategy.
    deadline
        The worker is killed then, and the best solution it sent is returned.
    time_dim
        The dimension whose start cumuls are returned (``Found.starts``).

    Returns
    -------
    SearchOutcome
    """
    if not hasattr(os, "fork"):
        found = _final(routing, manager, time_dim, _run(routing, params, start))
        return SearchOutcome(found, "in-process", int(found is not None))
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(rfd)
        _worker(wfd, routing, manager, time_dim, params, start)
    os.close(wfd)
    buf = bytearray()
    # the warm start is the best plan so far (a loaded machine may kill the worker before
    # it sends anything)
    best: Found | None = _final(routing, manager, time_dim, start)
    final: tuple[Found | None] | None = None
    n_sol = 0
    how = "killed"
    try:
        while True:
            got = _read_some(rfd, deadline, buf)
            if got is None:
                break
            if not got:  # the worker is gone (finished, or crashed after sending)
                how = "finished"
                break
            for kind, found in _parse(buf):
                if kind == "final":
                    final = (found,)
                else:
                    n_sol += 1
                    if best is None or found.objective <= best.objective:
                        best = found
            if final is not None:
                how = "finished"
                break
    finally:
        if how == "killed":
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        os.close(rfd)
        os.waitpid(pid, 0)
    if final is not None:
        return SearchOutcome(final[0], how, n_sol)
    return SearchOutcome(best, "killed" if how == "killed" else "finished", n_sol)


def call_before(deadline: float, fallback: Any, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
    """``fn(**kwargs)`` in a forked worker; ``fallback`` if it has not returned by ``deadline``.

    Used for PyVRP's warm start, whose own time limit is checked between iterations only
    (its first iterations on 2,000 clients take longer than a 10 s limit). The result must
    pickle. Without ``os.fork`` it runs here.
    """
    if not hasattr(os, "fork"):
        return fn(**kwargs)
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(rfd)
        code = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            _send(wfd, ("final", fn(**kwargs)))
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(wfd)
    buf = bytearray()
    out: Any = fallback
    done = False
    try:
        while not done:
            got = _read_some(rfd, deadline, buf)
            if got is None:
                break
            if not got:
                done = True
                break
            for _kind, value in _parse(buf):
                out, done = value, True
    finally:
        if not done:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        os.close(rfd)
        os.waitpid(pid, 0)
    return out
