"""The emulator for benchmarks, in its own process: ``python -m benchmarks.emulator --latency S --load CxN:P``.

Prints the ``ADOBE_VIPM_*`` lines a client needs, then serves until terminated. ``--load 6x100:61``
adds 6 customers with exactly 100 orders each (customer IDs ``61000000xx``) to the demo data, so a
benchmark knows its batch's shape exactly.
"""

from __future__ import annotations

import argparse

from adobe_orders.sandbox import Sandbox
from adobe_orders.sandbox.bulk import load_orders


def parse_load(text: str) -> tuple[int, int, str]:
    shape, _, prefix = text.partition(":")
    customers, _, each = shape.partition("x")
    return int(customers), int(each), prefix or "77"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.emulator")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--load", action="append", default=[], type=parse_load, metavar="CxN:PREFIX")
    args = parser.parse_args()
    sb = Sandbox(latency=args.latency)
    for customers, each, prefix in args.load:
        sb.state.add_orders(load_orders(customers, each, prefix=prefix))
    sb.start()
    for line in sb.env_lines():
        print(line, flush=True)
    sb.serve_forever()


if __name__ == "__main__":
    main()
