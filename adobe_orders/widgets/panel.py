"""``BatchUpdatePanel``: upload → preview → dry run → apply (in the background) → results.

One table at a time (the preview, then the latest run's results) with a status filter, counts as
badges, a download link, and progress as "n / N" that stops where a cancelled run stopped, with
Resume to finish it. Every run happens in a background thread so the kernel and Cancel stay live.
"""

from __future__ import annotations

import base64
import io
import threading
from html import escape
from typing import Any

import ipywidgets as w
import pandas as pd

from ..batch import apply_updates, read_updates, retry_failed, validate_updates
from ..batch import resume as resume_batch
from ..batch import undo as undo_batch
from ..batch.columns import CUSTOMER, ORDER, resolve_columns
from ..batch.preflight import new_batch_id
from ..batch.report import no_undo_text, undo_outlook, unfilled_rows
from ..batch.schema import FINAL, NO_NEW_VALUE, RESULT_COLUMNS
from ..client import OrdersClient
from ..connection import client_or_connect
from ..errors import AdobeOrdersError
from ..render import is_blank
from .batch_view import ProgressView, ResultsView
from .common import environment_banner, id_html, message_html, stylesheet

#: Statuses that mean "this row did not run, and Resume would run it".
NOT_RUN = "not_run"
#: Column headers in the panel's grid (the download keeps the API names, which read back as input).
RESULT_HEADERS = {"status": "Status", "reason": "Reason", "previous_value": "Before",
                  "target_value": "Asked for", "current_value": "Adobe holds now", "line": "Line"}
DRY_RUN_HEADERS = {**RESULT_HEADERS, "current_value": "Adobe holds now", "target_value": "Would become"}
PREVIEW_HEADERS = {**RESULT_HEADERS, "target_value": "New value"}
#: Columns a file needs, as the template has them (read_updates also accepts "Customer ID", "PO" and others).
TEMPLATE_COLUMNS = ["customerId", "orderId", "externalReferenceId"]
#: HTTP answers a retry cannot change: the request itself is refused (408, 409, 425 and 429 may pass later,
#: and 401 after the credentials are fixed).
TRANSIENT_4XX = frozenset({401, 408, 409, 425, 429})


def is_permanent(http_status: Any) -> bool:
    """True for a failure that sending again would not fix (404 unknown order, 400 refused value…)."""
    if is_blank(http_status):
        return False
    try:
        code = int(http_status)
    except (TypeError, ValueError):
        return False
    return 400 <= code < 500 and code not in TRANSIENT_4XX


def template_html() -> str:
    """What the panel says at rest: the columns a file needs, and a template to start from."""
    header = ",".join(TEMPLATE_COLUMNS) + "\r\n"
    data = base64.b64encode(header.encode("utf-8")).decode("ascii")
    columns = ", ".join(f"<b>{c}</b>" for c in TEMPLATE_COLUMNS)
    return (f"Upload a CSV or Excel file with one row per order and the columns {columns} (headers such as "
            "“Customer ID”, “Order ID” or “PO” are read too). Nothing is sent until you click Apply. "
            f'<a class="ao-link" download="adobe-orders-template.csv" href="data:text/csv;base64,{data}">'
            "⬇ Download a template (CSV)</a>")


def _id_columns(frame: pd.DataFrame) -> list[str]:
    """The user's customer and order columns, whatever their headers."""
    try:
        names = resolve_columns(frame[[c for c in frame.columns if c not in RESULT_COLUMNS]])
    except AdobeOrdersError:
        return []
    return [names[CUSTOMER], names[ORDER]]


def _button(description: str, icon: str, style: str = "", tooltip: str = "") -> w.Button:
    return w.Button(description=description, icon=icon, button_style=style, disabled=True, tooltip=tooltip,
                    layout=w.Layout(width="auto"))


class BatchUpdatePanel(w.VBox):
    """Bulk updates from a file or DataFrame, with a dry run, cancel, resume, retry and undo."""

    def __init__(self, client: OrdersClient | None = None, frame: pd.DataFrame | None = None,
                 *, workers: int = 4, **kwargs: Any) -> None:
        self.client = client_or_connect(client, "BatchUpdatePanel")
        self.frame: pd.DataFrame | None = None
        self.results: pd.DataFrame | None = None
        self.root_batch: str | None = None  # the applied batch: Undo restores it and every retry of it
        self.restorable = 0  # orders of root_batch's lineage that held a reference before: Undo can restore them
        self.stopped_batch: str | None = None  # a batch cancelled part-way: Resume finishes it
        self.error: str | None = None
        self._ready_rows = 0
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        # The kernel thread (a click) and the run thread (its end) both set the buttons: one at a time, each from
        # the state as it is then, so a click's call that began while the run was ending cannot leave its
        # "running" states after the run's final ones.
        self._buttons_lock = threading.RLock()
        self.banner = environment_banner(self.client)
        self.upload = w.FileUpload(accept=".csv,.xlsx", multiple=False, description="Upload CSV/Excel",
                                   tooltip="Choose a .csv or .xlsx file: one row per order",
                                   layout=w.Layout(width="auto"))
        self.workers = w.BoundedIntText(value=workers, min=1, max=64, description="Workers",
                                        style={"description_width": "initial"},
                                        layout=w.Layout(width="170px", flex="0 0 auto"))
        self.confirm = w.Checkbox(description="Yes, apply these changes in PRODUCTION", value=False,
                                  style={"description_width": "initial"},
                                  layout=w.Layout(display="" if self.client.needs_confirmation else "none"))
        self.dry_run_button = _button("Dry run", "eye", tooltip="Read every order and show what would change")
        self.apply_button = _button("Apply", "play", "primary", "Change the orders (journaled)")
        self.cancel_button = _button("Cancel", "stop", "warning", "Stop after the rows in flight")
        self.resume_button = _button("Resume", "forward", "info", "Run the rows a cancelled batch did not run")
        self.retry_button = _button("Retry failed", "redo", tooltip="Run the failed rows again, as a child batch")
        self.undo_button = _button("Undo", "undo", "danger", "Restore every order the batch changed")
        self.progress = ProgressView()
        self.message = w.HTML()
        self.view = ResultsView()
        self.upload.observe(self._on_upload_value, names="value")
        self.confirm.observe(lambda _: self._set_buttons(), names="value")
        self.dry_run_button.on_click(lambda _: self.start(dry_run=True))
        self.apply_button.on_click(lambda _: self.start(dry_run=False))
        self.cancel_button.on_click(lambda _: self.cancel())
        self.resume_button.on_click(lambda _: self.start(dry_run=False, resume=True))
        self.retry_button.on_click(lambda _: self.start(dry_run=False, retry=True))
        self.undo_button.on_click(lambda _: self.start(dry_run=False, undo=True))
        super().__init__(children=[
            stylesheet(), self.banner, w.HBox([self.upload, self.workers], layout=w.Layout(flex_flow="row wrap")),
            self.confirm,
            w.HBox([self.dry_run_button, self.apply_button, self.cancel_button, self.resume_button,
                    self.retry_button, self.undo_button], layout=w.Layout(flex_flow="row wrap")),
            self.progress, self.message, self.view,
        ], **kwargs)
        self.add_class("adobe-orders")
        self.add_class("ao-batch-panel")
        if frame is not None:
            self.load(frame)
        else:
            self.message.value = message_html(template_html())

    def __repr__(self) -> str:
        rows = 0 if self.frame is None else len(self.frame)
        return f"<BatchUpdatePanel {self.client.label}: {rows} rows>"

    # -- input ---------------------------------------------------------------------------------
    def _on_upload_value(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0]
        buffer = io.BytesIO(bytes(item["content"]))
        buffer.name = item["name"]
        try:
            self.load(read_updates(buffer), uploaded=True)
        except Exception as exc:
            self.frame = None
            self.view.clear()
            self.message.value = message_html(escape(str(exc)), "error")
            self._set_buttons()

    def load(self, frame: pd.DataFrame, *, uploaded: bool = False) -> None:
        """Preview ``frame`` with every problem shown on its row; nothing is sent.

        A frame handed over in Python (or by the order browser) hides the upload button: "Upload CSV/Excel (0)"
        beside rows that came from elsewhere reads as if nothing were loaded.
        """
        try:
            checked = validate_updates(frame)
        except Exception as exc:
            self.frame = None
            self.view.clear()
            self.message.value = message_html(escape(str(exc)), "error")
            self._set_buttons()
            return
        self.frame, self.results, self.root_batch, self.stopped_batch = frame, None, None, None
        self.restorable = 0
        self._ready_rows = int((checked["status"] == "ready").sum())
        blank = int(unfilled_rows(checked).sum())  # partly filled files are normal: no problem
        bad = len(frame) - self._ready_rows - blank
        self.view.show(checked, title="Preview — nothing sent yet",
                       columns=[*_id_columns(checked), "status", "reason", "target_value"], headers=PREVIEW_HEADERS)
        self.progress.layout.display = "none"
        if not uploaded:
            self.upload.layout.display = "none"
        left = f", {blank} left blank (skipped: {NO_NEW_VALUE})" if blank else ""
        self.message.value = message_html(
            f"{len(frame)} rows: {self._ready_rows} ready, {bad} with a problem (never sent){left}. "
            "Run a dry run to see what would change.", "warn" if bad else "info")
        self._set_buttons()

    # -- running -------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _count(self, status: str) -> int:
        return 0 if self.results is None else int((self.results["status"].astype(str) == status).sum())

    def _rows_left(self) -> int:
        """Rows a resume sends: every row not final for its batch (not run, and failed ones again)."""
        if self.results is None:
            return 0
        return int((~self.results["status"].astype(str).isin({str(s) for s in FINAL})).sum())

    def _retryable_rows(self) -> int:
        """Failed rows a retry could fix: journaled (a dry run's are not) and not refused for good."""
        if self.results is None or "batch_row" not in self.results:
            return 0
        failed = self.results["status"].astype(str) == "failed"
        journaled = self.results["batch_row"].map(lambda v: not is_blank(v))
        permanent = self.results["http_status"].map(is_permanent) if "http_status" in self.results else False
        return int((failed & journaled & ~permanent).sum())

    def _set_buttons(self) -> None:
        """Each button is enabled only when it does something sensible next, and its label says what."""
        with self._buttons_lock:
            self._set_buttons_now()

    def _set_buttons_now(self) -> None:
        idle = not self.running
        loaded = self.frame is not None and idle
        needs_confirm = self.client.needs_confirmation and not self.confirm.value
        undone = self.results is not None and self.results.attrs.get("kind") == "undo"
        # A dry run only reads: worth it whenever rows would be sent.
        self.dry_run_button.disabled = not (loaded and self._ready_rows)
        # Apply sends the file once; after that Resume, Retry failed and Undo are the next steps (a second Apply
        # would send the whole batch again). Loading another file starts over.
        self.apply_button.disabled = (not (loaded and self._ready_rows) or self.root_batch is not None
                                      or self.stopped_batch is not None or needs_confirm)
        self.apply_button.description = f"Apply ({self._ready_rows} rows)" if self._ready_rows else "Apply"
        cancelling = not idle and self._cancel.is_set()
        self.cancel_button.disabled = idle or cancelling
        self.cancel_button.description = "Cancelling…" if cancelling else "Cancel"
        left = self._rows_left()
        self.resume_button.disabled = needs_confirm or not idle or self.stopped_batch is None
        self.resume_button.description = f"Resume ({left} rows)" if idle and self.stopped_batch and left else "Resume"
        # after a cancel, Resume also sends the failed rows again: a separate retry would run them twice
        retryable = self._retryable_rows() if idle and self.stopped_batch is None else 0
        self.retry_button.disabled = needs_confirm or not retryable or undone
        self.retry_button.description = f"Retry {retryable} failed" if retryable and not undone else "Retry failed"
        # Undo restores the whole lineage (the batch and its retries), also after a cancel (the rows that ran),
        # offered while any of its orders held a reference before: Adobe offers no way to clear one, so an undo
        # of orders that had none would do nothing.
        self.undo_button.disabled = (needs_confirm or not idle or self.root_batch is None or undone
                                     or not self.restorable)

    def start(self, *, dry_run: bool, retry: bool = False, undo: bool = False, resume: bool = False) -> None:
        """Run in a background thread, so the kernel (and Cancel) stay responsive."""
        if self.running or self.frame is None:
            return
        if not dry_run and self.client.needs_confirmation and not self.confirm.value:
            self.message.value = message_html("Tick the PRODUCTION box first.", "error")
            return

        self._cancel = threading.Event()
        if resume:
            assert self.results is not None and self.stopped_batch is not None
            batch_id, verb = self.stopped_batch, "Resuming"
            total = self._rows_left() or self.progress.total - self.progress.done
        elif undo:
            assert self.root_batch is not None and self.results is not None
            # undo restores the rows that changed (or may have: failed), never invalid or duplicate ones
            batch_id, verb = f"undo-{self.root_batch}", "Undoing"
            total = int(self.results["status"].isin(["updated", "failed"]).sum())
        elif retry:
            assert self.results is not None
            batch_id, verb = new_batch_id(), "Retrying failed rows"
            total = int((self.results["status"] == "failed").sum())
        else:
            batch_id, verb, total = new_batch_id(), "Dry run" if dry_run else "Applying", self._ready_rows
        self.progress.start(total, verb)
        # In words, not code: the app's users do not write Python; the batch ID is what any tool resumes by.
        resumable = "" if dry_run or undo else (
            f" — batch {id_html(batch_id)}. Cancel stops after the rows in flight; Resume then finishes it. "
            "If the kernel stops, the journal keeps the batch and it can be resumed by this ID.")
        self.message.value = message_html(f"{verb}…{resumable}")
        self.view.running(f"{verb}: the rows of this run. Their results replace this table when it stops.")
        self.error = None
        self._thread = threading.Thread(target=self._run, args=(dry_run, retry, undo, resume, batch_id),
                                        daemon=True, name="adobe-orders-panel")
        self._thread.start()
        self._set_buttons()

    def _run(self, dry_run: bool, retry: bool, undo: bool, resume: bool, batch_id: str) -> None:
        options: dict[str, Any] = dict(progress=False, cancel=self._cancel, on_row=self._on_row,
                                       workers=self.workers.value, confirm=True)
        try:
            if undo:
                assert self.root_batch is not None
                results = undo_batch(self.root_batch, self.client, undo_batch_id=batch_id, **options)
            elif resume:
                results = resume_batch(batch_id, self.client, **options)
            elif retry:
                assert self.results is not None
                results = retry_failed(self.results, self.client, batch_id=batch_id, **options)
            else:
                assert self.frame is not None
                results = apply_updates(self.frame, self.client, dry_run=dry_run, batch_id=batch_id, **options)
                if not dry_run:
                    self.root_batch, self.restorable = batch_id, 0
            self.results = results
            self._show_results(results, dry_run=dry_run, undo=undo, retry=retry)
        except Exception as exc:
            self.error = str(exc)
            self.message.value = message_html(f"Stopped: {escape(str(exc))}", "error")
            self.progress.finish(stopped=True, failed=True)
        finally:
            self._thread = None
            self._set_buttons()

    def _on_row(self, row: int, status: str) -> None:
        """Count a row that ran; a row a cancel kept from running is not progress."""
        if status == NOT_RUN or (self._cancel.is_set() and status == "skipped"):
            return
        self.progress.step()

    def cancel(self) -> None:
        """Stop after the rows in flight; the button says so until the run has stopped."""
        self._cancel.set()
        self._set_buttons()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the background run ends (for scripts, tests and run-all notebooks)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    # -- output --------------------------------------------------------------------------------
    def _show_results(self, results: pd.DataFrame, *, dry_run: bool, undo: bool, retry: bool) -> None:
        batch = str(results.attrs.get("batch_id", ""))
        stopped = self._cancel.is_set() and self.progress.done < self.progress.total
        not_run = int((results["status"] == NOT_RUN).sum()) or self.progress.total - self.progress.done
        if undo and not stopped:
            self.progress.total = len(results)  # a failed row whose PATCH never left has nothing to undo
        self.progress.finish(stopped=stopped)
        self.stopped_batch = batch if stopped and not dry_run and not undo else None
        if undo:
            what = f"Undo of batch {id_html(self.root_batch)} (undo batch {id_html(batch)})"
        elif retry:
            what = f"Retry of the failed rows (batch {id_html(batch)})"
        else:
            what = f"{'Dry run' if dry_run else 'Batch'} {id_html(batch)}"
        if stopped:
            outcome = (f"cancelled after {self.progress.done} of {self.progress.total} rows: {not_run} rows were "
                       "not run (<code>not_run</code>)" + ("; Resume runs them" if self.stopped_batch else ""))
        else:
            outcome = "finished"
        undo_note = ""
        if not dry_run and not undo:
            restorable, unrestorable = undo_outlook(results)
            self.restorable += restorable
            if unrestorable:
                undo_note = " " + escape(no_undo_text(unrestorable))
                if not self.restorable:
                    undo_note += " Undo is off: this batch changed no order that held a reference before."
        # the banner names the API once; the finished line does not repeat its address
        self.message.value = message_html(f"{what} {outcome}.{undo_note}", "warn" if stopped else "ok")
        # status and reason next to the IDs; a dry run read the order once, so "before" is not repeated as "now"
        values = ["current_value", "target_value"] if dry_run else ["previous_value", "target_value", "current_value"]
        columns = [*_id_columns(results), "status", "reason", *values]
        self.view.show(results, title=what, columns=columns, download=f"results-{batch}.csv",
                       headers=DRY_RUN_HEADERS if dry_run else RESULT_HEADERS)
