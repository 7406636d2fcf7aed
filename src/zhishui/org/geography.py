"""Administrative divisions and unit grids: adding them and locating points in them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhishui.core.errors import NotFound, ValidationFailed
from zhishui.org.models import DIVISION_LEVELS, Division, Grid

LEVEL_RANK = {level: i for i, level in enumerate(DIVISION_LEVELS)}


def add_division(
    session: Session,
    code: str,
    name: str,
    level: str,
    parent_code: str | None = None,
    geom: BaseGeometry | None = None,
) -> Division:
    if level not in LEVEL_RANK:
        raise ValidationFailed(f"level must be one of {', '.join(DIVISION_LEVELS)}", field="level")
    if not code.isdigit():
        raise ValidationFailed("a division code is digits only", field="code")
    parent = None
    if parent_code:
        parent = session.scalar(select(Division).where(Division.code == parent_code))
        if parent is None:
            raise NotFound(f"division {parent_code!r} does not exist")
        if not code.startswith(parent.code):
            raise ValidationFailed(
                f"code {code} does not start with its parent's {parent.code}", field="code"
            )
    division = Division(
        code=code, name=name, level=level, parent_id=parent.id if parent else None, geom=geom
    )
    session.add(division)
    session.flush()
    return division


def add_grid(
    session: Session,
    code: str,
    name: str,
    division_code: str,
    geom: BaseGeometry | None = None,
    area_m2: float | None = None,
) -> Grid:
    if not code.isdigit() or not code.startswith(division_code):
        raise ValidationFailed(
            f"grid code {code} must be digits starting with {division_code}", field="code"
        )
    grid = Grid(code=code, name=name, division_code=division_code, geom=geom, area_m2=area_m2)
    session.add(grid)
    session.flush()
    return grid


class Locator:
    """Finds the most detailed division (and grid) containing lon/lat points."""

    def __init__(
        self,
        divisions: Sequence[tuple[str, str, BaseGeometry]],
        grids: Sequence[tuple[str, BaseGeometry]] = (),
    ) -> None:
        ordered = sorted(divisions, key=lambda d: -LEVEL_RANK.get(d[1], 0))
        self._div_codes = [d[0] for d in ordered]
        self._div_tree = shapely.STRtree([d[2] for d in ordered]) if ordered else None
        self._grid_codes = [g[0] for g in grids]
        self._grid_tree = shapely.STRtree([g[1] for g in grids]) if grids else None

    @classmethod
    def load(cls, session: Session) -> Locator:
        divisions = session.execute(
            select(Division.code, Division.level, Division.geom).where(Division.geom.is_not(None))
        ).all()
        grids = session.execute(select(Grid.code, Grid.geom).where(Grid.geom.is_not(None))).all()
        return cls([tuple(d) for d in divisions], [tuple(g) for g in grids])  # type: ignore[misc]

    def divisions(self, lon: np.ndarray, lat: np.ndarray, default: str) -> list[str]:
        return self._locate(self._div_tree, self._div_codes, lon, lat, default)

    def grids(self, lon: np.ndarray, lat: np.ndarray) -> list[str | None]:
        return self._locate(self._grid_tree, self._grid_codes, lon, lat, None)

    @staticmethod
    def _locate(
        tree: shapely.STRtree | None,
        codes: list[str],
        lon: np.ndarray,
        lat: np.ndarray,
        default: str | None,
    ) -> list:
        out: list[str | None] = [default] * len(lon)
        if tree is None or len(lon) == 0:
            return out
        points = shapely.points(lon, lat)
        pt_idx, geom_idx = tree.query(points, predicate="within")
        # Divisions were sorted most detailed first, so the smallest index wins per point.
        best: dict[int, int] = {}
        for p, g in zip(pt_idx.tolist(), geom_idx.tolist(), strict=True):
            if p not in best or g < best[p]:
                best[p] = g
        for p, g in best.items():
            out[p] = codes[g]
        return out
