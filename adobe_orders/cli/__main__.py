"""``python -m adobe_orders.cli``: the CLI, started as a module (the tests run it so)."""

import sys

from . import main

sys.exit(main())
