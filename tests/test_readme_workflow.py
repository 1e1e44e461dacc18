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
