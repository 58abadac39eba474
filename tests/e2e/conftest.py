"""Browser tests: the app served from a thread, Playwright driving Debian's Chromium."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    skip = pytest.mark.skip(reason="Debian chromium is not installed (apt-get install chromium)")
    for item in items:
        if "e2e" in str(item.path):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-gpu",
            "--disable-component-update",
            "--no-first-run",
        ],
    }


@pytest.fixture
def live_server(app):
    """Serve the test's application on a free local port for the browser."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def csp_errors(page):
    """Console messages about the Content-Security-Policy; a test asserts it stays empty."""
    errors: list[str] = []
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if "Content Security Policy" in msg.text or msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def shoot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def browser_login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


PHONE = {"width": 390, "height": 844}


def assert_fits_phone(page, main_action=None) -> None:
    """What a phone user notices: the page scrolls only down (nothing wider than the screen),
    and its main action — given, or else the first visible primary button in <main>, or else
    its heading — is shown, whole across, with its top on screen once scrolled to."""
    wide, screen = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide <= screen, f"{page.url}: 页面宽 {wide} px，超出屏幕 {screen} px（需左右滑动）"
    if main_action is None:
        buttons = page.locator("main .btn-primary:visible")
        main_action = buttons.first if buttons.count() else page.locator("main h1").first
    assert main_action.is_visible(), f"{page.url}: 主要操作不可见"
    main_action.scroll_into_view_if_needed()
    box = main_action.bounding_box()
    height = page.evaluate("window.innerHeight")
    inside = box["x"] >= 0 and box["x"] + box["width"] <= screen + 0.5  # sub-pixel widths
    assert inside, f"{page.url}: 主要操作超出屏幕 {box}"
    assert 0 <= box["y"] < height, f"{page.url}: 主要操作不在屏幕内 {box}"
    page.evaluate("window.scrollTo(0, 0)")
