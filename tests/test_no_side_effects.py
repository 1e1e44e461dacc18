"""Using the package leaves the user's session as it was: a frame the user built displays exactly as
pandas shows it, and the CLI run in process never replaces ``sys.stdout``/``sys.stderr``."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Runs in a fresh interpreter: the IPython shell and the import must come first, as in a new kernel.
SESSION = r'''
import json
from IPython.core.interactiveshell import InteractiveShell
import pandas as pd

shell = InteractiveShell.instance()
show = lambda frame: shell.display_formatter.format(frame)[0]["text/html"]
user = pd.DataFrame({"problem": [None, "x" * 80], "status": [pd.NA, "failed"], "source_row": ["line 2", None],
                     "previous_value": [None, "PO-1"]}, dtype=object)
seen = {"before": show(user), "pandas": user._repr_html_()}
import adobe_orders, adobe_orders.batch, adobe_orders.discovery, adobe_orders.widgets
seen["after_import"] = show(user)
import adobe_orders as ao
checked = ao.validate_updates(pd.DataFrame({"customerId": ["1234567890", "x"], "orderId": ["0123456789", "1"],
                                            "externalReferenceId": ["PO-1", None]}))
seen["package"] = show(checked)
seen["derived"] = show(checked[checked["status"] == "invalid"])
seen["after_package"] = show(user)
seen["user_copy"] = show(user.copy())
print(json.dumps(seen))
'''


def test_a_users_frame_displays_exactly_as_pandas_shows_it(tmp_path: Path) -> None:
    pytest.importorskip("IPython")
    proc = subprocess.run([sys.executable, "-c", SESSION], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.splitlines()[-1])
    for moment in ("before", "after_import", "after_package", "user_copy"):
        assert seen[moment] == seen["pandas"], moment  # a `problem`/`status` column of the user's own
    assert "None" in seen["pandas"] and "&lt;NA&gt;" in seen["pandas"]
    for own in ("package", "derived"):  # the package's frames (and frames cut from them) show blanks
        assert "None" not in seen[own] and "&lt;NA&gt;" not in seen[own], own


def test_importing_the_package_installs_no_display_formatter(tmp_path: Path) -> None:
    pytest.importorskip("IPython")
    code = ("from IPython.core.interactiveshell import InteractiveShell\nimport pandas as pd\n"
            "shell = InteractiveShell.instance()\nhtml = shell.display_formatter.formatters['text/html']\n"
            "before = dict(html.type_printers)\n"
            "import adobe_orders, adobe_orders.batch, adobe_orders.discovery\n"
            "print(dict(html.type_printers) == before)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip() == "True", proc.stderr


def test_the_cli_in_process_writes_to_the_streams_it_is_given_and_leaves_sys_stdout_alone(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from adobe_orders import cli
    from adobe_orders.cli import main

    seen: list[bool] = []
    real = cli.cmd_history

    def spy(args, console):  # type: ignore[no-untyped-def]
        seen.append(sys.stdout is before_out and sys.stderr is before_err)
        return real(args, console)

    monkeypatch.setattr(cli, "cmd_history", spy)
    before_out, before_err = sys.stdout, sys.stderr
    out, err = io.StringIO(), io.StringIO()
    assert main(["history"], stdout=out, stderr=err) == 0
    assert seen == [True] and (sys.stdout, sys.stderr) == (before_out, before_err)
    assert "journal is empty" in out.getvalue() and "Journal:" in err.getvalue()
    assert capsys.readouterr() == ("", "")


def test_what_a_terminal_would_obey_is_still_escaped(sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    from adobe_orders.cli import main

    for line in sandbox.env_lines():
        monkeypatch.setenv(*line.split("=", 1))
    sandbox.state.set_reference("0001000000", "0123456000", "\x1b]0;evil\x07")  # set by another tool at Adobe
    out, err = io.StringIO(), io.StringIO()
    assert main(["get", "0001000000", "0123456000"], stdout=out, stderr=err) == 0
    assert "\x1b" not in out.getvalue() and "\x07" not in out.getvalue()
    assert "\\x1b]0;evil\\x07" in out.getvalue()
