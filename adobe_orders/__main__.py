"""``python -m adobe_orders``: the CLI, for a shell where the venv's ``bin`` is not on PATH."""

import sys

from .cli import main

sys.exit(main())
