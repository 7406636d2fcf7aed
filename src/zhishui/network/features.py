"""Point registry objects (components, outfalls, stations, pollution sources): upsert by code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from zhishui.core.errors import InputRejected, Problem
from zhishui.core.geo import to_storage
from zhishui.db import bulk
from zhishui.network.models import (
    Component,
    ComponentClass,
    Network,
    Node,
    PollutionSource,
    RiverOutfall,
    Station,
)
from zhishui.network.records import FeatureRecord
from zhishui.network.service import check_positions
from zhishui.org.geography import Locator
from zhishui.org.scope import Actor

OUTFALL_TYPES = ("industrial", "municipal_wwtp", "agricultural", "other")
MODELS: dict[str, type] = {
    "components": Component,
    "outfalls": RiverOutfall,
    "stations": Station,
    "pollution_sources": PollutionSource,
}
# Record attrs that become columns, per target; the rest stays in attrs.
COLUMNS: dict[str, tuple[str, ...]] = {
    "components": ("owner_department", "status", "grid_code"),
    "outfalls": ("subtype", "river", "responsible_party", "contact", "discharge_limits"),
    "stations": ("river", "target_class"),
    "pollution_sources": ("address", "permit_no"),
}
KIND_COLUMN = {
    "components": "class_code",
    "outfalls": "outfall_type",
    "stations": "kind",
    "pollution_sources": "kind",
}


def import_features(
    session: Session,
    target: str,
    records: list[FeatureRecord],
    actor: Actor,
    crs: str | None,
    source: str = "",
    locator: Locator | None = None,
) -> dict[str, Any]:
    """Validate and upsert point objects by code; nothing is written if any record is bad."""
    actor.require("admin", "operator")
    model = MODELS[target]
    problems = _validate(session, target, records, source)
    node_ids = _resolve_nodes(session, records, source, problems)
    if problems:
        raise InputRejected(problems=problems[:200])
    lon, lat = to_storage(crs)(
        np.array([np.nan if r.x is None else r.x for r in records], dtype=float),
        np.array([np.nan if r.y is None else r.y for r in records], dtype=float),
    )
    valid = ~(np.isnan(lon) | np.isnan(lat))
    check_positions(records, lon, lat, valid, crs, source)
    locator = locator or Locator.load(session)
    county = actor.division_prefix
    divisions = locator.divisions(lon, lat, county)
    grids = locator.grids(lon, lat) if target == "components" else [None] * len(records)
    valid = ~(np.isnan(lon) | np.isnan(lat))
    columns = _columns(target, records, divisions, grids, valid.tolist(), county, node_ids)
    for r, division in zip(records, columns["division_code"], strict=True):
        if not actor.covers(division):
            problems.append(Problem("outside your area of responsibility", source, r.line, "x/y"))
    if problems:
        raise InputRejected(problems=problems[:200])
    columns["geom"] = bulk.Points(np.where(valid, lon, np.nan), np.where(valid, lat, np.nan))
    return _upsert(session, model, columns)


def _columns(
    target: str,
    records: list[FeatureRecord],
    divisions: list[str],
    grids: list[str | None],
    valid: list[bool],
    county: str,
    node_ids: dict[int, int],
) -> dict[str, Any]:
    """The rows as columns; bulk.MISSING where a record lacks an optional column."""
    components = target == "components"
    codes = [r.code for r in records]
    names = [r.name for r in records]
    if target == "outfalls":
        names = [code if name is None else name for code, name in zip(codes, names, strict=True)]
    fallback = [c[:6] for c in codes] if components else [county] * len(codes)
    cols: dict[str, Any] = {
        "code": codes,
        "name": names,
        KIND_COLUMN[target]: [r.kind for r in records],
        "division_code": [
            d if ok else f for d, ok, f in zip(divisions, valid, fallback, strict=True)
        ],
    }
    extra: dict[str, list[Any]] = {col: [] for col in COLUMNS[target]}
    attrs_col: list[dict[str, Any] | None] = []
    for r in records:
        if not r.attrs:
            for out in extra.values():
                out.append(bulk.MISSING)
            attrs_col.append(None)
            continue
        attrs = dict(r.attrs)
        for col, out in extra.items():
            out.append(attrs.pop(col, bulk.MISSING))
        for key in ("node", "network", "division_code"):
            attrs.pop(key, None)
        attrs_col.append(attrs or None)
    cols.update(extra)
    if components:
        cols["grid_code"] = [
            g if v is bulk.MISSING or not v else v
            for v, g in zip(extra["grid_code"], grids, strict=True)
        ]
    else:
        cols["node_id"] = [node_ids.get(i) for i in range(len(records))]
    cols["attrs"] = attrs_col
    return cols


def _validate(
    session: Session, target: str, records: list[FeatureRecord], source: str
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    classes = set(session.scalars(select(ComponentClass.code))) if target == "components" else set()
    for r in records:
        if not r.code:
            problems.append(Problem("code is empty", source, r.line, "code"))
        elif r.code in seen:
            problems.append(Problem(f"duplicate code {r.code}", source, r.line, "code"))
        seen.add(r.code)
        if target == "components":
            if len(r.code) != 16 or not r.code.isdigit():
                problems.append(
                    Problem(f"component code {r.code!r} is not 16 digits", source, r.line, "code")
                )
            elif r.code[6:10] != r.kind:
                problems.append(
                    Problem(f"code {r.code} does not match class {r.kind}", source, r.line, "class")
                )
            if classes and r.kind not in classes:
                problems.append(
                    Problem(f"unknown component class {r.kind!r}", source, r.line, "class")
                )
        if target == "outfalls" and r.kind not in OUTFALL_TYPES:
            problems.append(
                Problem(
                    f"outfall type {r.kind!r} is not one of {', '.join(OUTFALL_TYPES)}"
                    " (HJ 1312-2023)",
                    source,
                    r.line,
                    "type",
                )
            )
        if r.x is None or r.y is None:
            problems.append(Problem("position is missing", source, r.line, "x/y"))
    return problems


def _resolve_nodes(
    session: Session, records: list[FeatureRecord], source: str, problems: list[Problem]
) -> dict[int, int]:
    """Map record index -> node id for records naming `network` and `node` in attrs."""
    wanted = {
        (r.attrs.get("network"), str(r.attrs["node"])): i
        for i, r in enumerate(records)
        if r.attrs.get("node") not in (None, "")
    }
    if not wanted:
        return {}
    found: dict[tuple[str, str], int] = {}
    pairs = list(wanted)
    for i in range(0, len(pairs), 500):
        chunk = pairs[i : i + 500]
        q = (
            select(Network.name, Node.external_id, Node.id)
            .join(Network)
            .where(tuple_(Network.name, Node.external_id).in_(chunk))
        )
        found.update({(n, e): nid for n, e, nid in session.execute(q)})
    out: dict[int, int] = {}
    for key, idx in wanted.items():
        if key in found:
            out[idx] = found[key]
        else:
            problems.append(
                Problem(
                    f"node {key[1]!r} not found in network {key[0]!r}",
                    source,
                    records[idx].line,
                    "node",
                )
            )
    return out


def _upsert(session: Session, model: type, columns: dict[str, Any]) -> dict[str, Any]:
    table = model.__table__  # type: ignore[attr-defined]
    existing = bulk.lookup_ids(session, table, "code", columns["code"])
    ids = [existing.get(code) for code in columns["code"]]
    done = bulk.upsert(session, table, columns, ids)
    session.flush()
    return {"inserted": done.inserted, "updated": done.updated}


def import_feature_file(
    session: Session,
    path: Path,
    target: str,
    actor: Actor,
    crs: str | None,
    mapping: dict[str, Any] | None,
) -> dict[str, Any]:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        if target != "components":
            raise InputRejected(problems=[Problem("Excel lists hold components only", path.name)])
        from zhishui.network.io.xlsx import read_components_xlsx

        records = read_components_xlsx(path, mapping=mapping)
        return import_features(session, target, records, actor, None, path.name)
    if suffix == ".json" and mapping is None and _is_record_list(path):
        records = [
            FeatureRecord(**{**r, "line": i + 1})
            for i, r in enumerate(json.loads(path.read_text("utf-8")))
        ]
        return import_features(session, target, records, actor, crs, path.name)
    from zhishui.network.io.gdal import read_feature_layer

    # The reader already returns lon/lat, transformed from the file's (or the given) CRS.
    records = read_feature_layer(path, mapping=mapping, crs=crs)
    return import_features(session, target, records, actor, None, path.name)


def _is_record_list(path: Path) -> bool:
    return path.read_bytes()[:64].lstrip().startswith(b"[")
