"""The command line: schema, users and tokens, import, export and check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import PASSWORD
from typer.testing import CliRunner

from zhishui.cli.main import app

runner = CliRunner()


@pytest.fixture
def env(county, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("ZHISHUI_DATABASE_URL", county.settings.database_url)
    return {}


def run(*args: str, input: str | None = None):
    result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
    return result


def test_help_explains_the_commands():
    out = run("--help").output
    for word in ("import", "export", "check", "serve", "demo", "users", "db"):
        assert word in out
    assert "ZHISHUI_DATABASE_URL" in out


def test_db_upgrade_is_idempotent(env):
    r = run("db", "upgrade")
    assert r.exit_code == 0 and "0001" in r.output


def test_users_add_list_token(env):
    r = run(
        "users",
        "add",
        "patrol1",
        "--org-unit",
        "SC1",
        "--role",
        "grid_worker",
        "--name",
        "巡查员一",
        "--password",
        "Patrol-2026",
    )
    assert r.exit_code == 0, r.output
    r = run("users", "list")
    assert "patrol1" in r.output and "grid_worker" in r.output
    r = run("users", "token", "patrol1", "--name", "phone")
    token = r.output.strip()
    assert r.exit_code == 0 and token.startswith("zs_") and len(token) > 30
    r = run(
        "users",
        "add",
        "patrol1",
        "--org-unit",
        "SC1",
        "--role",
        "grid_worker",
        "--password",
        "Patrol-2026",
    )
    assert r.exit_code == 2 and "exists already" in r.output


def test_users_add_rejects_weak_password_and_bad_role(env):
    r = run(
        "users", "add", "x1", "--org-unit", "SC1", "--role", "grid_worker", "--password", "short"
    )
    assert r.exit_code == 2 and "at least 8" in r.output
    r = run("users", "add", "x1", "--org-unit", "SC1", "--role", "king", "--password", PASSWORD)
    assert r.exit_code == 2 and "roles must be among" in r.output


def test_import_rejects_unknown_file_type(env, tmp_path: Path):
    bad = tmp_path / "pipes.txt"
    bad.write_text("hello")
    r = run("import", str(bad), "--network", "n1", "--kind", "storm")
    assert r.exit_code == 2 and "pipes.txt" in r.output and "unsupported file type" in r.output


def test_import_records_json_for_outfalls(env, tmp_path: Path):
    f = tmp_path / "outfalls.json"
    f.write_text(
        json.dumps(
            [
                {
                    "code": "RK-9",
                    "kind": "industrial",
                    "x": 119.61,
                    "y": 30.61,
                    "name": "工业排口",
                    "attrs": {"river": "浑泥港"},
                }
            ]
        ),
        "utf-8",
    )
    r = run("import", str(f), "--target", "outfalls")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["inserted"] == 1
