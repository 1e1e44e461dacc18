"""Every Markdown link from the README and the docs to a local path leads to a file that exists.

The README was split into ``docs/`` pages; a link written for the old place (``docs/x.png`` from inside
``docs/``) or a page renamed later would otherwise point nowhere without anyone noticing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "benchmarks" / "README.md"]
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def local_targets(page: Path) -> list[str]:
    """Link targets that name a path in this repository (no scheme, no bare #anchor)."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    targets = [m.group(1) for m in LINK.finditer(text)]
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", t, re.I) and not t.startswith("#")]


def test_the_pages_are_there_and_hold_links() -> None:
    assert len(PAGES) >= 10 and all(p.is_file() for p in PAGES)
    assert sum(len(local_targets(p)) for p in PAGES) >= 30  # the link finder finds links


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_local_link_resolves_to_a_file(page: Path) -> None:
    missing = [t for t in local_targets(page) if not (page.parent / t.split("#", 1)[0]).exists()]
    assert not missing, f"{page.relative_to(ROOT)} links to missing {missing}"


def test_the_link_finder_reads_links_as_markdown_does(tmp_path) -> None:
    page = tmp_path / "p.md"
    page.write_text('[a](x.md) ![b](img/y.png "title") [c](https://e.org/z) [d](#here) [e](w.md#part)\n'
                    "```\n[f](in-code.md)\n```\n", encoding="utf-8")
    assert local_targets(page) == ["x.md", "img/y.png", "w.md#part"]


def test_every_docs_page_is_linked_from_the_index_and_the_readme() -> None:
    index, readme = (ROOT / "docs" / "README.md").read_text("utf-8"), (ROOT / "README.md").read_text("utf-8")
    for page in (ROOT / "docs").glob("*.md"):
        if page.name != "README.md":
            assert f"({page.name})" in index, page.name
            assert f"(docs/{page.name})" in readme, page.name
