"""Spatial indexes and bounding-box filters: R*Tree on SQLite, GiST on PostGIS, one interface."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, Table, and_, select, text
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.sql import func
from sqlalchemy.sql.expression import TableClause

from zhishui.db.types import STORAGE_SRID

BBox = tuple[float, float, float, float]
TRIGGER_GUARD = "zs_rtree_auto()"


def rtree_name(table: str, column: str = "geom") -> str:
    return f"rtree_{table}_{column}"


def create_spatial_index(conn: Connection, table: str, column: str = "geom") -> None:
    """Create the index and, on SQLite, the triggers that keep the R*Tree in step."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                f"CREATE INDEX IF NOT EXISTS gix_{table}_{column} ON {table} USING gist ({column})"
            )
        )
        return
    rt = rtree_name(table, column)
    bounds = (
        f"zs_minx(new.{column}), zs_maxx(new.{column}), zs_miny(new.{column}), "
        f"zs_maxy(new.{column})"
    )
    # Insert and update triggers are guarded by a per-connection switch (see db.engine) that
    # db.bulk turns off while it writes the R*Tree rows itself; deletes always go through.
    for sql in (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {rt} USING rtree(id, minx, maxx, miny, maxy)",
        f"CREATE TRIGGER IF NOT EXISTS {rt}_ins AFTER INSERT ON {table} "
        f"WHEN new.{column} IS NOT NULL AND {TRIGGER_GUARD} "
        f"BEGIN INSERT INTO {rt} VALUES (new.id, {bounds}); END",
        f"CREATE TRIGGER IF NOT EXISTS {rt}_upd AFTER UPDATE OF {column} ON {table} "
        f"WHEN {TRIGGER_GUARD} BEGIN "
        f"DELETE FROM {rt} WHERE id = old.id; "
        f"INSERT INTO {rt} SELECT new.id, {bounds} WHERE new.{column} IS NOT NULL; END",
        f"CREATE TRIGGER IF NOT EXISTS {rt}_del AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM {rt} WHERE id = old.id; END",
        f"INSERT INTO {rt} SELECT id, zs_minx({column}), zs_maxx({column}), zs_miny({column}), "
        f"zs_maxy({column}) FROM {table} WHERE {column} IS NOT NULL",
    ):
        conn.execute(text(sql))


def drop_spatial_index(conn: Connection, table: str, column: str = "geom") -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"DROP INDEX IF EXISTS gix_{table}_{column}"))
        return
    rt = rtree_name(table, column)
    for suffix in ("ins", "upd", "del"):
        conn.execute(text(f"DROP TRIGGER IF EXISTS {rt}_{suffix}"))
    conn.execute(text(f"DROP TABLE IF EXISTS {rt}"))


def bbox_clause(
    table: Table, bbox: BBox, dialect: str, column: str = "geom"
) -> ColumnElement[bool]:
    """Rows whose geometry meets `bbox` (lon/lat, EPSG:4326), index-backed.

    PostGIS: ST_Intersects, exact (its GiST does the && first). Its high declared cost also
    keeps the planner off "walk the primary key in ORDER BY id order and filter", which for
    a 1 km² window with LIMIT 100 reads ~10⁵ rows instead of ~10³. SQLite: the R*Tree box
    overlap, whose float32 boxes are rounded outwards (points < ~1 m outside may match).
    """
    minx, miny, maxx, maxy = bbox
    if dialect == "postgresql":
        envelope = func.ST_MakeEnvelope(minx, miny, maxx, maxy, STORAGE_SRID)
        return func.ST_Intersects(table.c[column], envelope)
    rt = rtree_table(table.name, column)
    sub = select(rt.c.id).where(
        and_(rt.c.maxx >= minx, rt.c.minx <= maxx, rt.c.maxy >= miny, rt.c.miny <= maxy)
    )
    return table.c.id.in_(sub)


def rtree_table(table: str, column: str = "geom") -> TableClause:
    return sql_table(
        rtree_name(table, column),
        sql_column("id"),
        sql_column("minx"),
        sql_column("maxx"),
        sql_column("miny"),
        sql_column("maxy"),
    )


def extent(conn: Connection, table: str, column: str = "geom") -> BBox | None:
    """The bounding box of a whole table, read from the spatial index where possible."""
    if conn.dialect.name == "postgresql":
        row = conn.execute(text(
            f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
            f"FROM (SELECT ST_Extent({column}) AS e FROM {table}) s")).one()
    else:
        row = conn.execute(text(
            f"SELECT min(minx), min(miny), max(maxx), max(maxy) FROM {rtree_name(table, column)}"
        )).one()
    if row[0] is None:
        return None
    return float(row[0]), float(row[1]), float(row[2]), float(row[3])
