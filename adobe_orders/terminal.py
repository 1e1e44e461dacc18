"""How the CLI names itself and this environment in the commands it prints.

A command the tool prints ("Undo with: …", "install with: …") must run as printed, pasted into
the same shell. After the README's Quickstart the venv is not activated, so plain
``adobe-orders`` is not on PATH; the right spelling is the one the user just typed:
``.venv/bin/adobe-orders`` or ``.venv/bin/python -m adobe_orders``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path


def _shown_path(path: str | os.PathLike[str]) -> str:
    """``path`` relative to the working folder when it lies below it (``.venv/bin/python``), else absolute."""
    absolute = Path(path).absolute()
    try:
        relative = absolute.relative_to(Path.cwd().absolute())
    except ValueError:
        return shlex.quote(str(absolute))
    return shlex.quote(str(relative) if "/" in str(relative) else f"./{relative}")


def this_python() -> str:
    """This interpreter, spelled so it runs from the working folder (the venv's python, not PATH's)."""
    return _shown_path(sys.executable)


def command_prefix(argv0: str | None = None) -> str:
    """How to run this CLI again from this shell: the way it was started, shortened when that is safe."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    name = Path(argv0).name
    if name == "adobe-orders":
        on_path = shutil.which("adobe-orders")
        if on_path and Path(on_path).resolve() == Path(argv0).resolve():
            return "adobe-orders"
        return _shown_path(argv0)
    return f"{this_python()} -m adobe_orders"


def pip_install_extra(extra: str) -> str:
    """A pip command that adds an optional extra to *this* environment (``pip`` on PATH may be another)."""
    source = Path(__file__).resolve().parent.parent
    if (source / "pyproject.toml").is_file():  # an editable install from a checkout, as the README does it
        where = "." if source == Path.cwd().resolve() else _shown_path(source)
        return f"{this_python()} -m pip install -e {shlex.quote(f'{where}[{extra}]')}"
    return f"{this_python()} -m pip install {shlex.quote(f'adobe-orders[{extra}]')}"


__all__ = ["command_prefix", "pip_install_extra", "this_python"]
