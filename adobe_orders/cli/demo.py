"""``demo``: the example files and notebooks, written into a folder, and the demo customers named.

A ``pip install`` brings the package but not a checkout's ``examples/`` and ``notebooks/``, which the
README's first steps use; they ship inside the package (``adobe_orders/demo/``) and this command
lays them out as a checkout has them, so ``../examples/updates.csv`` in a notebook finds its file.
A file that is already there is the user's: it is kept unless ``--force`` says otherwise.
"""

from __future__ import annotations

import argparse
from collections import Counter
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from ..errors import AdobeOrdersError
from .output import Console, command

FOLDERS = ("examples", "notebooks")  # under adobe_orders/demo/, written under the target folder as they are


def demo_files() -> list[tuple[str, Traversable]]:
    """(path relative to the target folder, packaged file), in a stable order."""
    root = files("adobe_orders") / "demo"
    found = [(f"{folder}/{item.name}", item) for folder in FOLDERS for item in (root / folder).iterdir()
             if item.is_file() and not item.name.startswith(".")]
    return sorted(found, key=lambda pair: pair[0])


def demo_customers() -> Counter[str]:
    """The local emulator's demo customers and how many orders each has, as seeded on every machine."""
    from ..sandbox.data import seed_orders

    return Counter(order["customerId"] for order in seed_orders())


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    target = Path(args.folder)
    if target.exists() and not target.is_dir():
        raise AdobeOrdersError(f"{target} is a file, not a folder: name a folder to write the demo files into.")
    written, kept = [], []
    for relative, source in demo_files():
        path = target / relative
        if path.exists() and not args.force:
            kept.append(relative)
            continue
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(source.read_bytes())
        except OSError as exc:
            raise AdobeOrdersError(f"{path} cannot be written ({exc.strerror or exc}).") from None
        written.append(relative)
    where = "this folder" if target.resolve() == Path.cwd().resolve() else str(target)
    for relative in written:
        console.say(f"wrote {target / relative}")
    if kept:
        console.say(f"kept {len(kept)} file{'s' if len(kept) > 1 else ''} already in {where} "
                    "(--force overwrites them): " + ", ".join(kept))
    customers = demo_customers()
    console.say(f"\nThe local emulator's {len(customers)} demo customers (orders each), used when .env names no API:")
    shown = [f"{customer} ({count})" for customer, count in customers.items()]
    for at in range(0, len(shown), 6):
        console.say("  " + "  ".join(shown[at:at + 6]))
    here = where == "this folder"
    updates = "examples/updates.csv" if here else str(target / "examples" / "updates.csv")
    console.say(f"\nNext: {command('apply', updates, '--dry-run')}\n"
          f"Notebooks: in {where}, run {command('lab')} (needs the lab extra).")
    return 0
