"""The bulk writer: same rows as the ORM bulk calls, spatial index exact, all or nothing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import shapely
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from tests.factories import load_storm

from zhishui.core.errors import InputRejected
from zhishui.db import bulk
from zhishui.db.engine import TRIGGER_SWITCH
from zhishui.db.spatial import bbox_clause, create_spatial_index, drop_spatial_index, rtree_name
from zhishui.network.features import import_features
from zhishui.network.models import Component
from zhishui.network.records import FeatureRecord
from zhishui.org.scope import SYSTEM

TABLE = Component.__table__
DUMP = ("code", "class_code", "name", "division_code", "grid_code", "owner_department", "status")


def _rows(n: int, seed: int, serial0: int = 0, none_ok: bool = True) -> list[dict[str, Any]]:
    """ORM-style row dicts with the quirks that matter: None, missing keys, JSON, no geometry."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        row: dict[str, Any] = {
            "code": f"3305230101{serial0 + i:06d}",
            "class_code": "0101",
            "name": None if i % 5 == 0 else f"井盖{i}",
            "division_code": "330523001",
            "attrs": None if i % 3 == 0 else {"material": "铸铁", "n": i},
            "geom": None
            if i % 17 == 0
            else shapely.Point(rng.uniform(119.5, 119.9), rng.uniform(30.5, 30.8)),
        }
        if i % 4:
            row["status"] = None if i % 4 == 1 and none_ok else "broken"
        if i % 2:
            row["owner_department"] = "住建局"
        rows.append(row)
    return rows


def _orm_upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    """What features._upsert did before the bulk writer: ORM bulk insert / update by id."""
    existing = dict(session.execute(select(Component.code, Component.id)).all())
    new = [r for r in rows if r["code"] not in existing]
    old = [{**r, "id": existing[r["code"]]} for r in rows if r["code"] in existing]
    if new:
        session.execute(insert(Component), new)
    if old:
        session.execute(update(Component), old)
    session.flush()


def _bulk_upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    keys = list(dict.fromkeys(k for r in rows for k in r))
    columns = {k: [r.get(k, bulk.MISSING) for r in rows] for k in keys}
    existing = bulk.lookup_ids(session, TABLE, "code", columns["code"])
    bulk.upsert(session, TABLE, columns, [existing.get(c) for c in columns["code"]])
    session.flush()


def _dump(session: Session) -> list[tuple[Any, ...]]:
    """Every stored value by code, geometry and JSON as the database holds them."""
    if session.get_bind().dialect.name == "postgresql":
        geom, attrs = "ST_AsEWKB(geom)", "attrs::text"
    else:
        geom, attrs = "geom", "attrs"
    sql = f"SELECT {', '.join(DUMP)}, {attrs}, attrs IS NULL, {geom} FROM components ORDER BY code"
    return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
            for r in session.execute(text(sql))]


def _index(session: Session) -> list[tuple[Any, ...]]:
    """The R*Tree (SQLite) by code; on PostGIS the GiST needs no rows of its own."""
    if session.get_bind().dialect.name == "postgresql":
        return []
    rt = rtree_name("components")
    sql = f"SELECT c.code, r.minx, r.maxx, r.miny, r.maxy FROM {rt} r JOIN components c USING (id)"
    return sorted(session.execute(text(sql)).all())


def _window(rng: np.random.Generator, xy: np.ndarray) -> tuple[float, float, float, float]:
    """A random window with no point within float32 rounding (the index's boxes) of its edges."""
    while True:
        x0, y0 = rng.uniform(119.45, 119.9), rng.uniform(30.45, 30.8)
        box = (x0, y0, x0 + rng.uniform(0.001, 0.2), y0 + rng.uniform(0.001, 0.2))
        near = np.min(np.abs(xy[:, :1] - np.array(box)[[0, 2]]), axis=1, initial=1.0)
        near = np.minimum(near, np.min(np.abs(xy[:, 1:] - np.array(box)[[1, 3]]), axis=1))
        if not np.any(near < 1e-4):
            return box


def _check_index_exact(session: Session, windows: int = 60) -> None:
    """Index-backed bbox results equal a brute-force shapely check, for random windows."""
    rows = session.execute(select(Component.id, Component.geom)).all()
    ids = np.array([r[0] for r in rows])
    geoms = np.array([r[1] for r in rows], dtype=object)
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        rt = rtree_name("components")
        assert session.execute(text(f"SELECT rtreecheck('{rt}')")).scalar() == "ok"
        n_geom = sum(g is not None for g in geoms)
        assert session.scalar(text(f"SELECT count(*) FROM {rt}")) == n_geom
    rng = np.random.default_rng(7)
    xy = shapely.get_coordinates(geoms[[g is not None for g in geoms]])
    for _ in range(windows):
        box = _window(rng, xy)
        stmt = select(TABLE.c.id).where(bbox_clause(TABLE, box, dialect))
        got = set(session.scalars(stmt))
        hit = shapely.intersects(geoms, shapely.box(*box))
        assert got == set(ids[np.asarray(hit, dtype=bool)].tolist()), box


@pytest.mark.parametrize("chunk", [7, bulk.CHUNK])
def test_bulk_stores_what_the_orm_stores(ctx, monkeypatch, chunk):
    monkeypatch.setattr(bulk, "CHUNK", chunk)
    first, second = _rows(60, 1), _rows(40, 2, serial0=30, none_ok=False)  # 30 updated, 10 new
    dumps, indexes = [], []
    for write in (_orm_upsert, _bulk_upsert):
        with ctx.unit_of_work() as s:
            write(s, first)
        with ctx.unit_of_work() as s:
            write(s, second)
        with ctx.unit_of_work() as s:
            dumps.append(_dump(s))
            indexes.append(_index(s))
            _check_index_exact(s)
            s.execute(text("DELETE FROM components"))
    assert len(dumps[0]) == 70
    assert dumps[1] == dumps[0]
    assert indexes[1] == indexes[0]


def test_update_with_none_where_not_null_fails_like_the_orm(ctx):
    with ctx.unit_of_work() as s:
        _bulk_upsert(s, _rows(3, 1))
    bad = [{"code": "3305230101000001", "status": None}]
    with pytest.raises(IntegrityError), ctx.unit_of_work() as s:
        _bulk_upsert(s, bad)


def test_point_wkb_is_shapely_wkb():
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(-180, 180, 50), rng.uniform(-90, 90, 50)
    lon[4], lat[9] = np.nan, np.nan
    pts = shapely.points(lon, lat)
    wkb, ewkb = bulk.point_wkb(lon, lat), bulk.point_wkb(lon, lat, 4326)
    for i in range(50):
        if i in (4, 9):
            assert wkb[i] is None and ewkb[i] is None
            continue
        assert wkb[i] == shapely.to_wkb(pts[i])
        srid = shapely.set_srid(pts[i], 4326)
        assert ewkb[i] == shapely.to_wkb(srid, hex=True, include_srid=True)


def test_hilbert_order_is_a_permutation_that_keeps_neighbours_close():
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 1, 4000), rng.uniform(0, 1, 4000)
    order = bulk.hilbert_order(x, y)
    assert sorted(order.tolist()) == list(range(4000))
    steps = np.hypot(np.diff(x[order]), np.diff(y[order]))
    assert np.median(steps) < 0.05  # random order: ~0.5


def _components(n: int, seed: int, serial0: int = 0) -> list[FeatureRecord]:
    rng = np.random.default_rng(seed)
    xs, ys = rng.uniform(119.5, 119.9, n), rng.uniform(30.5, 30.8, n)
    return [
        FeatureRecord(f"3305230101{serial0 + i:06d}", "0101", float(xs[i]), float(ys[i]),
                      f"井盖{i}", {"material": "铸铁"} if i % 2 else {}, line=i + 2)
        for i in range(n)
    ]


def test_import_inserts_updates_and_keeps_the_index_exact(county, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 500)
    with county.unit_of_work() as s:
        got = import_features(s, "components", _components(2000, 1), SYSTEM, None, "a")
    assert got == {"inserted": 2000, "updated": 0}
    moved = _components(1500, 2, serial0=1000)  # 1000 move, 500 are new
    with county.unit_of_work() as s:
        got = import_features(s, "components", moved, SYSTEM, None, "b")
    assert got == {"inserted": 500, "updated": 1000}
    with county.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(Component)) == 2500
        c = s.scalar(select(Component).where(Component.code == "3305230101001000"))
        assert c.geom.equals(shapely.Point(moved[0].x, moved[0].y))
        assert c.division_code.startswith("330523") and c.attrs is None
        _check_index_exact(s)
        # ORM writes on the same connection still go through the triggers afterwards.
        s.add(Component(code="3305230101900000", class_code="0101", division_code="330523",
                        geom=shapely.Point(119.61, 30.61)))
        s.flush()
        s.execute(update(Component).where(Component.code == "3305230101000001")
                  .values(geom=shapely.Point(119.7, 30.7)))
        _check_index_exact(s)


def test_a_failing_bulk_write_leaves_nothing_behind(county, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 100)
    with county.unit_of_work() as s:
        import_features(s, "components", _components(300, 1), SYSTEM, None, "a")
        before = _dump(s), _index(s)
    rows = _rows(450, 5, serial0=200, none_ok=False)  # 100 updates, 350 new rows...
    rows[-1]["code"] = rows[-2]["code"] = "3305230101999999"  # ...the last batch breaks
    with pytest.raises(IntegrityError), county.unit_of_work() as s:
        _bulk_upsert(s, rows)
    with county.unit_of_work() as s:
        assert (_dump(s), _index(s)) == before
        _check_index_exact(s)
        if s.get_bind().dialect.name == "sqlite":
            assert s.connection().connection.info[TRIGGER_SWITCH].on


def test_a_rejected_import_writes_nothing(county):
    recs = _components(50, 1)
    recs[30] = FeatureRecord("33052301010000xx", "0101", 119.6, 30.6, line=32)
    with pytest.raises(InputRejected) as err, county.unit_of_work() as s:
        import_features(s, "components", recs, SYSTEM, None, "bad")
    assert [(p.line, p.field) for p in err.value.problems] == [(32, "code")]
    with county.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(Component)) == 0


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the R*Tree triggers are SQLite's
def test_databases_with_unguarded_triggers_keep_their_index(ctx):
    with ctx.engine.begin() as conn:  # triggers as made before the switch existed
        drop_spatial_index(conn, "components")
        create_spatial_index(conn, "components")
        for suffix in ("ins", "upd"):
            name = f"{rtree_name('components')}_{suffix}"
            sql = conn.scalar(text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": name})
            conn.execute(text(f"DROP TRIGGER {name}"))
            conn.execute(text(sql.replace(" AND zs_rtree_auto()", "")
                              .replace("WHEN zs_rtree_auto() ", "")))
    with ctx.unit_of_work() as s:
        _bulk_upsert(s, _rows(80, 1))
    with ctx.unit_of_work() as s:
        _bulk_upsert(s, _rows(40, 2, serial0=50, none_ok=False))
    with ctx.unit_of_work() as s:
        _check_index_exact(s)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # PostGIS keeps its GiST itself
def test_network_import_writes_the_rtree_the_triggers_would(county):
    load_storm(county)
    load_storm(county)  # the second time every row is an update
    with county.unit_of_work() as s:
        for table in ("nodes", "links"):
            rt = rtree_name(table)
            s.execute(text("CREATE VIRTUAL TABLE temp.chk USING rtree(id, minx, maxx, miny, maxy)"))
            s.execute(text(f"INSERT INTO temp.chk SELECT id, zs_minx(geom), zs_maxx(geom), "
                           f"zs_miny(geom), zs_maxy(geom) FROM {table} WHERE geom IS NOT NULL"))
            expected = s.execute(text("SELECT * FROM temp.chk ORDER BY id")).all()
            assert len(expected) > 3
            assert s.execute(text(f"SELECT * FROM {rt} ORDER BY id")).all() == expected
            s.execute(text("DROP TABLE temp.chk"))
