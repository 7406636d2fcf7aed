"""The demo county, loaded through the services into SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from rich.console import Console
from sqlalchemy import func, select

from zhishui.network.checking import check_registered
from zhishui.network.models import Component, Link, Network, Node, RiverOutfall, Subcatchment
from zhishui.org.models import Division, Grid, User
from zhishui.org.scope import SYSTEM
from zhishui.seed.demo import CATCHMENT_FILE, NETWORK_NAMES, load_demo, load_demo_if_empty


@pytest.fixture
def demo(ctx):
    users = load_demo(ctx, Console(quiet=True))
    return ctx, users


def test_demo_county_is_complete_and_consistent(demo, tmp_path):
    ctx, _users = demo
    with ctx.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(Grid)) == 50
        communities = s.scalar(select(func.count()).where(Division.level == "community"))
        assert communities == 4
        km = dict(
            s.execute(
                select(Network.kind, func.sum(Link.length) / 1000)
                .join(Network)
                .group_by(Network.kind)
            ).all()
        )
        assert 1120 < km["storm"] + km["sewer"] < 1240
        assert 40 < km["supply"] < 46  # L-TOWN: 43 km
        roles = {r for u in s.scalars(select(User)) for r in u.roles}
        assert roles == {
            "admin",
            "operator",
            "handler",
            "supervisor",
            "grid_worker",
            "leader",
            "citizen",
        }
        outfall = s.scalar(select(RiverOutfall).where(RiverOutfall.node_id.is_not(None)))
        assert s.get(Node, outfall.node_id).kind in ("outfall", "treatment_plant")
        assert s.scalar(select(func.count()).select_from(Subcatchment)) > 100
        assert s.scalar(select(func.count()).select_from(Component)) > 20000
        for name in NETWORK_NAMES.values():
            findings = check_registered(s, name, SYSTEM)
            assert not [f for f in findings if f.severity == "error"], name
    assert (tmp_path / "data" / CATCHMENT_FILE).exists()


def test_demo_is_loaded_once(demo):
    ctx, users = demo
    again = load_demo_if_empty(ctx, Console(quiet=True))
    assert [u.username for u in again] == [u.username for u in users]
    with ctx.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(Network)) == 3


def test_demo_logins_and_street_scope(demo):
    from zhishui.app import create_app

    ctx, users = demo
    street = next(u for u in users if u.username == "xf_operator")
    with TestClient(create_app(context=ctx)) as client:
        r = client.post(
            "/auth/login", json={"username": street.username, "password": street.password}
        )
        assert r.status_code == 200
        nets = {n["name"] for n in client.get("/api/v1/networks").json()}
        assert NETWORK_NAMES["supply"] in nets  # L-TOWN sits in 孝丰镇
        nodes = client.get("/api/v1/layers/nodes/features", params={"limit": 50}).json()
        assert nodes["numberMatched"] > 0
        assert all(
            f["properties"]["division_code"].startswith("330523101") for f in nodes["features"]
        )
