"""Login, lock-out, sessions, CSRF and API tokens through the HTTP API."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import PASSWORD, login
from zhishui.org import service as org
from zhishui.org.models import AuditEntry, User


def test_every_api_route_needs_authentication(app_client: TestClient):
    for path in (
        "/api/v1/me",
        "/api/v1/config",
        "/api/v1/layers/nodes/features",
        "/api/v1/search?q=1",
        "/api/v1/networks",
        "/ogc",
        "/ogc/collections",
        "/ogc/collections/components/items",
        "/tiles/links/12/3400/1700.pbf",
        "/api/v1/users",
        "/api/v1/imports",
    ):
        r = app_client.get(path)
        assert r.status_code == 401, path
        assert r.headers["www-authenticate"] == "Bearer"


def test_public_pages_are_public(app_client: TestClient):
    assert app_client.get("/login").status_code == 200
    assert app_client.get("/healthz").json()["status"] == "ok"
    r = app_client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_login_sets_a_safe_cookie_and_me_works(app_client: TestClient):
    r = app_client.post("/auth/login", json={"username": "admin", "password": PASSWORD})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    me = app_client.get("/api/v1/me").json()
    assert me["username"] == "admin" and me["roles"] == ["admin"]
    assert me["org_unit"]["division_code"] == "330523"


def test_secure_cookie_over_https(county):
    from zhishui.app import create_app

    with TestClient(create_app(context=county), base_url="https://testserver") as client:
        r = client.post("/auth/login", json={"username": "admin", "password": PASSWORD})
        assert "secure" in r.headers["set-cookie"].lower()


def test_passwords_are_hashed_with_argon2(county):
    with county.unit_of_work() as s:
        user = s.scalar(select(User).where(User.username == "admin"))
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_wrong_password_then_lockout(app_client: TestClient, county):
    for _ in range(3):
        r = app_client.post("/auth/login", json={"username": "operator", "password": "nope"})
        assert r.status_code == 401
    r = app_client.post("/auth/login", json={"username": "operator", "password": PASSWORD})
    assert r.status_code == 401 and "locked" in r.json()["message"]
    with county.unit_of_work() as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.target == "operator")).all()
        assert actions.count("login_failed") == 3 and "login_locked" in actions
    county.clock.at += timedelta(minutes=16)
    login(app_client, "operator")


def test_unknown_user_gets_the_same_answer(app_client: TestClient):
    r = app_client.post("/auth/login", json={"username": "ghost", "password": "x"})
    assert r.status_code == 401 and r.json()["message"] == "wrong username or password"


def test_state_changing_requests_need_the_csrf_token(app_client: TestClient):
    login(app_client, "admin")
    del app_client.headers["X-CSRF-Token"]
    r = app_client.post("/auth/logout")
    assert r.status_code == 403
    body = app_client.get("/api/v1/me").json()
    app_client.headers["X-CSRF-Token"] = body["csrf_token"]
    assert app_client.post("/auth/logout").status_code == 204
    assert app_client.get("/api/v1/me").status_code == 401


def test_bearer_token(app_client: TestClient, county):
    with county.unit_of_work() as s:
        user = org.get_user(s, "operator")
        token = org.create_api_token(s, user, "gdal", county.clock.now(), days=1)
    r = app_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["username"] == "operator"
    bad = app_client.get("/api/v1/me", headers={"Authorization": "Bearer zs_wrong"})
    assert bad.status_code == 401
    county.clock.at += timedelta(days=2)
    expired = app_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert expired.status_code == 401


def test_revoked_token_is_refused(app_client: TestClient, county):
    with county.unit_of_work() as s:
        user = org.get_user(s, "operator")
        token = org.create_api_token(s, user, "t", county.clock.now())
        org.revoke_api_token(s, user, "t")
    r = app_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


def test_users_are_listed_within_scope(app_client: TestClient):
    login(app_client, "admin")
    names = {u["username"] for u in app_client.get("/api/v1/users").json()}
    assert {"admin", "operator", "street1", "leader"} <= names
    login(app_client, "street1")
    assert app_client.get("/api/v1/users").status_code == 403


def test_admin_adds_a_user_with_validation(app_client: TestClient):
    login(app_client, "admin")
    r = app_client.post(
        "/api/v1/users",
        json={"username": "new1", "password": "abcdefgh", "org_unit": "SC1", "roles": ["handler"]},
    )
    assert r.status_code == 422 and r.json()["details"]["field"] == "password"
    r = app_client.post(
        "/api/v1/users",
        json={"username": "new1", "password": "abcd-1234", "org_unit": "SC1", "roles": ["wizard"]},
    )
    assert r.status_code == 422
    r = app_client.post(
        "/api/v1/users",
        json={"username": "new1", "password": "abcd-1234", "org_unit": "SC1", "roles": ["handler"]},
    )
    assert r.status_code == 201
    login(app_client, "new1", "abcd-1234")


PUBLIC = {"/login", "/healthz", "/auth/login", "/auth/login-form", "/static", "/",
          "/import", "/api/openapi.json", "/api/docs", "/api/docs/oauth2-redirect"}


def test_no_route_is_open_by_accident(app_client: TestClient):
    """Every operation in the OpenAPI schema answers 401 without credentials, unless public."""
    import re

    checked = 0
    for path, operations in app_client.app.openapi()["paths"].items():
        if path in PUBLIC:
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method in operations:
            r = app_client.request(method.upper(), url)
            assert r.status_code == 401, f"{method} {path} -> {r.status_code}"
            checked += 1
    assert checked >= 15
