"""Travel tables between chosen nodes, and the shortest-path trees to rebuild each leg.

:meth:`~logistics.roads.graph.RoadNetwork.route_tables` fills a :class:`RouteTables` with
one Dijkstra run per source; the per-edge sums (drive time, checkpoint delay, length) are
taken along each tree by :func:`_tree_sums`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class RouteTables:
    """Travel tables between source nodes, with the trees to rebuild each leg."""

    sources: np.ndarray
    #: Shortest total time (drive + checkpoint delays), seconds; ``inf`` if unreachable.
    time_s: np.ndarray
    #: Driving part of ``time_s`` (scales with a truck's speed factor).
    drive_s: np.ndarray
    #: Checkpoint delays part of ``time_s`` (does not scale).
    delay_s: np.ndarray
    length_m: np.ndarray
    _pred: np.ndarray
    _row: np.ndarray
    _eid: _PairIndex

    def path(self, i: int, j: int) -> tuple[list[int], list[int]]:
        """Node and edge indices of the leg from source ``i`` to source ``j``.

        Raises ``ValueError`` when ``j`` is unreachable from ``i``.
        """
        pred = self._pred[self._row[i]]
        target = int(self.sources[j])
        start = int(self.sources[i])
        nodes = [target]
        while nodes[-1] != start:
            p = int(pred[nodes[-1]])
            if p < 0:
                msg = f"no path from source {i} to source {j}"
                raise ValueError(msg)
            nodes.append(p)
        nodes.reverse()
        edges = self._eid.lookup(np.asarray(nodes[:-1]), np.asarray(nodes[1:]))
        return nodes, [int(e) for e in edges]


@dataclass(frozen=True)
class _PairIndex:
    """Edge chosen for each directed node pair, searchable by ``u * n + v``."""

    keys: np.ndarray
    edges: np.ndarray
    n: int

    def lookup(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return self.edges[np.searchsorted(self.keys, u * self.n + v)]


def _tree_sums(
    pred: np.ndarray, dist: np.ndarray, eid: _PairIndex, values: np.ndarray
) -> np.ndarray:
    """Sum per-edge ``values`` (k, n_edges) along each tree from its root to every node.

    Nodes are visited in order of distance, so a node's parent is always done before it;
    each step handles that rank in every tree at once (vectorised over the sources).
    """
    n_src, n = pred.shape
    acc = np.zeros((values.shape[0], n_src, n))
    order = np.argsort(dist, axis=1, kind="stable")
    rows = np.arange(n_src)
    reached = np.isfinite(dist)
    n_reached = reached.sum(axis=1)
    for rank in range(1, int(n_reached.max(initial=0))):
        live = rank < n_reached
        r = rows[live]
        node = order[r, rank]
        par = pred[r, node]
        edge = eid.lookup(par, node)
        acc[:, r, node] = acc[:, r, par] + values[:, edge]
    return acc
