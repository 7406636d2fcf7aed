"""Tests of the post-import network check."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from zhishui.network import check as chk
from zhishui.network.check import (
    CheckLink,
    CheckNode,
    CheckOptions,
    Finding,
    check_network,
    summarize,
)
from zhishui.network.records import LinkRecord, NetworkModel, NodeRecord

LON0, LAT0 = 120.0, 30.0
L_TOWN = Path("/work/shared/data/networks/L-TOWN.inp")
FT = 0.3048


M_PER_DEG_LON, M_PER_DEG_LAT = 96_486.2, 110_852.4  # WGS84 at 30°N


def ll(xm: float, ym: float) -> tuple[float, float]:
    """Metres east/north of (LON0, LAT0) to lon/lat."""
    return (LON0 + xm / M_PER_DEG_LON, LAT0 + ym / M_PER_DEG_LAT)


def node(nid, xm, ym, kind="manhole", inv=None):
    lon, lat = ll(xm, ym)
    return CheckNode(nid, f"N-{nid}", kind, lon, lat, inv, None if inv is None else inv + 2)


def link(lid, a, b, d=0.3, up=None, down=None, kind="conduit", length=None, **kw):
    return CheckLink(lid, a, b, f"L-{lid}", kind, d, length, up, down, **kw)


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


def only(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def serious(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity != "info"]


def base_sewer() -> tuple[list[CheckNode], list[CheckLink]]:
    """A clean gravity tree: A and B join at C, then D, then outfall O (100 m links)."""
    nodes = [node("A", 0, 200, inv=12.0), node("B", 200, 200, inv=12.0),
             node("C", 100, 100, inv=11.0), node("D", 100, 0, inv=10.0),
             node("O", 100, -100, "outfall", inv=9.0)]
    links = [link(1, "A", "C", 0.3, 12.0, 11.0, length=141.4),
             link(2, "B", "C", 0.3, 12.0, 11.0, length=141.4),
             link(3, "C", "D", 0.4, 11.0, 10.0, length=100.0),
             link(4, "D", "O", 0.5, 10.0, 9.0, length=100.0)]
    return nodes, links


# -- hand-built networks ---------------------------------------------------------------------

def test_clean_sewer_has_only_upstream_ends() -> None:
    nodes, links = base_sewer()
    found = check_network(nodes, links, "sewer")
    assert serious(found) == []
    ups = only(found, "upstream_end")
    assert sorted(f.node_ids for f in ups) == [("A",), ("B",)]
    assert all(f.severity == "info" and f.message_key == "check.upstream_end" for f in ups)
    assert ups[0].lon == pytest.approx(nodes[0].x) and ups[0].params["node"] == "N-A"


def test_adverse_and_zero_slope() -> None:
    nodes, links = base_sewer()
    links[2] = link(3, "C", "D", 0.4, 10.0, 10.2, length=100.0)  # adverse: -0.002
    links[3] = link(4, "D", "O", 0.5, 10.0, 10.0, length=100.0)  # zero
    found = check_network(nodes, links, "storm")
    adv = only(found, "adverse_slope")
    assert len(adv) == 1 and adv[0].link_ids == (3,) and adv[0].severity == "error"
    assert adv[0].params["slope"] == pytest.approx(-0.002)
    assert adv[0].message_key == "check.adverse_slope" and set(adv[0].node_ids) == {"C", "D"}
    zero = only(found, "zero_slope")
    assert [f.link_ids for f in zero] == [(4,)] and zero[0].severity == "warning"
    # the location is the link's midpoint
    assert adv[0].lat == pytest.approx((nodes[2].y + nodes[3].y) / 2)


def test_slope_uses_node_inverts_and_coordinates_when_link_lacks_them() -> None:
    nodes, links = base_sewer()
    nodes[3] = node("D", 100, 0, inv=11.5)  # above C's 11.0
    links[2] = link(3, "C", "D", 0.4)  # no inverts, no length: 100 m from coordinates
    found = check_network(nodes, links, "sewer")
    adv = only(found, "adverse_slope")
    assert [f.link_ids for f in adv] == [(3,)]
    assert adv[0].params["slope"] == pytest.approx(-0.005, rel=1e-3)
    assert adv[0].params["length"] == pytest.approx(100.0, rel=1e-3)


def test_tiny_fall_counts_as_zero_slope() -> None:
    nodes, links = base_sewer()
    links[3] = link(4, "D", "O", 0.5, 10.0, 9.995, length=100.0)  # 5e-5
    found = check_network(nodes, links, "sewer", CheckOptions(min_slope=1e-4))
    assert [f.link_ids for f in only(found, "zero_slope")] == [(4,)]
    assert not only(found, "adverse_slope")


def test_diameter_decrease_but_not_after_pump_or_storage() -> None:
    nodes, links = base_sewer()
    links[3] = link(4, "D", "O", 0.3, 10.0, 9.0, length=100.0)  # 0.4 -> 0.3
    found = check_network(nodes, links, "combined")
    dec = only(found, "diameter_decrease")
    assert len(dec) == 1 and dec[0].link_ids == (4, 3) and dec[0].node_ids == ("D",)
    assert dec[0].params["diameter"] == 0.3 and dec[0].params["upstream_diameter"] == 0.4
    # a force main leaving D is not compared, nor is a pump
    links[3] = link(4, "D", "O", 0.1, 10.0, 9.0, length=100.0, pressurized=True)
    assert not only(check_network(nodes, links, "sewer"), "diameter_decrease")
    links[3] = link(4, "D", "O", 0.1, kind="pump")
    assert not only(check_network(nodes, links, "sewer"), "diameter_decrease")
    # a storage node may throttle
    nodes[3] = node("D", 100, 0, "storage", inv=10.0)
    links[3] = link(4, "D", "O", 0.3, 10.0, 9.0, length=100.0)
    assert not only(check_network(nodes, links, "sewer"), "diameter_decrease")


def test_loop_in_gravity_sewer_but_not_in_supply() -> None:
    nodes, links = base_sewer()
    nodes.append(node("E", 200, 0, inv=10.5))
    links += [link(5, "D", "E", 0.3, 10.0, 9.9, length=100), link(6, "E", "C", 0.3, 10.5, 10.4,
                                                                 length=100)]
    found = check_network(nodes, links, "sewer")
    loops = only(found, "gravity_loop")
    assert len(loops) == 1
    assert set(loops[0].link_ids) == {3, 5, 6} and set(loops[0].node_ids) == {"C", "D", "E"}
    assert loops[0].params["size"] == 3
    assert not only(check_network(nodes, links, "supply"), "gravity_loop")


def test_disconnected_part_and_isolated_node() -> None:
    nodes, links = base_sewer()
    nodes += [node("P", 1000, 0, inv=5.0), node("Q", 1000, -50, inv=4.0), node("Z", 3000, 0)]
    links.append(link(7, "P", "Q", 0.3, 5.0, 4.0, length=50))
    found = check_network(nodes, links, "sewer")
    part = only(found, "disconnected_part")
    assert len(part) == 1 and part[0].node_ids == ("P", "Q") and part[0].severity == "warning"
    assert part[0].params == {"size": 2, "links": 1, "main_size": 5, "node": "N-P",
                              "has_end": False}
    assert part[0].lon is not None
    iso = only(found, "isolated_node")
    assert [f.node_ids for f in iso] == [("Z",)]
    # Q has nowhere to drain
    assert [f.node_ids for f in only(found, "downstream_dead_end")] == [("Q",)]
    # a separate catchment with its own outfall is only informational
    nodes[-2] = node("Q", 1000, -50, "outfall", inv=4.0)
    part = only(check_network(nodes, links, "sewer"), "disconnected_part")
    assert part[0].severity == "info" and part[0].params["has_end"] is True


def test_duplicate_nodes_within_tolerance() -> None:
    nodes, links = base_sewer()
    nodes += [node("C2", 100.3, 100.1), node("far", 100, 101.0)]  # 0.32 m and 1 m from C
    found = check_network(nodes, links, "sewer")
    dup = only(found, "duplicate_node")
    assert len(dup) == 1 and set(dup[0].node_ids) == {"C", "C2"}
    assert dup[0].params["distance"] == pytest.approx(0.316, abs=0.01)
    wide = only(check_network(nodes, links, "sewer", CheckOptions(duplicate_tolerance_m=1.5)),
                "duplicate_node")
    assert len(wide) == 1 and set(wide[0].node_ids) == {"C", "C2", "far"}
    assert wide[0].params["count"] == 3


def test_links_to_missing_nodes_and_self_loops() -> None:
    nodes, links = base_sewer()
    links += [link(8, "D", None), link(9, "ghost", "C"), link(10, None, None), link(11, "A", "A")]
    found = check_network(nodes, links, "sewer")
    miss = {f.link_ids[0]: f for f in only(found, "link_missing_node")}
    assert set(miss) == {8, 9, 10}
    assert miss[8].params["missing"] == "to" and miss[8].node_ids == ("D",)
    assert miss[9].params["missing"] == "from" and miss[9].params["from_node"] == "ghost"
    assert miss[10].params["missing"] == "both" and miss[10].lon is None
    assert all(f.severity == "error" for f in miss.values())
    assert [f.link_ids for f in only(found, "link_self_loop")] == [(11,)]
    # the dangling half-links do not make D or C look connected to anything new
    assert not only(found, "disconnected_part")


def test_duplicate_links_and_node_ids() -> None:
    nodes, links = base_sewer()
    links.append(link(12, "C", "D", 0.4, 11.0, 10.0, length=100.0))
    nodes.append(node("A", 5, 5))
    found = check_network(nodes, links, "sewer")
    dl = only(found, "duplicate_link")
    assert len(dl) == 1 and dl[0].link_ids == (3, 12) and dl[0].severity == "info"
    assert [f.node_ids for f in only(found, "duplicate_node_id")] == [("A",)]
    assert not only(check_network(nodes, links, "sewer", CheckOptions(duplicate_links=False)),
                    "duplicate_link")


def test_supply_dangling_rules() -> None:
    nodes = [node("R", 0, 0, "reservoir"), node("J1", 100, 0, "junction"),
             node("J2", 200, 0, "junction"), node("H", 200, 50, "hydrant"),
             node("J3", 300, 0, "junction")]
    links = [link(1, "R", "J1", kind="pipe"), link(2, "J1", "J2", kind="pipe"),
             link(3, "J2", "H", kind="pipe"), link(4, "J2", "J3", kind="pipe")]
    found = check_network(nodes, links, "supply")
    assert [f.node_ids for f in only(found, "dangling_node")] == [("J3",)]
    assert only(found, "dangling_node")[0].severity == "warning"
    assert codes(found) == {"dangling_node"}


def test_sorting_summary_and_validation() -> None:
    nodes, links = base_sewer()
    links[2] = link(3, "C", "D", 0.4, 10.0, 10.2, length=100.0)
    links.append(link(9, "ghost", "C"))
    found = check_network(nodes, links, "sewer")
    ranks = [chk.SEVERITY_ORDER[f.severity] for f in found]
    assert ranks == sorted(ranks)
    assert [f.code for f in found][:2] == ["adverse_slope", "link_missing_node"]
    assert summarize(found) == {"adverse_slope": 1, "link_missing_node": 1, "upstream_end": 2}
    assert found[0].to_dict()["link_ids"] == [3]
    with pytest.raises(ValueError):
        check_network(nodes, links, "gas")


def test_kinds_mirror_the_registry() -> None:
    from zhishui.network import models

    assert chk.GRAVITY_KINDS == models.GRAVITY_KINDS
    assert chk.NETWORK_KINDS == models.NETWORK_KINDS
    assert set(models.NODE_KINDS) >= chk.END_KINDS | chk.STUB_KINDS["supply"]


def test_inputs_from_model() -> None:
    model = NetworkModel("swmm", nodes=[NodeRecord("a", "manhole", 1.0, 2.0, invert_elev=3.0),
                                        NodeRecord("b", "outfall", 1.0, 2.001)],
                         links=[LinkRecord("p", "conduit", "a", "b", diameter=0.3)])
    nodes, links = chk.inputs_from_model(model, to_lonlat=lambda x, y: (x + 100, y))
    assert nodes[0] == CheckNode("a", "a", "manhole", 101.0, 2.0, 3.0, None)
    assert links[0].from_id == "a" and links[0].diameter == 0.3
    assert serious(check_network(nodes, links, "sewer")) == []


def big_tree(n_links: int = 30_000) -> tuple[list[CheckNode], list[CheckLink]]:
    """A binary tree draining to outfall 0; node i drains to (i - 1) // 2."""
    nodes, links = [], []
    for i in range(n_links + 1):
        d = (i + 1).bit_length() - 1
        k = i + 1 - (1 << d)
        nodes.append(node(i, (k + 0.5) * (1 << (15 - d)) * 3.0, -50.0 * d,
                          "outfall" if i == 0 else "manhole", inv=10.0 + d))
        if i:
            links.append(link(i, i, (i - 1) // 2, 0.3 + 0.05 * (15 - d), 10.0 + d, 9.0 + d,
                              length=60.0))
    return nodes, links


def test_large_tree() -> None:
    nodes, links = big_tree()
    assert len(links) == 30_000
    found = check_network(nodes, links, "sewer")
    leaves = sum(1 for i in range(len(nodes)) if 2 * i + 1 >= len(nodes))
    assert summarize(found) == {"upstream_end": leaves}
    links[12_345] = link(12_346, 12_346, 6172, 0.4, 5.0, 6.0, length=60.0)
    found = check_network(nodes, links, "sewer")
    assert [f.link_ids for f in serious(found)] == [(12_346,)]


# -- real networks ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def l_town() -> tuple[list[CheckNode], list[CheckLink]]:
    if not L_TOWN.exists():
        pytest.skip("L-TOWN.inp not available")
    wntr = pytest.importorskip("wntr")
    wn = wntr.network.WaterNetworkModel(str(L_TOWN))
    kinds = {"Junction": "junction", "Reservoir": "reservoir", "Tank": "tank"}
    nodes = [CheckNode(name, name, kinds[n.node_type], *ll(*n.coordinates))
             for name, n in wn.nodes()]
    lkinds = {"Pipe": "pipe", "Pump": "pump", "Valve": "valve"}
    links = [CheckLink(name, lk.start_node_name, lk.end_node_name, name, lkinds[lk.link_type],
                       getattr(lk, "diameter", None), getattr(lk, "length", None))
             for name, lk in wn.links()]
    return nodes, links


def test_l_town_is_one_part(l_town) -> None:
    nodes, links = l_town
    assert len(nodes) == 785 and len(links) == 909
    found = check_network(nodes, links, "supply")
    assert not codes(found) & {"disconnected_part", "isolated_node", "link_missing_node",
                               "link_self_loop", "duplicate_node_id", "adverse_slope"}
    g = nx.MultiGraph([(lk.from_id, lk.to_id) for lk in links])
    ends = {n.id for n in nodes if n.kind == "junction" and len(set(g[n.id])) == 1}
    assert {f.node_ids[0] for f in only(found, "dangling_node")} == ends
    assert summarize(found) == {"dangling_node": 35}


def test_l_town_removed_pipe_splits_it(l_town) -> None:
    nodes, links = l_town
    g = nx.Graph([(lk.from_id, lk.to_id) for lk in links])
    by_pair = {frozenset((lk.from_id, lk.to_id)): lk for lk in links}
    for a, b in nx.bridges(g):
        h = g.copy()
        h.remove_edge(a, b)
        small = min(nx.connected_components(h), key=len)
        if len(small) >= 3:
            cut = by_pair[frozenset((a, b))]
            break
    else:  # pragma: no cover
        pytest.fail("L-TOWN has no bridge to cut")
    found = check_network(nodes, [lk for lk in links if lk is not cut], "supply")
    part = only(found, "disconnected_part")
    assert len(part) == 1 and set(part[0].node_ids) == small
    assert part[0].params["main_size"] == len(nodes) - len(small)


def read_swmm(path: Path) -> tuple[list[CheckNode], list[CheckLink]]:
    """Just enough of a SWMM .inp (US units, depth offsets) for the check."""
    sections: dict[str, list[list[str]]] = {}
    cur = ""
    for raw in path.read_text().splitlines():
        line = raw.split(";", 1)[0].strip()
        if line.startswith("["):
            cur = line.upper()
        elif line:
            sections.setdefault(cur, []).append(line.split())
    coords = {r[0]: ll(float(r[1]) * FT, float(r[2]) * FT) for r in sections["[COORDINATES]"]}
    inv: dict[str, float] = {}
    nodes = []
    for sec, kind in (("[JUNCTIONS]", "manhole"), ("[OUTFALLS]", "outfall"),
                      ("[STORAGE]", "storage"), ("[DIVIDERS]", "divider")):
        for r in sections.get(sec, []):
            inv[r[0]] = float(r[1]) * FT
            nodes.append(CheckNode(r[0], r[0], kind, *coords[r[0]], inv[r[0]]))
    geom1 = {r[0]: float(r[2]) * FT for r in sections.get("[XSECTIONS]", [])}
    links = [CheckLink(r[0], r[1], r[2], r[0], "conduit", geom1.get(r[0]), float(r[3]) * FT,
                       inv[r[1]] + float(r[5]) * FT, inv[r[2]] + float(r[6]) * FT)
             for r in sections.get("[CONDUITS]", [])]
    for sec, kind in (("[ORIFICES]", "orifice"), ("[WEIRS]", "weir"), ("[PUMPS]", "pump")):
        links += [CheckLink(r[0], r[1], r[2], r[0], kind) for r in sections.get(sec, [])]
    return nodes, links


@pytest.fixture(scope="module")
def gamma() -> tuple[list[CheckNode], list[CheckLink]]:
    pystorms = pytest.importorskip("pystorms")
    return read_swmm(Path(pystorms.__file__).parent / "networks" / "gamma.inp")


def test_pystorms_gamma_is_clean(gamma) -> None:
    nodes, links = gamma
    assert len(nodes) == 22 and len(links) == 21
    assert check_network(nodes, links, "storm") == []


def test_pystorms_gamma_planted_defects(gamma) -> None:
    nodes, links = gamma
    links = list(links)
    i = next(k for k, lk in enumerate(links) if lk.id == "3C2")
    lk = links[i]
    links[i] = CheckLink(lk.id, lk.from_id, lk.to_id, lk.external_id, lk.kind, lk.diameter,
                         lk.length, lk.down_invert, lk.up_invert)  # reversed inverts
    found = check_network(nodes, [lk for lk in links if lk.id != "6C5"], "storm")
    assert [f.link_ids for f in only(found, "adverse_slope")] == [("3C2",)]
    part = only(found, "disconnected_part")
    assert len(part) == 1 and part[0].severity == "warning"
    assert set(part[0].node_ids) == {"9", "J13", "8", "J14", "6", "J15", "7", "J22"}
    assert part[0].params["main_size"] == 14
    assert [f.node_ids for f in only(found, "downstream_dead_end")] == [("J15",)]
