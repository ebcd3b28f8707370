"""Shift+Enter to visible output in real JupyterLab (headless Chromium): how long a person waits.

Three figures, each the median of a few runs, each run a new cell typed into by the model and run
with Shift+Enter: (a) ``print('x')``, the baseline; (b) a warm error card (the fixed-line card,
after one already shown); (c) the first error card in a fresh kernel (restart, ``%load_ext
smsnb``, then the same line at once, as "Run all" would). The clock starts at the Shift+Enter
keydown and stops when the output's first element is in the page with a size (a
MutationObserver; both figures are measured the same way, so their difference is what counts).
Targets: the warm card within 100 ms of the baseline, the first card within 250 ms of it.

`python benchmarks/run.py` runs it with the others; alone: `python benchmarks/browser.py`.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from browser_support import CHROMIUM, CHROMIUM_FLAGS, KERNEL_IDLE, jupyter_server, write_notebook  # noqa: E402

CARD_LINE = "%sms +46812345678 -m hi"  # a fixed line: illegal_number_type, the card with a country name
PRINT = "print('x')"
WARM_TARGET, FRESH_TARGET = 100.0, 250.0  # ms over the print() baseline

# A new cell below the active one holding ``code``, selected in command mode, and a clock that
# starts at the next Shift+Enter and stops when an output matching ``selector`` has a size (with no
# selector, when the cell has run).
ARM = """([code, selector]) => {
  const app = window.jupyterapp, notebook = app.shell.currentWidget.content;
  return app.commands.execute('notebook:insert-cell-below').then(() => {
    const cell = notebook.activeCell;
    cell.model.sharedModel.setSource(code);
    notebook.mode = 'command';
    notebook.node.focus();
    const clock = window.__clock = {start: null, end: null, cell: cell};
    const shown = () => selector === null ? cell.model.executionCount !== null
      : [...cell.node.querySelectorAll(selector)].some(el => {
          const r = el.getBoundingClientRect();
          return r.width > 0 && r.height > 0;
        });
    const keydown = (event) => {
      if (event.key === 'Enter' && event.shiftKey && clock.start === null) clock.start = performance.now();
    };
    document.addEventListener('keydown', keydown, true);
    const check = () => {
      if (clock.end === null && clock.start !== null && shown()) {
        clock.end = performance.now();
        observer.disconnect();
        document.removeEventListener('keydown', keydown, true);
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(cell.node, {childList: true, subtree: true, attributes: true, characterData: true});
    cell.model.stateChanged.connect(check);
  });
}"""
PRINTED = ".jp-OutputArea-output"
CARD = ".smsnb-error-card .smsnb-header"  # the card with its words, not an empty frame
RESTART = "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()"


class Lab:
    """A JupyterLab page with a notebook open, where each cell typed is timed."""

    def __init__(self, page):
        self.page = page

    def idle(self) -> None:
        self.page.wait_for_function(KERNEL_IDLE, timeout=90_000)

    def time(self, code: str, selector: str | None) -> float:
        """Milliseconds from Shift+Enter to the output shown (or the cell run)."""
        self.page.evaluate(ARM, [code, selector])
        self.page.keyboard.press("Shift+Enter")
        self.page.wait_for_function("() => window.__clock.end !== null", timeout=60_000)
        elapsed = self.page.evaluate("() => window.__clock.end - window.__clock.start")
        self.idle()
        return elapsed

    def restart(self) -> None:
        self.page.evaluate(RESTART)
        self.idle()


def measure(lab: Lab, repeats: int, fresh_repeats: int) -> dict[str, list[float]]:
    """The three series of milliseconds: print, warm card, first card in a fresh kernel."""
    lab.time("%load_ext smsnb", None)
    lab.time(CARD_LINE, CARD)  # one card shown: the next ones are warm
    times: dict[str, list[float]] = {"print": [], "warm": [], "fresh": []}
    series = (("print", PRINT, PRINTED), ("warm", CARD_LINE, CARD))
    for i in range(repeats):  # interleaved, in turn first: no drift favours either
        for name, code, selector in series if i % 2 else series[::-1]:
            times[name].append(lab.time(code, selector))
    for _ in range(fresh_repeats):
        lab.restart()
        lab.time("%load_ext smsnb", None)
        times["fresh"].append(lab.time(CARD_LINE, CARD))
    return times


def run(add: Callable[..., None], smoke: bool = False) -> None:
    """Measure in a JupyterLab of its own and report each figure through ``add`` (Bench.add)."""
    if not Path(CHROMIUM).exists():
        print(f"  browser: skipped, no {CHROMIUM} (apt-get install chromium)")
        return
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        work = home / "work"
        work.mkdir()
        write_notebook(work / "bench.ipynb", [""])
        with jupyter_server("lab", home, work) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(server.page_url("bench.ipynb"))
                lab = Lab(page)
                lab.idle()
                times = measure(lab, 1 if smoke else 9, 1 if smoke else 5)
            finally:
                browser.close()
    base, warm, fresh = (statistics.median(times[name]) for name in ("print", "warm", "fresh"))
    add("browser: print('x'), Shift+Enter to output", base, "ms", "report")
    add("browser: warm error card, over print()", warm - base, "ms", f"<= +{WARM_TARGET:g} ms",
        warm - base <= WARM_TARGET, f"card {warm:.0f} ms")
    add("browser: first card in a fresh kernel, over print()", fresh - base, "ms",
        f"<= +{FRESH_TARGET:g} ms", fresh - base <= FRESH_TARGET, f"card {fresh:.0f} ms")


def _print(figure, value, unit, target="", ok=None, note=""):
    status = "" if ok is None else ("ok" if ok else "MISSED")
    print(f"  {figure:<52} {value:>8.1f} {unit:<3} {target:<12} {status:<6} {note}")


if __name__ == "__main__":
    run(_print, smoke="--smoke" in sys.argv)
