from __future__ import annotations

import os
from pathlib import Path

import pytest

from adobe_orders import OrdersClient, Settings, connect
from adobe_orders.errors import ConfigurationError

SECRET = "s3cr3t-value-never-shown"
TOKEN = "tok-never-shown-123"


def test_defaults_to_the_local_emulator() -> None:
    s = Settings.from_env({})
    assert s.environment == "local"
    assert s.uses_embedded_emulator
    assert "local emulator" in s.label


def test_environments_get_the_contract_urls() -> None:
    s = Settings.from_env({"ADOBE_VIPM_ENV": "Production", "ADOBE_VIPM_CLIENT_ID": "id",
                           "ADOBE_VIPM_CLIENT_SECRET": SECRET})
    assert s.base_url == "https://partners.adobe.io"
    assert s.ims_url == "https://ims-na1.adobelogin.com"
    assert s.label == "PRODUCTION — https://partners.adobe.io"
    sb = Settings.from_env({"ADOBE_VIPM_ENV": "sandbox", "ADOBE_VIPM_CLIENT_ID": "id",
                            "ADOBE_VIPM_ACCESS_TOKEN": TOKEN})
    assert sb.base_url == "https://partnersandbox-stage.adobe.io"
    assert sb.ims_url == "https://ims-na1-stg1.adobelogin.com"


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"ADOBE_VIPM_ENV": "staging"}, "ADOBE_VIPM_ENV='staging'"),
        ({"ADOBE_VIPM_ENV": "sandbox"}, "ADOBE_VIPM_CLIENT_ID"),
        ({"ADOBE_VIPM_ENV": "production", "ADOBE_VIPM_CLIENT_ID": "x"}, "ADOBE_VIPM_CLIENT_SECRET"),
        ({"ADOBE_VIPM_BASE_URL": "partners.adobe.io", "ADOBE_VIPM_CLIENT_ID": "x",
          "ADOBE_VIPM_CLIENT_SECRET": "y"}, "ADOBE_VIPM_BASE_URL"),
        ({"ADOBE_VIPM_BASE_URL": "http://partners.example.com", "ADOBE_VIPM_CLIENT_ID": "x",
          "ADOBE_VIPM_CLIENT_SECRET": "y"}, "plain http"),
        ({"ADOBE_VIPM_TIMEOUT": "soon"}, "ADOBE_VIPM_TIMEOUT"),
        ({"ADOBE_VIPM_MAX_RETRIES": "-1"}, "ADOBE_VIPM_MAX_RETRIES"),
    ],
)
def test_bad_settings_fail_at_construction_naming_the_variable(env: dict, needle: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        Settings.from_env(env)
    assert needle in str(info.value)


def test_plain_http_is_allowed_to_loopback_only() -> None:
    for url in ("http://127.0.0.1:8000", "http://localhost:1", "http://[::1]:9"):
        s = Settings.from_env({"ADOBE_VIPM_BASE_URL": url, "ADOBE_VIPM_CLIENT_ID": "x",
                               "ADOBE_VIPM_CLIENT_SECRET": "y"})
        assert s.base_url == url
    with pytest.raises(ConfigurationError):
        Settings.from_env({"ADOBE_VIPM_ENV": "production", "ADOBE_VIPM_BASE_URL": "http://10.0.0.1",
                           "ADOBE_VIPM_CLIENT_ID": "x", "ADOBE_VIPM_CLIENT_SECRET": "y"})


def test_dotenv_is_read_from_the_working_folder(isolated: Path) -> None:
    (isolated / ".env").write_text(
        "ADOBE_VIPM_ENV=sandbox\nADOBE_VIPM_CLIENT_ID=abc\nADOBE_VIPM_CLIENT_SECRET=" + SECRET + "\n")
    s = Settings.from_env()
    assert (s.environment, s.client_id, s.client_secret) == ("sandbox", "abc", SECRET)


def test_secrets_never_show_in_repr_or_str() -> None:
    s = Settings.from_env({"ADOBE_VIPM_ENV": "sandbox", "ADOBE_VIPM_CLIENT_ID": "abc",
                           "ADOBE_VIPM_CLIENT_SECRET": SECRET, "ADOBE_VIPM_ACCESS_TOKEN": TOKEN})
    for text in (repr(s), str(s), f"{s}", repr([s])):
        assert SECRET not in text and TOKEN not in text
    assert "client_secret=<set>" in repr(s)
    client = OrdersClient(s)
    assert SECRET not in repr(client) and TOKEN not in repr(client)
    assert SECRET not in repr(client._auth) and TOKEN not in repr(client._auth)


def test_explicit_base_url_is_used_as_given(sandbox) -> None:
    c = OrdersClient.using(Settings.from_env({}), base_url=sandbox.url, client_id=sandbox.client_id,
                           client_secret=sandbox.client_secret)
    assert c.base_url == sandbox.url
    assert c.get_order("0001000000", "0123456000").order_id == "0123456000"


def test_zero_configuration_starts_the_embedded_emulator(capsys) -> None:
    client = connect()
    assert client.base_url.startswith("http://127.0.0.1:")
    assert "local emulator" in repr(client)
    assert client.get_order("0001000000", "0123456000").customer_id == "0001000000"


@pytest.mark.parametrize("content", ["ADOBE_VIPM_ENV=local\n".encode("utf-16"), b"ADOBE_VIPM_ENV=\xe3\x28local\n"],
                         ids=["utf-16", "not-utf-8"])
def test_history_and_the_journal_read_a_damaged_env_by_the_one_rule(isolated, content: bytes) -> None:
    """Hostile tester: ``history`` found the journal by reading .env with python-dotenv directly, so a
    UTF-16 or non-UTF-8 .env gave "'utf-8' codec can't decode byte 0xff" (no file named) from the CLI
    and a UnicodeDecodeError traceback from ``history()``."""
    import subprocess
    import sys

    from adobe_orders import history

    (isolated / ".env").write_bytes(content)
    with pytest.raises(ConfigurationError, match=r"\.env"):
        history()
    proc = subprocess.run([sys.executable, "-m", "adobe_orders", "history"], cwd=isolated, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "HOME": str(isolated)})
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert str(isolated / ".env") in proc.stderr and "codec" not in proc.stderr


@pytest.mark.parametrize("content,line,named", [
    ("ADOBE_VIPM_ENV=local\nADOBE_VIPM_CLIENT_SECRET='s3cr3t-unclosed\n", 2, "ADOBE_VIPM_CLIENT_SECRET"),
    ('ADOBE_VIPM_TIMEOUT="multi\nline"\nADOBE_VIPM_ENV local sandbox\n', 3, None),
    ("=value-without-a-name\n", 1, None),
])
def test_a_line_python_dotenv_cannot_parse_is_named_not_skipped(isolated, caplog, content, line, named) -> None:
    """python-dotenv skips such a line with a warning; the settings would silently fall back to the
    emulator. The error names the file and the line, never the value, and the library's warning is
    not shown next to it. Runs against the installed (newest allowed) python-dotenv: if its way of
    reporting changes, this fails."""
    from adobe_orders.config import read_dotenv

    (isolated / ".env").write_text(content)
    with caplog.at_level("DEBUG"), pytest.raises(ConfigurationError) as info:
        read_dotenv(isolated / ".env")
    message = str(info.value)
    assert message.startswith(f"{isolated / '.env'}, line {line}: cannot be read")
    assert (f"(it starts with {named!r})" in message) if named else "starts with" not in message
    assert "s3cr3t" not in message and "value-without" not in message
    assert not [r for r in caplog.records if r.name.startswith("dotenv")]
    assert read_dotenv_again_reads_a_sound_file(isolated) == {"ADOBE_VIPM_ENV": "local"}


def read_dotenv_again_reads_a_sound_file(folder: Path) -> dict[str, str]:
    """After a refusal, the next read is not disturbed (no filter left behind)."""
    from adobe_orders.config import read_dotenv

    (folder / ".env").write_text("ADOBE_VIPM_ENV=local\n# a comment\n\n")
    return read_dotenv(folder / ".env")
