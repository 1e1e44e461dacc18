"""The package's structure holds: imports point one way, and the client knows nothing of the emulator."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

from adobe_orders.batch.plan import RunOptions, RunSettings

PACKAGE = Path(__file__).resolve().parent.parent / "adobe_orders"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every package module ``path`` imports, at any depth of the file (lazy and TYPE_CHECKING ones too)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            candidates = [target] + [f"{target}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        else:
            continue
        found |= {c for c in candidates if c.startswith("adobe_orders") and c != name}
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {t for t in _imports(path) if t in modules} for name, path in modules.items()}


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = _graph()
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        for target in sorted(graph[node]):
            if target in trail:
                cycles.append([*trail[trail.index(target):], target])
            elif target not in done:
                visit(target, [*trail, target])
        done.add(node)

    done: set[str] = set()
    for start in sorted(graph):
        if start not in done:
            visit(start, [start])
    # a package's __init__ naming its own submodules is the package, not a circle
    def inside(module: str, package: str) -> bool:
        return module == package or module.startswith(package + ".")

    real = [c for c in cycles if not all(inside(m, c[0]) or inside(c[0], m) for m in c)]
    assert real == []


def test_the_client_imports_nothing_of_the_emulator_or_the_workspace_factory() -> None:
    imported = _imports(PACKAGE / "client.py")
    assert not {m for m in imported if m.startswith(("adobe_orders.sandbox", "adobe_orders.connection",
                                                     "adobe_orders.workspace"))}, imported
    assert "ANNOUNCE_EMBEDDED" not in (PACKAGE / "client.py").read_text()


def test_render_knows_no_model_and_models_know_no_widget() -> None:
    assert not {m for m in _imports(PACKAGE / "render.py") if m.startswith("adobe_orders")}
    assert not {m for m in _imports(PACKAGE / "models.py") if "widgets" in m}


def test_run_settings_are_exactly_the_run_options_a_caller_may_set() -> None:
    """One home for each run setting: the keyword set of apply_updates/resume/retry_failed/undo is RunOptions'."""
    fields = {f.name for f in dataclasses.fields(RunOptions)} - {"dry_run"}
    assert set(RunSettings.__annotations__) == fields


def test_the_cli_starts_without_pandas_or_the_client() -> None:
    """``adobe-orders --help`` and ``history`` must not wait for pandas or requests to load: the CLI's modules
    import the batch engine, the client and the emulator only inside the commands that use them."""
    import subprocess
    import sys

    heavy = "('pandas', 'requests', 'adobe_orders.batch', 'adobe_orders.sandbox')"
    code = f"import sys, adobe_orders.cli\nprint([m for m in {heavy} if m in sys.modules])"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "[]", proc.stdout + proc.stderr
