"""Loading networks and point objects into the registry: transform, upsert, all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tests.factories import load_outfall, load_storm, storm_model

from zhishui.core.errors import InputRejected, PermissionDenied
from zhishui.network.features import import_features
from zhishui.network.models import Link, Network, Node, RiverOutfall
from zhishui.network.records import FeatureRecord
from zhishui.network.service import import_network
from zhishui.org.scope import SYSTEM, Actor


def test_import_then_reimport_updates_instead_of_duplicating(county):
    first = load_storm(county)
    assert first["inserted"] == {"nodes": 6, "links": 5}
    second = load_storm(county)
    assert second["inserted"] == {"nodes": 0, "links": 0}
    assert second["updated"] == {"nodes": 6, "links": 5}
    with county.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(Node)) == 6
        link = s.scalar(select(Link).where(Link.external_id == "P0"))
        assert link.length == pytest.approx(95.9, abs=0.5)  # geodesic, 0.001° at 30.6°N
        assert link.slope == pytest.approx((18.0 - 16.95) / link.length, rel=1e-6)
        assert link.geom.coords[0] == pytest.approx((119.610, 30.610))


def test_nodes_get_the_division_that_contains_them(county):
    load_storm(county)
    with county.unit_of_work() as s:
        codes = dict(s.execute(select(Node.external_id, Node.division_code)).all())
    assert codes["J0"] == "330523001001"  # inside the community box


def test_bad_network_is_rejected_whole(county):
    model = storm_model()
    model.links[2].to_node = "NOPE"
    model.links[2].line = 7
    model.nodes[1].kind = "teapot"
    with pytest.raises(InputRejected) as err, county.unit_of_work() as s:
        import_network(s, model, "storm-b", "storm", SYSTEM, "330523")
    fields = {(p.field, p.line) for p in err.value.problems}
    assert ("to_node", 7) in fields and any(f == "kind" for f, _ in fields)
    with county.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(Network)) == 0
        assert s.scalar(select(func.count()).select_from(Node)) == 0


def test_new_network_needs_a_kind(county):
    with pytest.raises(Exception, match="--kind"), county.unit_of_work() as s:
        import_network(s, storm_model(), "x", None, SYSTEM, "330523")


def test_street_user_cannot_import_into_the_county(county):
    street = Actor(9, "street1", frozenset({"operator"}), 2, "street", "330523001")
    with pytest.raises(PermissionDenied), county.unit_of_work() as s:
        import_network(s, storm_model(), "x", "storm", street, "330523")


def test_outfall_links_to_its_node_and_updates_by_code(county):
    load_storm(county)
    assert load_outfall(county) == {"inserted": 1, "updated": 0}
    assert load_outfall(county) == {"inserted": 0, "updated": 1}
    with county.unit_of_work() as s:
        outfall = s.scalar(select(RiverOutfall))
        node = s.get(Node, outfall.node_id)
        assert node.external_id == "OUT1"
        assert outfall.river == "西苕溪" and outfall.discharge_limits == {"COD": 50}


def test_bad_outfalls_name_row_and_field(county):
    recs = [
        FeatureRecord("RK-1", "secret", 119.6, 30.6, line=2),
        FeatureRecord("RK-2", "other", None, None, line=3),
        FeatureRecord("RK-2", "other", 119.6, 30.6, attrs={"node": "X", "network": "none"}, line=4),
    ]
    with pytest.raises(InputRejected) as err, county.unit_of_work() as s:
        import_features(s, "outfalls", recs, SYSTEM, None, "list.json")
    got = {(p.line, p.field) for p in err.value.problems}
    assert {(2, "type"), (3, "x/y"), (4, "code"), (4, "node")} <= got
    assert all(p.file == "list.json" for p in err.value.problems)


def test_component_codes_are_checked(county):
    recs = [
        FeatureRecord("3305230101000001", "0101", 119.61, 30.61, line=2),
        FeatureRecord("33052301010001", "0101", 119.61, 30.61, line=3),
        FeatureRecord("3305230102000001", "0101", 119.61, 30.61, line=4),
    ]
    with pytest.raises(InputRejected) as err, county.unit_of_work() as s:
        import_features(s, "components", recs, SYSTEM, None, "c.xlsx")
    assert {(p.line, p.field) for p in err.value.problems} == {(3, "code"), (4, "class")}
