"""What a person sees: the error gallery in real JupyterLab (light and dark) and Notebook 7, in
headless Chromium.

One Jupyter server per kind (JupyterLab serves both of its themes) on 127.0.0.1, with a fresh
config and work directory. Each frontend runs every cell of a copy of notebook 02 with three cells
of the test's own after it (a dry run, a second missing_callback_url card whose choice the test
changes, and the one it resends with the keyboard), then checks: the WCAG contrast of every
visible text of every card, an accessible name for every control, the fix-it forms by label and
keyboard, the resolved card collapsing, and that the page asks nothing of any host but
127.0.0.1. Screenshots go to test-artifacts/; the README's pictures of a card to docs/.
"""
import contextlib
import json
import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from browser_support import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    KERNEL_IDLE,
    ROOT,
    Server,
    ServerDidNotStart,
    contrast_failures,
    jupyter_server,
)
from conftest import wait_for

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

ARTIFACTS = ROOT / "test-artifacts"
DOCS = ROOT / "docs"
# Frontend: (server kind, JupyterLab theme to switch to or None, README picture or None).
FRONTENDS = {"jupyterlab-light": ("lab", None, "error-card.png"),
             "jupyterlab-dark": ("lab", "JupyterLab Dark", "error-card-dark.png"),
             "notebook7": ("notebook", None, None)}
DRY_RUN = '%sms --dry-run +46701234567 +46709876543 -m "Hej, a dry run!"'
CHOICE = '%sms +46701234567 -m "Where do reports go?" --delivery-report summary'
KEYBOARD = '%sms +46701234567 -m "Report back, by keyboard" --delivery-report full'
NUMBER = '%sms "070-123 45 67" -m "Hej!"'  # notebook 02's syntax_invalid_parameter_format
URL = "https://example.com/delivery-reports"
CALLBACK_LABEL = re.compile("callback URL", re.I)

# The text of a card that is its own (not of the cards of its resends) and visible.
OWN_TEXT = """(card) => {
  const walker = document.createTreeWalker(card, NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (el.closest('.smsnb-card') !== card) continue;
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    const text = walker.currentNode.textContent.replace(/\\s+/g, ' ').trim();
    if (text) parts.push(text);
  }
  return parts.join(' ');
}"""
# The visible text fields, choices and tick boxes of a card that have no name but a placeholder.
UNNAMED_CONTROLS = """(root) => [...root.querySelectorAll('input, select, textarea')].filter(el => {
  if (el.type === 'hidden' || !el.checkVisibility({checkVisibilityCSS: true})) return false;
  const byId = (el.getAttribute('aria-labelledby') || '').split(/\\s+/)
    .map(id => (document.getElementById(id) || {}).textContent || '').join('');
  const labels = [...(el.labels || [])].map(l => l.textContent).join('');
  return !`${el.getAttribute('aria-label') || ''}${byId}${labels}${el.title || ''}`.trim();
}).map(el => el.outerHTML.slice(0, 160))"""
# Whether the top-left corner of the element is on screen and not covered by anything else.
TOP_ON_SCREEN = """(el) => {
  const r = el.getBoundingClientRect();
  const x = r.left + 12, y = r.top + 12;
  if (x < 0 || y < 0 || x > window.innerWidth || y > window.innerHeight) return false;
  const hit = document.elementFromPoint(x, y);
  return !!hit && el.contains(hit);
}"""


@dataclass
class Frontend:
    name: str
    page: object
    server: Server

    def shoot(self, step: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{step}.png"), full_page=False)

    def cell(self, source: str):
        """The cell whose code is ``source``."""
        return self.page.locator(".jp-CodeCell", has=self.page.locator(".jp-InputArea", has_text=source)).last

    def card_with(self, code: str):
        """The gallery's error card (the widget) whose header names ``code``."""
        header = self.page.locator(".smsnb-header", has_text=code)
        card = self.page.locator(".smsnb-error-card", has=header).first
        card.wait_for(timeout=60_000)
        return card


@pytest.fixture(scope="module")
def chromium():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"no {CHROMIUM}: apt-get install chromium")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Each kind of Jupyter server, started the first time a frontend asks for it."""
    home = tmp_path_factory.mktemp("jupyter")
    work = home / "work"
    work.mkdir()
    started: dict[str, Server] = {}
    with contextlib.ExitStack() as stack:
        def server(kind: str) -> Server:
            if kind not in started:
                try:
                    own = home / kind  # its own settings: a theme chosen in one stays there
                    own.mkdir()
                    started[kind] = stack.enter_context(jupyter_server(kind, own, work))
                except ServerDidNotStart as error:
                    pytest.fail(str(error))
            return started[kind]
        yield server


def gallery_copy(server: Server, name: str) -> str:
    """Notebook 02, then the test's own cells, as a notebook of this frontend's own (own kernel)."""
    notebook = json.loads((ROOT / "notebooks" / "02-error-gallery.ipynb").read_text())
    for i, source in enumerate((DRY_RUN, CHOICE, KEYBOARD)):
        notebook["cells"].append({"cell_type": "code", "id": f"browser-test-{i}", "metadata": {},
                                  "execution_count": None, "outputs": [], "source": source})
    file = f"gallery-{name}.ipynb"
    (server.work / file).write_text(json.dumps(notebook))
    return file


@pytest.fixture(scope="module", params=list(FRONTENDS))
def frontend(request, chromium, servers):
    """A page of the frontend with the gallery and the test's cells run, all cards shown."""
    kind, theme, _ = FRONTENDS[request.param]
    server = servers(kind)
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.requested = []
    page.on("request", lambda r: page.requested.append(r.url))
    page.goto(server.page_url(gallery_copy(server, request.param), workspace=request.param))
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)
    if theme:
        page.evaluate(f"() => {{ window.jupyterapp.commands.execute('apputils:change-theme', "
                      f"{{theme: '{theme}'}}); }}")
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function("() => document.querySelectorAll('.smsnb-error-card').length >= 11",
                           timeout=90_000)
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)
    shown = Frontend(request.param, page, server)
    shown.shoot("01-gallery-ran")
    yield shown
    page.close()


def test_every_card_reads_at_4_5_to_1(frontend):
    """Every visible text of every card (errors, the dry run, explain), its details opened too."""
    dry_run = frontend.cell(DRY_RUN).locator(".smsnb-success-card")
    expect(dry_run).to_be_visible()
    frontend.cell(DRY_RUN).scroll_into_view_if_needed()
    frontend.shoot("02-dry-run")
    cards = frontend.page.locator(".smsnb-card:not(.smsnb-card .smsnb-card), .smsnb-explain")
    assert cards.count() >= 13
    failures = []
    for i in range(cards.count()):
        card = cards.nth(i)
        opened = card.evaluate("c => [...c.querySelectorAll('details:not([open])')]"
                               ".map(d => (d.open = true)).length")
        header = card.evaluate("c => (c.querySelector('.smsnb-header, h3, b') || c).textContent.slice(0, 50)")
        failures += [f"{header}: {failure}" for failure in contrast_failures(card)]
        if opened:
            card.evaluate("c => c.querySelectorAll('details[open]').forEach(d => d.open = false)")
    assert not failures, f"{frontend.name}: text under 4.5:1\n" + "\n".join(failures)


def test_every_control_has_a_name_of_its_own(frontend):
    """A text field, choice or tick box is named by a label, not only by its placeholder."""
    unnamed = frontend.page.evaluate(
        f"() => [...document.querySelectorAll('.smsnb-card')].flatMap({UNNAMED_CONTROLS})")
    assert not unnamed, f"{frontend.name}: controls without a name:\n" + "\n".join(sorted(set(unnamed)))


def test_the_readme_picture_of_a_card(frontend):
    """The README's picture is this run's card (light and dark), so it never goes stale."""
    picture = FRONTENDS[frontend.name][2]
    if picture is None:
        pytest.skip("the README shows JupyterLab's cards")
    card = frontend.card_with("missing_callback_url")
    card.scroll_into_view_if_needed()
    DOCS.mkdir(exist_ok=True)
    # Its output area, not the card alone: the card's 1 px frame falls on a fractional pixel.
    card.locator("xpath=ancestor::div[contains(@class, 'jp-OutputArea-output')][1]").screenshot(
        path=str(DOCS / picture))
    assert (DOCS / picture).stat().st_size > 10_000


def test_choosing_no_reports_takes_the_url_field_away(frontend):
    card = frontend.cell(CHOICE).locator(".smsnb-error-card")
    card.scroll_into_view_if_needed()
    field = card.get_by_label(CALLBACK_LABEL)
    expect(field).to_be_editable()
    choice = card.get_by_role("combobox")
    expect(choice).to_have_count(1)
    assert choice.evaluate("el => [...el.labels].map(l => l.textContent).join('').trim()"), \
        "the choice has no label"
    options = [o.replace("\xa0", " ") for o in choice.locator("option").all_text_contents()]
    off = next(i for i, o in enumerate(options) if re.search(r"\boff\b", o, re.I))
    url = next(i for i, o in enumerate(options) if CALLBACK_LABEL.search(o) and "receiver" not in o)
    choice.select_option(index=off)
    wait_for(lambda: field.is_hidden() or not field.is_editable(), timeout=5)  # hidden or disabled
    expect(card.locator(".smsnb-resend")).to_be_enabled()
    frontend.shoot("03-reports-off")
    choice.select_option(index=url)
    expect(field).to_be_editable()


def test_the_choice_moves_with_the_keyboard_alone(frontend):
    """The choice is a native <select>: focused, End and Home move it (a notebook in command mode
    takes the bare arrow keys for itself; Alt+Down opens the list, where they move)."""
    card = frontend.cell(CHOICE).locator(".smsnb-error-card")
    card.scroll_into_view_if_needed()
    choice, field = card.get_by_role("combobox"), card.get_by_label(CALLBACK_LABEL)
    choice.focus()
    choice.press("End")  # the last way: reports off
    wait_for(lambda: field.is_hidden() or not field.is_editable(), timeout=5)
    choice.press("Home")  # back to the URL
    expect(field).to_be_editable()


def test_resend_by_keyboard_collapses_the_resolved_card(frontend):
    """Find the field by its label, type, press Enter: the error folds into one line that opens
    again, and the success card is on screen at once."""
    page = frontend.page
    card = frontend.cell(KEYBOARD).locator(".smsnb-error-card")
    field = card.get_by_label(CALLBACK_LABEL)
    field.scroll_into_view_if_needed()
    failures = contrast_failures(card)
    assert not failures, f"{frontend.name}: before any input\n" + "\n".join(failures)
    message, diff = card.locator(".smsnb-field-message"), card.locator(".smsnb-diff")
    assert not message.inner_text().strip(), "the field is found wrong before any input"
    assert not diff.inner_text().strip(), "a diff before anything changed"
    field.focus()
    page.keyboard.type("example")
    expect(message).not_to_have_text("")  # told what is wrong
    failures = contrast_failures(card)
    assert not failures, f"{frontend.name}: with a wrong URL\n" + "\n".join(failures)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(URL)
    expect(diff).to_contain_text("callback_url")
    failures = contrast_failures(card)
    assert not failures, f"{frontend.name}: with the fix and its diff\n" + "\n".join(failures)
    frontend.shoot("04-keyboard-filled")
    page.keyboard.press("Enter")

    success = card.locator(".smsnb-success-card").first
    success.wait_for(timeout=30_000)
    page.wait_for_function(TOP_ON_SCREEN, arg=success.element_handle(), timeout=3_000)
    frontend.shoot("05-keyboard-resolved")
    own = card.evaluate(OWN_TEXT)
    assert own.lower().startswith("resolved by resend"), own[:200]
    assert "Sinch says" not in own and field.is_hidden(), "the resolved card stays open"
    expect(success).to_contain_text("Delivered", timeout=15_000)
    failures = contrast_failures(success)
    assert not failures, f"{frontend.name}: success card\n" + "\n".join(failures)
    card.get_by_role("button", name=re.compile("show|open", re.I)).first.click()
    expect(card.get_by_text("Sinch says").first).to_be_visible()  # opened again


def test_fix_the_number_with_a_click(frontend):
    """The invalid number's form holds the suggestion: Resend as it is, and it is sent."""
    number = frontend.cell(NUMBER).locator(".smsnb-error-card")
    number.scroll_into_view_if_needed()
    field = number.get_by_label("Recipient 1")
    assert field.input_value() == "+46701234567"  # the suggestion, accepted as it is
    number.locator(".smsnb-resend").click()
    number.locator(".smsnb-success-card").first.wait_for(timeout=30_000)
    number.scroll_into_view_if_needed()
    frontend.shoot("06-number-fixed")


def test_the_page_asks_no_host_but_127_0_0_1(frontend):
    outside = [u for u in frontend.page.requested
               if urlsplit(u).scheme in ("http", "https", "ws", "wss")
               and urlsplit(u).hostname != "127.0.0.1"]
    assert not outside, outside[:5]
