"""When to retry and how long to wait; shared pacing for every thread that uses one client.

Kept apart from the client so the rules read in one screen and tests can pin the randomness.
The correlation-ID half of the rule (same ID only when no answer came) lives in the client's
loop, next to the request it governs.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

RETRY_AFTER_CAP = 120.0  # never let a server's Retry-After park a batch for longer than this


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter: uniform(0, min(cap, base * 2**retry))."""

    base: float = 0.5
    cap: float = 30.0

    def delay(self, retry: int, rng: random.Random) -> float:
        return rng.uniform(0, min(self.cap, self.base * (2**retry)))


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), capped."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return max(0.0, min(seconds, RETRY_AFTER_CAP))


#: The slowest pace a run takes: slower is a mistake (a request a day would never finish a batch, and
#: 1e-300 put the next request past the end of time, an OverflowError mid-run).
MIN_MAX_RATE = 1 / 3600


@dataclass
class Throttle:
    """Pacing shared by all threads of one client: a pause after a 429, and an optional rate.

    A 429 seen by one worker pauses them all, because the limit is Adobe's, not the thread's.
    """

    max_rate: float | None = None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _paused_until: float = 0.0
    _next_slot: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, self.clock() + seconds)

    def wait(self) -> None:
        """Block until this thread may send: after any pause, then at its rate slot."""
        with self._lock:
            paused = self._paused_until - self.clock()
        if paused > 0:
            self.sleep(paused)
        if not self.max_rate:
            return
        with self._lock:
            now = self.clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + 1.0 / self.max_rate
        if slot > now:
            self.sleep(slot - now)


@dataclass
class RetryBudget:
    """Retries a whole batch may spend; once spent, further failures are final at once."""

    remaining: int
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        with self._lock:
            if self.remaining <= 0:
                return False
            self.remaining -= 1
            return True
