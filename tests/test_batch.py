"""Bulk updates against the emulator: statuses, nothing sent for bad rows, journal, undo, retry."""

from __future__ import annotations

import io
import os
import threading
import time

import pandas as pd
import pytest

from adobe_orders import apply_updates, history, line_items, orders, read_updates, retry_failed, undo
from adobe_orders.batch import resume, validate_updates
from adobe_orders.errors import BatchMismatch, ColumnError, ConfirmationRequired, InputFileError, TransportError
from adobe_orders.sandbox.data import seed_orders
from tests.helpers import v3

# The demo's first order (0001000000 / 0123456000) holds this reference before any test changes it.
FIRST_REF = seed_orders()[0]["externalReferenceId"]


def frame_for(sb_orders: list[dict], values: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"customerId": [o["customerId"] for o in sb_orders[: len(values)]],
                         "orderId": [o["orderId"] for o in sb_orders[: len(values)]],
                         "externalReferenceId": values}, dtype=object)


def mixed(sandbox) -> pd.DataFrame:
    o = sandbox.orders
    rows = [
        (o[0]["customerId"], o[0]["orderId"], "NEW-0"),                      # 0 updated
        (o[1]["customerId"], o[1]["orderId"], "NEW-1"),                      # 1 updated
        (o[2]["customerId"], o[2]["orderId"], o[2]["externalReferenceId"]),  # 2 unchanged
        ("1.23457E+09", o[4]["orderId"], "NEW-4"),                           # 3 invalid: excel
        (o[5]["customerId"], "123456789.0", "NEW-5"),                        # 4 invalid: excel float
        (o[6]["customerId"], o[6]["orderId"], ""),                           # 5 skipped: no new value
        (o[7]["customerId"], o[7]["orderId"], "x" * 36),                     # 6 invalid: too long
        (o[8]["customerId"], "../" + o[8]["orderId"], "NEW-8"),              # 7 invalid: path
        (o[9]["customerId"], o[9]["orderId"], "NEW\u200b9"),                 # 8 invalid: invisible
        (o[10]["customerId"], "0999999999", "NEW-10"),                       # 9 failed: unknown order
        (o[11]["customerId"], o[11]["orderId"], "A-11"),                     # 10 invalid: conflict
        (o[11]["customerId"], o[11]["orderId"], "B-11"),                     # 11 invalid: conflict
        (o[0]["customerId"], o[0]["orderId"], "NEW-0"),                      # 12 duplicate: repeat
        (None, o[12]["orderId"], "NEW-12"),                                  # 13 invalid: missing id
    ]
    return pd.DataFrame(rows, columns=["customerId", "orderId", "externalReferenceId"], dtype=object)


EXPECTED = ["updated", "updated", "unchanged", "invalid", "invalid", "skipped", "invalid", "invalid", "invalid",
            "failed", "invalid", "invalid", "duplicate", "invalid"]


def test_mixed_batch_gets_the_right_status_on_every_row(client, sandbox) -> None:
    df = mixed(sandbox)
    results = apply_updates(df, client, workers=3, progress=False)
    assert list(results["status"]) == EXPECTED
    assert list(results.index) == list(df.index)
    assert results.loc[0, "previous_value"] == FIRST_REF
    assert results.loc[0, "current_value"] == "NEW-0" and results.loc[0, "target_value"] == "NEW-0"
    assert results.loc[9, "http_status"] == 404 and results.loc[9, "error_code"] == "2115"
    assert "Excel" in results.loc[3, "reason"] and results.loc[5, "reason"] == "no new value given"
    assert "different values" in results.loc[10, "reason"] and "Exact repeat of row 0" in results.loc[12, "reason"]
    assert list(results.columns[:3]) == list(df.columns) and results.loc[3, "customerId"] == "1.23457E+09"
    assert results["batch_id"].nunique() == 1 and results.loc[0, "request_id"]
    # nothing was sent for invalid or skipped rows: only rows 0, 1, 2 and 9 reached the emulator
    touched = {e["path"].rsplit("/", 1)[1] for e in v3(sandbox)}
    assert touched == {df.loc[i, "orderId"] for i in (0, 1, 2, 9)}
    patched = [e for e in v3(sandbox) if e["method"] == "PATCH"]
    # the unchanged row 2 and the unknown order of row 9 were only read
    assert sorted(e["path"] for e in patched) == sorted(
        f"/v3/customers/{df.loc[i, 'customerId']}/orders/{df.loc[i, 'orderId']}" for i in (0, 1))


def test_dry_run_sends_no_patch_and_shows_the_diff(client, sandbox) -> None:
    results = apply_updates(mixed(sandbox), client, dry_run=True, progress=False)
    assert results.loc[0, "status"] == "would_update"
    assert (results.loc[0, "previous_value"], results.loc[0, "externalReferenceId"]) == (
        FIRST_REF, "NEW-0")
    assert results.loc[2, "status"] == "unchanged"
    assert all(e["method"] == "GET" for e in v3(sandbox))
    assert history().empty


def test_missing_columns_raise_before_anything_is_sent(client, sandbox) -> None:
    with pytest.raises(ColumnError) as info:
        apply_updates(pd.DataFrame({"cust": ["1"], "order": ["2"]}), client)
    assert "customerId" in str(info.value) and "'cust'" in str(info.value)
    assert sandbox.requests == []


def test_other_column_names_can_be_mapped(client, sandbox) -> None:
    df = frame_for(sandbox.orders, ["M-1"]).rename(columns={"customerId": "Kunde", "orderId": "Auftrag",
                                                            "externalReferenceId": "PO"})
    results = apply_updates(df, client, columns={"customerId": "Kunde", "orderId": "Auftrag",
                                                 "externalReferenceId": "PO"}, progress=False)
    assert results.loc[0, "status"] == "updated" and "Kunde" in results.columns


def test_validate_updates_reports_every_rule(sandbox) -> None:
    checked = validate_updates(mixed(sandbox))
    assert list(checked["status"].replace({"ready": "ok"})) == [
        "ok", "ok", "ok", "invalid", "invalid", "skipped", "invalid", "invalid", "invalid", "ok", "invalid",
        "invalid", "duplicate", "invalid"]
    assert checked["reason"].notna().sum() == 10 and checked["target_value"].notna().sum() == 4


def test_csv_and_excel_round_trips_keep_leading_zeros(client, sandbox, tmp_path) -> None:
    csv = tmp_path / "in.csv"
    csv.write_text("Customer ID,order_id,External Reference ID\n0001000000,0123456000,0012345\n"
                   "0001000000,0123456000,NA\n", encoding="utf-8")
    df = read_updates(csv)
    assert list(df.columns) == ["Customer ID", "order_id", "External Reference ID"]  # headers as typed
    assert list(df.index) == [2, 3] and df.index.name == "line"  # rows are their spreadsheet lines
    assert df.loc[2, "Customer ID"] == "0001000000" and df.loc[2, "External Reference ID"] == "0012345"
    assert df.loc[3, "External Reference ID"] == "NA"
    results = apply_updates(df.iloc[:1], client, progress=False)
    for path in (tmp_path / "out.csv", tmp_path / "out.xlsx"):
        results.to_csv(path, index=False) if path.suffix == ".csv" else results.to_excel(path, index=False)
        back = read_updates(path)
        assert back.loc[2, "Customer ID"] == "0001000000" and back.loc[2, "order_id"] == "0123456000"
        assert back.loc[2, "External Reference ID"] == "0012345"
        assert back.loc[2, "previous_value"] == FIRST_REF and str(back.loc[2, "batch_row"]) == "0"


def test_read_updates_explains_bad_files(tmp_path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputFileError, match="empty"):
        read_updates(empty)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("customerId,orderId,externalReferenceId\n1234,5678,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputFileError, match=r"not UTF-8.*CSV UTF-8"):
        read_updates(latin)
    with pytest.raises(InputFileError, match="no such file"):
        read_updates(tmp_path / "missing.csv")
    bom = read_updates(io.BytesIO("\ufeffcustomerId,orderId,externalReferenceId\n01,02,03\n".encode()))
    assert list(bom.columns) == ["customerId", "orderId", "externalReferenceId"]


def test_line_items_and_orders_views(client, sandbox) -> None:
    results = apply_updates(frame_for(sandbox.orders, ["L-0", "L-1"]), client, progress=False)
    items = line_items(results)
    expected = sum(len(o["lineItems"]) for o in sandbox.orders[:2])
    assert len(items) == expected and set(items["orderId"]) == {o["orderId"] for o in sandbox.orders[:2]}
    heads = orders(results)
    assert list(heads["externalReferenceId"]) == ["L-0", "L-1"]


def test_undo_restores_previous_values_exactly(client, sandbox) -> None:
    picked = [o for o in sandbox.orders if o.get("externalReferenceId")][:6]
    before = {o["orderId"]: o["externalReferenceId"] for o in picked}
    results = apply_updates(frame_for(picked, [f"U-{i}" for i in range(6)]), client, progress=False)
    assert set(results["status"]) == {"updated"}
    # someone else changes one order afterwards: undo must not overwrite it
    client.update_order(picked[5]["customerId"], picked[5]["orderId"], "THEIRS")
    undone = undo(results["batch_id"][0], client, progress=False)
    assert list(undone["status"]) == ["updated"] * 5 + ["skipped"]
    assert "someone changed it" in undone.loc[5, "reason"]
    for o in picked[:5]:
        assert sandbox.order(o["customerId"], o["orderId"])["externalReferenceId"] == before[o["orderId"]]
    assert sandbox.order(picked[5]["customerId"], picked[5]["orderId"])["externalReferenceId"] == "THEIRS"
    journal = history()
    undo_rows = journal[journal["kind"] == "undo"]
    assert list(undo_rows["status"]) == ["updated"] * 5 + ["skipped"]
    assert set(undo_rows["parent_batch"]) == {results["batch_id"][0]}
    assert list(undo_rows["target_value"]) == [before[o["orderId"]] for o in picked]


def test_retry_failed_reruns_only_the_failed_rows(sandbox) -> None:
    client = sandbox.client(max_retries=0)
    df = frame_for(sandbox.orders, [f"R-{i}" for i in range(5)])
    sandbox.faults.queue("error_500", 2)  # the first two reads fail (one worker: rows 0 and 1)
    first = apply_updates(df, client, workers=1, progress=False)
    assert list(first["status"]) == ["failed", "failed", "updated", "updated", "updated"]
    sandbox.clear_log()
    again = retry_failed(first, client, progress=False)
    assert list(again["status"]) == ["updated"] * 5
    assert {e["path"].rsplit("/", 1)[1] for e in v3(sandbox)} == set(df["orderId"][:2])
    assert again.loc[2, "request_id"] == first.loc[2, "request_id"]


def test_rate_limit_pauses_every_worker(sandbox) -> None:
    """A 429 seen by one worker pauses all four, judged on the client's own schedule (its throttle's clock and
    the order of its calls): when the server logged a request says nothing of when a loaded machine's worker
    learnt of the pause, but every send the client lets through after the pause began waits it out."""
    sandbox.latency = 0.01
    sandbox.faults.retry_after = 2.0
    client = sandbox.client()
    throttle, events, lock = client.throttle, [], threading.Lock()
    pause, wait = throttle.pause, throttle.wait

    def recorded_pause(seconds: float) -> None:
        with lock:
            events.append(("pause", threading.get_ident(), throttle.clock() + seconds))
        pause(seconds)

    def recorded_wait() -> None:
        with lock:
            events.append(("asks", threading.get_ident(), 0.0))
        wait()
        with lock:
            events.append(("sends", threading.get_ident(), throttle.clock()))

    throttle.pause, throttle.wait = recorded_pause, recorded_wait  # type: ignore[method-assign]
    df = frame_for(sandbox.orders, [f"P-{i}" for i in range(24)])
    sandbox.faults.queue("rate_limit")
    results = apply_updates(df, client, workers=4, progress=False)
    assert set(results["status"]) == {"updated"}
    assert [e["status"] for e in v3(sandbox)].count(429) == 1
    paused_at = next(i for i, e in enumerate(events) if e[0] == "pause")
    until = events[paused_at][2]
    asked_after = {i for i, e in enumerate(events) if e[0] == "asks" and i > paused_at}
    # each thread's "sends" follows its own "asks": pair them in order, per thread
    waited: dict[int, list[float]] = {}
    open_asks: dict[int, int] = {}
    for i, (kind, thread, when) in enumerate(events):
        if kind == "asks":
            open_asks[thread] = i
        elif kind == "sends" and open_asks.pop(thread) in asked_after:
            waited.setdefault(thread, []).append(when)
    assert len(waited) == 4, waited  # every worker sent again after the pause began…
    assert all(when >= until for sends in waited.values() for when in sends), (until, waited)  # …once it ended


def test_stop_on_error_stops_and_resume_finishes(client, sandbox) -> None:
    df = frame_for(sandbox.orders, [f"S-{i}" for i in range(6)])
    df.loc[1, "orderId"] = "0999999999"
    first = apply_updates(df, client, workers=1, stop_on_error=True, batch_id="b-stop", progress=False)
    assert list(first["status"]) == ["updated", "failed", "not_run", "not_run", "not_run", "not_run"]
    second = resume("b-stop", client, progress=False)
    assert list(second["status"]) == ["updated", "failed", "updated", "updated", "updated", "updated"]


def test_cancel_leaves_rows_queued_for_resume(client, sandbox) -> None:
    cancel = threading.Event()
    df = frame_for(sandbox.orders, [f"C-{i}" for i in range(8)])
    seen = []

    def after_row(row: int, status: str) -> None:
        seen.append(row)
        if len(seen) == 3:
            cancel.set()

    first = apply_updates(df, client, workers=1, cancel=cancel, on_row=after_row, batch_id="b-cancel",
                          progress=False)
    assert list(first["status"][:3]) == ["updated"] * 3 and set(first["status"][3:]) == {"not_run"}
    sandbox.clear_log()
    second = apply_updates(df, client, batch_id="b-cancel", progress=False)
    assert set(second["status"]) == {"updated"}
    assert {e["path"].rsplit("/", 1)[1] for e in v3(sandbox)} == set(df["orderId"][3:])


def test_same_batch_id_with_other_rows_is_refused(client, sandbox) -> None:
    apply_updates(frame_for(sandbox.orders, ["A"]), client, batch_id="b-x", progress=False)
    from adobe_orders.errors import BatchMismatch

    with pytest.raises(BatchMismatch):
        apply_updates(frame_for(sandbox.orders, ["B"]), client, batch_id="b-x", progress=False)


def test_finished_batch_run_again_sends_nothing(client, sandbox) -> None:
    df = frame_for(sandbox.orders, ["F-1", "F-2"])
    apply_updates(df, client, batch_id="b-fin", progress=False)
    sandbox.clear_log()
    again = apply_updates(df, client, batch_id="b-fin", progress=False)
    assert list(again["status"]) == ["updated", "updated"] and sandbox.requests == []


def test_production_needs_confirm(sandbox) -> None:
    client = sandbox.client(environment="production")
    with pytest.raises(ConfirmationRequired, match="confirm=True"):
        apply_updates(frame_for(sandbox.orders, ["X"]), client)
    assert sandbox.requests == []
    assert apply_updates(frame_for(sandbox.orders, ["X"]), client, dry_run=True, progress=False)["status"][0] == (
        "would_update")


def test_ambiguous_outcome_is_read_back(sandbox) -> None:
    """No answer to the PATCH after the last retry: the order is read back and reported as it is."""
    client = sandbox.client(max_retries=0)
    original = client.read

    def read_then_arm(*args, **kwargs):
        reply = original(*args, **kwargs)
        if len(v3(sandbox)) == 1:  # the batch's first GET: the PATCH that follows loses its answer
            sandbox.faults.queue("drop_after")
        return reply

    client.read = read_then_arm
    results = apply_updates(frame_for(sandbox.orders, ["AMB-1"]), client, workers=1, progress=False)
    assert results.loc[0, "status"] == "updated"
    assert [(e["method"], e["fault"]) for e in v3(sandbox)] == [("GET", None), ("PATCH", "drop_after"),
                                                                 ("GET", None)]


def test_progress_bar_counts_rows(client, sandbox, capsys) -> None:
    from tqdm import tqdm

    bars = []

    class Recording(tqdm):
        def close(self) -> None:
            bars.append((self.n, self.total, self.desc))
            super().close()

    apply_updates(frame_for(sandbox.orders, ["Q-1", "Q-2", "Q-3"]), client, progress=True, tqdm_class=Recording)
    assert set(bars) == {(3, 3, f"Updating · {client.label}")}


def test_recon_cutoff_flags_late_updates(sandbox) -> None:
    from adobe_orders import OrdersClient, Settings

    settings = Settings(environment="local", base_url=sandbox.url, client_id=sandbox.client_id,
                        client_secret=sandbox.client_secret, recon_cutoff_day=1)
    results = apply_updates(frame_for(sandbox.orders, ["LATE-1"]), OrdersClient(settings), progress=False)
    day = int(results.loc[0, "updated_at"][8:10])
    assert results.loc[0, "after_recon_cutoff"] == (day > 1)


def test_report_colours_statuses_and_reads_as_text(client, sandbox) -> None:
    from adobe_orders import report

    results = apply_updates(mixed(sandbox), client, progress=False)
    shown = report(results)
    html = shown._repr_html_()
    from adobe_orders.render import STATUS_TONES, tone_colour

    assert f"color:{tone_colour(STATUS_TONES['failed'])};font-weight:bold\">failed" in html
    assert results.attrs["batch_id"] in html
    rows = html[html.index("<table"):]
    assert rows.index(">failed<") < rows.index(">updated<")  # problems first
    text = repr(shown)
    assert text.startswith(f"Batch {results.attrs['batch_id']}") and "row 9 [failed]" in text


def test_max_rate_spaces_requests(sandbox) -> None:
    client = sandbox.client()
    started = time.time()
    apply_updates(frame_for(sandbox.orders, [f"RATE-{i}" for i in range(6)]), client, workers=4, max_rate=20,
                  progress=False)
    times = sorted(e["received"] for e in v3(sandbox))
    # The client's own schedule: at 20/s the i-th request may leave no earlier than 50 ms x i after the batch
    # started, and each arrives after it left; so the i-th to arrive is no earlier than that, however late a
    # busy machine runs any of them. (Gaps between arrivals prove nothing: a request delayed on its way
    # arrives close to the next one.) The 1 ms is the wall clock's drift from the monotonic one.
    assert len(times) == 12
    assert all(at >= started + i / 20 - 0.001 for i, at in enumerate(times)), [t - started for t in times]
    assert client.throttle.max_rate is None  # restored after the batch


def test_retry_budget_fails_the_rest_fast_during_an_outage(sandbox) -> None:
    client = sandbox.client(sleep=lambda s: None)
    sandbox.faults.set_rates({"error_503": 1.0})
    results = apply_updates(frame_for(sandbox.orders, [f"OUT-{i}" for i in range(30)]), client, workers=1,
                            retry_budget=5, progress=False)
    assert set(results["status"]) == {"failed"}
    assert results["reason"].str.contains("retry budget is spent").sum() >= 25
    assert len(v3(sandbox)) <= 5 + 5  # the budget, plus the first attempt of the rows that spent it


def test_validation_accepts_pandas_string_columns_and_empty_frames() -> None:
    typed = pd.DataFrame({"customerId": ["0001000000", None], "orderId": ["0123456000", "0123456001"],
                          "externalReferenceId": ["A", "B"]}, dtype="string")
    checked = validate_updates(typed)
    assert list(checked["status"]) == ["ready", "invalid"] and "Customer ID is empty" in checked["reason"][1]
    empty = validate_updates(pd.DataFrame({"customerId": [], "orderId": [], "externalReferenceId": []}))
    assert empty.empty and "status" in empty.columns


def test_retry_after_an_unconfirmed_patch_keeps_the_original_previous_value(sandbox) -> None:
    """A PATCH applied at Adobe whose answer and read-back were both lost: the retry reports it
    updated, and undoing the retry restores the value from before the first batch."""
    client = sandbox.client(max_retries=0)
    df = frame_for(sandbox.orders, ["LOST-1"])
    original = client.read
    calls = []

    def read_arming_faults(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the read-back after the lost PATCH
            raise TransportError("simulated lost read-back", may_have_been_applied=True)
        reply = original(*args, **kwargs)
        if len(calls) == 1:
            sandbox.faults.queue("drop_after")
        return reply

    client.read = read_arming_faults
    first = apply_updates(df, client, workers=1, progress=False)
    assert first.loc[0, "status"] == "failed"
    assert sandbox.order(df.loc[0, "customerId"], df.loc[0, "orderId"])["externalReferenceId"] == "LOST-1"
    client.read = original
    again = retry_failed(first, client, progress=False)
    assert again.loc[0, "status"] == "updated" and again.loc[0, "previous_value"] == FIRST_REF
    undo(again.loc[0, "batch_id"], client, progress=False)
    assert sandbox.order(df.loc[0, "customerId"], df.loc[0, "orderId"])["externalReferenceId"] == FIRST_REF


# -- hostile tester: lineage holes (each failed before its fix) ------------------------------------------
def _values(sandbox, picked: list[dict]) -> list[str]:
    return [sandbox.order(o["customerId"], o["orderId"])["externalReferenceId"] for o in picked]


def test_retry_after_undo_is_refused_so_no_change_escapes_undo(sandbox) -> None:
    """Undo, then "Retry failed" on the old results: the retry's changes could never be undone
    (undo answered "already undone"). Retrying or resuming an undone batch is refused, nothing sent."""
    client = sandbox.client(max_retries=0)
    picked = sandbox.orders[:4]
    before = _values(sandbox, picked)
    sandbox.faults.queue("error_500", 2)
    first = apply_updates(frame_for(picked, ["RU-0", "RU-1", "RU-2", "RU-3"]), client, workers=1, progress=False)
    assert list(first["status"]) == ["failed", "failed", "updated", "updated"]
    undo(first.attrs["batch_id"], client, progress=False)
    sandbox.clear_log()
    with pytest.raises(BatchMismatch, match="undone"):
        retry_failed(first, client, progress=False)
    with pytest.raises(BatchMismatch, match="undone"):
        resume(first.attrs["batch_id"], client, progress=False)
    with pytest.raises(BatchMismatch, match="undone"):
        apply_updates(frame_for(picked, ["RU-0", "RU-1", "RU-2", "RU-3"]), client,
                      batch_id=first.attrs["batch_id"], progress=False)
    assert [e for e in v3(sandbox) if e["method"] == "PATCH"] == []
    assert _values(sandbox, picked) == before


def test_retry_of_two_batches_concatenated_is_refused(sandbox) -> None:
    """pd.concat of two batches' results, then retry_failed: the retry became a child of the first
    batch only, so undo(second batch) left its retried order at the retry's value and said done."""
    client = sandbox.client(max_retries=0)
    picked = sandbox.orders[:4]
    sandbox.faults.queue("error_500", 1)
    a = apply_updates(frame_for(picked[:2], ["CA-0", "CA-1"]), client, workers=1, progress=False)
    sandbox.faults.queue("error_500", 1)
    b = apply_updates(frame_for(picked[2:], ["CB-0", "CB-1"]), client, workers=1, progress=False)
    assert list(a["status"]) == list(b["status"]) == ["failed", "updated"]
    sandbox.clear_log()
    with pytest.raises(BatchMismatch, match=f"{a.attrs['batch_id']}.*{b.attrs['batch_id']}"):
        retry_failed(pd.concat([a, b], ignore_index=True), client, progress=False)
    assert v3(sandbox) == []


def test_undo_of_two_batches_concatenated_is_refused(sandbox) -> None:
    """undo(pd.concat([a, b])) undid only a and reported success; b's orders kept its values."""
    client = sandbox.client()
    picked = sandbox.orders[:4]
    a = apply_updates(frame_for(picked[:2], ["UA-0", "UA-1"]), client, progress=False)
    b = apply_updates(frame_for(picked[2:], ["UB-0", "UB-1"]), client, progress=False)
    sandbox.clear_log()
    with pytest.raises(BatchMismatch, match=f"{a.attrs['batch_id']}.*{b.attrs['batch_id']}"):
        undo(pd.concat([a, b]), client, progress=False)
    assert v3(sandbox) == []
    assert _values(sandbox, picked) == ["UA-0", "UA-1", "UB-0", "UB-1"]


def test_a_repeated_header_is_counted_as_often_as_it_appears(client, sandbox) -> None:
    """Selecting the user's columns by name doubled every repeated header: 'appears 4 times' for two,
    9 for three (and the results would have carried each repeat twice)."""
    frame = pd.DataFrame([["0001000000", "0123456000", "A", "B"]],
                         columns=["customerId", "orderId", "externalReferenceId", "externalReferenceId"])
    with pytest.raises(ColumnError, match="appears 2 times"):
        apply_updates(frame, client, progress=False)
    assert v3(sandbox) == []


def test_undoing_an_undo_is_refused_so_undo_never_claims_a_batch_it_no_longer_covers(sandbox) -> None:
    """Hostile tester: undo(undo batch) put the batch's values back, after which undo(batch) answered
    "already undone", sent nothing, and the orders kept the batch's values."""
    client = sandbox.client()
    picked = sandbox.orders[:3]
    before = _values(sandbox, picked)
    first = apply_updates(frame_for(picked, ["UU-0", "UU-1", "UU-2"]), client, progress=False)
    undone = undo(first.attrs["batch_id"], client, progress=False)
    assert _values(sandbox, picked) == before
    sandbox.clear_log()
    with pytest.raises(BatchMismatch, match="is an undo"):
        undo(undone.attrs["batch_id"], client, progress=False)
    with pytest.raises(BatchMismatch, match="is an undo"):
        undo(undone, client, progress=False)
    assert [e for e in v3(sandbox) if e["method"] == "PATCH"] == []
    assert _values(sandbox, picked) == before


@pytest.mark.parametrize("bad", ["/../../outside", "a/b", "..", "x; rm -rf ~", " id", "undo-mine", "é" * 3, "x" * 81])
def test_a_batch_id_that_is_no_plain_name_is_refused_before_anything(tmp_path, sandbox, bad: str) -> None:
    """Hostile tester: ``--batch-id '/../../x'`` wrote the results file outside the workspace (the ID is part
    of its name), and a batch named ``undo-…`` blocked the CLI's undo of that batch for good."""
    import subprocess
    import sys

    (tmp_path / "u.csv").write_text("customerId,orderId,externalReferenceId\n0001000000,0123456000,PO-ID\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
    env.update(dict(line.split("=", 1) for line in sandbox.env_lines()))
    before = set(tmp_path.parent.iterdir())
    proc = subprocess.run([sys.executable, "-m", "adobe_orders", "apply", "u.csv", "--no-progress", "--batch-id", bad],
                          capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert proc.returncode in (1, 2) and "Traceback" not in proc.stderr, proc.stderr
    assert set(tmp_path.parent.iterdir()) == before  # nothing written beside the workspace
    client = sandbox.client()
    frame = frame_for(sandbox.orders, ["PO-ID"])
    with pytest.raises(ValueError, match=r"[Bb]atch ID"):
        apply_updates(frame, client, batch_id=bad, progress=False)
    assert v3(sandbox) == []
