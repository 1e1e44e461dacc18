"""The team journal's SQL: its schema (in a PostgreSQL schema of its own, versioned) and the statements
a run writes with, each one statement so each is one transaction and one round trip.

``HELD`` is the fence every write of a run carries (see ``postgres`` for why it holds).
"""

from __future__ import annotations

import hashlib

SCHEMA_NAME = "adobe_orders"
SCHEMA_VERSION = 1
LOCK_NAMESPACE = 0x4A52  # first key of every advisory lock this journal takes ("JR")
CREATE_LOCK = 0x7FFF_FF00  # second key of the lock serializing the schema's creation
NOW_TEXT = """to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""

S = SCHEMA_NAME
SCHEMA = f"""
CREATE SCHEMA IF NOT EXISTS {S};
CREATE TABLE {S}.journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE {S}.batch (
    batch_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, kind TEXT NOT NULL, parent_batch TEXT,
    environment TEXT NOT NULL, base_url TEXT NOT NULL, client_hash TEXT NOT NULL,
    fingerprint TEXT NOT NULL, row_count INTEGER NOT NULL, columns_json TEXT NOT NULL,
    index_name TEXT, who TEXT, host TEXT
);
CREATE TABLE {S}.batch_row (
    batch_id TEXT NOT NULL REFERENCES {S}.batch, batch_row INTEGER NOT NULL, label TEXT NOT NULL,
    label_json TEXT NOT NULL, customer_id TEXT, order_id TEXT, target TEXT, expected_json TEXT,
    previous TEXT, sent INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, reason TEXT,
    current_value TEXT, http_status INTEGER, error_code TEXT, attempts INTEGER, request_id TEXT,
    correlation_id TEXT, updated_at TEXT, source_batch TEXT, source_row INTEGER,
    PRIMARY KEY (batch_id, batch_row)
);
CREATE INDEX batch_row_by_order ON {S}.batch_row (order_id, customer_id);
CREATE INDEX batch_by_parent ON {S}.batch (parent_batch);
CREATE TABLE {S}.lease (
    batch_id TEXT PRIMARY KEY, token TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL,
    who TEXT NOT NULL, backend_pid INTEGER NOT NULL, lock_key INTEGER NOT NULL,
    heartbeat TIMESTAMPTZ NOT NULL, epoch INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE {S}.order_claim (
    customer_id TEXT NOT NULL, order_id TEXT NOT NULL, batch_id TEXT, batch_row INTEGER, token TEXT,
    last_value TEXT, last_batch TEXT, claimed_at TIMESTAMPTZ,
    PRIMARY KEY (customer_id, order_id)
);
"""

ROW_COLUMNS = ("batch_id", "batch_row", "label", "label_json", "customer_id", "order_id", "target", "expected_json",
               "previous", "sent", "status", "reason", "source_batch", "source_row", "updated_at", "current_value",
               "http_status", "error_code", "attempts", "request_id", "correlation_id")

# Anyone's run of a batch: the server grants the batch's advisory lock to the session its lease row
# names (pg_locks: exact, but it locks the whole lock table while it reads it, so only the rare reads use it).
RUNNING = f"""EXISTS (SELECT 1 FROM {S}.lease l JOIN pg_locks k ON k.locktype = 'advisory' AND k.granted
    AND k.pid = l.backend_pid AND k.classid = {LOCK_NAMESPACE}::oid AND k.objid = l.lock_key::oid AND k.objsubid = 2
    WHERE l.batch_id = %(lease_batch)s)"""
# The lease (batch, token, epoch) is held, checked inside each write's own statement: its row names
# this token and epoch, and the session that took the lock still exists. That session keeps the lock
# until it ends (a run unlocks only when it releases, after giving up its token), so "the session
# exists" is "the lock is held" — read from the server's activity array, which blocks nobody.
HELD = f"""EXISTS (SELECT 1 FROM {S}.lease l, pg_stat_get_activity(l.backend_pid) a
    WHERE l.batch_id = %(lease_batch)s AND l.token = %(lease_token)s AND l.epoch = %(lease_epoch)s
    AND a.pid = l.backend_pid)"""
# The same for a claim, which knows its run by token only (a token is never reused).
CLAIM_HELD = HELD.replace(" AND l.epoch = %(lease_epoch)s", "")
FREE = ""  # the token of a lease nobody holds (the row stays, so the epoch only grows)
# A claim row ``c`` is held by a live run: the lease of its batch keeps its token, and the lock is granted.
CLAIM_HELD_BY_C = CLAIM_HELD.replace("%(lease_batch)s", "c.batch_id").replace("%(lease_token)s", "c.token")

# A row's time (its mark, its outcome) is the server's clock, as a batch's is: an order's history is
# listed in the order its changes happened, whatever clock each analyst's machine keeps. An outcome
# that gives the row's own journaled time (a change found landed on resume) keeps it.
# The pending mark, one statement: the row (only while the lease is held), the order's claim (taken
# if free, ours, or left by a run that is gone — and, with ``check``, only if no other batch changed
# the order since it was read), then the row marked pending, only if the claim was taken.
MARK = f"""
WITH target AS (
    SELECT customer_id, order_id FROM {S}.batch_row
    WHERE batch_id = %(batch)s AND batch_row = %(row)s AND {HELD}),
claim AS (
    INSERT INTO {S}.order_claim AS c (customer_id, order_id, batch_id, batch_row, token, claimed_at)
    SELECT customer_id, order_id, %(batch)s, %(row)s, %(lease_token)s, now() FROM target
    ON CONFLICT (customer_id, order_id) DO UPDATE SET batch_id = EXCLUDED.batch_id,
        batch_row = EXCLUDED.batch_row, token = EXCLUDED.token, claimed_at = EXCLUDED.claimed_at
    WHERE (c.batch_id IS NULL OR (c.batch_id = EXCLUDED.batch_id AND c.batch_row = EXCLUDED.batch_row)
           OR NOT {CLAIM_HELD_BY_C})
      AND (NOT %(check)s OR c.last_batch IS NULL OR c.last_batch = EXCLUDED.batch_id
           OR c.last_value IS NOT DISTINCT FROM %(current)s::text)
    RETURNING 1),
mark AS (
    UPDATE {S}.batch_row SET status = 'pending', previous = CASE WHEN sent = 1 THEN previous
        ELSE %(previous)s::text END, sent = 1, updated_at = {NOW_TEXT}
    WHERE batch_id = %(batch)s AND batch_row = %(row)s AND EXISTS (SELECT 1 FROM claim)
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM target) AS held, EXISTS (SELECT 1 FROM mark) AS marked
"""

# The outcome, one statement: written only while the lease is held; the order's claim freed, and
# the value the journal last set remembered for the next run's check. Its commit does not wait for
# the disk (``synchronous_commit`` off for this transaction only): if the server lost it in a crash,
# the row stays pending — its mark was durable before the PATCH left — and resume reads the order and
# finishes it. The pending mark (MARK) always waits for the disk.
RECORD = f"""
WITH no_wait AS (SELECT set_config('synchronous_commit', 'off', true)),
done AS (
    UPDATE {S}.batch_row SET status = %(status)s, reason = %(reason)s, previous = CASE WHEN sent = 1
        THEN previous ELSE %(previous)s::text END, current_value = %(current)s, http_status = %(http_status)s,
        error_code = %(error_code)s, attempts = %(attempts)s, request_id = %(request_id)s,
        correlation_id = %(correlation_id)s,
        updated_at = CASE WHEN updated_at = %(updated_at)s THEN updated_at ELSE {NOW_TEXT} END
    WHERE batch_id = %(batch)s AND batch_row = %(row)s AND {HELD}
    RETURNING customer_id, order_id),
freed AS (
    UPDATE {S}.order_claim c SET batch_id = NULL, batch_row = NULL, token = NULL, claimed_at = NULL,
        last_value = CASE WHEN %(status)s = 'updated' THEN %(current)s::text ELSE c.last_value END,
        last_batch = CASE WHEN %(status)s = 'updated' THEN %(batch)s ELSE c.last_batch END
    FROM done WHERE c.customer_id = done.customer_id AND c.order_id = done.order_id
        AND c.batch_id = %(batch)s AND c.batch_row = %(row)s
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM done) AS written, (SELECT count(*) FROM no_wait) AS settings
"""


def lock_key(batch_id: str) -> int:
    """The advisory lock's second key for a batch: 31 bits of its SHA-256 (positive, so pg_locks shows it as is)."""
    return int.from_bytes(hashlib.sha256(batch_id.encode("utf-8", "surrogatepass")).digest()[:4], "big") & 0x7FFFFFFF


__all__ = ["HELD", "MARK", "RECORD", "SCHEMA", "SCHEMA_VERSION", "lock_key"]
