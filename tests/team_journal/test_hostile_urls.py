"""Journal URLs as people really write them: a scheme copied from SQLAlchemy, a password pasted with
the characters a URL reserves. Whatever is written, the password never shows and no file is made
out of a URL; the percent-encoded form of the same password works against a real server."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from adobe_orders import history
from adobe_orders.cli import main
from adobe_orders.errors import JournalError
from adobe_orders.journal.postgres import PgJournal
from tests.team_journal.helpers import updates
from tests.team_journal.pg_server import PostgresServer, free_port


def files_under(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


@pytest.mark.parametrize("scheme", ["postgresql+psycopg", "postgresql+psycopg2", "postgress", "pgsql"])
def test_a_misspelled_scheme_is_refused_and_never_becomes_a_file(scheme: str, sandbox, tmp_path: Path,
                                                                   capsys) -> None:
    secret = "Scheme-" + uuid.uuid4().hex
    url = f"{scheme}://alice:{secret}@127.0.0.1:{free_port()}/team"
    (tmp_path / ".env").write_text("\n".join([*sandbox.env_lines(), f"ADOBE_VIPM_JOURNAL={url}"]) + "\n")
    updates(sandbox.orders[:2], "S").to_csv(tmp_path / "po.csv", index=False)
    before = files_under(tmp_path)
    for command in (["history"], ["apply", "po.csv", "--no-progress"]):
        assert main(command) == 1
        out = capsys.readouterr()
        assert secret not in out.out + out.err
        last = out.err.strip().splitlines()[-1]
        assert "postgresql://" in last and scheme in last, last
    with pytest.raises(JournalError) as raised:
        history(url)
    assert secret not in str(raised.value) and "postgresql://" in str(raised.value)
    assert files_under(tmp_path) - before <= {p for p in files_under(tmp_path) if ".adobe-orders" in p.parts}
    assert not any(secret in str(p) for p in files_under(tmp_path))
    assert [e for e in sandbox.requests if e["path"].startswith("/v3/")] == []


PIECES = ["Ab1x", "Cd2y", "Ef3z", "Gh4w", "Ij5v", "Kl6u", "Mn7t"]


@pytest.mark.parametrize("between", ["/", "@", "?", "#"])
def test_a_password_with_a_raw_reserved_character_never_shows(between: str, sandbox, tmp_path: Path,
                                                              capsys) -> None:
    """Pasted unencoded, ``/ @ ? #`` end the user part early, so the URL reads wrong: the password, or
    a piece of it, used to be shown (as the host, the path, or a driver's 'invalid token')."""
    password = between.join(PIECES[:3]) + ":" + PIECES[3] + "%" + PIECES[4]
    url = f"postgresql://alice:{password}@127.0.0.1:{free_port()}/team?sslmode=disable"
    (tmp_path / ".env").write_text("\n".join([*sandbox.env_lines(), f"ADOBE_VIPM_JOURNAL={url}"]) + "\n")
    updates(sandbox.orders[:2], "P").to_csv(tmp_path / "po.csv", index=False)
    for command in (["history"], ["apply", "po.csv", "--no-progress"]):
        assert main(command) == 1
        out = capsys.readouterr()
        shown = out.out + out.err
        assert not [p for p in PIECES if p in shown], shown
        last = out.err.strip().splitlines()[-1]
        assert last.startswith("adobe-orders: error: ADOBE_VIPM_JOURNAL postgresql://alice:***@")
        assert "percent-encode" in last
    with pytest.raises(JournalError) as raised:
        history(url)
    assert not [p for p in PIECES if p in str(raised.value) + repr(raised.value)]
    assert [e for e in sandbox.requests if e["path"].startswith("/v3/")] == []


@pytest.mark.parametrize("between", ["&", "="])
def test_a_password_in_the_query_with_a_raw_separator_never_shows(between: str, sandbox, tmp_path: Path,
                                                                    capsys) -> None:
    """``?password=`` with ``&`` or ``=`` in it: the driver read the rest as another parameter and named it."""
    url = f"postgresql://alice@127.0.0.1:{free_port()}/team?sslmode=disable&password={between.join(PIECES[:2])}"
    (tmp_path / ".env").write_text("\n".join([*sandbox.env_lines(), f"ADOBE_VIPM_JOURNAL={url}"]) + "\n")
    assert main(["history"]) == 1
    out = capsys.readouterr()
    assert not [p for p in PIECES if p in out.out + out.err], out
    assert "percent-encode" in out.err.strip().splitlines()[-1]


def test_the_same_password_percent_encoded_works(pg_server: PostgresServer) -> None:
    from urllib.parse import quote

    password = "/".join(PIECES[:2]) + "@" + PIECES[2] + ":" + PIECES[3] + "%" + PIECES[4] + "?#" + PIECES[5]
    user = "enc_" + uuid.uuid4().hex[:8]
    pg_server.admin(f"CREATE ROLE \"{user}\" LOGIN PASSWORD '{password}'")
    database = pg_server.fresh_database(owner=user)
    url = pg_server.url(user=user, password=quote(password, safe=""), database=database)
    assert len(history(url)) == 0
    in_query = pg_server.url(user=user, password=None, database=database,
                             query=f"sslmode=disable&password={quote(password + '&=x', safe='')}")
    pg_server.admin(f"ALTER ROLE \"{user}\" PASSWORD '{password}&=x'")
    assert len(history(in_query)) == 0
    journal = PgJournal(url)
    assert repr(journal).startswith(f"<PgJournal postgresql://{user}:***@") and PIECES[0] not in repr(journal)
