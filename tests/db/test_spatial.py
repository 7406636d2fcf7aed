"""The bbox filter is index-backed on both databases and agrees with an exact check."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from sqlalchemy import select, text

from zhishui.db.spatial import bbox_clause
from zhishui.network.models import Component


def _load(ctx, n: int = 2000) -> np.ndarray:
    rng = np.random.default_rng(7)
    xy = np.column_stack([119.6 + rng.random(n) * 0.1, 30.6 + rng.random(n) * 0.1])
    with ctx.unit_of_work() as s:
        s.add_all(Component(code=f"3305230101{i:06d}", class_code="0101",
                            division_code="330523", geom=shapely.Point(x, y))
                  for i, (x, y) in enumerate(xy))
    return xy


def test_bbox_matches_brute_force(ctx):
    xy = _load(ctx)
    rng = np.random.default_rng(8)
    with ctx.unit_of_work() as s:
        for _ in range(20):
            x0, y0 = 119.6 + rng.random() * 0.09, 30.6 + rng.random() * 0.09
            box = (x0, y0, x0 + 0.01, y0 + 0.01)
            stmt = select(Component.code).where(
                bbox_clause(Component.__table__, box, ctx.engine.dialect.name))
            got = set(s.scalars(stmt))
            inside = (xy[:, 0] >= box[0]) & (xy[:, 0] <= box[2]) & (xy[:, 1] >= box[1]) & (
                xy[:, 1] <= box[3])
            want = {f"3305230101{i:06d}" for i in np.flatnonzero(inside)}
            # The index stores float32 boxes rounded outwards: at most points within ~1 m extra.
            assert want <= got
            assert len(got - want) <= 2


def test_bbox_query_plan_uses_the_spatial_index(ctx):
    _load(ctx, 50)
    box = (119.61, 30.61, 119.62, 30.62)
    stmt = select(Component.code).where(
        bbox_clause(Component.__table__, box, ctx.engine.dialect.name))
    sql = str(stmt.compile(ctx.engine, compile_kwargs={"literal_binds": True}))
    with ctx.engine.connect() as conn:
        if ctx.engine.dialect.name == "postgresql":
            conn.execute(text("SET enable_seqscan = off"))
            plan = "\n".join(r[0] for r in conn.execute(text("EXPLAIN " + sql)))
            assert "gix_components_geom" in plan
        else:
            plan = "\n".join(str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
            assert "rtree_components_geom VIRTUAL TABLE INDEX" in plan


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_rtree_follows_updates_and_deletes(ctx):
    _load(ctx, 10)
    with ctx.unit_of_work() as s:
        c = s.scalar(select(Component).where(Component.code == "3305230101000003"))
        c.geom = shapely.Point(120.5, 31.5)
        s.delete(s.scalar(select(Component).where(Component.code == "3305230101000004")))
    with ctx.engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT id, minx FROM rtree_components_geom")).all())
    assert len(rows) == 9 and abs(rows[c.id] - 120.5) < 1e-4
