"""Run the tutorials and store them with their outputs: `make notebooks`.

Widget views and widget state are left out of the stored notebook: they only work with a live
kernel, and each card has dozens of models. The stored outputs are the static text and HTML
cards (what nbval compares, and what GitHub and nbviewer show); run the notebook in JupyterLab
and the interactive cards come back.
"""
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def refresh(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    NotebookClient(book, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}},
                   store_widget_state=False).execute()
    for cell in book.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
    book.metadata.pop("widgets", None)
    nbformat.write(book, path)
    print(f"refreshed {path.name}")


if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(str(p) for p in Path(__file__).parent.glob("*.ipynb")):
        refresh(Path(name))
