"""Where requests go, decided in one place (config.check_url / destination / needs_confirmation),
and every configuration problem as one line naming the variable or the file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from adobe_orders import OrdersClient, Settings, apply_updates
from adobe_orders.config import check_url, destination
from adobe_orders.errors import AdobeOrdersError, ConfigurationError
from adobe_orders.widgets.common import environment_banner

CREDS = {"ADOBE_VIPM_CLIENT_ID": "id", "ADOBE_VIPM_CLIENT_SECRET": "pw-never-shown"}


def cli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
    clean.update(env)
    return subprocess.run([sys.executable, "-m", "adobe_orders.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env=clean)


def one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stdout + proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("adobe-orders: error:")]
    assert len(errors) == 1, proc.stderr
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])
    return errors[0]


# -- URLs --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("http://example.com\\@localhost", "backslash"),
        ("https://example.com\\@partnersandbox-stage.adobe.io", "backslash"),
        ("http://user:pw-never-shown@127.0.0.1:8080", "user name or password"),
        ("https://user@partners.adobe.io", "user name or password"),
        ("http://127.0.0.1:80\x00@evil.example", "U+0000"),
        ("http://127.0.0.1\t.evil.example", "U+0009"),
        ("http://local host", "a space"),
        ("https://pártners.adobe.io", "xn--"),
        ("http://example.com", "plain http"),
        ("http://10.0.0.1:8080", "plain http"),
        ("https://partners.adobe.io?x=pw-never-shown", "query"),
        ("https://h%2e.example", "two different hosts"),
        ("ftp://partners.adobe.io", "not a URL"),
        ("https://", "not a URL"),
        ("http://127.0.0.1:99999", "not a URL"),
    ],
)
def test_urls_that_could_send_secrets_elsewhere_are_refused(url: str, needle: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        Settings(environment="local", base_url=url, client_id="id", client_secret="pw")
    message = str(info.value)
    assert needle in message and "ADOBE_VIPM_BASE_URL" in message
    assert "pw-never-shown" not in message and "\n" not in message


hosts = st.sampled_from(["127.0.0.1", "localhost", "[::1]", "partners.adobe.io", "partnersandbox-stage.adobe.io",
                         "example.com", "evil.example", "127.0.0.1.evil.example", "10.0.0.1"])
junk = st.sampled_from(["", "\\", "@", "\\@", ":pw@", "user@", "%2e", "#", "?", "/", "//", ":", "\t", " ", "%40",
                        "\u3002", ";", "[", "]"])


@settings(max_examples=400, deadline=None)
@given(scheme=st.sampled_from(["http", "https", "HTTP", "hTTps"]), first=hosts, middle=junk, second=hosts,
       port=st.sampled_from(["", ":8080", ":0", ":443"]), path=st.sampled_from(["", "/", "/api", "/a\\b"]))
def test_an_accepted_url_connects_to_the_host_its_label_shows(scheme, first, middle, second, port, path) -> None:
    """The property behind every case above: whatever the text, either it is refused, or requests
    connects to exactly the host the check saw and the label shows; plain http only to loopback."""
    url = f"{scheme}://{first}{middle}{second}{port}{path}"
    try:
        checked = check_url(url, "ADOBE_VIPM_BASE_URL")
    except ConfigurationError:
        return
    prepared = requests.Request("GET", checked + "/v3/customers/1/orders/2").prepare()
    sent_to = urlsplit(prepared.url)
    seen = urlsplit(checked)
    assert (sent_to.hostname, sent_to.port) == (seen.hostname, seen.port)
    assert sent_to.username is None and sent_to.password is None
    label = Settings(environment="local", base_url=url, client_id="id", client_secret="pw").label
    assert f"//{seen.netloc}" in label
    if seen.scheme == "http":
        assert destination(checked) == "local"


# -- production is where requests go --------------------------------------------------------------

@pytest.mark.parametrize("environment", ["local", "sandbox"])
@pytest.mark.parametrize("url", ["https://partners.adobe.io", "https://api.partner-proxy.example"])
def test_a_remote_url_needs_the_production_confirmation_whatever_the_label(environment, url) -> None:
    settings_ = Settings(environment=environment, base_url=url, ims_url="https://ims.example", client_id="id",
                         client_secret="pw")
    assert settings_.needs_confirmation and settings_.destination == "production"
    assert settings_.label.startswith("PRODUCTION") and url in settings_.label
    assert "local emulator" not in settings_.label and "sandbox" not in settings_.label.lower()
    client = OrdersClient(settings_)
    assert client.needs_confirmation and client.label.startswith("PRODUCTION")
    assert "PRODUCTION" in environment_banner(client).value
    frame = pd.DataFrame({"customerId": ["0001000000"], "orderId": ["0123456000"], "externalReferenceId": ["X"]})
    with pytest.raises(AdobeOrdersError, match=r"(?i)confirm"):
        apply_updates(frame, client, progress=False)  # refused before any request (no network here)


def test_loopback_and_adobes_sandbox_need_no_confirmation() -> None:
    local = Settings(environment="local", base_url="http://127.0.0.1:9", client_id="id", client_secret="pw")
    sandbox = Settings(environment="sandbox", client_id="id", client_secret="pw")
    assert not local.needs_confirmation and local.label.startswith("local emulator")
    assert not sandbox.needs_confirmation and sandbox.label.startswith("Adobe sandbox")
    assert Settings(environment="production", client_id="id", client_secret="pw").needs_confirmation
    assert not Settings().needs_confirmation  # the embedded emulator


def test_cli_asks_for_yes_when_a_local_label_points_at_production(tmp_path: Path) -> None:
    (tmp_path / "u.csv").write_text("customerId,orderId,externalReferenceId\n0001000000,0123456000,X\n")
    proc = cli(["apply", "u.csv", "--no-progress"], tmp_path, ADOBE_VIPM_ENV="local",
               ADOBE_VIPM_BASE_URL="https://partners.adobe.io", ADOBE_VIPM_IMS_URL="https://ims-na1.adobelogin.com",
               **CREDS)
    one_line_error(proc, "PRODUCTION", "--yes")
    assert "API: PRODUCTION — https://partners.adobe.io" in proc.stderr


# -- configuration problems are one line ------------------------------------------------------------

@pytest.mark.parametrize("raw", ["1e400", "nan", "inf", "-inf", "0", "-3", "99999", "soon", "9" * 5000])
def test_timeouts_that_are_not_a_number_of_seconds(raw: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        Settings.from_env({"ADOBE_VIPM_TIMEOUT": raw})
    assert str(info.value).startswith("ADOBE_VIPM_TIMEOUT=") and "\n" not in str(info.value)


@pytest.mark.parametrize("raw", ["1e3", "-1", "1000000", "four", "9" * 5000])
def test_retries_that_are_not_a_small_whole_number(raw: str) -> None:
    with pytest.raises(ConfigurationError, match=r"^ADOBE_VIPM_MAX_RETRIES="):
        Settings.from_env({"ADOBE_VIPM_MAX_RETRIES": raw})


def test_cli_with_an_overflowing_timeout_says_one_line(tmp_path: Path) -> None:
    one_line_error(cli(["get", "0001000000", "0123456000"], tmp_path, ADOBE_VIPM_TIMEOUT="1e400"),
                   "ADOBE_VIPM_TIMEOUT='1e400'")


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("ADOBE_VIPM_ENV=sandbox\n".encode("utf-16"), "UTF-16"),
        ("ADOBE_VIPM_ENV=sandbox\nADOBE_VIPM_CLIENT_ID=caf\xe9\n".encode("cp1252"), "not UTF-8"),
        (b"ADOBE_VIPM_ENV=sandbox\nADOBE_VIPM_CLIENT_SECRET='pw-never-shown\nADOBE_VIPM_CLIENT_ID=x\n", "line 2"),
        (b"ADOBE_VIPM_ENV=sandbox\nthis is not a setting pw-never-shown\n", "line 2"),
    ],
)
def test_a_broken_dotenv_is_one_line_naming_the_file(isolated: Path, content: bytes, needle: str) -> None:
    (isolated / ".env").write_bytes(content)
    with pytest.raises(ConfigurationError) as info:
        Settings.from_env()
    message = str(info.value)
    assert str(isolated / ".env") in message and needle in message
    assert "pw-never-shown" not in message and "\n" not in message
    proc = cli(["get", "0001000000", "0123456000"], isolated)
    one_line_error(proc, ".env", needle)
    assert "pw-never-shown" not in proc.stderr + proc.stdout


def test_dotenv_is_the_workspace_one_from_a_subfolder_and_never_above_it(isolated: Path) -> None:
    (isolated / ".env").write_text("ADOBE_VIPM_SCOPES=from-outside\n")
    project = isolated / "project"
    (project / ".git").mkdir(parents=True)
    (project / ".env").write_text("ADOBE_VIPM_SCOPES=from-project\n")
    notebooks = project / "notebooks"
    notebooks.mkdir()
    os.chdir(notebooks)
    assert Settings.from_env().scopes == "from-project"
    (project / ".env").unlink()
    assert Settings.from_env().scopes != "from-outside"  # the workspace has no .env: defaults


@pytest.mark.parametrize("content", [b"{not json", b'{"orders": 5}', b"[1, 2]", b'{"orders": [{"orderId": 1}]}',
                                     b"\xff\xfe\x00"])
def test_a_damaged_emulator_state_file_is_one_line_naming_it(tmp_path: Path, content: bytes) -> None:
    state = tmp_path / ".adobe-orders" / "emulator-state.json"
    state.parent.mkdir()
    state.write_bytes(content)
    proc = cli(["get", "0001000000", "0123456000"], tmp_path)
    line = one_line_error(proc, "emulator-state.json", "delete it")
    assert "error: orders" not in line


def test_the_state_file_message_names_it_in_python_too(tmp_path: Path) -> None:
    from adobe_orders.sandbox import Sandbox

    path = tmp_path / "state.json"
    path.write_text(json.dumps({"orders": "nope"}))
    with pytest.raises(ConfigurationError, match=r"state\.json is not an emulator state file"):
        Sandbox(state_file=path)


@pytest.mark.parametrize("variable", ["ADOBE_VIPM_CLIENT_ID", "ADOBE_VIPM_CLIENT_SECRET", "ADOBE_VIPM_ACCESS_TOKEN"])
@pytest.mark.parametrize("junk", ["\r\nX-Evil: 1", "\x00", " two words", "\u200b", "é"])
def test_credentials_that_would_break_a_header_are_refused_without_showing_them(variable, junk) -> None:
    values = {"ADOBE_VIPM_ENV": "sandbox", "ADOBE_VIPM_CLIENT_ID": "id", "ADOBE_VIPM_CLIENT_SECRET": "pw"}
    values[variable] = "pw-never-shown" + junk
    with pytest.raises(ConfigurationError) as info:
        Settings.from_env(values)
    message = str(info.value)
    assert message.startswith(variable) and "pw-never-shown" not in message and "\n" not in message


def test_form_and_panel_ask_for_the_production_box_when_a_local_label_points_at_production() -> None:
    import ipywidgets

    from adobe_orders.widgets import BatchUpdatePanel, UpdateOrderForm

    client = OrdersClient(Settings(environment="local", base_url="https://partners.adobe.io",
                                   ims_url="https://ims-na1.adobelogin.com", client_id="id", client_secret="pw"))
    frame = pd.DataFrame({"customerId": ["0001000000"], "orderId": ["0123456000"], "externalReferenceId": ["X"]})
    form = UpdateOrderForm(client)
    panel = BatchUpdatePanel(client, frame)
    for widget in (form, panel):
        assert widget.confirm.layout.display == ""  # the PRODUCTION box is shown
        assert "PRODUCTION" in widget.banner.value
    form.customer_id.value, form.order_id.value, form.reference.value = "0001000000", "0123456000", "X"
    assert form.update_button.disabled and panel.apply_button.disabled
    panel.start(dry_run=False)  # refused before any request: there is no network here to reach
    assert "PRODUCTION" in panel.message.value and not panel.running
    ipywidgets.Widget.close_all()
