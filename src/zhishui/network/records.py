"""Plain records that importers produce, exporters consume and the registry service loads.

Coordinates are in the CRS named by `NetworkModel.crs` (None = unknown/local); lengths,
elevations, depths and diameters are in metres, areas in hectares, whatever the file used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

XY = tuple[float, float]


@dataclass
class NodeRecord:
    external_id: str
    kind: str
    x: float | None = None
    y: float | None = None
    name: str | None = None
    ground_elev: float | None = None
    invert_elev: float | None = None
    max_depth: float | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    line: int | None = None


@dataclass
class LinkRecord:
    external_id: str
    kind: str
    from_node: str
    to_node: str
    vertices: list[XY] = field(default_factory=list)
    name: str | None = None
    shape: str | None = None
    diameter: float | None = None
    height: float | None = None
    width: float | None = None
    material: str | None = None
    length: float | None = None
    up_invert: float | None = None
    down_invert: float | None = None
    roughness: float | None = None
    install_year: int | None = None
    condition_grade: int | None = None
    owner_department: str | None = None
    status: str = "in_service"
    attrs: dict[str, Any] = field(default_factory=dict)
    line: int | None = None


@dataclass
class SubcatchmentRecord:
    external_id: str
    outlet: str
    raingage: str | None = None
    area_ha: float | None = None
    imperv_pct: float | None = None
    width_m: float | None = None
    slope_pct: float | None = None
    polygon: list[XY] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    line: int | None = None


@dataclass
class NetworkModel:
    """A network as read from a file: nodes, links, subcatchments and model options.

    `options` keeps what the registry has no column for (a model's [OPTIONS], time series,
    curves, patterns, rain gauges…) so that an export can write a runnable model again.
    """

    format: str
    nodes: list[NodeRecord] = field(default_factory=list)
    links: list[LinkRecord] = field(default_factory=list)
    subcatchments: list[SubcatchmentRecord] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    crs: str | None = None
    source: str | None = None


@dataclass
class FeatureRecord:
    """A point-like registry object (component, outfall, station, pollution source)."""

    code: str
    kind: str
    x: float | None = None
    y: float | None = None
    name: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    line: int | None = None
