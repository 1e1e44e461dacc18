"""Run every benchmark and print Markdown tables: python -m benchmarks.run [--quick] [--only NAME]"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from . import bulk, history, overhead, startup, throughput, validation_scale

BENCHMARKS = {"throughput": throughput, "bulk": bulk, "history": history, "overhead": overhead,
              "validation": validation_scale, "startup": startup}


def table(rows: list[dict[str, object]]) -> str:
    columns = list(rows[0])

    def cell(v: object) -> str:
        if isinstance(v, float):
            return f"{v:.3f}" if v < 10 else f"{v:.1f}"
        return "" if v is None else str(v)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run")
    parser.add_argument("--quick", action="store_true", help="small sizes: proves the benchmarks work")
    parser.add_argument("--only", choices=sorted(BENCHMARKS), action="append")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    results = {}
    for name in args.only or list(BENCHMARKS):
        rows = BENCHMARKS[name].run(quick=args.quick)
        results[name] = rows
        print(f"\n### {name}{' (quick)' if args.quick else ''}\n\n{table(rows)}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
