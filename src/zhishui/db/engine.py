"""Engines for SQLite (WAL, spatial functions, foreign keys) and PostgreSQL (pool)."""

from __future__ import annotations

import sqlite3
import struct
from typing import Any

import shapely
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from zhishui.core.settings import sqlite_path

_POINT = struct.Struct("<dd")


def make_engine(url: str, **kw: Any) -> Engine:
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None and path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kw)
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    # Plans for the actual values, always: psycopg prepares a statement after 5 runs and
    # PostgreSQL may then switch to a generic plan, blind to the bbox and scope values; for
    # the bbox + division-range query that plan ANDs in the division index (every row of a
    # county) and is ~100× slower. Prepared statements themselves stay (fast executemany).
    # No parallel workers for these short requests: for a 1 km² window the parallel plan
    # took 30–50 ms where the serial one takes 10–25 ms (2 cores, docs/benchmarks.md).
    options = "-c plan_cache_mode=force_custom_plan -c max_parallel_workers_per_gather=0"
    kw["connect_args"] = {"options": options, **kw.get("connect_args", {})}
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kw)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


class SpatialTriggers:
    """Per-connection switch read by the R*Tree triggers (`WHEN zs_rtree_auto()`).

    On by default; the bulk writer turns it off on its own connection while it writes the
    R*Tree rows itself, so that ordinary ORM writes keep the index in step through the triggers.
    """

    def __init__(self) -> None:
        self.on = True

    def __call__(self) -> int:
        return 1 if self.on else 0


TRIGGER_SWITCH = "zs_rtree_auto"


def _sqlite_on_connect(dbapi_conn: sqlite3.Connection, record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()
    for i, name in enumerate(("zs_minx", "zs_miny", "zs_maxx", "zs_maxy")):
        dbapi_conn.create_function(name, 1, _bound_getter(i), deterministic=True)
    switch = SpatialTriggers()
    dbapi_conn.create_function(TRIGGER_SWITCH, 0, switch)
    if record is not None:
        record.info[TRIGGER_SWITCH] = switch


def _bound_getter(i: int) -> Any:
    def bound(wkb: bytes | None) -> float | None:
        if wkb is None:
            return None
        return wkb_bounds(wkb)[i]

    return bound


_last: list[Any] = [None, None]


def wkb_bounds(wkb: bytes) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) of a WKB geometry; fast path for 2D little-endian points."""
    if _last[0] == wkb:
        return _last[1]
    if len(wkb) == 21 and wkb[0] == 1 and wkb[1:5] == b"\x01\x00\x00\x00":
        x, y = _POINT.unpack_from(wkb, 5)
        result = (x, y, x, y)
    else:
        result = tuple(shapely.bounds(shapely.from_wkb(wkb)).tolist())
    _last[0], _last[1] = wkb, result
    return result  # type: ignore[return-value]
