"""Import a file of any supported format into the registry, all or nothing, with a run record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from zhishui.core.errors import InputRejected, Problem
from zhishui.network import features
from zhishui.network.records import NetworkModel
from zhishui.network.service import ImportSummary, import_network
from zhishui.org.scope import Actor

NETWORK_SUFFIXES = {".inp", ".geojson", ".json", ".gpkg", ".shp", ".zip"}
FEATURE_TARGETS = ("components", "outfalls", "stations", "pollution_sources")


def sniff_inp(path: Path) -> str:
    """'swmm' or 'epanet', from the sections the file has."""
    head = path.read_bytes()[:2_000_000].upper()
    if (
        b"[CONDUITS]" in head
        or b"[SUBCATCHMENTS]" in head
        or (b"[JUNCTIONS]" in head and (b"[XSECTIONS]" in head))
    ):
        return "swmm"
    if b"[PIPES]" in head or b"[RESERVOIRS]" in head:
        return "epanet"
    raise InputRejected(
        problems=[
            Problem(
                "neither a SWMM nor an EPANET .inp file (no [CONDUITS] or [PIPES] section)",
                path.name,
            )
        ]
    )


def read_network_file(
    path: Path, crs: str | None = None, mapping: dict[str, Any] | None = None
) -> NetworkModel:
    suffix = path.suffix.lower()
    if suffix == ".inp":
        if sniff_inp(path) == "swmm":
            from zhishui.network.io.swmm import read_inp
        else:
            from zhishui.network.io.epanet import read_inp  # type: ignore[no-redef]
        model = read_inp(path)
        model.crs = crs or model.crs
        return model
    if suffix in NETWORK_SUFFIXES:
        from zhishui.network.io.gdal import FieldMapping, read_network_layers

        fm = FieldMapping.from_dict(mapping) if mapping else None
        return read_network_layers(path, fm, crs)
    raise InputRejected(
        problems=[
            Problem(
                f"unsupported file type {suffix or '(none)'}; "
                "use .inp, .geojson, .gpkg, .shp or .xlsx",
                path.name,
            )
        ]
    )


def import_file(
    session: Session,
    path: Path,
    actor: Actor,
    target: str = "network",
    network: str | None = None,
    kind: str | None = None,
    crs: str | None = None,
    mapping: dict[str, Any] | None = None,
    display_name: str | None = None,
) -> dict[str, Any]:
    """Read and load one file; raises InputRejected (nothing written) on bad input."""
    name = display_name or path.name
    try:
        if target == "network":
            if not network:
                raise InputRejected(
                    problems=[Problem("a network name is needed", name, field="network")]
                )
            model = read_network_file(path, crs, mapping)
            model.source = name
            summary: ImportSummary = import_network(session, model, network, kind, actor)
            return summary.as_dict()
        if target in FEATURE_TARGETS:
            return features.import_feature_file(session, path, target, actor, crs, mapping)
    except InputRejected as exc:
        for p in exc.problems:
            if p.file and p.file == path.name and name != path.name:
                object.__setattr__(p, "file", name)
        raise
    raise InputRejected(
        problems=[Problem(f"unknown import target {target!r}", name, field="target")]
    )
