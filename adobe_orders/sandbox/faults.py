"""Fault injection for the emulator's ``/v3`` routes: each fault with a probability, one seed.

Faults can also be queued, so a test can say "the next request gets a 429" and know it will.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass, field

FAULTS = ("error_500", "error_503", "gateway_504", "rate_limit", "drop_before", "drop_after", "slow")


@dataclass
class Faults:
    rates: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    slow_seconds: float = 2.0
    retry_after: float = 1.0
    _queue: deque[str] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self.set_rates(self.rates)

    def set_rates(self, rates: dict[str, float]) -> None:
        unknown = set(rates) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown fault(s) {sorted(unknown)}; known: {', '.join(FAULTS)}")
        bad = [k for k, p in rates.items() if not 0.0 <= p <= 1.0]
        if bad or sum(rates.values()) > 1.0:
            raise ValueError("fault probabilities must be between 0 and 1 and add up to at most 1")
        with self._lock:
            self.rates = dict(rates)

    def queue(self, name: str, count: int = 1) -> None:
        """Force the next ``count`` /v3 requests to get this fault."""
        if name not in FAULTS:
            raise ValueError(f"unknown fault {name!r}; known: {', '.join(FAULTS)}")
        with self._lock:
            self._queue.extend([name] * count)

    def roll(self) -> str | None:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            if not self.rates:
                return None
            x = self._rng.random()
            for name, p in self.rates.items():
                if x < p:
                    return name
                x -= p
            return None


def parse_fault(text: str) -> tuple[str, float]:
    """``NAME=P`` from the command line."""
    name, sep, prob = text.partition("=")
    if not sep:
        raise ValueError(f"--fault takes NAME=PROBABILITY, e.g. error_500=0.05; got {text!r}")
    if name not in FAULTS:
        raise ValueError(f"unknown fault {name!r}; known: {', '.join(FAULTS)}")
    try:
        p = float(prob)
    except ValueError:
        raise ValueError(f"--fault {name}: {prob!r} is not a probability between 0 and 1") from None
    if not 0 <= p <= 1:
        raise ValueError(f"--fault {name}: {prob!r} is not a probability between 0 and 1")
    return name, p
