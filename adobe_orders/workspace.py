"""The workspace: the one folder whose ``.env`` and ``.adobe-orders/`` journal belong together.

An analyst runs the CLI at a project's root and a notebook from ``notebooks/`` below it; both
must read the same ``.env`` and write the same journal, or an undo from one cannot see the batch
applied by the other. So both look for the workspace the same way: from the working folder
upwards, the first folder that holds a ``.adobe-orders`` folder, a ``.env`` file or a ``.git``
folder; if none does, the working folder itself. The search never climbs above the user's home
folder, so a stray ``~/../.env`` is never picked up.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ConfigurationError

STATE_DIR = ".adobe-orders"
MARKERS = (STATE_DIR, ".env", ".git")


def workspace_root(start: str | os.PathLike[str] | None = None) -> Path:
    """The workspace folder for ``start`` (default: the working folder). See the module docstring."""
    here = Path(start or Path.cwd()).resolve()
    home = Path.home().resolve()
    for folder in (here, *here.parents):
        if any((folder / marker).exists() for marker in MARKERS):
            return folder
        if folder == home:
            break
    return here


def state_dir(start: str | os.PathLike[str] | None = None) -> Path:
    """``<workspace>/.adobe-orders``: the journal, results files and the embedded emulator's state."""
    return workspace_root(start) / STATE_DIR


def emulator_state_file(start: str | os.PathLike[str] | None = None) -> Path:
    """``<workspace>/.adobe-orders/emulator-state.json``: the embedded emulator's demo orders, one set
    per workspace for every process that uses it (the CLI's commands, notebooks, the app)."""
    return state_dir(start) / "emulator-state.json"


def dotenv_file(start: str | os.PathLike[str] | None = None) -> Path | None:
    """``<workspace>/.env`` if it exists: the only ``.env`` settings are read from."""
    path = workspace_root(start) / ".env"
    return path if path.is_file() else None


__all__ = ["MARKERS", "STATE_DIR", "dotenv_file", "emulator_state_file", "state_dir", "workspace_root"]


def expand_home(path: str | os.PathLike[str], variable: str) -> Path:
    """``path`` with a leading ``~`` or ``~user`` expanded, or ConfigurationError naming ``variable``:
    Python's own answer to an unknown ``~user`` is a bare RuntimeError, a traceback for a typo."""
    try:
        return Path(path).expanduser()
    except RuntimeError:
        first = os.fspath(path).replace("\\", "/").split("/")[0]
        raise ConfigurationError(f"{variable}={os.fspath(path)!r}: {first!r} is not a home folder on this machine "
                                 "(no such user); write the full path.") from None
