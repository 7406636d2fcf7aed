"""Shared benchmark plumbing: databases, the demo county, deterministic records, results."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import sqlalchemy as sa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from zhishui.bootstrap import Context, build_context
from zhishui.core.settings import Settings
from zhishui.db import migrate
from zhishui.db.engine import make_engine
from zhishui.network.models import ComponentClass
from zhishui.network.records import FeatureRecord
from zhishui.org import geography

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
COUNTY = "330523"
EXTENT = (119.4, 30.4, 120.0, 30.9)  # the demo county, ~57 km × 55 km
KM_LON = 1 / (111.320 * np.cos(np.radians(30.65)))  # degrees of longitude in 1 km at 30.65°N
KM_LAT = 1 / 110.9
CLASSES = [  # GB/T 30428 style component classes: (code, major, major name, minor name)
    ("0101", "01", "公用设施", "上水井盖"), ("0102", "01", "公用设施", "污水井盖"),
    ("0103", "01", "公用设施", "雨水井盖"), ("0104", "01", "公用设施", "雨水箅子"),
    ("0105", "01", "公用设施", "电力井盖"), ("0106", "01", "公用设施", "路灯"),
    ("0107", "01", "公用设施", "通信井盖"), ("0108", "01", "公用设施", "燃气井盖"),
    ("0109", "01", "公用设施", "消防栓"), ("0110", "01", "公用设施", "水表"),
    ("0201", "02", "道路交通", "停车场"), ("0202", "02", "道路交通", "交通信号灯"),
    ("0203", "02", "道路交通", "交通标志牌"), ("0301", "03", "市容环境", "公共厕所"),
    ("0302", "03", "市容环境", "垃圾箱"), ("0401", "04", "园林绿化", "古树名木"),
]
DEPARTMENTS = ["住建局", "水务集团", "城管局", "交通局", "供电公司"]
MATERIALS = ["铸铁", "复合材料", "混凝土"]
console = Console(width=None if sys.stdout.isatty() else 150)


def progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, transient=False,
    )


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def pg_url(database: str) -> str:
    return f"{PG_SERVER}/{database}"


def database_exists(url: str) -> bool:
    if url.startswith("sqlite"):
        return Path(url.removeprefix("sqlite:///")).exists()
    name = sa.engine.make_url(url).database
    admin = make_engine(pg_url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            sql = sa.text("SELECT 1 FROM pg_database WHERE datname = :n")
            return conn.execute(sql, {"n": name}).scalar() is not None
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
        return
    name = sa.engine.make_url(url).database
    admin = make_engine(pg_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def fresh_database(url: str) -> Context:
    """Drop, create and migrate a database, load the county; returns its context."""
    drop_database(url)
    if not url.startswith("sqlite"):
        name = sa.engine.make_url(url).database
        admin = make_engine(pg_url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    else:
        OUT.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    ctx = context(url)
    seed_county(ctx)
    return ctx


def context(url: str) -> Context:
    return build_context(Settings(database_url=url, secret_key="bench"))


def seed_county(ctx: Context) -> None:
    """The county, 12 towns, 108 communities, 432 unit grids and the component classes."""
    x0, y0, x1, y1 = EXTENT
    with ctx.unit_of_work() as s:
        geography.add_division(s, COUNTY, "安吉县", "county", None, shapely.box(*EXTENT))
        tw, th = (x1 - x0) / 4, (y1 - y0) / 3
        for t in range(12):
            tx, ty = x0 + (t % 4) * tw, y0 + (t // 4) * th
            town = f"{COUNTY}{t + 1:03d}"
            geography.add_division(s, town, f"镇{t + 1}", "town", COUNTY,
                                   shapely.box(tx, ty, tx + tw, ty + th))
            for c in range(9):
                cx, cy = tx + (c % 3) * tw / 3, ty + (c // 3) * th / 3
                community = f"{town}{c + 1:03d}"
                geography.add_division(s, community, f"社区{t + 1}-{c + 1}", "community", town,
                                       shapely.box(cx, cy, cx + tw / 3, cy + th / 3))
                for g in range(4):
                    gx, gy = cx + (g % 2) * tw / 6, cy + (g // 2) * th / 6
                    geography.add_grid(s, f"{community}{g + 1:02d}", f"网格{g + 1}", community,
                                       shapely.box(gx, gy, gx + tw / 6, gy + th / 6))
        for code, major, major_name, minor_name in CLASSES:
            s.add(ComponentClass(code=code, major_code=major, major_name=major_name,
                                 minor_name=minor_name))


def component_records(start: int, n: int, seed: int = 1) -> list[FeatureRecord]:
    """Components start..start+n (deterministic per position): random points over the county."""
    rng = np.random.default_rng([seed, start])
    x0, y0, x1, y1 = EXTENT
    lon, lat = rng.uniform(x0, x1, n).tolist(), rng.uniform(y0, y1, n).tolist()
    records = []
    for k in range(n):
        i = start + k
        code, _, _, minor = CLASSES[i % len(CLASSES)]
        attrs: dict[str, Any] = {"owner_department": DEPARTMENTS[i % 5]}
        if i % 3:
            attrs["material"] = MATERIALS[i % 3]
        records.append(FeatureRecord(f"{COUNTY}{code}{i // len(CLASSES):06d}", code, lon[k],
                                     lat[k], f"{minor}{i // len(CLASSES)}", attrs, line=i + 2))
    return records


def windows(n: int, seed: int, km: float = 1.0) -> Iterator[tuple[float, float, float, float]]:
    """Random square windows of `km` × `km` inside the county."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = EXTENT
    w, h = km * KM_LON, km * KM_LAT
    for _ in range(n):
        x, y = rng.uniform(x0, x1 - w), rng.uniform(y0, y1 - h)
        yield (float(x), float(y), float(x + w), float(y + h))


def percentiles(ms: list[float]) -> dict[str, float]:
    a = np.asarray(ms)
    return {"p50_ms": float(np.percentile(a, 50)), "p95_ms": float(np.percentile(a, 95)),
            "p99_ms": float(np.percentile(a, 99)), "mean_ms": float(a.mean())}


def machine() -> dict[str, Any]:
    """What ran the benchmark: CPU, memory, load, Python, SQLite, PostgreSQL and PostGIS."""
    info: dict[str, Any] = {
        "cpu": _cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version, "loadavg": [round(v, 2) for v in os.getloadavg()],
        "mem_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }
    try:
        engine = make_engine(pg_url("postgres"))
        with engine.connect() as conn:
            info["postgresql"] = conn.execute(sa.text("SHOW server_version")).scalar()
            sql = "SELECT default_version FROM pg_available_extensions WHERE name = 'postgis'"
            info["postgis"] = conn.execute(sa.text(sql)).scalar()
        engine.dispose()
    except sa.exc.OperationalError:
        pass
    return info


def _cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return platform.processor()
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def report(bench: str, title: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    """Print the rows as a table and append them as JSON lines to bench/out/<bench>.jsonl."""
    table = Table(title=title)
    for col in columns:
        table.add_column(col, justify="left" if col in ("backend", "case", "server") else "right")
    for row in rows:
        table.add_row(*(_fmt(row.get(c)) for c in columns))
    console.print(table)
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    info = machine()
    with (OUT / f"{bench}.jsonl").open("a", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps({"bench": bench, "at": stamp, **row, "machine": info},
                                 ensure_ascii=False) + "\n")
    console.print(f"appended {len(rows)} result(s) to {OUT / (bench + '.jsonl')}")


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.1f}" if abs(v) < 1000 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return "" if v is None else str(v)


class Timer:
    """Wall-clock seconds of a block (and process CPU seconds, to tell load from work)."""

    def __enter__(self) -> Timer:
        self.t0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.t0
        self.cpu = time.process_time() - self.c0
