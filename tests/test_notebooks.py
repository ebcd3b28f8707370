"""The tutorials, beyond nbval: nbval passes a cell that raises UsageError (nbval issue #147:
IPython prints it to stderr instead of raising), so each notebook is run here and every output
is searched for a UsageError or a traceback. The stored notebooks are checked too."""
import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def explained_by_smsnb(cell, output) -> bool:
    """An error a tutorial raises on purpose (tagged raises-exception) that smsnb's hook explained:
    its card is above it, and the error itself is the one-line pointer to %tb, not a traceback."""
    pointer = [f"{output.get('ename')}: explained above by smsnb; the full traceback: %tb"]
    tagged = "raises-exception" in cell.get("metadata", {}).get("tags", [])
    return tagged and output.get("traceback") == pointer


def problems(book) -> list[str]:
    found = []
    for index, cell in enumerate(book.cells):
        for output in cell.get("outputs", []):
            text = output.get("text", "") + json.dumps(output.get("data", {}))
            if output.get("output_type") == "error" and not explained_by_smsnb(cell, output):
                found.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}")
            elif "UsageError" in text or "Traceback (most recent call last)" in text:
                found.append(f"cell {index}: {text[:200]}")
    return found


def test_the_four_tutorials_are_there():
    assert [p.stem for p in NOTEBOOKS] == ["01-first-sms", "02-error-gallery", "03-sandbox-to-live",
                                           "04-when-it-doesnt-arrive"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_notebook_reads_as_a_document(path):
    book = nbformat.read(path, as_version=4)
    code = [c for c in book.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), "stored without running every cell"
    assert sum(bool(c.outputs) for c in code) >= len(code) // 2, "stored without its outputs"
    assert not problems(book)
    raw = path.read_text()
    assert "Authorization" not in raw and "widget-view+json" not in raw and "widgets" not in book.metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom_without_a_usage_error(path, tmp_path, monkeypatch):
    for var in ("SINCH_SERVICE_PLAN_ID", "SINCH_API_TOKEN", "SMSNB_BASE_URL", "SINCH_PROJECT_ID"):
        monkeypatch.delenv(var, raising=False)
    book = nbformat.read(path, as_version=4)
    resources = {"metadata": {"path": str(tmp_path)}}
    NotebookClient(book, timeout=120, kernel_name="python3", resources=resources).execute()
    assert not problems(book)
