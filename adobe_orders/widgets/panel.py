"""``BatchUpdatePanel``: upload → preview → dry run → apply (in the background) → results."""

from __future__ import annotations

import base64
import io
import threading
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from ..render import status_badge, status_table_html
from .common import environment_banner, message_html, stylesheet

if TYPE_CHECKING:
    from ..client import OrdersClient

PREVIEW_ROWS = 20


def _status_table(frame: pd.DataFrame, columns: list[str], limit: int) -> str:
    rows = []
    for _, row in frame.head(limit).iterrows():
        record = {c: row.get(c) for c in columns}
        rows.append(record)
    html = status_table_html(rows, columns, css_class="batch")
    more = f"<div><small>… and {len(frame) - limit} more rows</small></div>" if len(frame) > limit else ""
    return html + more


def counts_html(results: pd.DataFrame) -> str:
    counts = results["status"].value_counts()
    return " ".join(f"{status_badge(str(k))} {v}" for k, v in counts.items())


class BatchUpdatePanel(w.VBox):
    """Bulk updates from a file or DataFrame, with a dry run, cancel, retry and undo."""

    def __init__(self, client: OrdersClient | None = None, frame: pd.DataFrame | None = None,
                 *, workers: int = 4, **kwargs: Any) -> None:
        from ..client import OrdersClient

        self.client = client or OrdersClient.from_env()
        self.frame: pd.DataFrame | None = None
        self.results: pd.DataFrame | None = None
        self.error: str | None = None
        self._ready_rows = 0
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self.banner = environment_banner(self.client)
        self.upload = w.FileUpload(accept=".csv,.xlsx", multiple=False, description="Upload CSV/Excel",
                                  layout=w.Layout(width="auto"))
        self.workers = w.BoundedIntText(value=workers, min=1, max=32, description="Workers")
        self.confirm = w.Checkbox(description="Yes, apply these changes in PRODUCTION", value=False,
                                  layout=w.Layout(display="" if self.client.needs_confirmation else "none"))
        self.dry_run_button = w.Button(description="Dry run", icon="eye", disabled=True)
        self.apply_button = w.Button(description="Apply", button_style="primary", icon="play", disabled=True)
        self.cancel_button = w.Button(description="Cancel", button_style="warning", icon="stop", disabled=True)
        self.retry_button = w.Button(description="Retry failed", icon="redo", disabled=True)
        self.undo_button = w.Button(description="Undo", button_style="danger", icon="undo", disabled=True)
        self.progress = w.IntProgress(value=0, min=0, max=1, description="Progress", bar_style="info")
        self.message = w.HTML()
        self.preview = w.HTML()
        self.summary = w.HTML()
        self.download = w.HTML()
        self.upload.observe(self._on_upload_value, names="value")
        self.confirm.observe(lambda _: self._set_buttons(), names="value")
        self.dry_run_button.on_click(lambda _: self.start(dry_run=True))
        self.apply_button.on_click(lambda _: self.start(dry_run=False))
        self.cancel_button.on_click(lambda _: self.cancel())
        self.retry_button.on_click(lambda _: self.start(dry_run=False, retry=True))
        self.undo_button.on_click(lambda _: self.start(dry_run=False, undo=True))
        super().__init__(children=[
            stylesheet(), self.banner, w.HBox([self.upload, self.workers]), self.confirm,
            w.HBox([self.dry_run_button, self.apply_button, self.cancel_button, self.retry_button,
                    self.undo_button]),
            self.progress, self.message, self.summary, self.download, self.preview,
        ], **kwargs)
        self.add_class("adobe-orders")
        if frame is not None:
            self.load(frame)

    def __repr__(self) -> str:
        rows = 0 if self.frame is None else len(self.frame)
        return f"<BatchUpdatePanel {self.client.label}: {rows} rows>"

    # -- input ---------------------------------------------------------------------------------
    def _on_upload_value(self, change: dict[str, Any]) -> None:
        from ..batch import read_updates

        files = change["new"]
        if not files:
            return
        item = files[0]
        buffer = io.BytesIO(bytes(item["content"]))
        buffer.name = item["name"]
        try:
            self.load(read_updates(buffer))
        except Exception as exc:
            self.message.value = message_html(escape(str(exc)), "error")

    def load(self, frame: pd.DataFrame) -> None:
        """Preview ``frame`` with every problem shown on its row; nothing is sent."""
        from ..batch import validate_updates

        try:
            checked = validate_updates(frame)
        except Exception as exc:
            self.frame = None
            self.message.value = message_html(escape(str(exc)), "error")
            self._set_buttons()
            return
        self.frame, self.results = frame, None
        self._ready_rows = int((checked["status"] == "ready").sum())
        bad = checked[checked["status"] != "ready"]
        columns = [c for c in ("customerId", "orderId", "externalReferenceId") if c in checked] + ["status",
                                                                                                  "problem"]
        self.preview.value = ("<b>Preview</b> — problems first" +
                              _status_table(pd.concat([bad, checked[checked["status"] == "ready"]]), columns,
                                            PREVIEW_ROWS))
        self.message.value = message_html(
            f"{len(frame)} rows: {len(frame) - len(bad)} ready, {len(bad)} with a problem (never sent). "
            "Run a dry run to see what would change.", "warn" if len(bad) else "info")
        self.summary.value = self.download.value = ""
        self._set_buttons()

    # -- running -------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _set_buttons(self) -> None:
        ready = self.frame is not None and not self.running
        needs_confirm = self.client.needs_confirmation and not self.confirm.value
        self.dry_run_button.disabled = not ready
        self.apply_button.disabled = not ready or needs_confirm
        self.cancel_button.disabled = not self.running
        statuses = set(self.results["status"]) if self.results is not None and not self.running else set()
        self.retry_button.disabled = needs_confirm or "failed" not in statuses
        self.undo_button.disabled = needs_confirm or "updated" not in statuses

    def start(self, *, dry_run: bool, retry: bool = False, undo: bool = False) -> None:
        """Run in a background thread, so the kernel (and Cancel) stay responsive."""
        if self.running or self.frame is None:
            return
        if not dry_run and self.client.needs_confirmation and not self.confirm.value:
            self.message.value = message_html("Tick the PRODUCTION box first.", "error")
            return
        self._cancel = threading.Event()
        if retry or undo:
            assert self.results is not None
            total = int((self.results["status"] == ("failed" if retry else "updated")).sum())
        else:
            total = self._ready_rows
        self.progress.max, self.progress.value, self.progress.bar_style = max(total, 1), 0, "info"
        from ..batch import new_batch_id

        batch_id = new_batch_id()
        verb = "Undoing" if undo else "Retrying failed rows" if retry else "Dry run" if dry_run else "Applying"
        resumable = "" if dry_run else (
            f" — batch <code>{batch_id}</code>; Cancel stops cleanly, and if the kernel dies, "
            f"<code>adobe_orders.resume('{batch_id}')</code> finishes it")
        self.message.value = message_html(f"{verb}…{resumable}")
        self.error = None
        self._thread = threading.Thread(target=self._run, args=(dry_run, retry, undo, batch_id), daemon=True,
                                        name="adobe-orders-panel")
        self._thread.start()
        self._set_buttons()

    def _run(self, dry_run: bool, retry: bool, undo: bool, batch_id: str) -> None:
        from ..batch import apply_updates, retry_failed
        from ..batch import undo as undo_batch

        options: dict[str, Any] = dict(progress=False, cancel=self._cancel, on_row=self._on_row,
                                       workers=self.workers.value, confirm=True, batch_id=batch_id)
        try:
            if undo:
                assert self.results is not None
                options["undo_batch_id"] = options.pop("batch_id")
                results = undo_batch(str(self.results["batch_id"].iloc[0]), self.client, **options)
            elif retry:
                assert self.results is not None
                results = retry_failed(self.results, self.client, **options)
            else:
                assert self.frame is not None
                results = apply_updates(self.frame, self.client, dry_run=dry_run, **options)
            self.results = results
            self._show_results(results, dry_run)
        except Exception as exc:
            self.error = str(exc)
            self.message.value = message_html(f"Stopped: {escape(str(exc))}", "error")
            self.progress.bar_style = "danger"
        finally:
            self._set_buttons_after()

    def _set_buttons_after(self) -> None:
        self._thread = None
        self._set_buttons()

    def _on_row(self, row: int, status: str) -> None:
        self.progress.value += 1

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the background run ends (for scripts, tests and run-all notebooks)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    # -- output --------------------------------------------------------------------------------
    def _show_results(self, results: pd.DataFrame, dry_run: bool) -> None:
        batch = escape(str(results.attrs.get("batch_id", "")))
        cancelled = self._cancel.is_set()
        self.progress.bar_style = "warning" if cancelled else "success"
        if not cancelled:
            self.progress.value = self.progress.max
        self.message.value = message_html(
            f"{'Dry run' if dry_run else 'Batch'} {batch} finished{' (cancelled)' if cancelled else ''} on "
            f"{escape(self.client.label)}.", "warn" if cancelled else "ok")
        # previous -> target is the diff a dry run is for; external_reference_id is what the order holds now
        columns = [c for c in ("customerId", "orderId") if c in results] + [
            "status", "previous_external_reference_id", "externalReferenceId", "external_reference_id", "error"]
        columns = [c for c in columns if c in results]
        problems = results[results["status"].isin(["failed", "invalid", "skipped"])]
        self.summary.value = (f"<div>{counts_html(results)}</div>"
                              + (f"<b>Rows that need attention</b>{_status_table(problems, columns, 50)}"
                                 if len(problems) else "")
                              + f"<b>All rows</b>{_status_table(results, columns, PREVIEW_ROWS)}")
        from .batch_view import csv_bytes  # the CLI's export: formula-like cells neutralised

        data = base64.b64encode(csv_bytes(results)).decode("ascii")
        self.download.value = (f'<a download="results-{batch}.csv" href="data:text/csv;base64,{data}">'
                               f"⬇ Download results-{batch}.csv</a>")
