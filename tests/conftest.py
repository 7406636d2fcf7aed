"""Fixtures: a database per test on SQLite always and on PostgreSQL + PostGIS when reachable."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import shapely
import sqlalchemy as sa
from fastapi.testclient import TestClient

from zhishui.bootstrap import Context, build_context
from zhishui.core.clock import FixedClock
from zhishui.core.settings import Settings
from zhishui.db import migrate
from zhishui.db.engine import make_engine
from zhishui.org import geography, security
from zhishui.org import service as org

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared" / "data").resolve()
PG_URL = os.environ.get(
    "ZHISHUI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/zhishui_test"
)
REQUIRE_PG = os.environ.get("CI", "").lower() == "true" or os.environ.get("ZHISHUI_REQUIRE_PG")
PASSWORD = "Secret-123"
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
security.use_profile("fast")  # argon2id with cheap parameters: the suite hashes many passwords


def _pg_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def _worker_url(worker_id: str, run_id: str) -> str:
    """A database of its own per test run and worker, so that parallel runs never collide."""
    return f"{PG_URL}_{run_id[:8]}_{worker_id}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_database(worker_id: str, testrun_uid: str) -> Iterator[str]:
    if not _pg_reachable():
        if REQUIRE_PG:
            pytest.fail("PostgreSQL is required (CI=true) but not reachable on 127.0.0.1:5432")
        pytest.skip("PostgreSQL not reachable")
    url = _worker_url(worker_id, testrun_uid)
    name = sa.engine.make_url(url).database
    admin = make_engine(
        sa.engine.make_url(url).set(database="postgres").render_as_string(False),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        tables = [
            r[0]
            for r in conn.execute(
                sa.text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename NOT IN ('alembic_version', 'spatial_ref_sys')"
                )
            )
        ]
        conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "zhishui.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("pg_database")
    yield url
    engine = make_engine(url)
    _truncate_all(engine)
    engine.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db_url, secret_key="test", login_max_failures=3,
                    data_dir=str(tmp_path / "data"))


@pytest.fixture
def ctx(settings: Settings) -> Iterator[Context]:
    context = build_context(settings, FixedClock(NOW))
    yield context
    context.close()


def seed_county(ctx: Context) -> None:
    """A small county: one county, two streets, a community, centres, departments and users."""
    with ctx.unit_of_work() as s:
        geography.add_division(
            s, "330523", "安吉县", "county", None, shapely.box(119.5, 30.5, 119.9, 30.8)
        )
        geography.add_division(
            s, "330523001", "递铺街道", "town", "330523", shapely.box(119.6, 30.6, 119.7, 30.7)
        )
        geography.add_division(
            s, "330523002", "昌硕街道", "town", "330523", shapely.box(119.7, 30.6, 119.8, 30.7)
        )
        geography.add_division(
            s,
            "330523001001",
            "社区一",
            "community",
            "330523001",
            shapely.box(119.6, 30.6, 119.65, 30.65),
        )
        geography.add_grid(
            s,
            "33052300100101",
            "网格 01",
            "330523001001",
            shapely.box(119.6, 30.6, 119.625, 30.625),
        )
        org.add_org_unit(s, "CC", "县城运中心", "centre", "city", "330523")
        org.add_org_unit(s, "SC1", "递铺街道中心", "centre", "street", "330523001", "CC")
        org.add_org_unit(s, "SC2", "昌硕街道中心", "centre", "street", "330523002", "CC")
        org.add_org_unit(s, "ZJJ", "住建局", "department", "city", "330523", "CC")
        org.add_user(s, "admin", PASSWORD, "CC", ["admin"], "管理员")
        org.add_user(s, "operator", PASSWORD, "CC", ["operator"], "值班员")
        org.add_user(s, "street1", PASSWORD, "SC1", ["operator"], "街道一值班员")
        org.add_user(s, "leader", PASSWORD, "CC", ["leader"], "领导")


@pytest.fixture
def county(ctx: Context) -> Context:
    seed_county(ctx)
    return ctx


def login(client: TestClient, username: str, password: str = PASSWORD) -> dict:
    r = client.post("/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    body = r.json()
    client.headers["X-CSRF-Token"] = body["csrf_token"]
    return body


@pytest.fixture
def app_client(county: Context) -> Iterator[TestClient]:
    from zhishui.app import create_app

    with TestClient(create_app(context=county), base_url="http://testserver") as client:
        yield client


@pytest.fixture
def admin_client(app_client: TestClient) -> TestClient:
    login(app_client, "admin")
    return app_client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, ctx: Context) -> None:
        import uvicorn

        from zhishui.app import create_app

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(context=ctx), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("live server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
