"""The map layers: which table backs each, its titles and the properties it exposes."""

from __future__ import annotations

from dataclasses import dataclass

from zhishui.db.base import Base
from zhishui.network.models import (
    Component,
    Link,
    Node,
    PollutionSource,
    RiverOutfall,
    Station,
    Subcatchment,
)
from zhishui.org.models import Division, Grid


@dataclass(frozen=True)
class Layer:
    id: str
    model: type[Base]
    title_zh: str
    title_en: str
    geometry: str
    code_column: str
    properties: tuple[str, ...]
    min_zoom: int = 0
    division_column: str | None = "division_code"

    @property
    def table(self):  # noqa: ANN201 - SQLAlchemy Table
        return self.model.__table__


LAYERS: dict[str, Layer] = {
    layer.id: layer
    for layer in (
        Layer(
            "divisions",
            Division,
            "行政区划",
            "Administrative divisions",
            "Polygon",
            "code",
            ("code", "name", "level"),
            division_column="code",
        ),
        Layer(
            "grids",
            Grid,
            "单元网格",
            "Unit grids",
            "Polygon",
            "code",
            ("code", "name", "division_code", "area_m2"),
        ),
        Layer(
            "links",
            Link,
            "管段",
            "Pipes and links",
            "LineString",
            "external_id",
            (
                "network_id",
                "external_id",
                "kind",
                "name",
                "shape",
                "diameter",
                "height",
                "width",
                "material",
                "length",
                "up_invert",
                "down_invert",
                "slope",
                "roughness",
                "install_year",
                "condition_grade",
                "owner_department",
                "status",
                "division_code",
                "from_node_id",
                "to_node_id",
            ),
            min_zoom=12,
        ),
        Layer(
            "nodes",
            Node,
            "节点(检查井/阀门等)",
            "Nodes (manholes, valves…)",
            "Point",
            "external_id",
            (
                "network_id",
                "external_id",
                "kind",
                "name",
                "ground_elev",
                "invert_elev",
                "max_depth",
                "status",
                "division_code",
            ),
            min_zoom=14,
        ),
        Layer(
            "subcatchments",
            Subcatchment,
            "汇水区",
            "Subcatchments",
            "Polygon",
            "external_id",
            (
                "network_id",
                "external_id",
                "outlet",
                "raingage",
                "area_ha",
                "imperv_pct",
                "width_m",
                "slope_pct",
                "division_code",
            ),
            min_zoom=12,
        ),
        Layer(
            "components",
            Component,
            "城市部件",
            "City components",
            "Point",
            "code",
            (
                "code",
                "class_code",
                "name",
                "division_code",
                "grid_code",
                "owner_department",
                "status",
            ),
            min_zoom=15,
        ),
        Layer(
            "outfalls",
            RiverOutfall,
            "入河排污口",
            "River outfalls",
            "Point",
            "code",
            (
                "code",
                "name",
                "outfall_type",
                "subtype",
                "river",
                "responsible_party",
                "contact",
                "division_code",
                "node_id",
                "discharge_limits",
            ),
        ),
        Layer(
            "stations",
            Station,
            "监测站",
            "Monitoring stations",
            "Point",
            "code",
            (
                "code",
                "name",
                "kind",
                "river",
                "target_class",
                "division_code",
                "node_id",
                "outfall_id",
            ),
        ),
        Layer(
            "pollution_sources",
            PollutionSource,
            "污染源",
            "Pollution sources",
            "Point",
            "code",
            ("code", "name", "kind", "address", "permit_no", "division_code", "node_id"),
        ),
    )
}


def get_layer(layer_id: str) -> Layer:
    from zhishui.core.errors import NotFound

    try:
        return LAYERS[layer_id]
    except KeyError:
        raise NotFound(f"no layer {layer_id!r}; layers: {', '.join(LAYERS)}") from None
