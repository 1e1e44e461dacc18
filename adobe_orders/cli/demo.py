"""The local emulator and the demo, so everything can be tried without credentials and without touching
Adobe: ``sandbox`` serves the emulator to other programs, ``reset-demo`` puts its demo orders back, and
``demo`` writes the example files and notebooks into a folder and names the demo customers."""

from __future__ import annotations

import argparse
from collections import Counter
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from ..config import Settings, setting_naming_an_api
from ..errors import AdobeOrdersError
from ..workspace import emulator_state_file
from .console import Console, command


def cmd_sandbox(args: argparse.Namespace, console: Console) -> int:
    from ..sandbox import Sandbox  # the emulator loads only for this command
    from ..sandbox.faults import parse_fault  # the emulator loads only for this command

    faults = dict(parse_fault(f) for f in args.fault)
    sb = Sandbox(port=args.port, seed=args.seed, latency=args.latency, faults=faults, fault_seed=args.seed,
                 slow_seconds=args.slow_seconds, state_file=args.state, page_cap=args.page_cap,
                 omit_total_count=args.no_total_count)
    sb.start()
    console.say("# adobe-orders local emulator — paste into .env (these credentials work only here)")
    for line in sb.env_lines():
        console.say(line)
    console.say(f"# serving {len(sb.state.orders)} orders on {sb.url}; Ctrl+C to stop", flush=True)
    try:
        sb.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def cmd_reset_demo(args: argparse.Namespace, console: Console) -> int:
    """Forget the embedded emulator's saved orders, so the next command starts from the seeded demo data."""
    other = setting_naming_an_api()
    if other is not None or not Settings.from_env().uses_embedded_emulator:
        raise AdobeOrdersError(f"reset-demo only resets the embedded local emulator, and {other or 'the settings'} "
                               "names another API; nothing was reset.")
    state = emulator_state_file()
    if state.exists():
        state.unlink()
        console.say(f"Demo orders reset: removed {state}. The journal (history) is kept.")
    else:
        console.say(f"Demo orders are already as seeded ({state} does not exist).")
    return 0


FOLDERS = ("examples", "notebooks")  # under adobe_orders/demo/, written under the target folder as they are


def demo_files() -> list[tuple[str, Traversable]]:
    """(path relative to the target folder, packaged file), in a stable order."""
    root = files("adobe_orders") / "demo"
    found = [(f"{folder}/{item.name}", item) for folder in FOLDERS for item in (root / folder).iterdir()
             if item.is_file() and not item.name.startswith(".")]
    return sorted(found, key=lambda pair: pair[0])


def demo_customers() -> Counter[str]:
    """The local emulator's demo customers and how many orders each has, as seeded on every machine."""
    from ..sandbox.data import seed_orders  # the emulator loads only for this command

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
