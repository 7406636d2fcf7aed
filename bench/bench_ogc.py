"""The same OGC API – Features items request on zhishui and on pygeoapi, same table, one run."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
import psycopg
import sqlalchemy as sa

from common import (
    COUNTY,
    OUT,
    ROOT,
    console,
    context,
    percentiles,
    pg_url,
    progress,
    report,
    windows,
)
from zhishui.org import service as org
from zhishui.org.models import OrgUnit, User

PG_DATABASE = "zhishui_bench_bbox"  # loaded by bench_bbox.py
PYGEOAPI_VENV = ROOT / "bench" / ".venv-pygeoapi"
PROPS = ["code", "class_code", "name", "division_code", "grid_code", "owner_department", "status"]
EDGE = 2e-5  # degrees: && compares float32 boxes, so points this close outside may match
COLUMNS = ["server", "limit", "requests", "rows_avg", "kb_avg", "p50_ms", "p95_ms", "p99_ms",
           "req_per_s"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--requests", type=int, default=300, help="bbox requests per server and limit")
    p.add_argument("--limits", default="100,1000", help="comma-separated page sizes")
    p.add_argument("--warmup", type=int, default=20, help="requests first sent, not measured")
    p.add_argument("--max-seconds", type=float, default=600, help="time bound for each limit")
    p.add_argument("--database", default=PG_DATABASE, help="PostgreSQL database to serve")
    args = p.parse_args()
    url = pg_url(args.database)
    token = api_token(url)
    config = pygeoapi_config(args.database)
    servers = {
        "zhishui": start_zhishui(url),
        "pygeoapi": start_pygeoapi(config),
    }
    try:
        bases = {name: wait_ready(*srv) for name, srv in servers.items()}
        rows = []
        checks: dict[str, int] = {}
        with httpx.Client(timeout=60, headers={"Accept": "application/geo+json"}) as client:
            for limit in (int(v) for v in args.limits.split(",")):
                got, check = run(client, bases, token, limit, args)
                rows += got
                checks.update({f"limit {limit}: {k}": v for k, v in check.items()})
        report("ogc", "OGC API – Features items, 1 km² bbox, same PostgreSQL table", rows, COLUMNS)
        for k, v in checks.items():
            console.print(f"{k}: {v}")
    finally:
        for proc, _port in servers.values():
            proc.terminate()
            proc.wait(timeout=20)


def api_token(url: str) -> str:
    """A county operator and a fresh API token for zhishui, made with the org services."""
    ctx = context(url)
    now = datetime.now(UTC)
    try:
        with ctx.unit_of_work() as s:
            if s.scalar(sa.select(OrgUnit).where(OrgUnit.code == "BENCH")) is None:
                org.add_org_unit(s, "BENCH", "基准测试中心", "centre", "city", COUNTY)
            user = s.scalar(sa.select(User).where(User.username == "bench"))
            if user is None:
                user = org.add_user(s, "bench", secrets.token_urlsafe(16) + "-Aa1", "BENCH",
                                    ["operator"], "基准测试")
            name = f"bench-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(2)}"
            return org.create_api_token(s, user, name, now, days=1)
    finally:
        ctx.close()


def pygeoapi_config(database: str) -> Path:
    """pygeoapi's YAML (its PostgreSQL provider on the same table) and its OpenAPI document."""
    OUT.mkdir(parents=True, exist_ok=True)
    path, openapi = OUT / "pygeoapi.yml", OUT / "pygeoapi-openapi.yml"
    props = "".join(f"\n            - {p}" for p in PROPS)
    path.write_text(f"""server:
  bind: {{host: 127.0.0.1, port: 5000}}
  url: http://127.0.0.1:5000
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  languages: [en-US]
  limits: {{default_items: 10, max_items: 10000}}
  map:
    url: "https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png"
    attribution: OSM
logging:
  level: ERROR
metadata:
  identification:
    title: zhishui benchmark
    description: the components table of {database}
    keywords: [bench]
    keywords_type: theme
    terms_of_service: https://example.org
    url: https://example.org
  license: {{name: CC-BY 4.0, url: https://creativecommons.org/licenses/by/4.0/}}
  provider: {{name: bench, url: https://example.org}}
  contact: {{name: bench, position: bench, address: x, city: x, stateorprovince: x,
            postalcode: x, country: x, phone: x, fax: x, email: x, url: x, hours: x,
            instructions: x, role: pointOfContact}}
resources:
  components:
    type: collection
    title: components
    description: city components
    keywords: [components]
    links: []
    extents:
      spatial:
        bbox: [119.4, 30.4, 120.0, 30.9]
        crs: http://www.opengis.net/def/crs/OGC/1.3/CRS84
    providers:
      - type: feature
        name: PostgreSQL
        data:
          host: 127.0.0.1
          port: 5432
          dbname: {database}
          user: postgres
          password: ""
          search_path: [public]
        id_field: id
        table: components
        geom_field: geom
        properties:{props}
""", encoding="utf-8")
    exe = PYGEOAPI_VENV / "bin" / "pygeoapi"
    subprocess.run([str(exe), "openapi", "generate", str(path), "--output-file", str(openapi)],
                   check=True, env={**os.environ, "PYGEOAPI_CONFIG": str(path)},
                   capture_output=True)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_zhishui(url: str) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {**os.environ, "ZHISHUI_DATABASE_URL": url, "ZHISHUI_SECRET_KEY": "bench"}
    cmd = [str(ROOT / ".venv" / "bin" / "python"), "-m", "uvicorn", "--factory",
           "zhishui.app:create_app", "--host", "127.0.0.1", "--port", str(port),
           "--workers", "1", "--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(cmd, env=env, cwd=ROOT), port


def start_pygeoapi(config: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {**os.environ, "PYGEOAPI_CONFIG": str(config),
           "PYGEOAPI_OPENAPI": str(config.with_name("pygeoapi-openapi.yml"))}
    cmd = [str(PYGEOAPI_VENV / "bin" / "uvicorn"), "pygeoapi.starlette_app:APP",
           "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
           "--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(cmd, env=env, cwd=OUT), port


def wait_ready(proc: subprocess.Popen[bytes], port: int, seconds: float = 90) -> str:
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return base
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start in {seconds} s")


def _url(server: str, base: str, box: tuple[float, ...], limit: int) -> str:
    path = "/ogc/collections/components/items" if server == "zhishui" else \
        "/collections/components/items"
    bbox = ",".join(f"{v:.7f}" for v in box)
    return f"{base}{path}?bbox={bbox}&limit={limit}&f=json"


def run(client: httpx.Client, bases: dict[str, str], token: str, limit: int,
        args: argparse.Namespace) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Both servers on the same windows, alternating, each answer checked against the other."""
    auth = {"zhishui": {"Authorization": f"Bearer {token}"}, "pygeoapi": {}}
    for box in windows(args.warmup, seed=98):
        for server, base in bases.items():
            client.get(_url(server, base, box, limit), headers=auth[server]).raise_for_status()
    touch = _toucher(args.database)
    ms: dict[str, list[float]] = {s: [] for s in bases}
    sizes: dict[str, list[int]] = {s: [] for s in bases}
    counts: dict[str, list[int]] = {s: [] for s in bases}
    check = {"same ids": 0, "same ids but for edge points": 0, "different": 0,
             "numberMatched equal": 0, "numberMatched zhishui − pygeoapi, max": 0,
             "numberMatched zhishui − pygeoapi, total": 0}
    odd: list[dict[str, Any]] = []
    deadline = time.monotonic() + args.max_seconds
    with progress() as bar:
        task = bar.add_task(f"limit {limit}", total=args.requests)
        for k, window in enumerate(windows(args.requests, seed=2)):
            box = tuple(float(f"{v:.7f}") for v in window)  # exactly the bbox that is sent
            touch(box)  # read the window's pages first, so neither server pays the disk
            bodies = {}
            order = list(bases) if k % 2 == 0 else list(reversed(bases))
            for server in order:
                base = bases[server]
                t0 = time.perf_counter()
                r = client.get(_url(server, base, box, limit), headers=auth[server])
                r.raise_for_status()
                body = r.json()
                ms[server].append((time.perf_counter() - t0) * 1000)
                sizes[server].append(len(r.content))
                counts[server].append(len(body["features"]))
                bodies[server] = body
            verdict = compare(bodies["zhishui"], bodies["pygeoapi"], box)
            check[verdict] += 1
            extra = bodies["zhishui"]["numberMatched"] - bodies["pygeoapi"]["numberMatched"]
            check["numberMatched equal"] += extra == 0
            check["numberMatched zhishui − pygeoapi, max"] = max(
                check["numberMatched zhishui − pygeoapi, max"], extra)
            check["numberMatched zhishui − pygeoapi, total"] += extra
            if verdict == "different" and len(odd) < 5:
                odd.append({"bbox": box, "limit": limit, "zhishui": bodies["zhishui"],
                            "pygeoapi": bodies["pygeoapi"]})
            bar.advance(task)
            if time.monotonic() > deadline:
                break
    if odd:
        path = OUT / f"ogc_different_limit{limit}.json"
        path.write_text(json.dumps(odd, ensure_ascii=False), encoding="utf-8")
        console.print(f"[yellow]answers that differ kept in {path}")
    rows = []
    for server in bases:
        total_s = sum(ms[server]) / 1000
        rows.append({"server": server, "limit": limit, "requests": len(ms[server]),
                     "rows_avg": sum(counts[server]) / len(counts[server]),
                     "kb_avg": sum(sizes[server]) / len(sizes[server]) / 1024,
                     **percentiles(ms[server]), "req_per_s": len(ms[server]) / total_s})
    return rows, check


def _toucher(database: str) -> Any:
    """Reads a window's rows once (unmeasured) with plain SQL."""
    conn = psycopg.connect(pg_url(database).replace("+psycopg", ""), autocommit=True)
    sql = "SELECT * FROM components WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)"

    def touch(box: tuple[float, ...]) -> None:
        conn.execute(sql, box).fetchall()

    return touch


def compare(zh: dict[str, Any], pg: dict[str, Any], box: tuple[float, ...]) -> str:
    """Same feature ids in the same order, or different only by points on the window's edge."""
    zh_ids = [f["id"] for f in zh["features"]]
    pg_ids = [f["id"] for f in pg["features"]]
    if zh_ids == pg_ids:
        return "same ids"
    x0, y0, x1, y1 = box
    edge = set()
    for f in zh["features"]:
        x, y = f["geometry"]["coordinates"]
        outside = not (x0 <= x <= x1 and y0 <= y <= y1)
        near = x0 - EDGE <= x <= x1 + EDGE and y0 - EDGE <= y <= y1 + EDGE
        if outside and near:
            edge.add(f["id"])
    inner = [i for i in zh_ids if i not in edge]
    if edge and inner == pg_ids[: len(inner)]:
        return "same ids but for edge points"
    return "different"


if __name__ == "__main__":
    main()
