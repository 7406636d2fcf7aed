"""Placement of the L-TOWN EPANET supply network in 孝丰镇 (EPSG:4549)."""

from __future__ import annotations

import math
from pathlib import Path

from shapely.geometry import Polygon

from zhishui.demo.geo import ORIGIN

# L-TOWN's [COORDINATES] are metres in a local frame (x 135-2835, y 77-1618; [BACKDROP] UNITS
# Meters). place_ltown rotates that frame to the 孝丰 street grid and moves its centre onto
# the town; the importer reads the file with the project's EPANET reader and maps every node
# and vertex through place_ltown.

XY = tuple[float, float]

# Relative to the shared data directory (/work/shared/data in the reference deployment).
LTOWN_INP = "networks/L-TOWN.inp"
LTOWN_TOWN_CODE = "330523101"  # 孝丰镇
LTOWN_CENTRE: XY = (1485.0, 847.0)  # middle of L-TOWN's coordinate extent
LTOWN_EXTENT = (135.0, 77.0, 2836.0, 1618.0)  # minx, miny, maxx, maxy in L-TOWN metres
PLACE_AT: XY = (-19550.0, -9900.0)  # local metres from ORIGIN: the 孝丰 town area
ROTATION_DEG = 32.0  # counter-clockwise, the orientation of the 孝丰 street grid

_COS = math.cos(math.radians(ROTATION_DEG))
_SIN = math.sin(math.radians(ROTATION_DEG))


def place_ltown(x: float, y: float) -> tuple[float, float]:
    """L-TOWN metres → EPSG:4549 (easting, northing): rotation about the centre, then offset."""
    dx, dy = x - LTOWN_CENTRE[0], y - LTOWN_CENTRE[1]
    return (round(ORIGIN[0] + PLACE_AT[0] + dx * _COS - dy * _SIN, 3),
            round(ORIGIN[1] + PLACE_AT[1] + dx * _SIN + dy * _COS, 3))


def ltown_footprint() -> Polygon:
    """L-TOWN's coordinate extent placed in EPSG:4549."""
    x0, y0, x1, y1 = LTOWN_EXTENT
    return Polygon([place_ltown(x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))])


def read_ltown_coordinates(path: str | Path) -> dict[str, XY]:
    """The [COORDINATES] section of an EPANET file (node id → x, y in the file's frame)."""
    coords: dict[str, XY] = {}
    section = ""
    for raw in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        if line.startswith("["):
            section = line.upper()
            continue
        if section == "[COORDINATES]":
            parts = line.split()
            if len(parts) >= 3:
                coords[parts[0]] = (float(parts[1]), float(parts[2]))
    return coords
