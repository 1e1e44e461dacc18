"""The README's find → match → apply snippet runs as printed, against the embedded emulator."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import ipywidgets

ROOT = Path(__file__).resolve().parent.parent


def test_readme_workflow_snippet_runs(tmp_path, monkeypatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The monthly job: find → match → fill → apply", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shutil.copytree(ROOT / "examples", tmp_path / "examples")  # as from the project folder, journal in tmp
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # the README's own code, as printed
    updates, results = scope["updates"], scope["results"]
    assert len(updates) >= 2 and set(results["status"]) == {"updated"}
    problems = scope["ao"].match_problems(updates)
    assert {"no_match", "different_reference"} <= set(problems["problem"])
    # the snippet fetches every customer the PO list names: no row is unmatched for want of its orders
    assert not problems["reason"].str.contains("not in the orders frame").any()
    assert set(scope["erp"]["Customer"]) <= set(scope["orders"]["customerId"])
    assert (tmp_path / ".adobe-orders").is_dir()  # the journal went to the working folder
    ipywidgets.Widget.close_all()


def test_notebook_snippet_runs_as_printed_on_the_demo_file(tmp_path, monkeypatch) -> None:
    """The notebook snippet read ``updates.xlsx``, a file the project does not have; it reads the demo file
    now, and ``retry_failed`` does what the page says: the whole frame back, only failed rows sent again."""
    page = (ROOT / "docs" / "notebooks-and-widgets.md").read_text(encoding="utf-8")
    section = page.split("## In a notebook", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert 'read_updates("examples/updates.csv")' in code
    code = code.replace("ao.retry_failed(results, client)", "retried = ao.retry_failed(results, client)")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(code, "notebooks-and-widgets.md", "exec"), scope)
    results, retried = scope["results"], scope["retried"]
    assert "failed" in set(results["status"])  # the demo file has a row that fails: the retry has work
    assert list(retried.index) == list(results.index)  # every row, in order
    kept = results["status"] != "failed"
    assert retried.loc[kept, "status"].tolist() == results.loc[kept, "status"].tolist()
    assert set(retried.loc[kept, "batch_id"]) == set(results.loc[kept, "batch_id"])  # not sent again
    assert (retried.loc[~kept, "batch_id"] != results.loc[~kept, "batch_id"]).all()  # a child batch
    untouched = scope["ao"].retry_failed(retried[retried["status"] != "failed"], scope["client"])
    assert untouched.equals(retried[retried["status"] != "failed"])  # none failed: the frame unchanged
    ipywidgets.Widget.close_all()
