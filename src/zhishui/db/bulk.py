"""Bulk upserts on the raw DBAPI (SQLite executemany, PostgreSQL COPY), spatial index exact."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import shapely
from sqlalchemy import Column, Connection, Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import JSON, TypeDecorator

from zhishui.db.base import SPATIAL_TABLES
from zhishui.db.engine import TRIGGER_SWITCH
from zhishui.db.spatial import TRIGGER_GUARD, rtree_name
from zhishui.db.types import STORAGE_SRID, Geometry

CHUNK = 20_000  # rows converted at a time, so that PostgreSQL works on a COPY while we convert
SQLITE_IN_CHUNK = 900
PG_ANY_CHUNK = 50_000


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


# A row without this key, as when an ORM row dict lacks it: insert → column default, update → kept.
MISSING: Final = _Missing()


@dataclass(frozen=True)
class Points:
    """Point geometries as lon/lat arrays (EPSG:4326); a NaN coordinate means no geometry."""

    lon: np.ndarray
    lat: np.ndarray


@dataclass(frozen=True)
class Upserted:
    inserted: int
    updated: int


Values = Sequence[Any] | Points
Bounds = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
Batches = Iterator[tuple[list[int], list[tuple[Any, ...]]]]


def lookup_ids(session: Session, table: Table, column: str, keys: Sequence[str]) -> dict[str, int]:
    """Map each key already present in `table.column` to its row id."""
    session.flush()
    conn = session.connection()
    found: dict[str, int] = {}
    if not keys or not conn.exec_driver_sql(f"SELECT EXISTS (SELECT 1 FROM {table.name})").scalar():
        return found  # a first load: nothing to look up
    if conn.dialect.name == "postgresql":
        sql = f"SELECT {column}, id FROM {table.name} WHERE {column} = ANY(%s)"
        for i in range(0, len(keys), PG_ANY_CHUNK):
            found.update(conn.exec_driver_sql(sql, (list(keys[i : i + PG_ANY_CHUNK]),)).all())
        return found
    for i in range(0, len(keys), SQLITE_IN_CHUNK):
        chunk = tuple(keys[i : i + SQLITE_IN_CHUNK])
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT {column}, id FROM {table.name} WHERE {column} IN ({marks})"
        found.update(conn.exec_driver_sql(sql, chunk).all())
    return found


def upsert(
    session: Session, table: Table, columns: Mapping[str, Values], ids: Sequence[int | None]
) -> Upserted:
    """Insert the rows whose id is None and update the others by id, like the ORM bulk calls.

    Stores what `session.execute(insert(model), rows)` / `update(model)` store: on insert a
    None or MISSING value takes the column default (else NULL); on update None is written (JSON
    None as 'null') and MISSING leaves the column as it is. Geometry is WKB on SQLite and EWKB
    with SRID 4326 on PostGIS; on SQLite the R*Tree rows are written here, in step.
    """
    session.flush()
    conn = session.connection()
    new = [i for i, v in enumerate(ids) if v is None]
    old = [i for i, v in enumerate(ids) if v is not None]
    writer = _Postgres(conn, table) if conn.dialect.name == "postgresql" else _SQLite(conn, table)
    geom = columns.get(writer.geom) if writer.geom else None
    with writer.session():
        if new:
            names = [c.name for c in table.columns if not c.primary_key]
            convs = [_Converter(conn, table.c[n], columns.get(n)) for n in names]
            writer.insert(names, _batches(new, [c.insert for c in convs]), geom)
        for names, rows in _update_groups(table, columns, old).items():
            convs = [_Converter(conn, table.c[n], columns[n]) for n in names]
            makers = [_ids_of(ids), *(c.update for c in convs)]
            moved = geom if writer.geom in names else None
            writer.update(list(names), _batches(rows, makers), moved)
    return Upserted(len(new), len(old))


def _ids_of(ids: Sequence[int | None]) -> Callable[[list[int]], list[Any]]:
    return lambda rows: [int(ids[i]) for i in rows]  # type: ignore[arg-type]


def _batches(rows: list[int], makers: list[Callable[[list[int]], list[Any]]]) -> Batches:
    """Rows converted CHUNK at a time: (row indexes, parameter tuples)."""
    for k in range(0, len(rows), CHUNK):
        part = rows[k : k + CHUNK]
        yield part, list(zip(*(make(part) for make in makers), strict=True))


def _update_groups(
    table: Table, columns: Mapping[str, Values], rows: list[int]
) -> dict[tuple[str, ...], list[int]]:
    """Old rows grouped by the columns they carry (MISSING ones are left out), as the ORM does."""
    names = [n for n in columns if n in table.c and not table.c[n].primary_key]
    gappy = [n for n in names if _has_missing(columns[n], rows)]
    if not gappy:
        return {tuple(names): rows} if rows else {}
    groups: dict[tuple[str, ...], list[int]] = {}
    for i in rows:
        present = tuple(n for n in names if n not in gappy or columns[n][i] is not MISSING)  # type: ignore[index]
        groups.setdefault(present, []).append(i)
    return groups


def _has_missing(values: Values, rows: list[int]) -> bool:
    return not isinstance(values, Points) and any(values[i] is MISSING for i in rows)


class _Converter:
    """Turns one column's values into DBAPI parameters, as the column's type would bind them."""

    def __init__(self, conn: Connection, col: Column[Any], values: Values | None) -> None:
        self.values, self.pg = values, conn.dialect.name == "postgresql"
        self.geometry = isinstance(col.type, Geometry)
        t = col.type
        is_json = isinstance(t, TypeDecorator) and isinstance(t.impl_instance, JSON)
        if isinstance(t, JSON) or is_json:
            self.proc: Callable[[Any], Any] | None = json.dumps  # SQLAlchemy's default serializer
        else:
            self.proc = t._cached_bind_processor(conn.dialect)
        if col.server_default is not None and not self.geometry:
            raise NotImplementedError(f"bulk writes do not support the server default of {col}")
        self.fill = _default(col)

    def _pick(self, rows: list[int]) -> list[Any]:
        values = self.values
        if isinstance(values, Points):
            raise TypeError("Points are for geometry columns only")
        return [values[i] for i in rows]  # type: ignore[index]

    def insert(self, rows: list[int]) -> list[Any]:
        if self.values is None:
            return [self.fill() for _ in rows]
        if self.geometry:
            return _geometry(self.values, rows, self.pg)
        proc, fill = self.proc, self.fill
        if proc is None:
            return [fill() if v is None or v is MISSING else v for v in self._pick(rows)]
        return [fill() if v is None or v is MISSING else proc(v) for v in self._pick(rows)]

    def update(self, rows: list[int]) -> list[Any]:
        if self.geometry:
            return _geometry(self.values, rows, self.pg)  # type: ignore[arg-type]
        proc = self.proc
        return [proc(v) for v in self._pick(rows)] if proc else self._pick(rows)


def _default(col: Column[Any]) -> Callable[[], Any]:
    default = col.default
    if default is None:
        return lambda: None
    if default.is_scalar:
        value = default.arg  # type: ignore[attr-defined]
        return lambda: value
    if default.is_callable:
        fn = default.arg  # type: ignore[attr-defined]
        return lambda: fn(None)
    raise NotImplementedError(f"bulk writes do not support the default of {col}")


def _geometry(values: Values, rows: list[int], pg: bool) -> list[Any]:
    """WKB (SQLite) or hex EWKB with SRID 4326 (PostGIS), byte-identical to types.Geometry."""
    if isinstance(values, Points):
        return point_wkb(values.lon[rows], values.lat[rows], STORAGE_SRID if pg else None)
    geoms = _shapes(values, rows)
    if not pg:
        return shapely.to_wkb(geoms).tolist()
    geoms = shapely.set_srid(geoms, STORAGE_SRID)
    return shapely.to_wkb(geoms, hex=True, include_srid=True).tolist()


def point_wkb(lon: np.ndarray, lat: np.ndarray, srid: int | None = None) -> list[Any]:
    """2D little-endian point WKB (bytes), or hex EWKB with `srid`; None where x or y is NaN."""
    fields = [("order", "u1"), ("type", "<u4"), ("x", "<f8"), ("y", "<f8")]
    if srid is not None:
        fields.insert(2, ("srid", "<u4"))
    arr = np.empty(len(lon), dtype=np.dtype(fields))
    arr["order"] = 1
    arr["type"] = 1 if srid is None else 0x20000001
    if srid is not None:
        arr["srid"] = srid
    arr["x"], arr["y"] = lon, lat
    size = arr.dtype.itemsize
    if srid is None:
        buf: Any = arr.tobytes()
    else:
        buf, size = arr.tobytes().hex().upper(), 2 * size
    out = [buf[k : k + size] for k in range(0, len(buf), size)]
    for k in np.flatnonzero(np.isnan(lon) | np.isnan(lat)).tolist():
        out[k] = None
    return out


def bounds(values: Values, rows: list[int]) -> Bounds:
    """(minx, miny, maxx, maxy) arrays of the chosen rows; NaN where there is no geometry."""
    if isinstance(values, Points):
        x, y = values.lon[rows], values.lat[rows]
        return x, y, x, y
    b = shapely.bounds(_shapes(values, rows))
    return b[:, 0], b[:, 1], b[:, 2], b[:, 3]


def _shapes(values: Sequence[Any], rows: list[int]) -> np.ndarray:
    """The chosen geometries as a shapely array; WKB is accepted as types.Geometry accepts it."""
    picked = [values[i] for i in rows]
    return np.asarray([shapely.from_wkb(bytes(v)) if isinstance(v, bytes | bytearray | memoryview)
                       else v for v in picked], dtype=object)


def hilbert_order(x: np.ndarray, y: np.ndarray, bits: int = 16) -> np.ndarray:
    """Indexes that sort points along a Hilbert curve over their extent (index locality)."""
    side = (1 << bits) - 1

    def scale(v: np.ndarray) -> np.ndarray:
        finite = v[np.isfinite(v)]
        if not len(finite):
            return np.zeros(len(v), dtype=np.int64)
        lo, hi = float(finite.min()), float(finite.max())
        v = np.nan_to_num(np.clip(v, lo, hi), nan=lo)
        return ((v - lo) / (hi - lo or 1.0) * side).astype(np.int64)

    xi, yi = scale(x), scale(y)
    d = np.zeros(len(x), dtype=np.int64)
    s = 1 << (bits - 1)
    while s:
        rx, ry = (xi & s) > 0, (yi & s) > 0
        d += s * s * ((3 * rx) ^ ry)
        flip = rx & ~ry
        xi, yi = np.where(flip, side - xi, xi), np.where(flip, side - yi, yi)
        xi, yi = np.where(ry, xi, yi), np.where(ry, yi, xi)
        s >>= 1
    return np.argsort(d, kind="stable")


class _SQLite:
    def __init__(self, conn: Connection, table: Table) -> None:
        self.conn, self.table = conn, table.name
        self.geom = SPATIAL_TABLES.get(table.name)
        self.rtree = rtree_name(table.name, self.geom) if self.geom else None
        self.write_index = False

    @contextmanager
    def session(self) -> Iterator[None]:
        """Turn this connection's R*Tree triggers off and write the index here, if they allow it."""
        switch = self.conn.connection.info.get(TRIGGER_SWITCH)
        self.write_index = switch is not None and self.rtree is not None and self._guarded()
        if not self.write_index:
            yield
            return
        switch.on = False
        try:
            yield
        finally:
            switch.on = True

    def _guarded(self) -> bool:
        """Whether the triggers read the switch (databases made before it maintain it alone)."""
        sql = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)"
        got = dict(self.conn.exec_driver_sql(sql, (f"{self.rtree}_ins", f"{self.rtree}_upd")).all())
        return len(got) == 2 and all(TRIGGER_GUARD in (s or "") for s in got.values())

    def insert(self, names: list[str], batches: Batches, geom: Values | None) -> None:
        marks = ", ".join("?" * len(names))
        sql = f"INSERT INTO {self.table} ({', '.join(names)}) VALUES ({marks})"
        first, rows_done, ids, parts = None, 0, [], []
        for rows, params in batches:
            self.conn.exec_driver_sql(sql, params)
            last = self.conn.exec_driver_sql("SELECT last_insert_rowid()").scalar_one()
            # Without AUTOINCREMENT each new row gets max(id) + 1 while this transaction holds
            # the write lock, so a batch's ids run up to last_insert_rowid() in row order.
            first = last - len(rows) + 1 if first is None else first
            ids.append(np.arange(last - len(rows) + 1, last + 1, dtype=np.int64))
            parts.append(rows)
            rows_done += len(rows)
        if first is None:
            return
        check = f"SELECT count(*), max(id) FROM {self.table} WHERE id >= ?"
        got = tuple(self.conn.exec_driver_sql(check, (first,)).one())
        if got != (rows_done, first + rows_done - 1):
            raise RuntimeError(f"bulk insert into {self.table}: the new ids are not consecutive")
        if self.write_index and geom is not None:
            self._index(np.concatenate(ids), bounds(geom, [i for p in parts for i in p]))

    def update(self, names: list[str], batches: Batches, geom: Values | None) -> None:
        sets = ", ".join(f"{n} = ?" for n in names)
        sql = f"UPDATE {self.table} SET {sets} WHERE id = ?"
        for rows, params in batches:
            params = [(*p[1:], p[0]) for p in params]
            result = self.conn.exec_driver_sql(sql, params)
            if result.rowcount != len(rows):
                raise StaleDataError(
                    f"UPDATE of {self.table} matched {result.rowcount} of {len(rows)} rows"
                )
            if self.write_index and geom is not None:
                ids = [p[-1] for p in params]
                drop = f"DELETE FROM {self.rtree} WHERE id = ?"
                self.conn.exec_driver_sql(drop, [(i,) for i in ids])
                self._index(np.asarray(ids, dtype=np.int64), bounds(geom, rows))

    def _index(self, ids: np.ndarray, box: Bounds) -> None:
        """R*Tree rows for the rows with a geometry, in Hilbert order (fewer node cache misses)."""
        minx, miny, maxx, maxy = box
        keep = ~(np.isnan(minx) | np.isnan(miny) | np.isnan(maxx) | np.isnan(maxy))
        cols = [ids[keep], minx[keep], maxx[keep], miny[keep], maxy[keep]]
        order = hilbert_order((cols[1] + cols[2]) / 2, (cols[3] + cols[4]) / 2)
        rows = list(zip(*(c[order].tolist() for c in cols), strict=True))
        if rows:
            sql = f"INSERT INTO {self.rtree} (id, minx, maxx, miny, maxy) VALUES (?, ?, ?, ?, ?)"
            self.conn.exec_driver_sql(sql, rows)


class _Postgres:
    STAGE = "zs_bulk_stage"

    def __init__(self, conn: Connection, table: Table) -> None:
        self.conn, self.table = conn, table.name
        self.geom = SPATIAL_TABLES.get(table.name)

    @contextmanager
    def session(self) -> Iterator[None]:
        yield  # PostgreSQL keeps the GiST index itself

    def _copy(self, sql: str, batches: Batches) -> None:
        import psycopg

        raw = self.conn.connection.dbapi_connection
        try:
            with raw.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[union-attr]
                for _rows, params in batches:
                    for row in params:
                        copy.write_row(row)
        except psycopg.Error as err:
            raise DBAPIError.instance(sql, None, err, psycopg.Error) from err

    def insert(self, names: list[str], batches: Batches, geom: Values | None) -> None:
        self._copy(f"COPY {self.table} ({', '.join(names)}) FROM STDIN", batches)

    def update(self, names: list[str], batches: Batches, geom: Values | None) -> None:
        cols = ", ".join(names)
        run = self.conn.exec_driver_sql
        run(f"CREATE TEMP TABLE {self.STAGE} ON COMMIT DROP AS "
            f"SELECT id, {cols} FROM {self.table} WITH NO DATA")
        self._copy(f"COPY {self.STAGE} (id, {cols}) FROM STDIN", batches)
        run(f"ANALYZE {self.STAGE}")
        expected = run(f"SELECT count(*) FROM {self.STAGE}").scalar_one()
        sets = ", ".join(f"{n} = s.{n}" for n in names)
        result = run(f"UPDATE {self.table} t SET {sets} FROM {self.STAGE} s WHERE t.id = s.id")
        run(f"DROP TABLE {self.STAGE}")
        if result.rowcount != expected:
            raise StaleDataError(f"UPDATE of {self.table} matched {result.rowcount} of {expected}")
