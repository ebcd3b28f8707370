"""What the browser tests and the browser benchmark share: a Jupyter server on 127.0.0.1 with a
fresh config and work directory, Chromium's flags, and the page-side scripts (kernel idle, the
WCAG contrast of every visible text element of a card).
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]
# The Jupyter application each frontend kind runs as, and the option that exposes its app object
# to the page as window.jupyterapp (its commands run the cells; its shell finds the kernel).
APPS = {"lab": ("jupyterlab", "--LabServerApp.expose_app_in_browser=True"),
        "notebook": ("notebook", "--JupyterNotebookApp.expose_app_in_browser=True")}


class ServerDidNotStart(RuntimeError):
    pass


@dataclass(frozen=True)
class Server:
    url: str
    token: str
    work: Path
    kind: str

    def page_url(self, notebook: str, workspace: str = "default") -> str:
        """The page of ``notebook``; in JupyterLab, in a workspace of its own (a page in the
        default one would also reopen the notebooks of the pages before it)."""
        path = f"lab/workspaces/{workspace}/tree" if self.kind == "lab" else "notebooks"
        return f"{self.url}/{path}/{notebook}?token={self.token}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(home: Path) -> dict:
    config = home / "config"
    (config / "labconfig").mkdir(parents=True, exist_ok=True)
    (config / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "ws"),
           "IPYTHONDIR": str(home / "ipython"), "XDG_CONFIG_HOME": str(home / "xdg-config"),
           "XDG_CACHE_HOME": str(home / "xdg-cache"), "XDG_DATA_HOME": str(home / "xdg-data")}
    for var in ("SINCH_SERVICE_PLAN_ID", "SINCH_API_TOKEN", "SINCH_PROJECT_ID", "SINCH_KEY_ID",
                "SINCH_KEY_SECRET", "SMSNB_BASE_URL"):
        env.pop(var, None)
    return env


@contextlib.contextmanager
def jupyter_server(kind: str, home: Path, work: Path):
    """JupyterLab (``kind`` "lab") or Notebook 7 ("notebook") serving ``work``, until the block ends."""
    module, expose = APPS[kind]
    port, token = _free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", module, "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--ServerApp.root_dir={work}", f"--IdentityProvider.token={token}", expose,
               "--LabApp.news_url=", "--ServerApp.open_browser=False"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log_path = home / f"{kind}.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, env=_environment(home), stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise ServerDidNotStart(
                            f"{module} did not start:\n{log_path.read_text()[-3000:]}") from None
                    time.sleep(0.3)
            yield Server(url, token, work, kind)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()


def write_notebook(path: Path, cells: list[str]) -> None:
    """A notebook of code cells, without outputs."""
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": kernel},
                "cells": [{"cell_type": "code", "id": f"cell-{i}", "metadata": {}, "execution_count": None,
                           "outputs": [], "source": source} for i, source in enumerate(cells)]}
    path.write_text(json.dumps(notebook, indent=1))


KERNEL_IDLE = """() => {
  const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session
                 && widget.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""

# Each visible element of ``root`` that shows text of its own (a text node, or a control's value),
# with its text colour and the colour behind it: its own and its ancestors' backgrounds, each
# composited over the next one down, over the page's (white where nothing is painted). Colours
# are read back from a canvas, so that any CSS colour syntax the browser computes is understood.
# A disabled control is left out: WCAG 1.4.3 exempts an inactive user interface component.
CONTRAST = r"""(root) => {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const rgba = (css) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = '#000';
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  };
  const over = (top, below) => [0, 1, 2].map(i => top[i] * top[3] + below[i] * (1 - top[3])).concat([1]);
  const behind = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    let base = [255, 255, 255, 1];
    if (!layers.length || layers[layers.length - 1][3] < 1) {
      const page = rgba(getComputedStyle(document.documentElement).backgroundColor);
      base = page[3] > 0 ? over(page, base) : base;
    } else {
      base = layers.pop();
    }
    return layers.reverse().reduce((below, top) => over(top, below), base);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const controls = 'input, select, textarea';
  const found = [];
  for (const el of [root, ...root.querySelectorAll('*')]) {
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    if (el.closest('[disabled]') || el.getAttribute('aria-disabled') === 'true') continue;
    const own = el.matches(controls)
      ? (el.type === 'checkbox' || el.type === 'radio' ? '' : (el.value || ''))
      : [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('');
    const text = own.replace(/\s+/g, ' ').trim();
    if (!text) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width < 1 || rect.height < 1) continue;
    const bg = behind(el);
    const fg = over(rgba(getComputedStyle(el).color), bg);
    found.push({text: text.slice(0, 60), tag: el.tagName.toLowerCase(), ratio: ratio(fg, bg),
                color: getComputedStyle(el).color, background: `rgb(${bg.slice(0, 3).map(Math.round)})`});
  }
  return found;
}"""


def contrast_failures(locator, minimum: float = 4.5) -> list[str]:
    """Every visible text of ``locator``'s element under ``minimum`` contrast, named with its ratio."""
    found = locator.evaluate(CONTRAST)
    assert found, "no visible text found in the card"
    return [f"{item['text']!r} ({item['tag']}): {item['ratio']:.2f}:1, "
            f"{item['color']} on {item['background']}" for item in found if item["ratio"] < minimum]
