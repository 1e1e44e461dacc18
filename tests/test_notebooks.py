"""The example notebooks run top to bottom in a real kernel, with no configuration at all."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def execute(tmp_path: Path, name: str, env: dict[str, str]) -> nbformat.NotebookNode:
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    return run_notebook(tmp_path / "notebooks" / name, env)


def run_notebook(path: Path, env: dict[str, str]) -> nbformat.NotebookNode:
    """Execute the notebook at ``path`` in its folder, its kernel seeing exactly ``env`` (the kernel inherits
    this process's environment, so it is swapped for the run and put back)."""
    nb = nbformat.read(path, as_version=4)
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_with_zero_configuration(tmp_path, path) -> None:
    nb = execute(tmp_path, path.name, clean_env())
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = json.dumps(outputs)
    assert "Traceback" not in text
    assert "local emulator" in text
    assert not unreadable_cells(nb), unreadable_cells(nb)
    # Saved with its outputs and widget state (as nbclient saves it), it stays small enough to share: the grids'
    # JavaScript is stored once (grid_widget.GridCode), not once per grid (each added about 750 KB).
    saved = nbformat.writes(nb).encode()
    assert len(saved) < 1_500_000, len(saved)
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    grids = [m for m in state.values() if m["state"].get("_anywidget_id") == "adobe_orders.widgets.grid_widget.Grid"]
    assert all(len(json.dumps(m)) < 60_000 for m in grids), [len(json.dumps(m)) for m in grids]


# What pandas prints for a missing value, and the "..." of a cut cell: an analyst reads them as data.
UNREADABLE = re.compile(r"<td>(?:&lt;NA&gt;|NaN|NaT|None|nan|[^<]*[^.<]\.\.\.)</td>")  # "..." alone: a row cut


def unreadable_cells(nb: nbformat.NotebookNode) -> list[str]:
    """Every table cell in the notebook's HTML outputs that shows a missing value as text, or is cut."""
    return [f"cell {i}: {m.group(0)}" for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for o in c.outputs for m in UNREADABLE.finditer(o.get("data", {}).get("text/html", ""))]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_outputs_hold_no_secret(tmp_path, sandbox, path) -> None:
    env = clean_env()
    env.update(dict(line.split("=", 1) for line in sandbox.env_lines()))
    nb = execute(tmp_path, path.name, env)
    everything = json.dumps(nb)  # outputs and the saved widget state in the metadata
    tokens = list(sandbox.state.tokens)
    assert tokens, "the notebook should have fetched a token from this sandbox"
    assert sandbox.client_secret not in everything
    assert not [t for t in tokens if t in everything]
    assert "widgets" in nb.metadata or "application/vnd.jupyter.widget-view+json" in everything


def test_notebooks_are_committed_without_outputs() -> None:
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") and c.get("execution_count") is None
                   for c in nb.cells if c.cell_type == "code"), path.name


@pytest.mark.slow
def test_find_and_tag_notebook_finds_matches_applies_and_undoes(tmp_path) -> None:
    nb = execute(tmp_path, "03_find_and_tag.ipynb", clean_env())
    # outputs, and the saved widget state that holds the grids' rows
    text = json.dumps([o for c in nb.cells if c.cell_type == "code" for o in c.outputs]) + json.dumps(
        nb.metadata.get("widgets", {}))
    for expected in ("4500012345", "4500012346", "4500012348",  # the three one-to-one matches
                     "no_match", "several_rows", "different_reference",  # each reported, none applied
                     "updated", "lineItemPartnerPrice", "failed: none"):
        assert expected in text, expected
    assert "4500012349" not in json.dumps([c.outputs for c in nb.cells if "apply_updates(updates, client)\n"
                                           in c.source])


@pytest.mark.slow
def test_find_and_tag_notebook_says_what_its_undo_did(tmp_path) -> None:
    """The renewals it tags had no reference, so undo can only report them skipped; the text must say so."""
    nb = execute(tmp_path, "03_find_and_tag.ipynb", clean_env())
    at = next(i for i, c in enumerate(nb.cells) if "ao.undo(" in c.source)
    assert "skipped" in nb.cells[at - 1].source  # the markdown above the undo cell
    everything = json.dumps(nb)  # the grid's rows live in the saved widget state
    assert "Adobe documents no way to clear it" in everything
    assert "Adobe offers no way to clear a reference" in nb.cells[at - 1].source
    assert "restores" not in nb.cells[at - 1].source


def test_find_and_tag_notebook_shows_a_partly_filled_file(tmp_path) -> None:
    """Filling only some rows is normal: the rows left blank are skipped, not invalid."""
    nb = execute(tmp_path, "03_find_and_tag.ipynb", clean_env())
    at = next(i for i, c in enumerate(nb.cells) if "sheet.iloc[0, 2]" in c.source)
    assert "no new value given" in nb.cells[at - 1].source and "exit code 0" in nb.cells[at - 1].source
    shown = json.dumps(nb.cells[at].outputs) + json.dumps(nb.metadata.get("widgets", {}))
    assert "would_update" in shown and "no new value given" in shown and "invalid" not in json.dumps(
        nb.cells[at].outputs)


@pytest.mark.slow
def test_frames_shown_as_a_cells_last_line_have_blanks_and_whole_reasons(tmp_path) -> None:
    """The README's notebook lines display frames as they are: ao.validate_updates(updates) showed 225 'None'
    and 75 '<NA>' cells and cut every reason at 50 characters. A frame of the user's own keeps pandas' display."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in (
        'import pandas as pd\nimport adobe_orders as ao\nclient = ao.connect()\n'
        'updates = ao.read_updates("examples/updates.csv")\nao.validate_updates(updates)',
        "results = ao.apply_updates(updates, client, progress=False)\nresults",
        "ao.history()",
        'orders = ao.fetch_orders(["0001000000"], client, progress=False)\norders',
        'pd.DataFrame({"mine": [None]})',
    )])
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(clean_env())
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
                       ).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert unreadable_cells(nbformat.v4.new_notebook(cells=nb.cells[:4])) == []
    html = "".join(o["data"]["text/html"] for c in nb.cells[:4] for o in c.outputs if "text/html" in o.get("data", {}))
    assert "Order ID '../911000377' contains '.'; IDs are letters, digits and hyphens only." in html  # whole
    assert "<td>None</td>" in nb.cells[4].outputs[0]["data"]["text/html"]  # not ours: pandas' own display


@pytest.mark.slow
def test_find_and_tag_notebook_runs_again_in_the_same_folder(tmp_path) -> None:
    """Run twice (the demo orders keep their changes): the second time every PO is already set, nothing is
    sent, and the undo cell raised KeyError 'No batch ... in the journal' for the batch that journaled nothing."""
    execute(tmp_path, "03_find_and_tag.ipynb", clean_env())
    nb = run_notebook(tmp_path / "notebooks" / "03_find_and_tag.ipynb", clean_env())
    text = json.dumps([o for c in nb.cells if c.cell_type == "code" for o in c.outputs])
    assert "already_set" in json.dumps(nb) and "Traceback" not in text
