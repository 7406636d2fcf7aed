"""Registry tables. Geometry in EPSG:4326; lengths, elevations and diameters in metres."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zhishui.core.clock import utcnow
from zhishui.db.base import Base, register_spatial
from zhishui.db.types import Geometry, JSONType, UTCDateTime

NETWORK_KINDS = ("storm", "sewer", "combined", "supply")
NODE_KINDS = ("manhole", "junction", "inlet", "outfall", "storage", "divider", "pump_station",
              "valve", "hydrant", "meter", "treatment_plant", "reservoir", "tank")
LINK_KINDS = ("conduit", "pipe", "pump", "weir", "orifice", "outlet", "valve")
GRAVITY_KINDS = ("storm", "sewer", "combined")


class Network(Base):
    __tablename__ = "networks"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    source_crs: Mapped[str | None] = mapped_column(Text)
    source_file: Mapped[str | None] = mapped_column(String(300))
    options: Mapped[dict[str, Any] | None] = mapped_column(JSONType())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Node(Base):
    __tablename__ = "nodes"
    __table_args__ = (UniqueConstraint("network_id", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(100))
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    ground_elev: Mapped[float | None] = mapped_column(Float)
    invert_elev: Mapped[float | None] = mapped_column(Float)
    max_depth: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="in_service")
    attrs: Mapped[dict[str, Any] | None] = mapped_column(JSONType())
    geom: Mapped[BaseGeometry | None] = mapped_column(Geometry())


class Link(Base):
    __tablename__ = "links"
    __table_args__ = (
        UniqueConstraint("network_id", "external_id"),
        Index("ix_links_from_node", "from_node_id"),
        Index("ix_links_to_node", "to_node_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(100))
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    from_node_id: Mapped[int | None] = mapped_column(ForeignKey("nodes.id", ondelete="SET NULL"))
    to_node_id: Mapped[int | None] = mapped_column(ForeignKey("nodes.id", ondelete="SET NULL"))
    shape: Mapped[str | None] = mapped_column(String(24))
    diameter: Mapped[float | None] = mapped_column(Float)
    height: Mapped[float | None] = mapped_column(Float)
    width: Mapped[float | None] = mapped_column(Float)
    material: Mapped[str | None] = mapped_column(String(24))
    length: Mapped[float | None] = mapped_column(Float)
    up_invert: Mapped[float | None] = mapped_column(Float)
    down_invert: Mapped[float | None] = mapped_column(Float)
    slope: Mapped[float | None] = mapped_column(Float)
    roughness: Mapped[float | None] = mapped_column(Float)
    install_year: Mapped[int | None] = mapped_column(Integer)
    condition_grade: Mapped[int | None] = mapped_column(Integer)
    owner_department: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="in_service")
    attrs: Mapped[dict[str, Any] | None] = mapped_column(JSONType())
    geom: Mapped[BaseGeometry | None] = mapped_column(Geometry())


class Subcatchment(Base):
    __tablename__ = "subcatchments"
    __table_args__ = (UniqueConstraint("network_id", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    outlet: Mapped[str] = mapped_column(String(64))
    raingage: Mapped[str | None] = mapped_column(String(64))
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    area_ha: Mapped[float | None] = mapped_column(Float)
    imperv_pct: Mapped[float | None] = mapped_column(Float)
    width_m: Mapped[float | None] = mapped_column(Float)
    slope_pct: Mapped[float | None] = mapped_column(Float)
    attrs: Mapped[dict[str, Any] | None] = mapped_column(JSONType())
    geom: Mapped[BaseGeometry | None] = mapped_column(Geometry())


class ComponentClass(Base):
    """GB/T 30428 component classes: major (2 digits) + minor (2 digits)."""

    __tablename__ = "component_classes"
    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    major_code: Mapped[str] = mapped_column(String(2))
    major_name: Mapped[str] = mapped_column(String(40))
    minor_name: Mapped[str] = mapped_column(String(40))
    minor_name_en: Mapped[str | None] = mapped_column(String(60))


class Component(Base):
    """A coded city component (部件): 6-digit division + 2 major + 2 minor + 6 serial."""

    __tablename__ = "components"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    class_code: Mapped[str] = mapped_column(String(4), index=True)
    name: Mapped[str | None] = mapped_column(String(100))
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    grid_code: Mapped[str | None] = mapped_column(String(20))
    owner_department: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="normal")
    attrs: Mapped[dict[str, Any] | None] = mapped_column(JSONType())
    geom: Mapped[BaseGeometry | None] = mapped_column(Geometry())


class RiverOutfall(Base):
    """A river outfall (入河排污口) with its identity code and HJ 1312-2023 type."""

    __tablename__ = "outfalls"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    outfall_type: Mapped[str] = mapped_column(String(24))
    subtype: Mapped[str | None] = mapped_column(String(40))
    river: Mapped[str | None] = mapped_column(String(100))
    responsible_party: Mapped[str | None] = mapped_column(String(100))
    contact: Mapped[str | None] = mapped_column(String(60))
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    node_id: Mapped[int | None] = mapped_column(ForeignKey("nodes.id", ondelete="SET NULL"))
    discharge_limits: Mapped[dict[str, Any] | None] = mapped_column(JSONType())
    attrs: Mapped[dict[str, Any] | None] = mapped_column(JSONType())
    geom: Mapped[BaseGeometry | None] = mapped_column(Geometry())


class Station(Base):
    """A monitoring station: water quality, level, flow, rain, gas…"""

    __tablename__ = "stations"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(24))
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    node_id: Mapped[int | None] = mapped_column(ForeignKey("nodes.id", ondelete="SET NULL"))
    outfall_id: Mapped[int | None] = mapped_column(ForeignKey("outfalls.id", ondelete="SET NULL"))
    river: Mapped[str | None] = mapped_column(String(100))
    target_class: Mapped[int | None] = mapped_column(Integer)
    attrs: Mapped[dict[str, Any] | None] = mapped_column(JSONType())
    geom: Mapped[BaseGeometry | None] = mapped_column(Geometry())


class PollutionSource(Base):
    """An enterprise, construction site, restaurant or plant discharging into a network node."""

    __tablename__ = "pollution_sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(24))
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    node_id: Mapped[int | None] = mapped_column(ForeignKey("nodes.id", ondelete="SET NULL"))
    address: Mapped[str | None] = mapped_column(String(200))
    permit_no: Mapped[str | None] = mapped_column(String(60))
    attrs: Mapped[dict[str, Any] | None] = mapped_column(JSONType())
    geom: Mapped[BaseGeometry | None] = mapped_column(Geometry())


class ImportRun(Base):
    """One import of a file, kept with its outcome and error report."""

    __tablename__ = "import_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(300))
    target: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSONType())
    problems: Mapped[list[Any] | None] = mapped_column(JSONType())


for _t in ("nodes", "links", "subcatchments", "components", "outfalls", "stations",
           "pollution_sources"):
    register_spatial(_t)
