"""``sandbox`` and ``reset-demo``: the local emulator, served to other programs or put back to its demo data.

Both exist so that everything can be tried without credentials and without touching Adobe.
"""

from __future__ import annotations

import argparse

from ..config import Settings, setting_naming_an_api
from ..errors import AdobeOrdersError
from ..workspace import emulator_state_file
from .output import Console


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
