"""Drainage forests on a pipe graph: shortest downhill-favouring paths towards the roots."""

from __future__ import annotations

import heapq

import numpy as np

UPHILL_PENALTY = 150.0  # extra path cost (m) per metre of ground rising in the flow direction


def drainage_forest(xy: np.ndarray, pipes: np.ndarray, z: np.ndarray, roots: np.ndarray,
                    penalty: float = UPHILL_PENALTY) -> tuple[np.ndarray, np.ndarray]:
    """Parent (downstream node; -1 for roots and unreachable nodes) and path cost of each node.

    Every node drains along the cheapest path to any root, where a pipe costs its length plus
    a penalty for running against the ground slope; the parents form a forest.
    """
    n = len(xy)
    a, b = pipes[:, 0], pipes[:, 1]
    seg = np.hypot(*(xy[a] - xy[b]).T)
    u = np.concatenate([a, b])
    v = np.concatenate([b, a])
    w = np.concatenate([seg, seg])
    order = np.argsort(u, kind="stable")
    u, v, w = u[order], v[order], w[order]
    ptr = np.searchsorted(u, np.arange(n + 1)).tolist()
    nbr = v.tolist()
    wl = w.tolist()
    zl = z.tolist()
    dist = [float("inf")] * n
    parent = [-1] * n
    heap: list[tuple[float, int]] = []
    for r in roots.tolist():
        dist[r] = 0.0
        heap.append((0.0, r))
    heapq.heapify(heap)
    while heap:
        d, node = heapq.heappop(heap)
        if d > dist[node]:
            continue
        zn = zl[node]
        for k in range(ptr[node], ptr[node + 1]):
            m = nbr[k]
            rise = zn - zl[m]  # ground rise when water flows from m down to node
            nd = d + wl[k] + (penalty * rise if rise > 0 else 0.0)
            if nd < dist[m]:
                dist[m] = nd
                parent[m] = node
                heapq.heappush(heap, (nd, m))
    return np.array(parent, dtype=np.int64), np.array(dist)
