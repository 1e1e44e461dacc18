"""This project's errors in IPython: the message alone, and the full traceback one %tb away."""

from __future__ import annotations

import pytest

from adobe_orders.errors import AdobeOrdersError, ConfigurationError


def _raise() -> None:
    raise ConfigurationError("ADOBE_VIPM_TIMEOUT must be a number of seconds, not 'abc'.")


def test_first_rendering_is_the_message_alone_then_the_traceback() -> None:
    try:
        _raise()
    except AdobeOrdersError as exc:
        first = exc._render_traceback_()
        second = exc._render_traceback_()
    text = "\n".join(first)
    assert len(first) == 2 and "ADOBE_VIPM_TIMEOUT must be a number" in text and "%tb" in text
    assert "Traceback" not in text and "_raise" not in text
    assert "_raise" in "\n".join(second)  # what %tb shows


def test_in_a_real_kernel_the_cell_error_is_short_and_tb_is_full(tmp_path) -> None:
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import adobe_orders as ao\nao.read_updates('no-such-file.xlsx')"),
        nbformat.v4.new_code_cell("%tb"),
        nbformat.v4.new_code_cell("c1 = ao.connect()\nc2 = ao.connect()"),
    ])
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute(cwd=str(tmp_path))
    (error,) = [o for o in nb.cells[0].outputs if o["output_type"] == "error"]
    shown = "\n".join(error["traceback"])
    assert len(error["traceback"]) == 2 and "no-such-file.xlsx" in shown and "%tb" in shown
    tb = "".join(o.get("text", "") + "\n".join(o.get("traceback", [])) for o in nb.cells[1].outputs)
    assert "read_updates" in tb and len(tb.splitlines()) > 5
    # the embedded-emulator notice: once, as ordinary output (stdout), never on stderr
    streams = nb.cells[2].outputs
    assert [o["name"] for o in streams] == ["stdout"]
    assert streams[0]["text"].count("embedded local emulator") == 1
