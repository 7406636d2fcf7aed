"""The bounding box of selected rows of a spatial table, from the index where possible."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Table, func, select
from sqlalchemy.orm import Session

from zhishui.db.spatial import BBox, rtree_table


def extent_where(
    session: Session, table: Table, where: ColumnElement[bool], column: str = "geom"
) -> BBox | None:
    if session.get_bind().dialect.name == "postgresql":
        box = func.ST_Extent(table.c[column])
        row = session.execute(
            select(
                func.ST_XMin(box), func.ST_YMin(box), func.ST_XMax(box), func.ST_YMax(box)
            ).where(where)
        ).one()
    else:
        rt = rtree_table(table.name, column)
        row = session.execute(
            select(
                func.min(rt.c.minx), func.min(rt.c.miny), func.max(rt.c.maxx), func.max(rt.c.maxy)
            )
            .join(table, table.c.id == rt.c.id)
            .where(where)
        ).one()
    if row[0] is None:
        return None
    return float(row[0]), float(row[1]), float(row[2]), float(row[3])
