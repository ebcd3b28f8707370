"""The README's tables are the ones the code uses: triggers, catalog and settings."""
import re
from pathlib import Path

from smsnb.sandbox import TRIGGERS

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_trigger_table_matches_the_sandbox():
    text = README.read_text()
    table = text.split("<!-- triggers:start -->")[1].split("<!-- triggers:end -->")[0].strip().splitlines()
    rows = [tuple(cell.strip() for cell in line.strip("|").split(" | ")) for line in table[2:]]
    assert rows == [(t.outcome, t.how) for t in TRIGGERS]


def test_readme_opens_with_the_two_commands():
    lines = README.read_text().split("```sh", 1)[1].split("```", 1)[0].strip().splitlines()
    assert [line.split("#")[0].strip() for line in lines] == ["make run", "make test"]


def test_readme_catalog_table_matches_the_catalog():
    from smsnb.knowledge import catalog

    text = README.read_text()
    table = text.split("<!-- catalog:start -->")[1].split("<!-- catalog:end -->")[0].strip().splitlines()
    rows = [tuple(cell.strip() for cell in line.strip("|").split(" | ")) for line in table[2:]]
    assert rows == [(str(e.status or ""), f"`{e.key}`", e.title) for e in catalog.ENTRIES]


def test_every_test_the_safety_section_names_exists():
    """Each promise of the README's Safety section names the tests that check it: they must exist."""
    section = README.read_text().split("## Safety", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"`(test_\w+\.py)::(test_\w+)`", section)
    assert len(named) >= 20
    for file, test in named:
        source = README.parent / "tests" / file
        assert source.exists() and re.search(rf"^def {test}\(", source.read_text(), re.M), f"{file}::{test}"


def test_readme_settings_table_matches_the_declaration():
    from smsnb.ipython import settings

    text = README.read_text()
    table = text.split("<!-- settings:start -->")[1].split("<!-- settings:end -->")[0].strip().splitlines()
    rows = [tuple(re.split(r"\s*\|\s*", line.strip().strip("|").strip())) for line in table[2:]]

    def code(value):
        return f"`{value}`" if value else ""

    assert rows == [(code(s.name), code(s.env), code(s.shown_default), s.help)
                    for s in settings.SETTINGS + settings.SECRETS]
