"""Network check run after an import: connectivity, duplicates, slopes, diameters, loops."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import shapely

from zhishui.network.records import NetworkModel

NodeId = int | str

# Mirrors zhishui.network.models (kept here so this module stays free of the ORM).
NETWORK_KINDS = ("storm", "sewer", "combined", "supply")
GRAVITY_KINDS = ("storm", "sewer", "combined")
#: Node kinds where a network legitimately ends: never reported as dangling.
END_KINDS = frozenset({"outfall", "reservoir", "tank", "treatment_plant", "storage"})
#: A separate part that has one of these is a separate system, not a defect (gravity/supply).
OUTLET_KINDS = frozenset({"outfall", "treatment_plant"})
SOURCE_KINDS = frozenset({"reservoir", "tank"})
#: Kinds that are meant to sit at an upstream end (gravity) or at a stub (supply).
STUB_KINDS = {"gravity": frozenset({"inlet"}), "supply": frozenset({"hydrant", "meter"})}
#: Nodes where the diameter may legitimately shrink downstream (throttles, pumps, splits).
NO_DIAMETER_CHECK_KINDS = frozenset({"storage", "pump_station", "outfall", "treatment_plant",
                                     "tank", "reservoir", "divider"})
#: Link kinds that carry gravity flow along a slope.
GRAVITY_LINK_KINDS = frozenset({"conduit", "pipe"})

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class CheckNode:
    """A node as the check sees it; x/y are lon/lat (EPSG:4326), elevations in m."""

    id: NodeId
    external_id: str = ""
    kind: str = "junction"
    x: float | None = None
    y: float | None = None
    invert_elev: float | None = None
    ground_elev: float | None = None


@dataclass(frozen=True, slots=True)
class CheckLink:
    """A link; from_id/to_id may be None or unknown; diameter/length/inverts in m (absolute)."""

    id: NodeId
    from_id: NodeId | None
    to_id: NodeId | None
    external_id: str = ""
    kind: str = "conduit"
    diameter: float | None = None
    length: float | None = None
    up_invert: float | None = None
    down_invert: float | None = None
    pressurized: bool = False  # a force main / rising main: no slope or diameter rules


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """Tolerances of the check."""

    duplicate_tolerance_m: float = 0.5
    min_slope: float = 1e-4
    diameter_tolerance_m: float = 0.005
    duplicate_links: bool = True


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: a stable code, a translatable message key with params, refs and a location."""

    code: str
    severity: str
    message_key: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    node_ids: tuple[NodeId, ...] = ()
    link_ids: tuple[NodeId, ...] = ()
    lon: float | None = None
    lat: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return {"code": self.code, "severity": self.severity, "message_key": self.message_key,
                "params": dict(self.params), "node_ids": list(self.node_ids),
                "link_ids": list(self.link_ids), "lon": self.lon, "lat": self.lat}


def summarize(findings: Iterable[Finding]) -> dict[str, int]:
    """Count findings per code (in order of first appearance)."""
    return dict(Counter(f.code for f in findings))


def check_network(nodes: Sequence[CheckNode], links: Sequence[CheckLink], network_kind: str,
                  options: CheckOptions | None = None) -> list[Finding]:
    """Run every check and return the findings sorted by severity, then code.

    Severities: broken data (links to missing nodes, self-loops, repeated ids, adverse slopes)
    are errors. A separate part is a warning unless it has its own outfall/treatment plant
    (gravity) or reservoir/tank (supply): then it is a separate system, reported as info.
    Dangling nodes: outfalls, reservoirs, tanks, treatment plants and storage are never reported;
    in a gravity network an upstream end is normal (info; inlets not at all) while a node that
    water flows into but cannot leave is a warning (downstream_dead_end); in a supply network a
    dead-end main is a warning (stagnation, or a missed connection), except hydrants and meters.
    The diameter rule compares, at each node, the largest outgoing gravity link with the largest
    incoming one (splits are normal), skipping storage/pump/outfall-like nodes, pumps, weirs,
    orifices and pressurized links. Loops are strongly connected parts of the directed graph;
    every link inside one lies on a directed cycle. Slopes fall back to the nodes' inverts and
    to the distance between the nodes when a link has no inverts or length.
    """
    if network_kind not in NETWORK_KINDS:
        raise ValueError(f"unknown network kind {network_kind!r}")
    ctx = _Context(nodes, links, options or CheckOptions())
    gravity = network_kind in GRAVITY_KINDS
    out: list[Finding] = []
    out += ctx.duplicate_node_ids()
    out += ctx.missing_nodes()
    out += ctx.self_loops()
    out += ctx.components(gravity)
    out += ctx.dangling(gravity)
    out += ctx.duplicate_nodes()
    if ctx.opts.duplicate_links:
        out += ctx.duplicate_links()
    if gravity:
        out += ctx.slopes()
        out += ctx.diameter_decrease()
        out += ctx.loops()
    out.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.code))
    return out


def inputs_from_model(model: NetworkModel,
                      to_lonlat: Callable[[float, float], tuple[float, float]] | None = None,
                      ) -> tuple[list[CheckNode], list[CheckLink]]:
    """Build check inputs from an imported model (ids = external ids); reproject with to_lonlat."""
    nodes = []
    for n in model.nodes:
        x, y = n.x, n.y
        if to_lonlat is not None and x is not None and y is not None:
            x, y = to_lonlat(x, y)
        nodes.append(CheckNode(n.external_id, n.external_id, n.kind, x, y, n.invert_elev,
                               n.ground_elev))
    links = [CheckLink(lk.external_id, lk.from_node or None, lk.to_node or None, lk.external_id,
                       lk.kind, lk.diameter, lk.length, lk.up_invert, lk.down_invert,
                       bool(lk.attrs.get("pressurized", False)))
             for lk in model.links]
    return nodes, links


def _r(v: float | None, nd: int = 4) -> float | None:
    return None if v is None else round(float(v), nd)


class _Context:
    """Indexes shared by the individual checks."""

    def __init__(self, nodes: Sequence[CheckNode], links: Sequence[CheckLink],
                 opts: CheckOptions) -> None:
        self.opts = opts
        self.nodes = nodes
        self.links = links
        self.by_id: dict[NodeId, CheckNode] = {}
        for n in nodes:
            self.by_id.setdefault(n.id, n)
        # Links whose both ends exist and differ: the topology the graph checks use.
        self.ok_links = [lk for lk in links if lk.from_id in self.by_id
                         and lk.to_id in self.by_id and lk.from_id != lk.to_id]
        self.neighbours: dict[NodeId, set[NodeId]] = defaultdict(set)
        for lk in self.ok_links:
            self.neighbours[lk.from_id].add(lk.to_id)
            self.neighbours[lk.to_id].add(lk.from_id)

    # -- helpers ---------------------------------------------------------------------------
    def _name(self, nid: NodeId | None) -> str:
        n = self.by_id.get(nid) if nid is not None else None
        return (n.external_id or str(n.id)) if n is not None else ("" if nid is None else str(nid))

    def _lname(self, lk: CheckLink) -> str:
        return lk.external_id or str(lk.id)

    def _xy(self, nid: NodeId | None) -> tuple[float, float] | None:
        n = self.by_id.get(nid) if nid is not None else None
        if n is None or n.x is None or n.y is None:
            return None
        return (n.x, n.y)

    def _link_xy(self, lk: CheckLink) -> tuple[float | None, float | None]:
        a, b = self._xy(lk.from_id), self._xy(lk.to_id)
        if a and b:
            return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        p = a or b
        return (p[0], p[1]) if p else (None, None)

    def _node_finding(self, code: str, sev: str, nid: NodeId, **params: Any) -> Finding:
        xy = self._xy(nid) or (None, None)
        return Finding(code, sev, f"check.{code}", {"node": self._name(nid), **params},
                       (nid,), (), xy[0], xy[1])

    def _link_finding(self, code: str, sev: str, lk: CheckLink,
                      refs: tuple[NodeId, ...] | None = None,
                      lids: tuple[NodeId, ...] | None = None, **params: Any) -> Finding:
        lon, lat = self._link_xy(lk)
        if refs is None:
            refs = tuple(i for i in (lk.from_id, lk.to_id) if i in self.by_id)
        return Finding(code, sev, f"check.{code}", {"link": self._lname(lk), **params},
                       refs, lids or (lk.id,), lon, lat)

    # -- integrity -------------------------------------------------------------------------
    def duplicate_node_ids(self) -> list[Finding]:
        counts = Counter(n.id for n in self.nodes)
        return [self._node_finding("duplicate_node_id", "error", nid, count=c)
                for nid, c in counts.items() if c > 1]

    def missing_nodes(self) -> list[Finding]:
        out = []
        for lk in self.links:
            bad = [end for end, nid in (("from", lk.from_id), ("to", lk.to_id))
                   if nid is None or nid not in self.by_id]
            if bad:
                out.append(self._link_finding(
                    "link_missing_node", "error", lk, from_node=self._name(lk.from_id) or "∅",
                    to_node=self._name(lk.to_id) or "∅",
                    missing="both" if len(bad) == 2 else bad[0]))
        return out

    def self_loops(self) -> list[Finding]:
        return [self._link_finding("link_self_loop", "error", lk, node=self._name(lk.from_id))
                for lk in self.links if lk.from_id is not None and lk.from_id == lk.to_id]

    # -- connectivity ----------------------------------------------------------------------
    def components(self, gravity: bool) -> list[Finding]:
        ids = list(self.by_id)
        index = {nid: i for i, nid in enumerate(ids)}
        parent = list(range(len(ids)))
        for lk in self.ok_links:
            _union(parent, index[lk.from_id], index[lk.to_id])
        groups: dict[int, list[NodeId]] = defaultdict(list)
        for i, nid in enumerate(ids):
            groups[_find(parent, i)].append(nid)
        parts = [g for g in groups.values() if len(g) > 1]  # members in input order
        parts.sort(key=lambda g: (-len(g), index[g[0]]))
        part_of = {nid: i for i, part in enumerate(parts) for nid in part}
        link_count = Counter(part_of[lk.from_id] for lk in self.ok_links)
        out = []
        terminals = OUTLET_KINDS if gravity else SOURCE_KINDS
        main = len(parts[0]) if parts else 0
        for i, part in enumerate(parts[1:], start=1):
            ids = tuple(part)
            has_end = any(self.by_id[n].kind in terminals for n in ids)
            lon, lat = self._central(ids)
            out.append(Finding("disconnected_part", "info" if has_end else "warning",
                               "check.disconnected_part",
                               {"size": len(ids), "links": link_count[i], "main_size": main,
                                "node": self._name(ids[0]), "has_end": has_end},
                               ids, (), lon, lat))
        for nid in self.by_id:
            if not self.neighbours.get(nid):
                out.append(self._node_finding("isolated_node", "warning", nid))
        return out

    def _central(self, ids: Sequence[NodeId]) -> tuple[float | None, float | None]:
        pts = [p for p in (self._xy(i) for i in ids) if p is not None]
        if not pts:
            return (None, None)
        arr = np.asarray(pts)
        k = int(np.argmin(((arr - arr.mean(axis=0)) ** 2).sum(axis=1)))
        return (float(arr[k, 0]), float(arr[k, 1]))

    def dangling(self, gravity: bool) -> list[Finding]:
        leaves_out: set[NodeId] = set()
        for lk in self.ok_links:
            leaves_out.add(lk.from_id)
        stubs = STUB_KINDS["gravity" if gravity else "supply"]
        out = []
        for nid, n in self.by_id.items():
            if len(self.neighbours.get(nid, ())) != 1 or n.kind in END_KINDS:
                continue
            if not gravity:
                if n.kind not in stubs:
                    out.append(self._node_finding("dangling_node", "warning", nid))
            elif nid not in leaves_out:
                out.append(self._node_finding("downstream_dead_end", "warning", nid))
            elif n.kind not in stubs:
                out.append(self._node_finding("upstream_end", "info", nid))
        return out

    def duplicate_nodes(self) -> list[Finding]:
        located = [n for n in self.by_id.values() if n.x is not None and n.y is not None]
        if len(located) < 2:
            return []
        ll = np.array([(n.x, n.y) for n in located], dtype=float)
        # Local metric approximation with per-point WGS84 scales: exact to mm within a county.
        mx, my = _m_per_deg(ll[:, 1])
        xy = np.column_stack([(ll[:, 0] - ll[:, 0].mean()) * mx,
                              (ll[:, 1] - ll[:, 1].mean()) * my])
        pts = shapely.points(xy)
        tol = self.opts.duplicate_tolerance_m
        a, b = shapely.STRtree(pts).query(pts, predicate="dwithin", distance=tol)
        keep = a < b
        a, b = a[keep], b[keep]
        if a.size == 0:
            return []
        dist = np.hypot(*(xy[a] - xy[b]).T)
        parent = list(range(len(located)))
        for i, j in zip(a.tolist(), b.tolist(), strict=True):
            _union(parent, i, j)
        groups: dict[int, list[int]] = defaultdict(list)
        for i in sorted(set(a.tolist()) | set(b.tolist())):
            groups[_find(parent, i)].append(i)
        maxd: dict[int, float] = defaultdict(float)
        for i, d in zip(a.tolist(), dist.tolist(), strict=True):
            r = _find(parent, i)
            maxd[r] = max(maxd[r], d)
        out = []
        for root, members in groups.items():
            ids = tuple(located[i].id for i in members)
            first = located[members[0]]
            out.append(Finding("duplicate_node", "warning", "check.duplicate_node",
                               {"node": self._name(first.id), "count": len(ids),
                                "other": self._name(ids[1]), "distance": round(maxd[root], 3),
                                "tolerance": tol}, ids, (), first.x, first.y))
        return out

    def duplicate_links(self) -> list[Finding]:
        pairs: dict[frozenset[NodeId], list[CheckLink]] = defaultdict(list)
        for lk in self.ok_links:
            pairs[frozenset((lk.from_id, lk.to_id))].append(lk)
        out = []
        for group in pairs.values():
            if len(group) > 1:
                out.append(self._link_finding(
                    "duplicate_link", "info", group[0], lids=tuple(lk.id for lk in group),
                    count=len(group), from_node=self._name(group[0].from_id),
                    to_node=self._name(group[0].to_id)))
        return out

    # -- gravity rules ---------------------------------------------------------------------
    def _is_gravity_link(self, lk: CheckLink) -> bool:
        return lk.kind in GRAVITY_LINK_KINDS and not lk.pressurized

    def _length(self, lk: CheckLink) -> float | None:
        if lk.length is not None and lk.length > 0:
            return lk.length
        a, b = self._xy(lk.from_id), self._xy(lk.to_id)
        if not (a and b):
            return None
        mx, my = _m_per_deg((a[1] + b[1]) / 2)
        d = math.hypot((b[0] - a[0]) * float(mx), (b[1] - a[1]) * float(my))
        return d if d > 0 else None

    def slopes(self) -> list[Finding]:
        out = []
        for lk in self.links:
            if not self._is_gravity_link(lk):
                continue
            up = lk.up_invert
            if up is None and lk.from_id in self.by_id:
                up = self.by_id[lk.from_id].invert_elev
            down = lk.down_invert
            if down is None and lk.to_id in self.by_id:
                down = self.by_id[lk.to_id].invert_elev
            if up is None or down is None:
                continue
            length = self._length(lk)
            slope = (up - down) / length if length else None
            if up == down or (slope is not None and abs(slope) < self.opts.min_slope):
                code, sev = "zero_slope", "warning"
            elif down > up:
                code, sev = "adverse_slope", "error"
            else:
                continue
            out.append(self._link_finding(code, sev, lk, slope=_r(slope, 5), up_invert=_r(up, 3),
                                          down_invert=_r(down, 3), length=_r(length, 2)))
        return out

    def diameter_decrease(self) -> list[Finding]:
        incoming: dict[NodeId, CheckLink] = {}
        outgoing: dict[NodeId, CheckLink] = {}
        for lk in self.ok_links:
            if not self._is_gravity_link(lk) or lk.diameter is None:
                continue
            for table, nid in ((incoming, lk.to_id), (outgoing, lk.from_id)):
                best = table.get(nid)
                if best is None or lk.diameter > best.diameter:
                    table[nid] = lk
        out = []
        tol = self.opts.diameter_tolerance_m
        for nid, down in outgoing.items():
            up = incoming.get(nid)
            if up is None or self.by_id[nid].kind in NO_DIAMETER_CHECK_KINDS:
                continue
            if down.diameter < up.diameter - tol:
                out.append(self._link_finding(
                    "diameter_decrease", "warning", down, refs=(nid,), lids=(down.id, up.id),
                    diameter=_r(down.diameter, 3), upstream_diameter=_r(up.diameter, 3),
                    upstream_link=self._lname(up), node=self._name(nid)))
        return out

    def _cyclic_core(self) -> set[NodeId]:
        """Nodes left after repeatedly removing sources and sinks: only these can be on a cycle."""
        succ: dict[NodeId, list[NodeId]] = defaultdict(list)
        pred: dict[NodeId, list[NodeId]] = defaultdict(list)
        for lk in self.ok_links:
            succ[lk.from_id].append(lk.to_id)
            pred[lk.to_id].append(lk.from_id)
        indeg = {n: len(v) for n, v in pred.items()}
        outdeg = {n: len(v) for n, v in succ.items()}
        alive = set(succ) | set(pred)
        stack = [n for n in alive if not indeg.get(n) or not outdeg.get(n)]
        while stack:
            n = stack.pop()
            if n not in alive:
                continue
            alive.discard(n)
            for m in succ.get(n, ()):
                indeg[m] -= 1
                if indeg[m] == 0 and m in alive:
                    stack.append(m)
            for m in pred.get(n, ()):
                outdeg[m] -= 1
                if outdeg[m] == 0 and m in alive:
                    stack.append(m)
        return alive

    def loops(self) -> list[Finding]:
        alive = self._cyclic_core()
        if not alive:
            return []
        g = nx.DiGraph()
        g.add_edges_from((lk.from_id, lk.to_id) for lk in self.ok_links
                         if lk.from_id in alive and lk.to_id in alive)
        order = {nid: i for i, nid in enumerate(self.by_id)}
        sccs = [c for c in nx.strongly_connected_components(g) if len(c) > 1]
        sccs.sort(key=lambda c: min(order[n] for n in c))
        scc_of = {nid: i for i, c in enumerate(sccs) for nid in c}
        scc_links: dict[int, list[NodeId]] = defaultdict(list)
        for lk in self.ok_links:
            i = scc_of.get(lk.from_id)
            if i is not None and scc_of.get(lk.to_id) == i:
                scc_links[i].append(lk.id)
        out = []
        for i, scc in enumerate(sccs):
            ids = tuple(sorted(scc, key=order.__getitem__))
            lids = tuple(scc_links[i])
            lon, lat = self._central(ids)
            out.append(Finding("gravity_loop", "warning", "check.gravity_loop",
                               {"size": len(ids), "links": len(lids), "node": self._name(ids[0])},
                               ids, lids, lon, lat))
        return out


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _union(parent: list[int], i: int, j: int) -> None:
    ri, rj = _find(parent, i), _find(parent, j)
    if ri != rj:
        parent[max(ri, rj)] = min(ri, rj)


def _m_per_deg(lat: Any) -> tuple[Any, Any]:
    """Metres per degree of longitude and latitude on WGS84 at latitude `lat` (deg, array-ok)."""
    phi = np.radians(lat)
    mx = 111_412.84 * np.cos(phi) - 93.5 * np.cos(3 * phi) + 0.118 * np.cos(5 * phi)
    my = 111_132.92 - 559.82 * np.cos(2 * phi) + 1.175 * np.cos(4 * phi) - 0.0023 * np.cos(6 * phi)
    return mx, my
