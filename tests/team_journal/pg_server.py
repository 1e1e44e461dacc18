"""A throwaway PostgreSQL server for the team-journal tests: ``initdb`` in a temporary folder,
``pg_ctl start`` on a free 127.0.0.1 port, stopped at the end.

``initdb`` refuses to run as root, so as root (as CI runs) the server runs as the ``postgres``
system user, and its folder is handed to that user. Password authentication over TCP, as a team's
server has it, so the tests can check a password never shows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.helpers import server_port

BIN_DIRS = [Path("/usr/lib/postgresql/15/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]
SUPERUSER, SUPERUSER_PASSWORD = "postgres", "s3cret-Super-" + uuid.uuid4().hex[:8]


def server_bin() -> Path | None:
    for folder in BIN_DIRS:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and (Path(found).parent / "initdb").exists() else None


def require_server_bin() -> Path:
    """The server's binaries, or a skip — never in CI, where a missing server is a failure."""
    folder = server_bin()
    if folder is None:
        message = "no PostgreSQL server binaries (initdb, pg_ctl) on this machine"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{message}; CI must install the postgresql package (.ci/run does)")
        pytest.skip(message)
    return folder


def free_port() -> int:
    return server_port()


class PostgresServer:
    """One server for a test session; each test gets its own database (``fresh_database``)."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="adobe-orders-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            os.chmod(self.root, 0o755)
            shutil.chown(self.root, "postgres", "postgres")
        pwfile = self.root / "pw"
        pwfile.write_text(SUPERUSER_PASSWORD + "\n")
        if self.as_root:
            shutil.chown(pwfile, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, f"--pwfile={pwfile}", "--auth-local=trust",
                  "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync")
        pwfile.unlink()
        for attempt in range(5):  # the free port may be taken by another program before the server binds it
            try:
                self.start()
                return
            except RuntimeError:
                if attempt == 4:
                    shutil.rmtree(self.root, ignore_errors=True)
                    raise
                self.port = free_port()

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")

    def start(self) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=on "
                   "-c max_connections=100")
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.root / "log"),
                  "-o", options)

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-w", "-t", "60", "-m", mode, "-D", str(self.data))

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, user: str = SUPERUSER, password: str | None = SUPERUSER_PASSWORD, database: str = "postgres",
            query: str = "") -> str:
        secret = f":{password}" if password is not None else ""
        return f"postgresql://{user}{secret}@127.0.0.1:{self.port}/{database}{'?' + query if query else ''}"

    def admin(self, sql: str, database: str = "postgres") -> list[tuple]:
        """Run ``sql`` as the superuser (autocommit: CREATE DATABASE cannot run in a transaction)."""
        import psycopg

        with psycopg.connect(self.url(database=database), autocommit=True) as conn:
            cur = conn.execute(sql)
            return cur.fetchall() if cur.description else []

    def fresh_database(self, owner: str = SUPERUSER) -> str:
        name = "j_" + uuid.uuid4().hex[:12]
        self.admin(f'CREATE DATABASE "{name}" OWNER "{owner}"')
        return name

    def team(self, members: dict[str, str]) -> str:
        """A team as the docs set it up: a group role ``team_rw`` owning a new database, and one login
        per member (name → password) in the group. Returns the database's name."""
        existing = {r[0] for r in self.admin("SELECT rolname FROM pg_roles")}
        if "team_rw" not in existing:
            self.admin("CREATE ROLE team_rw NOLOGIN")
        for user, password in members.items():  # tests share the server: a role may exist from another test
            verb = "ALTER" if user in existing else "CREATE"
            self.admin(f"{verb} ROLE \"{user}\" LOGIN PASSWORD '{password}'")
            self.admin(f'GRANT team_rw TO "{user}"')
        return self.fresh_database(owner="team_rw")
