"""Small registry data built in code for API and service tests."""

from __future__ import annotations

from zhishui.bootstrap import Context
from zhishui.network.features import import_features
from zhishui.network.records import FeatureRecord, LinkRecord, NetworkModel, NodeRecord
from zhishui.network.service import import_network
from zhishui.org.scope import SYSTEM


def storm_model() -> NetworkModel:
    """Five manholes draining to an outfall along a street in 递铺街道 (lon/lat)."""
    nodes = [
        NodeRecord(
            f"J{i}",
            "manhole",
            119.610 + 0.001 * i,
            30.610,
            ground_elev=20.0 - i,
            invert_elev=18.0 - 1.1 * i,
            max_depth=2.0 + 0.1 * i,
        )
        for i in range(5)
    ]
    nodes.append(NodeRecord("OUT1", "outfall", 119.615, 30.610, invert_elev=12.0))
    links = []
    ids = [n.external_id for n in nodes]
    for i in range(5):
        links.append(
            LinkRecord(
                f"P{i}",
                "conduit",
                ids[i],
                ids[i + 1],
                diameter=0.3 + 0.1 * i,
                up_invert=nodes[i].invert_elev,
                down_invert=(nodes[i + 1].invert_elev or 0) + 0.05,
                material="concrete",
                install_year=2010 + i,
            )
        )
    return NetworkModel("test", nodes, links, crs="EPSG:4326", source="storm.test")


def load_storm(ctx: Context, name: str = "storm-a") -> dict:
    with ctx.unit_of_work() as s:
        return import_network(s, storm_model(), name, "storm", SYSTEM, "330523").as_dict()


def load_outfall(ctx: Context, code: str = "330523-RK-0001", network: str = "storm-a") -> dict:
    rec = FeatureRecord(
        code,
        "other",
        119.615,
        30.610,
        "城东排口",
        {"river": "西苕溪", "node": "OUT1", "network": network, "discharge_limits": {"COD": 50}},
    )
    with ctx.unit_of_work() as s:
        return import_features(s, "outfalls", [rec], SYSTEM, "EPSG:4326", "test")
