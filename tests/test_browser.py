"""What a person sees: the error gallery in real JupyterLab, in headless Chromium.

JupyterLab starts on 127.0.0.1 with a fresh config and work directory; the test runs every
cell of notebook 02, fixes the missing_callback_url card and the invalid-number card through
their forms, and checks that each resend ends in a success card. Screenshots go to
test-artifacts/. The page may make no request outside 127.0.0.1.
"""
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]

playwright_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"no {CHROMIUM}: apt-get install chromium")
    home = tmp_path_factory.mktemp("lab")
    work = home / "work"
    work.mkdir()
    shutil.copy(ROOT / "notebooks" / "02-error-gallery.ipynb", work)
    config = home / "config"
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "IPYTHONDIR": str(home / "ipython"), "XDG_CONFIG_HOME": str(home / "xdg-config"),
           "XDG_CACHE_HOME": str(home / "xdg-cache"), "XDG_DATA_HOME": str(home / "xdg-data")}
    for var in ("SINCH_SERVICE_PLAN_ID", "SINCH_API_TOKEN", "SMSNB_BASE_URL"):
        env.pop(var, None)
    port, token = _free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--ServerApp.root_dir={work}", f"--IdentityProvider.token={token}",
               "--LabServerApp.expose_app_in_browser=True", "--LabApp.news_url=",
               "--ServerApp.open_browser=False"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(home / "lab.log", "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"JupyterLab did not start:\n{(home / 'lab.log').read_text()[-3000:]}")
            time.sleep(0.3)
    yield url, token
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(scope="module")
def page(lab):
    url, token = lab
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.requested = []
        page.on("request", lambda request: page.requested.append(request.url))
        page.goto(f"{url}/lab/tree/02-error-gallery.ipynb?token={token}")
        yield page
        browser.close()


KERNEL_IDLE = """() => {
  const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session
                 && widget.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""


def card_with(page, code):
    """The error card (the widget) whose header names ``code``."""
    card = page.locator(".smsnb-error-card", has=page.locator(".smsnb-header", has_text=code)).first
    card.wait_for(timeout=60_000)
    return card


def shoot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_fix_two_errors_through_their_forms_in_jupyterlab(page):
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function("() => document.querySelectorAll('.smsnb-error-card').length >= 9", timeout=90_000)
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)
    shoot(page, "01-gallery-ran")

    callback = card_with(page, "missing_callback_url")
    callback.scroll_into_view_if_needed()
    callback.locator(".smsnb-field-callback_url input").fill("https://example.com/delivery-reports")
    resend = callback.locator(".smsnb-resend")
    resend.wait_for()
    page.wait_for_function("(el) => !el.disabled", arg=resend.element_handle(), timeout=10_000)
    shoot(page, "02-callback-filled")
    resend.click()
    callback.locator(".smsnb-chain .smsnb-success-card").wait_for(timeout=30_000)
    shoot(page, "03-callback-fixed")
    assert "Before → after" in callback.locator(".smsnb-diff").inner_text()

    number = card_with(page, "syntax_invalid_parameter_format")
    number.scroll_into_view_if_needed()
    field = number.locator(".smsnb-field-to-0 input")
    assert field.input_value() == "+46701234567"  # the suggestion, accepted as it is
    number.locator(".smsnb-resend").click()
    number.locator(".smsnb-chain .smsnb-success-card").wait_for(timeout=30_000)
    number.scroll_into_view_if_needed()
    shoot(page, "04-number-fixed")

    outside = [u for u in page.requested
               if urlsplit(u).scheme in ("http", "https", "ws", "wss")
               and urlsplit(u).hostname != "127.0.0.1"]
    assert not outside, outside[:5]
