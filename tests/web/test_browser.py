"""The web client in a real browser: login, map, search, feature panel, network check, import.

Chromium runs headless with SwiftShader (software WebGL), which MapLibre needs:
--use-gl=swiftshader --enable-unsafe-swiftshader gives WebGL 2 through ANGLE on SwiftShader's
Vulkan device (no GPU needed). Set ZHISHUI_SCREENSHOTS=/some/dir to keep the screenshots.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, LiveServer
from zhishui.network.features import import_features
from zhishui.network.records import FeatureRecord, LinkRecord, NetworkModel, NodeRecord
from zhishui.network.service import import_network
from zhishui.org.scope import SYSTEM

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--use-gl=swiftshader", "--enable-unsafe-swiftshader"]
NETWORK = "城区雨水"
OUTFALL = "HK330523-0001"
# P2 runs from J2 to J3; its midpoint is where the test clicks.
NODES = [("J1", "manhole", 119.6150, 30.6230, 10.0), ("J2", "manhole", 119.6180, 30.6220, 9.6),
         ("J3", "manhole", 119.6210, 30.6210, 9.2), ("O1", "outfall", 119.6240, 30.6200, 8.8),
         ("J4", "manhole", 119.6180, 30.6250, 9.0)]
LINKS = [("P1", "J1", "J2", 0.6, 10.0, 9.6), ("P2", "J2", "J3", 0.8, 9.6, 9.2),
         ("P3", "J3", "O1", 1.0, 9.2, 8.8), ("P4", "J4", "J2", 0.4, 9.0, 9.6)]  # P4: adverse
P2_MID = [(119.6180 + 119.6210) / 2, (30.6220 + 30.6210) / 2]


def seed_network(ctx) -> None:
    """A storm network of 5 nodes and 4 pipes (one with an adverse slope) and its outfall."""
    model = NetworkModel(
        format="test", crs="EPSG:4326", source="test",
        nodes=[NodeRecord(nid, kind, x, y, invert_elev=inv, ground_elev=inv + 3)
               for nid, kind, x, y, inv in NODES],
        links=[LinkRecord(lid, "conduit", a, b, diameter=d, up_invert=up, down_invert=down,
                          material="钢筋混凝土", install_year=2012, condition_grade=2,
                          owner_department="县住建局")
               for lid, a, b, d, up, down in LINKS])
    outfall = FeatureRecord(OUTFALL, "other", 119.6242, 30.6199, "西苕溪1号雨水排口",
                            {"river": "西苕溪", "responsible_party": "县住建局",
                             "network": NETWORK, "node": "O1"})
    with ctx.unit_of_work() as s:
        import_network(s, model, NETWORK, "storm", SYSTEM, division_code="330523")
        import_features(s, "outfalls", [outfall], SYSTEM, "EPSG:4326")


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is required in CI")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    path = Path(os.environ.get("ZHISHUI_SCREENSHOTS") or tmp_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def wait_map_idle(page) -> None:
    """Wait until the map has stopped moving and has every tile of the view."""
    page.wait_for_function("() => window.zhishuiMap && window.zhishuiMap.loaded()"
                           " && window.zhishuiMap.areTilesLoaded()"
                           " && !window.zhishuiMap.isMoving()", timeout=30000)


def jump_to(page, center: list[float], zoom: float) -> None:
    """Move the map and wait for the render that has all the new tiles ('idle')."""
    page.evaluate("([center, zoom]) => new Promise(resolve => {"
                  " const m = window.zhishuiMap; m.once('idle', () => resolve(true));"
                  " m.jumpTo({center, zoom}); })", [center, zoom])


def rendered(page, layer: str, prop: str) -> list:
    return page.evaluate(
        "([layer, prop]) => window.zhishuiMap.queryRenderedFeatures()"
        ".filter(f => f.layer.metadata && f.layer.metadata['zhishui:layer'] === layer)"
        ".map(f => f.properties[prop])", [layer, prop])


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_command_centre_in_a_browser(county, browser, shots: Path, tmp_path: Path) -> None:
    seed_network(county)
    with LiveServer(county) as server:
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN",
                                      reduced_motion="reduce")  # no fly-to animations
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        # (the rejected upload's 422 is expected; the browser logs it as a failed resource)
        page.on("console", lambda m: errors.append(m.text)
                if m.type == "error" and "status of 422" not in m.text else None)
        tiles: list[int] = []
        page.on("response", lambda r: tiles.append(r.status) if "/tiles/" in r.url else None)

        # Login: a wrong password shows the error, the right one opens the map.
        page.goto(server.url + "/")
        assert "/login" in page.url
        page.fill("#username", "admin")
        page.fill("#password", "wrong-password")
        page.click("#login-submit")
        page.wait_for_selector("#login-error")
        assert "用户名或密码错误" in page.inner_text("#login-error")
        page.screenshot(path=str(shots / "login.png"))
        page.fill("#username", "admin")
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url(server.url + "/")
        page.wait_for_selector("body[data-map-ready='true']", timeout=20000)
        page.wait_for_function("() => document.getElementById('user-name').textContent")
        assert page.inner_text("#user-name") == "管理员"
        assert "县城运中心" in page.inner_text("#user-org")

        # The map renders our vector tiles and the seeded pipes are on it.
        jump_to(page, P2_MID, 16)
        assert page.evaluate("() => window.zhishuiMap.loaded()")
        assert tiles and 200 in tiles and all(s == 200 for s in tiles), tiles
        assert {"P1", "P2", "P3", "P4"} <= set(rendered(page, "links", "external_id"))
        assert OUTFALL in rendered(page, "outfalls", "code")
        assert page.locator("#layer-list .layer-row").count() >= 9

        # Click the middle of pipe P2: its panel shows the diameter in mm.
        box = page.locator("#map canvas").bounding_box()
        px = page.evaluate(f"() => window.zhishuiMap.project({P2_MID})")
        page.mouse.click(box["x"] + px["x"], box["y"] + px["y"])
        page.wait_for_selector("#feature-panel[data-layer='links'] tr[data-attr='diameter']")
        assert page.inner_text("#panel-title") == "P2"
        assert page.inner_text("tr[data-attr='diameter'] td") == "800 mm"
        assert "钢筋混凝土" in page.inner_text("#panel-body")
        assert page.locator(".related button[data-layer='nodes']").count() == 2
        page.screenshot(path=str(shots / "map-pipe.png"))

        # Search the outfall by code, open it from the results list.
        page.fill("#search-input", OUTFALL[:8])
        page.click(".search-item[data-layer='outfalls']")
        page.wait_for_selector("#feature-panel[data-layer='outfalls'] tr[data-attr='river']")
        assert page.inner_text("#panel-title") == "西苕溪1号雨水排口"
        assert "西苕溪" in page.inner_text("tr[data-attr='river'] td")
        # its related node opens that node's panel
        page.click(".related button[data-layer='nodes']")
        page.wait_for_function("() => document.getElementById('panel-title').textContent === 'O1'")

        # Switch a layer off.
        page.uncheck("#layer-grids")
        assert page.evaluate(
            "() => window.zhishuiMap.getLayoutProperty('grids-over0', 'visibility')") == "none"

        # Run the network check: findings are listed and drawn.
        page.click("[data-tab='networks']")
        row = page.locator(f".network[data-name='{NETWORK}']")
        assert "km" in row.inner_text()
        page.wait_for_function("() => document.querySelector('#network-chart canvas')")
        row.locator(".check-btn").click()
        page.wait_for_selector("#findings .finding")
        assert page.locator("#findings .finding.sev-error[data-code='adverse_slope']").count() == 1
        assert "P4" in page.inner_text("#findings .finding.sev-error")
        wait_map_idle(page)
        assert page.evaluate("() => window.zhishuiMap.queryRenderedFeatures("
                             "{layers: ['findings']}).length") >= 1
        page.click("#findings .finding.sev-error")
        page.wait_for_function("() => document.getElementById('panel-title').textContent === 'P4'")
        wait_map_idle(page)
        page.screenshot(path=str(shots / "map-check.png"))

        # English.
        page.goto(server.url + "/?lang=en")
        page.wait_for_selector("body[data-map-ready='true']")
        assert page.inner_text("[data-tab='layers']") == "Layers"
        assert "Pipes and links" in page.inner_text("#layer-list")
        assert page.inner_text("#logout") == "Sign out"
        page.click("[data-tab='networks']")
        page.wait_for_selector(".network .check-btn")
        assert page.inner_text(".network .check-btn") == "Network check"
        page.click(".network .check-btn")
        page.wait_for_selector("#findings .finding.sev-error")
        assert "Link P4 slopes backwards" in page.inner_text("#findings .finding.sev-error")
        page.screenshot(path=str(shots / "map-en.png"))

        # A bad file on the import page: the problem table with the line, nothing written.
        bad = tmp_path / "outfalls.json"
        bad.write_text(json.dumps([{"code": "HK-X1", "kind": "sewage", "x": 119.62, "y": 30.62}]),
                       "utf-8")
        page.goto(server.url + "/import")
        page.select_option("#import-target", "outfalls")
        page.set_input_files("#import-file", str(bad))
        page.click("#import-submit")
        page.wait_for_selector("#problems tbody tr")
        cells = page.locator("#problems tbody tr").first.locator("td").all_inner_texts()
        assert cells[:3] == ["outfalls.json", "1", "type"], cells
        assert "Nothing was written" in page.inner_text("#import-error")
        page.wait_for_selector("#history-body .status-rejected")
        page.screenshot(path=str(shots / "import-en.png"), full_page=True)

        # A phone: the sidebar folds away behind a button, the search stays.
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(server.url + "/?lang=zh")
        page.wait_for_selector("body[data-map-ready='true']")
        assert page.is_visible("#sidebar-open") and page.is_visible("#search-input")
        page.screenshot(path=str(shots / "phone.png"))

        # Sign out: back to the login page, the map needs a new login.
        page.click("#logout")
        page.wait_for_url("**/login")
        page.goto(server.url + "/")
        assert "/login" in page.url

        assert not errors, errors
        context.close()
