"""Mistakes a user makes get one clear line, never a traceback (each of these was one).

Out-of-range options, a journal path under a user that does not exist, a date at the end of the
calendar, a source with a repeated header, ``None`` where a frame belongs, empty IDs as ``None`` /
NaN / ``pd.NA``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adobe_orders import apply_updates, fetch_orders, match_updates, read_updates, show, undo, validate_updates
from adobe_orders.cli import main
from adobe_orders.errors import UsageError
from tests.helpers import v3

CUST, ORD = "0001000000", "0123456000"  # a real customer and order of the seeded data


def one_line_usage_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"adobe-orders {argv[0]}: error: argument ")
    return last


@pytest.mark.parametrize("argv, words", [
    (["sandbox", "--port", "70000"], "70000 is not a port"),
    (["sandbox", "--port", "-1"], "-1 is not a port"),
    (["sandbox", "--latency", "nan"], "'nan': use a number of seconds"),
    (["sandbox", "--latency", "inf"], "'inf': use a number of seconds"),
    (["sandbox", "--latency", "-0.5"], "'-0.5': use a number of seconds"),
    (["sandbox", "--slow-seconds", "nan"], "'nan': use a number of seconds"),
    (["app", "--port", "65536"], "65536 is not a port"),
    (["lab", "--port", "0"], "0 is not a port"),
])
def test_out_of_range_server_options_are_usage_errors(capsys: pytest.CaptureFixture[str], argv: list[str],
                                                      words: str) -> None:
    assert words in one_line_usage_error(capsys, argv)


def test_the_emulator_still_takes_port_zero_for_any_free_port() -> None:
    from adobe_orders.cli.parser import build_parser

    assert build_parser().parse_args(["sandbox", "--port", "0"]).port == 0
    assert build_parser().parse_args(["sandbox", "--port", "65535", "--latency", "0.2"]).latency == 0.2


def test_a_journal_under_a_user_that_does_not_exist_is_named(monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ADOBE_VIPM_JOURNAL", "~nouser-adobe-orders/j.sqlite")
    assert main(["history"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "ADOBE_VIPM_JOURNAL='~nouser-adobe-orders/j.sqlite'" in err and "no such user" in err


def test_the_last_day_of_the_calendar_is_a_valid_end_date(client, sandbox) -> None:  # type: ignore[no-untyped-def]
    frame = fetch_orders(CUST, client, end_date=date(9999, 12, 31), progress=False)
    assert len(frame) > 0 and frame.attrs["failed_customers"] == {}
    assert len(frame) == len(fetch_orders(CUST, client, progress=False))


def test_a_source_with_two_columns_of_one_name_is_refused_in_one_line(client) -> None:  # type: ignore[no-untyped-def]
    orders = fetch_orders(CUST, client, progress=False)
    source = pd.DataFrame([[CUST, "PO-1", "PO-2"]], columns=["customerId", "po", "po"])
    with pytest.raises(ValueError, match=r"more than one column named 'po'; rename the repeats"):
        match_updates(orders, source, on="customerId", value="po")
    twice = pd.DataFrame([[CUST, CUST, "PO-1"]], columns=["customerId", "customerId", "po"])
    with pytest.raises(ValueError, match=r"more than one column named 'customerId'"):
        match_updates(orders, twice, on="customerId", value="po")
    unused = pd.DataFrame([[CUST, "x", "y", "PO-1"]], columns=["customerId", "note", "note", "po"])
    assert match_updates(orders, unused, on="customerId", value="po").attrs["source_rows"] == 1  # not read: fine


@pytest.mark.parametrize("call, words", [
    (lambda: apply_updates(None), "Expected the updates as a pandas DataFrame"),
    (lambda: validate_updates(None), "Expected the updates as a pandas DataFrame"),
    (lambda: read_updates(None), "Expected a file path (.csv or .xlsx) or an open file"),
    (lambda: undo(None), "undo() takes a batch ID"),
    (lambda: show(None), "show() takes a DataFrame"),
], ids=["apply_updates", "validate_updates", "read_updates", "undo", "show"])
def test_none_instead_of_a_frame_is_a_usage_error_that_says_what_was_given(call, words: str,  # type: ignore[no-untyped-def]
                                                                          sandbox) -> None:
    with pytest.raises(UsageError) as refused:
        call()
    assert words in str(refused.value) and str(refused.value).endswith("not None.")
    assert v3(sandbox) == []


@pytest.mark.parametrize("empty", [None, np.nan, pd.NA], ids=["None", "NaN", "NA"])
@pytest.mark.parametrize("column", ["customerId", "orderId"])
def test_an_empty_id_as_none_nan_or_na_is_that_rows_problem(client, sandbox, empty: object,  # type: ignore[no-untyped-def]
                                                            column: str) -> None:
    ids = {"customerId": [CUST, CUST, CUST], "orderId": [ORD, ORD, "0123456001"]}
    ids[column] = [ids[column][0], empty, empty]  # twice: two empty IDs are not "the same order" either
    frame = pd.DataFrame({**ids, "externalReferenceId": ["PO-A", "PO-B", "PO-C"]}, dtype=object)
    checked = validate_updates(frame)
    assert list(checked["status"]) == ["ready", "invalid", "invalid"]
    assert checked["reason"].iloc[1] == ("Customer ID is empty." if column == "customerId" else "Order ID is empty.")
    results = apply_updates(frame, client, progress=False)
    assert list(results["status"]) == ["updated", "invalid", "invalid"]
    patches = [e for e in v3(sandbox) if e["method"] == "PATCH"]
    assert len(patches) == 1 and patches[0]["path"].endswith(f"/{CUST}/orders/{ORD}")


# -- a misspelled variable is named, with the one it resembles; never its value ----------------------------
SECRET_LOOKING = "value-that-must-not-show-7f3a"


@pytest.mark.parametrize("wrong, meant", [("ADOBE_VIPM_ENVIRONMENT", "ADOBE_VIPM_ENV"),
                                          ("ADOBE_VIPM_CLIENTID", "ADOBE_VIPM_CLIENT_ID"),
                                          ("ADOBE_VIPM_CLIENT_SECERT", "ADOBE_VIPM_CLIENT_SECRET")])
@pytest.mark.parametrize("where", ["dotenv", "environment"])
def test_a_misspelled_variable_is_named_in_python(monkeypatch: pytest.MonkeyPatch, isolated: Path, wrong: str,
                                                  meant: str, where: str) -> None:
    from adobe_orders import connect
    from adobe_orders.config import SettingsWarning

    if where == "dotenv":
        (isolated / ".env").write_text(f"{wrong}={SECRET_LOOKING}\n")
    else:
        monkeypatch.setenv(wrong, SECRET_LOOKING)
    with pytest.warns(SettingsWarning) as caught:
        connect().close()
    (message,) = [str(w.message) for w in caught if issubclass(w.category, SettingsWarning)]
    assert message.startswith(f"{wrong} (in ") and f"did you mean {meant}?" in message
    assert (str(isolated / ".env") in message) == (where == "dotenv") and SECRET_LOOKING not in message


def test_a_misspelled_variable_is_named_by_every_cli_command_once(monkeypatch: pytest.MonkeyPatch, isolated: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (isolated / ".env").write_text(f"ADOBE_VIPM_ENVIRONMENT=sandbox\nADOBE_VIPM_CLIENTID={SECRET_LOOKING}\n")
    monkeypatch.setenv("ADOBE_VIPM_JOURNAL_PATH", SECRET_LOOKING)
    for argv in (["history"], ["get", CUST, ORD]):
        assert main(argv) == 0
        err = capsys.readouterr().err
        warned = [line for line in err.splitlines() if line.startswith("adobe-orders: warning: ")]
        assert len(warned) == 3 and SECRET_LOOKING not in err and "Traceback" not in err, err
        assert "ADOBE_VIPM_ENVIRONMENT" in warned[-1] and "did you mean ADOBE_VIPM_ENV?" in warned[-1]
        assert any("ADOBE_VIPM_CLIENTID" in w and "did you mean ADOBE_VIPM_CLIENT_ID?" in w for w in warned)
        assert any("ADOBE_VIPM_JOURNAL_PATH (in the environment)" in w and "ADOBE_VIPM_JOURNAL?" in w for w in warned)
        assert "SettingsWarning" not in err  # a line for a person, not Python's warning format


def test_every_variable_the_package_reads_is_known(monkeypatch: pytest.MonkeyPatch, recwarn) -> None:  # type: ignore[no-untyped-def]
    """A variable added to the code but not to KNOWN_VARIABLES would be called a typo."""
    import re

    import adobe_orders
    from adobe_orders.config import KNOWN_VARIABLES, SettingsWarning, warn_unknown_variables

    package = Path(adobe_orders.__file__).parent
    read = {name for f in package.rglob("*.py") for name in re.findall(r"ADOBE_VIPM_[A-Z_]*[A-Z]", f.read_text())}
    assert read and read <= set(KNOWN_VARIABLES), read - set(KNOWN_VARIABLES)
    warn_unknown_variables({name: "x" for name in KNOWN_VARIABLES})
    assert not [w for w in recwarn if issubclass(w.category, SettingsWarning)]


# -- which API asks for credentials, and where the token service could not be reached ----------------------
@pytest.mark.parametrize("settings, words", [
    (dict(environment="production"), "Adobe's production API (partners.adobe.io) needs"),
    (dict(environment="sandbox"), "Adobe's sandbox API (partnersandbox-stage.adobe.io) needs"),
    (dict(base_url="https://orders.example.com"),
     "the API at https://orders.example.com (treated as production) needs"),
    (dict(environment="local", base_url="https://partners.adobe.io"), "Adobe's production API (partners.adobe.io)"),
    (dict(base_url="http://127.0.0.1:9"), "the local API at http://127.0.0.1:9 needs"),
])
def test_missing_credentials_name_the_api_that_needs_them(settings: dict[str, str], words: str) -> None:
    from adobe_orders.config import Settings
    from adobe_orders.errors import ConfigurationError

    with pytest.raises(ConfigurationError) as refused:
        Settings(**settings)  # type: ignore[arg-type]
    assert words in str(refused.value)
    assert "the PRODUCTION" not in str(refused.value) and "emulator needs" not in str(refused.value)


def test_an_unreachable_token_service_is_named_by_host_and_port() -> None:
    import socket

    from adobe_orders import OrdersClient
    from adobe_orders.config import Settings
    from adobe_orders.errors import TransportError

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = OrdersClient(Settings(base_url=f"http://127.0.0.1:{port}", ims_url=f"http://127.0.0.1:{port}",
                                   client_id="an-id", client_secret=SECRET_LOOKING, max_retries=0))
    with pytest.raises(TransportError) as failed:
        client.get_order(CUST, ORD)
    client.close()
    message = str(failed.value)
    assert f"Could not reach the token service at 127.0.0.1:{port} (ConnectionError). Nothing was sent." in message
    assert "correlation" not in message and SECRET_LOOKING not in message


@pytest.mark.parametrize("rate, words", [("-1", "'-1': use a number of requests per second"),
                                         ("0", "'0': use a number of requests per second"),
                                         ("nan", "'nan': use a number of requests per second"),
                                         ("fast", "'fast': use a number of requests per second")])
def test_a_wrong_max_rate_is_a_usage_error_before_any_batch_starts(capsys: pytest.CaptureFixture[str], isolated: Path,
                                                                   rate: str, words: str) -> None:
    """It was checked once the batch had started: a batch ID and a 'finish it later' command repeating the
    wrong rate were printed, then a Python-worded error (max_rate=..., or None), exit 1."""
    (isolated / "u.csv").write_text("customerId,orderId,externalReferenceId\n0001000000,0123456000,PO-1\n")
    last = one_line_usage_error(capsys, ["apply", str(isolated / "u.csv"), "--max-rate", rate])
    assert words in last and "None" not in last
    assert not (isolated / ".adobe-orders" / "journal.sqlite").exists()


def test_undo_of_a_run_that_had_nothing_to_send_sends_nothing_and_raises_nothing(  # type: ignore[no-untyped-def]
        client, sandbox) -> None:
    """The monthly job run a second time: every PO is already set, so the updates are empty and the run
    journals no batch. Notebook 03's undo cell then raised KeyError 'No batch ... in the journal'."""
    frame = pd.DataFrame({"customerId": [CUST], "orderId": [ORD], "externalReferenceId": ["PO-AGAIN-1"]})
    apply_updates(frame, client, progress=False)
    again = apply_updates(frame.iloc[0:0], client, progress=False)  # what match_updates gives the second time
    sent = len(sandbox.requests)
    undone = undo(again, client, progress=False)
    assert undone.empty and list(undone.columns) == list(again.columns)
    assert len(sandbox.requests) == sent
    with pytest.raises(KeyError, match="journals no batch"):
        undo(again.attrs["batch_id"], client, progress=False)


@pytest.mark.parametrize("target", ["alice@db.example.com/adobe_orders", "db.example.com:5432/adobe_orders",
                                    "team.sqlite", "alice:s3cr3t-pw@db.example.com/adobe_orders"])
def test_journal_copy_to_something_not_a_team_journal_url_is_refused(capsys: pytest.CaptureFixture[str],
                                                                    isolated: Path, target: str) -> None:
    """Without 'postgresql://' the target was taken as a file: a folder 'alice@db.example.com' and a SQLite
    file were made, and it said 'Journal copied ... N batches copied' as if the team had them."""
    assert main(["update", CUST, ORD, "PO-COPY-1"]) == 0
    capsys.readouterr()
    before = sorted(p.name for p in isolated.iterdir())
    assert main(["journal", "copy", "--to", target]) == 1
    err = capsys.readouterr().err
    assert "postgresql://USER@HOST" in err and "Nothing was copied" in err and "batches copied" not in err
    assert "s3cr3t" not in err
    assert sorted(p.name for p in isolated.iterdir()) == before


@pytest.mark.parametrize("argv", [["history", "--order", ""], ["history", "--order", "  "],
                                  ["history", "--order", "0123456000", "--customer", ""]])
def test_a_blank_order_or_customer_for_history_is_a_usage_error(capsys: pytest.CaptureFixture[str],
                                                               argv: list[str]) -> None:
    """--order '' answered 'The journal holds no change to order .'"""
    assert "is empty" in one_line_usage_error(capsys, argv)


@pytest.mark.parametrize("settings, words", [
    ({"ADOBE_VIPM_ENV": "production"}, "ADOBE_VIPM_ENV=production"),
    ({"ADOBE_VIPM_ENV": "sandbox"}, "ADOBE_VIPM_ENV=sandbox"),
    ({"ADOBE_VIPM_BASE_URL": "http://127.0.0.1:9"}, "ADOBE_VIPM_BASE_URL=http://127.0.0.1:9")])
def test_reset_demo_against_another_api_says_which_setting_names_it(capsys: pytest.CaptureFixture[str],
                                                                    isolated: Path, settings: dict[str, str],
                                                                    words: str) -> None:
    """With production and no credentials it said 'ADOBE_VIPM_CLIENT_ID is not set', as if reset-demo
    needed them; with a .env naming an API, '.env points elsewhere' without saying where."""
    (isolated / ".env").write_text("".join(f"{k}={v}\n" for k, v in settings.items()), encoding="utf-8")
    assert main(["reset-demo"]) == 1
    err = capsys.readouterr().err
    assert words in err and "CLIENT_ID" not in err and "only resets the embedded local emulator" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("keyword, words", [("env", "environment="), ("client_secrets", "client_secret="),
                                            ("colour", "It takes environment=")])
def test_connect_with_a_misspelled_keyword_names_the_ones_it_takes(capsys: pytest.CaptureFixture[str],
                                                                   keyword: str, words: str) -> None:
    """ao.connect(env='sandbox') started the embedded emulator (and said so), then raised TypeError
    'OrdersClient.__init__() got an unexpected keyword argument'."""
    import adobe_orders as ao

    with pytest.raises(UsageError) as refused:
        ao.connect(**{keyword: "sandbox"})
    assert f"{keyword}=" in str(refused.value) and words in str(refused.value)
    assert "embedded local emulator" not in capsys.readouterr().out


@pytest.mark.parametrize("make", ["UpdateOrderForm", "BatchUpdatePanel", "OrderBrowser"])
def test_a_widget_given_something_else_than_a_client_says_what_it_takes(make: str) -> None:
    """ao.UpdateOrderForm('sandbox') raised AttributeError: 'str' object has no attribute 'needs_confirmation'."""
    import adobe_orders as ao

    with pytest.raises(UsageError, match=r"takes a client \(ao\.connect\(\)\), not str"):
        getattr(ao, make)("sandbox")


@pytest.mark.parametrize("call", ["line_items", "orders"])
def test_line_items_of_something_else_than_a_frame_says_what_it_takes(call: str) -> None:
    """ao.line_items('x') raised AttributeError: 'str' object has no attribute 'columns'."""
    import adobe_orders as ao

    with pytest.raises(UsageError, match="results frame or a fetch_orders frame, not str"):
        getattr(ao, call)("x")


def test_apply_with_a_journal_it_cannot_open_announces_no_batch_to_finish(capsys: pytest.CaptureFixture[str],
                                                                         isolated: Path) -> None:
    """With the team journal down (or a damaged journal file) apply printed 'Batch …: Ctrl-C stops it
    cleanly; to finish it later: … --batch-id …' for a batch that was never journaled, then the error."""
    (isolated / "broken.sqlite").write_bytes(b"this is not a database" * 100)
    (isolated / ".env").write_text("ADOBE_VIPM_JOURNAL=broken.sqlite\n", encoding="utf-8")
    (isolated / "u.csv").write_text("customerId,orderId,externalReferenceId\n0001000000,0123456000,PO-J-1\n",
                                    encoding="utf-8")
    assert main(["apply", "u.csv", "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "broken.sqlite" in err and "--batch-id" not in err and "finish it later" not in err


def test_an_empty_journal_named_by_the_settings_is_not_called_this_workspaces(capsys: pytest.CaptureFixture[str],
                                                                           isolated: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A team journal (or any journal ADOBE_VIPM_JOURNAL names) is shared: 'no batch has been applied from this
    workspace yet' was wrong there."""
    assert main(["history"]) == 0
    assert "from this workspace" in capsys.readouterr().out  # the workspace's own file: true
    monkeypatch.setenv("ADOBE_VIPM_JOURNAL", str(isolated / "shared" / "team.sqlite"))
    (isolated / "shared").mkdir()
    assert main(["history"]) == 0
    out = capsys.readouterr().out
    assert "The journal is empty" in out and "this workspace" not in out


def test_history_refuses_last_with_order_instead_of_ignoring_it(capsys: pytest.CaptureFixture[str],
                                                                isolated: Path) -> None:
    """``history --order X --last 3`` printed every change and said nothing of the ignored --last."""
    assert main(["history", "--order", "0123456000", "--last", "3"]) == 1
    err = capsys.readouterr().err
    assert "--order ORDER lists every change to that order, so leave --last out" in err and "Traceback" not in err
    assert main(["history", "--last", "3"]) == 0 and "journal is empty" in capsys.readouterr().out
