"""``python -m adobe_orders.cli``: the CLI, as it was started when it was one module (tests do)."""

import sys

from . import main

sys.exit(main())
