"""Latency of a 1 km² bbox query over millions of components: zhishui's query vs raw SQL."""

from __future__ import annotations

import argparse
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import psycopg
import sqlalchemy as sa

from common import (
    COUNTY,
    OUT,
    Timer,
    component_records,
    console,
    context,
    database_exists,
    fresh_database,
    percentiles,
    pg_url,
    progress,
    report,
    sqlite_url,
    windows,
)
from zhishui.bootstrap import Context
from zhishui.network.features import import_features
from zhishui.network.layers import LAYERS
from zhishui.network.query import query_features
from zhishui.org.scope import SYSTEM, Actor, prefix_upper

PG_DATABASE = "zhishui_bench_bbox"
SERIAL = "-c max_parallel_workers_per_gather=0"  # as zhishui's engine sets it
ACTOR = Actor(None, "bench", frozenset({"admin"}), None, "city", COUNTY)  # a county admin
PROPS = "code, class_code, name, division_code, grid_code, owner_department, status"
COLUMNS = ["backend", "pass", "case", "queries", "rows_avg", "p50_ms", "p95_ms", "p99_ms",
           "mean_ms"]
Query = Callable[[tuple[float, float, float, float]], tuple[int, int | None]]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--count", type=int, default=11_000_000, help="components to load")
    p.add_argument("--chunk", type=int, default=500_000, help="components per import call")
    p.add_argument("--backends", default="sqlite,postgresql", help="comma-separated")
    p.add_argument("--sqlite-path", default=str(OUT / "bbox.db"))
    p.add_argument("--reload", action="store_true", help="load again even if already loaded")
    p.add_argument("--load-only", action="store_true", help="load, do not query")
    p.add_argument("--windows", type=int, default=500, help="measured 1 km² windows")
    p.add_argument("--warmup", type=int, default=50, help="windows run first, not measured")
    p.add_argument("--passes", type=int, default=2,
                   help="passes over the same windows (the 1st reads pages, later ones are warm)")
    p.add_argument("--max-seconds", type=float, default=600, help="time bound per pass")
    args = p.parse_args()
    rows: list[dict[str, Any]] = []
    for backend in args.backends.split(","):
        url = sqlite_url(args.sqlite_path) if backend == "sqlite" else pg_url(PG_DATABASE)
        console.rule(f"{backend}: {url}")
        load = ensure_loaded(url, backend, args.count, args.chunk, args.reload)
        if load:
            report("bbox_load", "Loading (import_features in calls)", [load],
                   ["backend", "case", "rows", "seconds", "rows_per_s"])
        if not args.load_only:
            rows += measure(url, backend, args.windows, args.warmup, args.passes,
                            args.max_seconds)
    if rows:
        report("bbox", f"1 km² bbox query over {args.count:,} components", rows, COLUMNS)


def loaded_count(url: str) -> int | None:
    if not database_exists(url):
        return None
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM components")).scalar()
    except sa.exc.DBAPIError:
        return None
    finally:
        engine.dispose()


def ensure_loaded(url: str, backend: str, count: int, chunk: int,
                  reload: bool) -> dict[str, Any] | None:
    """Load `count` components unless the database already holds exactly that many."""
    have = loaded_count(url)
    if have == count and not reload:
        console.print(f"reusing {url}: {have:,} components")
        return None
    ctx = fresh_database(url)
    wall = 0.0
    try:
        with progress() as bar:
            task = bar.add_task(f"{backend} load", total=count)
            for start in range(0, count, chunk):
                records = component_records(start, min(chunk, count - start))
                with Timer() as t, ctx.unit_of_work() as s:
                    import_features(s, "components", records, SYSTEM, None, "bench")
                wall += t.wall
                bar.advance(task, len(records))
        with Timer() as t:
            _analyze(ctx)
        console.print(f"statistics refreshed in {t.wall:.1f} s")
    finally:
        ctx.close()
    return {"backend": backend, "case": f"load {count:,} in calls of {chunk:,}", "rows": count,
            "seconds": wall, "rows_per_s": count / wall}


def _analyze(ctx: Context) -> None:
    if ctx.engine.dialect.name == "postgresql":
        with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE components"))
        return
    with ctx.engine.begin() as conn:
        conn.execute(sa.text("ANALYZE"))


def measure(
    url: str, backend: str, n: int, warmup: int, passes: int, max_seconds: float
) -> list[dict[str, Any]]:
    """Every case on the same windows, interleaved, so that caches favour none of them."""
    ctx = context(url)
    raw = _raw(url)
    cases: dict[str, Query] = {
        "zhishui query_features limit=10000": _zhishui(ctx, 10_000),
        "zhishui query_features limit=10": _zhishui(ctx, 10),
        "raw SQL limit=10000": raw(10_000),
        "raw SQL limit=10": raw(10),
        "raw SQL index only (count)": _index_only(url),
    }
    for box in windows(warmup, seed=99):
        for run in cases.values():
            run(box)
    out = []
    for pass_no in range(1, passes + 1):
        times: dict[str, list[float]] = {k: [] for k in cases}
        counts: dict[str, list[int]] = {k: [] for k in cases}
        deadline = time.monotonic() + max_seconds
        with progress() as bar:
            task = bar.add_task(f"{backend} queries, pass {pass_no}", total=n)
            for box in windows(n, seed=1):
                for name, run in cases.items():
                    t0 = time.perf_counter()
                    got, _ = run(box)
                    times[name].append((time.perf_counter() - t0) * 1000)
                    counts[name].append(got)
                bar.advance(task)
                if time.monotonic() > deadline:
                    console.print(f"[yellow]time bound reached after {len(counts[name])} windows")
                    break
        out += [{"backend": backend, "pass": pass_no, "case": name, "queries": len(times[name]),
                 "rows_avg": sum(counts[name]) / len(counts[name]), **percentiles(times[name])}
                for name in cases]
    ctx.close()
    return out


def _zhishui(ctx: Context, limit: int) -> Query:
    layer = LAYERS["components"]

    def run(box: tuple[float, float, float, float]) -> tuple[int, int | None]:
        with ctx.sessions() as s:
            features, matched = query_features(s, layer, ACTOR, box, {}, limit, 0)
        return len(features), matched

    return run


def _raw(url: str) -> Callable[[int], Query]:
    """The same SELECT and count as query_features, on the bare driver: no ORM, no decoding."""
    scope = (COUNTY, prefix_upper(COUNTY))
    if url.startswith("sqlite"):
        conn: Any = sqlite3.connect(url.removeprefix("sqlite:///"))
        conn.execute("PRAGMA cache_size=-65536")
        where = ("division_code >= ? AND division_code < ? AND id IN (SELECT id FROM "
                 "rtree_components_geom WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ?)")

        def args(box: tuple[float, ...]) -> tuple[Any, ...]:
            return (*scope, box[0], box[2], box[1], box[3])

        mark = "?"
    else:
        conn = psycopg.connect(url.replace("+psycopg", ""), autocommit=True, prepare_threshold=None,
                                options=SERIAL)
        where = ("division_code >= %s AND division_code < %s AND "
                 "ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))")

        def args(box: tuple[float, ...]) -> tuple[Any, ...]:
            return (*scope, *box)

        mark = "%s"

    def make(limit: int) -> Query:
        select = (f"SELECT id, geom, {PROPS} FROM components WHERE {where} "
                  f"ORDER BY id LIMIT {mark} OFFSET 0")
        count = f"SELECT count(*) FROM components WHERE {where}"

        def run(box: tuple[float, float, float, float]) -> tuple[int, int | None]:
            rows = conn.execute(select, (*args(box), limit)).fetchall()
            return len(rows), conn.execute(count, args(box)).fetchone()[0]

        return run

    return make


def _index_only(url: str) -> Query:
    if url.startswith("sqlite"):
        conn: Any = sqlite3.connect(url.removeprefix("sqlite:///"))
        sql = ("SELECT count(*) FROM rtree_components_geom "
               "WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ?")

        def run(box: tuple[float, float, float, float]) -> tuple[int, int | None]:
            n = conn.execute(sql, (box[0], box[2], box[1], box[3])).fetchone()[0]
            return n, n

        return run
    conn = psycopg.connect(url.replace("+psycopg", ""), autocommit=True, prepare_threshold=None,
                                options=SERIAL)
    sql = "SELECT count(*) FROM components WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)"

    def run_pg(box: tuple[float, float, float, float]) -> tuple[int, int | None]:
        n = conn.execute(sql, box).fetchone()[0]
        return n, n

    return run_pg


if __name__ == "__main__":
    main()
