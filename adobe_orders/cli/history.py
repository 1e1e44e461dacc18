"""``history``: the changes journaled in this workspace, to find a batch to undo or audit.

It reads only the local journal, so it works without credentials and without a network.
"""

from __future__ import annotations

import argparse
import sys

from ..export import check_output_path
from .output import save_table


def cmd_history(args: argparse.Namespace) -> int:
    from ..batch import history

    if args.out:
        check_output_path(args.out)
    frame = history()
    print(f"Journal: {frame.attrs['journal']}", file=sys.stderr)
    if args.out:
        save_table(frame, args.out)
        print(f"{len(frame)} journaled rows written to {args.out}")
    elif frame.empty:
        print("The journal is empty: no batch has been applied from this workspace yet.")
    else:
        from ..terminal import history_text

        print(history_text(frame, last=None if args.all else args.last))
    return 0
