"""What the emulator remembers: orders, tokens, the correlation replay store, the request log.

All of it behind one lock; the HTTP handler only translates between this and the wire.

With a state file (the CLI's embedded emulator keeps ``.adobe-orders/emulator-state.json``), two
processes may serve the same orders at once — two ``adobe-orders`` commands in one folder. Each
change is then made under an exclusive lock on ``<file>.lock``: re-read the file if another
process replaced it, apply the one change, write the whole file to a temporary name and rename it
over the old one. Reads re-read a file another process replaced. So no change is lost and a reader
never sees half a file.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError
from .data import DATA_END, customer_anniversaries, seed_orders
from .quirks import HistoryQuirks

try:  # POSIX; on Windows the lock file is locked with msvcrt instead
    import fcntl
except ImportError:  # pragma: no cover - not on the CI machine
    fcntl = None  # type: ignore[assignment]


class EmulatorState:
    def __init__(self, *, seed: int = 2026, state_file: str | os.PathLike[str] | None = None,
                 token_ttl: float = 86399.0, order_count: int | None = None,
                 now: datetime | None = None) -> None:
        self.lock = threading.RLock()
        self.state_file = Path(state_file) if state_file else None
        self.token_ttl = token_ttl
        self.clients: dict[str, str] = {}
        self.tokens: dict[str, tuple[str, float]] = {}
        self.token_requests = 0  # POSTs to the token route, answered or refused
        # Adobe keeps the first answer to a correlation ID for 10 days; a test session is shorter.
        # Keyed by (correlation ID, method, request target): "the same API" (api-contract.md,
        # "Request headers"), so page 2 sent with page 1's ID is a new request, not a replay.
        self.replies: dict[tuple[str, str, str], tuple[int, dict[str, str], bytes]] = {}
        self.request_ids: dict[str, str] = {}
        self.log: list[dict[str, Any]] = []
        self.quirks = HistoryQuirks()  # order history's hostile variants, all off (quirks.py)
        self.orders: dict[tuple[str, str], dict[str, Any]] = {}
        self._seen: tuple[int, int, int] | None = None
        # Each customer's orders newest first, for history pages (see _by_customer).
        self._index: tuple[tuple[int, int, int], dict[str, list[dict[str, Any]]]] | None = None
        self._version = 0
        self._seed = seed, order_count
        loaded = self._load()
        self._use(loaded if loaded is not None else self._seeded())
        self.fixed_now = now

    def _seeded(self) -> list[dict[str, Any]]:
        seed, order_count = self._seed
        return seed_orders(seed, order_count) if order_count else seed_orders(seed)

    def _use(self, orders: list[dict[str, Any]]) -> None:
        self.orders = {(o["customerId"], o["orderId"]): o for o in orders}
        self.customers = {c for c, _ in self.orders}
        self.anniversaries: dict[str, date] = customer_anniversaries(orders)

    # -- persistence ---------------------------------------------------------------------------
    def _load(self) -> list[dict[str, Any]] | None:
        if self.state_file and self.state_file.exists():
            orders = self._read_file()
            self._seen = self._signature()
            return orders
        return None

    def _read_file(self) -> list[dict[str, Any]]:
        """The orders in the state file, or ConfigurationError naming the file and what to do."""
        assert self.state_file is not None
        fix = "delete it to start the emulator again from its demo orders"
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigurationError(f"{self.state_file} cannot be read ({exc.strerror or exc}).") from None
        except (ValueError, UnicodeDecodeError):
            raise ConfigurationError(f"{self.state_file} is damaged (not JSON): {fix}.") from None
        orders = data.get("orders") if isinstance(data, dict) else None
        if not isinstance(orders, list) or not all(
                isinstance(o, dict) and isinstance(o.get("customerId"), str) and isinstance(o.get("orderId"), str)
                for o in orders):
            raise ConfigurationError(f"{self.state_file} is not an emulator state file (it has no list of orders "
                                     f"with customerId and orderId): {fix}.")
        return orders

    def _signature(self) -> tuple[int, int, int] | None:
        try:
            st = self.state_file.stat() if self.state_file else None
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns) if st else None

    def _refresh(self) -> None:
        """Re-read the state file if another process replaced it since we last read or wrote it; start
        again from the seeded demo orders if it was deleted (``adobe-orders reset-demo``)."""
        if self.state_file is None:
            return
        signature = self._signature()
        if signature != self._seen:
            self._use(self._read_file() if signature is not None else self._seeded())
            self._seen = signature
            self._version += 1

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        """Exclusive across processes (a lock on ``<state file>.lock``); a no-op without a state file."""
        if self.state_file is None:
            yield
            return
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.state_file.with_name(self.state_file.name + ".lock"), "a+b") as handle:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            else:  # pragma: no cover - Windows
                import msvcrt

                msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def save(self) -> None:
        """Write every order; call it holding ``_file_lock`` after ``_refresh``, or nothing else runs."""
        if not self.state_file:
            return
        tmp = self.state_file.with_name(f"{self.state_file.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"orders": list(self.orders.values())}), encoding="utf-8")
        os.replace(tmp, self.state_file)
        self._seen = self._signature()

    # -- credentials ---------------------------------------------------------------------------
    def add_client(self, client_id: str, client_secret: str) -> None:
        with self.lock:
            self.clients[client_id] = client_secret

    def count_token_request(self) -> None:
        with self.lock:
            self.token_requests += 1

    def issue_token(self, client_id: str) -> str:
        token = "emu-" + secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = (client_id, time.monotonic() + self.token_ttl)
        return token

    def token_valid(self, token: str) -> bool:
        with self.lock:
            entry = self.tokens.get(token)
        return entry is not None and entry[1] > time.monotonic()

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens = {t: (c, 0.0) for t, (c, _) in self.tokens.items()}

    # -- orders --------------------------------------------------------------------------------
    def get(self, customer_id: str, order_id: str) -> dict[str, Any] | None:
        with self.lock:
            self._refresh()
            order = self.orders.get((customer_id, order_id))
            return copy.deepcopy(order) if order is not None else None

    def has(self, customer_id: str, order_id: str) -> bool:
        with self.lock:
            self._refresh()
            return (customer_id, order_id) in self.orders

    def set_reference(self, customer_id: str, order_id: str, value: str) -> tuple[dict[str, Any], bool]:
        with self.lock, self._file_lock():
            self._refresh()  # another process may have changed other orders meanwhile: keep them
            order = self.orders[(customer_id, order_id)]
            changed = order.get("externalReferenceId") != value
            order["externalReferenceId"] = value
            if changed:
                self.save()
            return copy.deepcopy(order), changed

    def now(self) -> datetime:
        """The emulator's clock: a fixed time if given, else now — never before its newest data."""
        if self.fixed_now is not None:
            return self.fixed_now
        return max(datetime.now(UTC), DATA_END + timedelta(days=1))

    def has_customer(self, customer_id: str) -> bool:
        with self.lock:
            self._refresh()  # a customer another process added is known here too
            return customer_id in self.customers

    def customer_page(self, customer_id: str, keep: Callable[[dict[str, Any]], bool], offset: int,
                      limit: int, *, deep: bool = False) -> tuple[int, list[dict[str, Any]]]:
        """How many of the customer's orders pass ``keep``, and copies of ``limit`` of them from
        ``offset``, newest first. Only the page is copied, and only its top level unless ``deep``
        (the caller then changes nested fields, as pricing does): a history call must cost the
        emulator about the same for a customer with 250 orders as with 25, and the same with
        6,000 orders stored as with 900."""
        with self.lock:
            self._refresh()
            found = [o for o in self._by_customer().get(customer_id, ()) if keep(o)]
            page = found[offset:offset + limit]
            # Nested parts are never changed in place (a PATCH replaces a top-level value), so a
            # shallow copy is safe to serialise; a JSON round trip is the fast deep copy.
            return len(found), json.loads(json.dumps(page)) if deep else [dict(o) for o in page]

    def _by_customer(self) -> dict[str, list[dict[str, Any]]]:
        """Each customer's stored orders (the same dicts), newest first; call it holding the lock.

        Built again only when the set of orders changes: ``orders`` replaced (a reload), grown, or
        added to through ``add_orders``. A PATCH changes a field of a stored dict in place, which
        the index shares, and never the creation date it is sorted by. Without it every history
        page scanned every stored order under the lock, and eight workers' pages queued on it."""
        key = (id(self.orders), len(self.orders), self._version)
        if self._index is None or self._index[0] != key:
            groups: dict[str, list[dict[str, Any]]] = {}
            for (customer, _), order in self.orders.items():
                groups.setdefault(customer, []).append(order)
            for orders in groups.values():
                orders.sort(key=lambda o: (o["creationDate"], o["orderId"]), reverse=True)
            self._index = (key, groups)
        return self._index[1]

    def snapshot(self) -> list[dict[str, Any]]:
        with self.lock:
            self._refresh()
            return copy.deepcopy(list(self.orders.values()))

    def add_orders(self, orders: Iterable[dict[str, Any]]) -> int:
        """Add (or replace) orders, e.g. load-test customers from ``bulk.load_orders``; how many."""
        batch = list(orders)
        with self.lock, self._file_lock():
            self._refresh()
            for order in batch:
                self.orders[(order["customerId"], order["orderId"])] = order
            self._version += 1  # a replaced order keeps the count the index is keyed on
            self.customers = {c for c, _ in self.orders}
            self.anniversaries = customer_anniversaries(list(self.orders.values()))
            self.save()
        return len(batch)

    def record(self, **entry: Any) -> None:
        with self.lock:
            entry["seq"] = len(self.log)
            entry["time"] = time.time()
            self.log.append(entry)
