"""Import rate of components (import_features) and of a street-grid network (import_network)."""

from __future__ import annotations

import argparse
import math
from typing import Any

from common import (
    COUNTY,
    OUT,
    Timer,
    component_records,
    console,
    drop_database,
    fresh_database,
    pg_url,
    progress,
    report,
    sqlite_url,
)
from zhishui.bootstrap import Context
from zhishui.network.features import import_features
from zhishui.network.records import LinkRecord, NetworkModel, NodeRecord
from zhishui.network.service import import_network
from zhishui.org.scope import SYSTEM

PG_DATABASE = "zhishui_bench"
COLUMNS = ["backend", "case", "rows", "seconds", "rows_per_s", "cpu_s"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--components", type=int, default=1_000_000, help="components to import")
    p.add_argument("--chunk", type=int, default=100_000, help="components per import call")
    p.add_argument("--links", type=int, default=30_000, help="links in the street grid (about)")
    p.add_argument("--backends", default="sqlite,postgresql", help="comma-separated")
    p.add_argument("--sqlite-path", default=str(OUT / "import.db"))
    p.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = p.parse_args()
    rows: list[dict[str, Any]] = []
    for backend in args.backends.split(","):
        url = sqlite_url(args.sqlite_path) if backend == "sqlite" else pg_url(PG_DATABASE)
        console.rule(f"{backend}: {url}")
        ctx = fresh_database(url)
        try:
            rows += bench_components(ctx, backend, args.components, args.chunk)
            rows += bench_network(ctx, backend, args.links)
        finally:
            ctx.close()
            if not args.keep:
                drop_database(url)
    report("import", "Import rate (wall clock, commit included)", rows, COLUMNS)


def bench_components(ctx: Context, backend: str, total: int, chunk: int) -> list[dict[str, Any]]:
    """Import `total` components in calls of `chunk`, then re-import the first call (updates)."""
    wall = cpu = 0.0
    first: dict[str, Any] = {}
    with progress() as bar:
        task = bar.add_task(f"{backend} components", total=total)
        for start in range(0, total, chunk):
            records = component_records(start, min(chunk, total - start))
            with Timer() as t, ctx.unit_of_work() as s:
                got = import_features(s, "components", records, SYSTEM, None, "bench")
            assert got["inserted"] == len(records), got
            wall, cpu = wall + t.wall, cpu + t.cpu
            if start == 0:
                first = _row(backend, "components, 1st call (empty table)", len(records), t)
            bar.advance(task, len(records))
    records = component_records(0, min(chunk, total))
    with Timer() as t, ctx.unit_of_work() as s:
        got = import_features(s, "components", records, SYSTEM, None, "bench")
    assert got["updated"] == len(records), got
    overall = {"backend": backend, "case": f"components, {total:,} in calls of {chunk:,}",
               "rows": total, "seconds": wall, "rows_per_s": total / wall, "cpu_s": cpu}
    return [overall, first, _row(backend, "components, re-import (all updates)", len(records), t)]


def bench_network(ctx: Context, backend: str, links: int) -> list[dict[str, Any]]:
    model = street_grid(links)
    out = []
    for case in ("new", "re-import"):
        with Timer() as t, ctx.unit_of_work() as s:
            got = import_network(s, model, "bench-grid", "sewer", SYSTEM, COUNTY).as_dict()
        key = "inserted" if case == "new" else "updated"
        assert got[key] == {"nodes": len(model.nodes), "links": len(model.links)}, got
        label = f"network {case}: {len(model.links):,} links + {len(model.nodes):,} nodes"
        out.append(_row(backend, label, len(model.links), t))
    return out


def _row(backend: str, case: str, n: int, t: Timer) -> dict[str, Any]:
    return {"backend": backend, "case": case, "rows": n, "seconds": t.wall,
            "rows_per_s": n / t.wall, "cpu_s": t.cpu}


def street_grid(links: int, x0: float = 119.62, y0: float = 30.58) -> NetworkModel:
    """A sewer under a square street grid (~50 m blocks) draining to an outfall at its corner."""
    side = math.ceil((1 + math.sqrt(1 + 2 * links)) / 2)  # 2·side·(side − 1) ≥ links
    dx, dy = 0.00052, 0.00045
    nodes = []
    for i in range(side):
        for j in range(side):
            ground = 12.0 + 0.004 * (i + j)
            kind = "outfall" if i == j == 0 else "manhole"
            nodes.append(NodeRecord(f"J{i}-{j}", kind, x0 + i * dx, y0 + j * dy,
                                    ground_elev=round(ground, 3),
                                    invert_elev=round(ground - 2.0 - 0.001 * (i + j), 3),
                                    max_depth=2.0))
    inv = {n.external_id: n.invert_elev or 0.0 for n in nodes}
    out: list[LinkRecord] = []
    for i in range(side):
        for j in range(side):
            for di, dj in ((1, 0), (0, 1)):
                if i + di >= side or j + dj >= side:
                    continue
                up, down = f"J{i + di}-{j + dj}", f"J{i}-{j}"  # flow towards the corner
                out.append(LinkRecord(
                    f"P{len(out)}", "conduit", up, down, shape="CIRCULAR",
                    diameter=0.3 + 0.1 * (((i + j) // 40) % 6), material="HDPE",
                    up_invert=inv[up] + 0.05, down_invert=inv[down] + 0.05,
                    install_year=2000 + (i * j) % 24, roughness=0.013,
                ))
    return NetworkModel("bench", nodes, out, crs="EPSG:4326", source="street-grid")


if __name__ == "__main__":
    main()
