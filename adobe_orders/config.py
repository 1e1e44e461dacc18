"""Settings: where requests go and with which credentials.

Read once from the process environment and a ``.env`` file found from the current working
directory (a notebook's folder), so an analyst configures a folder, not the library.
Every problem is reported at construction, naming the variable and the fix, because a bad
setting found mid-batch costs far more than one found before anything is sent.
"""

from __future__ import annotations

import difflib
import io
import ipaddress
import logging
import math
import os
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import urlsplit

from dotenv import dotenv_values
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from .errors import ConfigurationError
from .workspace import dotenv_file, workspace_root

Environment = Literal["local", "sandbox", "production"]
N = TypeVar("N")
D = TypeVar("D")

# From ../shared/api-contract.md, "Environments".
ENVIRONMENT_URLS: dict[str, tuple[str, str]] = {
    "sandbox": ("https://partnersandbox-stage.adobe.io", "https://ims-na1-stg1.adobelogin.com"),
    "production": ("https://partners.adobe.io", "https://ims-na1.adobelogin.com"),
}
ENVIRONMENT_LABELS = {
    "local": "local emulator",
    "sandbox": "Adobe sandbox",
    "production": "PRODUCTION",
}
DEFAULT_SCOPES = "openid,AdobeID,read_organizations"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 4
PREFIX = "ADOBE_VIPM_"


#: Every ``ADOBE_VIPM_*`` variable the package reads; any other is a typo, and a typo is silently ignored.
KNOWN_VARIABLES = tuple(PREFIX + name for name in (
    "ENV", "BASE_URL", "IMS_URL", "CLIENT_ID", "CLIENT_SECRET", "SCOPES", "ACCESS_TOKEN", "TIMEOUT", "MAX_RETRIES",
    "JOURNAL", "RECON_CUTOFF_DAY", "EMULATOR_STATE"))


class SettingsWarning(UserWarning):
    """A setting that is probably not what was meant (a misspelled variable name); nothing stops."""


def unknown_variables(names: Iterable[str], where: str) -> list[str]:
    """One sentence per ``ADOBE_VIPM_*`` name in ``names`` that the package does not read, naming the
    known one it resembles. ``…_ENVIRONMENT=sandbox`` (for ``…_ENV``) would otherwise run against the local
    emulator without a word. Only names: a value may be a secret."""
    found = []
    for name in sorted({n for n in names if n.upper().startswith(PREFIX) and n not in KNOWN_VARIABLES}):
        close = difflib.get_close_matches(name.upper(), KNOWN_VARIABLES, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}?" if close else f"the names it reads are {', '.join(KNOWN_VARIABLES)}."
        found.append(f"{name} ({where}) is not a setting adobe-orders reads, so it is ignored; {hint}")
    return found


def warn_unknown_variables(environ: Mapping[str, str] | None = None, dotenv: Path | None = None) -> None:
    """Warn (:class:`SettingsWarning`) about every misspelled ``ADOBE_VIPM_*`` name in the environment and
    in the workspace's ``.env`` (``dotenv``, or the one found when None and ``environ`` is None)."""
    if dotenv is None and environ is None:
        dotenv = dotenv_file()
    messages = unknown_variables(os.environ if environ is None else environ, "in the environment")
    if dotenv is not None:
        messages += unknown_variables(read_dotenv(dotenv), f"in {dotenv}")
    for message in messages:
        warnings.warn(message, SettingsWarning, stacklevel=2)


def mask(secret: str | None) -> str:
    """What a secret looks like wherever it could be printed: present or not, never its value."""
    return "<set>" if secret else "<not set>"


SANDBOX_HOST = "partnersandbox-stage.adobe.io"  # api-contract, "Environments"
PRODUCTION_HOST = "partners.adobe.io"
MAX_TIMEOUT = 3600.0
MAX_RETRIES_LIMIT = 100


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def shown_url(url: str) -> str:
    """A URL as quoted in a message: any user-info and query hidden (they may hold a password)."""
    text = re.sub(r"//[^/?#]*@", "//<user-info hidden>@", url)
    return re.sub(r"[?#].*", "?<hidden>", text, flags=re.DOTALL)


def check_url(url: str, variable: str) -> str:
    """The URL requests will connect to, in one canonical form, or ConfigurationError.

    Checked with urllib3's ``parse_url`` — the parser requests itself uses to choose the host —
    and refused whenever Python's ``urlsplit`` would read the host differently, so no rule here
    can look at one host while the connection goes to another (``http://example.com\\@localhost``).
    Refused outright: backslashes, spaces and control or non-ASCII characters, user-info
    (``user:pass@``; requests would turn it into Basic auth and print it in labels), a query or
    fragment, and plain http to anything but this machine.
    """
    raw = url.strip()
    odd = next((ch for ch in raw if ch == "\\" or not "!" <= ch <= "~"), None)
    if odd is not None:
        what = "a backslash" if odd == "\\" else (
            "a space" if odd == " " else f"the character U+{ord(odd):04X}")
        raise ConfigurationError(
            f"{variable} contains {what}; a base URL is plain ASCII like https://host or "
            "http://127.0.0.1:PORT (an international host name must be written in its xn-- form)."
        )
    try:
        parts = parse_url(raw)
        split = urlsplit(raw)
        split_port = split.port
    except (LocationParseError, ValueError):
        raise ConfigurationError(
            f"{variable}={shown_url(raw)!r} is not a URL; use the form https://host or http://127.0.0.1:PORT."
        ) from None
    if parts.scheme not in ("http", "https") or not parts.host or parts.port == 0:
        raise ConfigurationError(
            f"{variable}={shown_url(raw)!r} is not a URL; use the form https://host or http://127.0.0.1:PORT."
        )
    if parts.auth is not None or "@" in split.netloc:
        raise ConfigurationError(
            f"{variable} holds a user name or password before '@' ({shown_url(raw)}); credentials belong in "
            "ADOBE_VIPM_CLIENT_ID / ADOBE_VIPM_CLIENT_SECRET, never in the URL."
        )
    if parts.query is not None or parts.fragment is not None:
        raise ConfigurationError(f"{variable}={shown_url(raw)!r} must not have a query (?…) or fragment (#…).")
    host = parts.host.lower()
    split_host = (split.hostname or "").lower()
    if ":" in split_host:
        split_host = f"[{split_host}]"  # urlsplit drops an IPv6 literal's brackets; parse_url keeps them
    if host != split_host or parts.port != split_port:
        raise ConfigurationError(
            f"{variable}={shown_url(raw)!r} can be read as two different hosts; write it plainly as "
            "https://host[:port][/path]."
        )
    if parts.scheme == "http" and not is_loopback_host(host):
        raise ConfigurationError(
            f"{variable}={shown_url(raw)!r} uses plain http to a host that is not this machine; tokens would "
            "travel unencrypted. Use https:// (plain http is allowed only for 127.0.0.1 / localhost)."
        )
    port = f":{parts.port}" if parts.port is not None else ""
    return f"{parts.scheme}://{host}{port}{(parts.path or '').rstrip('/')}"


def check_credential(value: str | None, variable: str) -> None:
    """A credential travels in an HTTP header or form: printable ASCII without spaces, or refused.

    A line break pasted into a secret would otherwise split a header (requests refuses it mid-batch,
    looking like a dropped connection). The message never shows the value.
    """
    if value is None:
        return
    bad = next((ch for ch in value if not "!" <= ch <= "~"), None)
    if bad is not None:
        what = "a space" if bad == " " else f"the character U+{ord(bad):04X}"
        raise ConfigurationError(f"{variable} contains {what}; credentials are printable ASCII without spaces. "
                                 "Copy it again from Adobe's developer console.")


def destination(url: str | None) -> str:
    """Where requests to ``url`` go: "local" (this machine, or the embedded emulator when None),
    "sandbox" (Adobe's sandbox host) or "production" (anything else: assume real orders)."""
    if url is None:
        return "local"
    host = (parse_url(url).host or "").lower()
    if is_loopback_host(host):
        return "local"
    if host == SANDBOX_HOST:
        return "sandbox"
    return "production"


def needs_confirmation(environment: str, base_url: str | None) -> bool:
    """Changing orders needs the production confirmation unless the declared environment is not
    production *and* the requests go to this machine or Adobe's sandbox. The URL decides, not a label."""
    return environment == "production" or destination(base_url) == "production"


def describe_destination(environment: str, base_url: str | None) -> str:
    """"PRODUCTION — https://partners.adobe.io"; never "local emulator" for a remote host."""
    where = destination(base_url)
    if needs_confirmation(environment, base_url):
        host = (parse_url(base_url).host or "") if base_url else ""
        kind = "PRODUCTION" if host == PRODUCTION_HOST or where != "production" else \
            "PRODUCTION (an unknown host is treated as production)"
    else:
        kind = ENVIRONMENT_LABELS[where]
    return f"{kind} — {base_url}"


@dataclass(frozen=True)
class Settings:
    """Everything the client needs. Secrets are kept out of ``repr`` and ``str``."""

    environment: Environment = "local"
    base_url: str | None = None
    ims_url: str | None = None
    client_id: str | None = field(default=None, repr=False)
    client_secret: str | None = field(default=None, repr=False)
    scopes: str = DEFAULT_SCOPES
    access_token: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    journal_path: str | None = None
    recon_cutoff_day: int | None = None
    #: True when ``base_url`` is the workspace's embedded emulator that ``adobe_orders.connect()``
    #: started: the label says so, and the journal binds a batch to "the embedded emulator", not to a
    #: port that changes with every process.
    embedded: bool = False

    def __post_init__(self) -> None:
        env = str(self.environment).strip().lower()
        if env not in ENVIRONMENT_LABELS:
            raise ConfigurationError(
                f"ADOBE_VIPM_ENV={self.environment!r} is not an environment; "
                "use local (the default, the emulator), sandbox or production."
            )
        object.__setattr__(self, "environment", env)
        if self.embedded and env != "local":
            raise ConfigurationError("The embedded emulator is local: it cannot be the "
                                     f"{ENVIRONMENT_LABELS[env]} (ADOBE_VIPM_ENV={env}).")
        defaults = ENVIRONMENT_URLS.get(env)
        base = self.base_url or (defaults[0] if defaults else None)
        ims = self.ims_url or (defaults[1] if defaults else base)
        if base:
            object.__setattr__(self, "base_url", check_url(base, "ADOBE_VIPM_BASE_URL"))
        if ims:
            object.__setattr__(self, "ims_url", check_url(ims, "ADOBE_VIPM_IMS_URL"))
        if env != "local" or self.base_url:
            self._require_credentials()
        timeout = self.timeout
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not math.isfinite(timeout) \
                or not 0 < timeout <= MAX_TIMEOUT:
            raise ConfigurationError(f"ADOBE_VIPM_TIMEOUT={timeout!r} must be a number of seconds above 0 and at "
                                     f"most {MAX_TIMEOUT:g}, e.g. 30.")
        retries = self.max_retries
        if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= MAX_RETRIES_LIMIT:
            raise ConfigurationError(f"ADOBE_VIPM_MAX_RETRIES={retries!r} must be a whole number from 0 to "
                                     f"{MAX_RETRIES_LIMIT}, e.g. 4.")
        if self.recon_cutoff_day is not None and not 1 <= self.recon_cutoff_day <= 31:
            raise ConfigurationError("ADOBE_VIPM_RECON_CUTOFF_DAY must be a day of the month, 1 to 31.")
        for name, value in (("CLIENT_ID", self.client_id), ("CLIENT_SECRET", self.client_secret),
                            ("ACCESS_TOKEN", self.access_token)):
            check_credential(value, PREFIX + name)

    def _require_credentials(self) -> None:
        where = self._whose_credentials()
        if not self.client_id:
            raise ConfigurationError(
                f"ADOBE_VIPM_CLIENT_ID is not set; {where} needs your integration's client ID "
                f"(it is also sent as X-Api-Key). Put it in {_dotenv_path()}."
            )
        if not (self.client_secret or self.access_token):
            raise ConfigurationError(
                f"Neither ADOBE_VIPM_CLIENT_SECRET nor ADOBE_VIPM_ACCESS_TOKEN is set; {where} "
                f"needs one of them. Put the client secret in {_dotenv_path()}."
            )

    def _whose_credentials(self) -> str:
        """Who asks for the credentials, in a sentence: decided by where requests go, not by the label
        (``ADOBE_VIPM_ENV=local`` with an https URL is no emulator)."""
        host = (parse_url(self.base_url).host or "") if self.base_url else ""
        where = destination(self.base_url)
        if where == "local":
            return f"the local API at {self.base_url}"
        if where == "sandbox":
            return f"Adobe's sandbox API ({host})"
        if host == PRODUCTION_HOST:
            return f"Adobe's production API ({host})"
        return f"the API at {self.base_url} (treated as production)"

    @property
    def uses_embedded_emulator(self) -> bool:
        """Nothing names an API (local, no base URL), or these settings point at the emulator
        ``adobe_orders.connect()`` started for that."""
        return self.embedded or (self.environment == "local" and not self.base_url)

    @property
    def destination(self) -> str:
        """Where requests go ("local", "sandbox" or "production"), decided by the URL, not the label."""
        return destination(self.base_url)

    @property
    def needs_confirmation(self) -> bool:
        """True when changing orders needs the production confirmation (confirm=True, --yes, the
        form's checkbox): the environment says production, or the base URL is neither this machine
        nor Adobe's sandbox. The batch engine, the widgets and the CLI all ask this one property."""
        return needs_confirmation(self.environment, self.base_url)

    @property
    def label(self) -> str:
        """Which API this is, in the words shown on forms, banners and batch summaries: the kind of
        place the requests go, then the host they go to."""
        if self.uses_embedded_emulator:
            where = f" — {self.base_url}" if self.base_url else ""
            return f"{ENVIRONMENT_LABELS['local']} (embedded){where}"
        return describe_destination(self.environment, self.base_url)

    def __repr__(self) -> str:
        return (
            f"Settings(environment={self.environment!r}, base_url={self.base_url!r}, "
            f"ims_url={self.ims_url!r}, client_id={mask(self.client_id)}, "
            f"client_secret={mask(self.client_secret)}, access_token={mask(self.access_token)}, "
            f"scopes={self.scopes!r}, timeout={self.timeout}, max_retries={self.max_retries})"
        )

    __str__ = __repr__

    def with_overrides(self, **overrides: object) -> Settings:
        known = {k: v for k, v in overrides.items() if v is not None}
        unknown = set(known) - set(self.__dataclass_fields__)
        if unknown:
            raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **known)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
        """Read ``ADOBE_VIPM_*`` from the environment; the workspace's ``.env`` fills gaps.

        The ``.env`` is the one in the workspace folder (``adobe_orders.workspace``): the working
        folder or the nearest folder above it holding ``.adobe-orders/``, ``.env`` or ``.git`` —
        the same folder whose journal the batch functions use. Real environment variables win
        over the file, as python-dotenv does by default.
        """
        values: dict[str, str] = {}
        path = None
        if dotenv and environ is None:
            path = dotenv_file()
            if path is not None:
                values.update(read_dotenv(path))
        values.update(os.environ if environ is None else environ)
        warn_unknown_variables(os.environ if environ is None else environ, path)

        def get(name: str) -> str | None:
            raw = values.get(PREFIX + name)
            return raw.strip() if raw and raw.strip() else None

        return cls(
            environment=get("ENV") or "local",  # type: ignore[arg-type]
            base_url=get("BASE_URL"),
            ims_url=get("IMS_URL"),
            client_id=get("CLIENT_ID"),
            client_secret=get("CLIENT_SECRET"),
            scopes=get("SCOPES") or DEFAULT_SCOPES,
            access_token=get("ACCESS_TOKEN"),
            timeout=_number(get("TIMEOUT"), "ADOBE_VIPM_TIMEOUT", float, DEFAULT_TIMEOUT),
            max_retries=_number(get("MAX_RETRIES"), "ADOBE_VIPM_MAX_RETRIES", int, DEFAULT_MAX_RETRIES),
            journal_path=get("JOURNAL"),
            recon_cutoff_day=_number(get("RECON_CUTOFF_DAY"), "ADOBE_VIPM_RECON_CUTOFF_DAY", int, None),
        )


def setting_naming_an_api() -> str | None:
    """The setting that points away from the embedded emulator (``ADOBE_VIPM_ENV=sandbox``), read as
    ``Settings.from_env`` reads it but without asking for credentials: ``reset-demo`` needs none, and
    "ADOBE_VIPM_CLIENT_ID is not set" told an analyst the wrong thing to fix."""
    path = dotenv_file()
    values = {**(read_dotenv(path) if path is not None else {}), **os.environ}
    environment = (values.get(PREFIX + "ENV") or "").strip().lower()
    if environment in ("sandbox", "production"):
        return f"{PREFIX}ENV={environment}"
    base = (values.get(PREFIX + "BASE_URL") or "").strip()
    return f"{PREFIX}BASE_URL={shown_url(base)}" if base else None


def read_dotenv(path: str | os.PathLike[str]) -> dict[str, str]:
    """The variables of a ``.env`` file, or ConfigurationError naming the file (and line) and the fix.

    A file Notepad saved as UTF-16, or a line python-dotenv cannot parse, would otherwise be
    skipped with a warning nobody reads, and the defaults (the emulator) used silently. A message
    never quotes a line: it may hold a secret.
    """
    where = os.fspath(path)
    try:
        data = Path(where).read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"{where} cannot be read ({exc.strerror or exc}).") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 1 and b"\x00" in data[:64]):
        raise ConfigurationError(f"{where} is saved as UTF-16 (Notepad's 'Unicode'); save it as UTF-8 "
                                 "(in Notepad: Save As > Encoding: UTF-8).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"{where} is not UTF-8 text (byte 0x{data[exc.start]:02x} at position "
                                 f"{exc.start}); save it as UTF-8.") from None
    with _UnparsedLines() as unparsed:
        values = dotenv_values(stream=io.StringIO(text))
    if unparsed.lines:
        line = unparsed.lines[0]
        lines = text.splitlines()
        head = lines[line - 1].split("=", 1)[0].strip() if line and line <= len(lines) else ""
        name = f" (it starts with {head!r})" if re.fullmatch(r"(export\s+)?[A-Za-z_][A-Za-z0-9_]*", head) else ""
        raise ConfigurationError(
            f"{where}, line {line or '?'}: cannot be read{name}; each line must be NAME=value "
            "(quote a value that contains spaces or # with '…', and close every quote)."
        )
    return {k: v for k, v in values.items() if v is not None}


class _UnparsedLines(logging.Filter):
    """The lines python-dotenv could not parse, while in ``with``.

    python-dotenv's public API skips such a line and says so only in a warning from its ``dotenv.main``
    logger, whose argument is the line number; that warning is taken here (and not shown: our error
    names the line). Only this thread's records count. tests/test_settings.py pins this against the
    installed python-dotenv."""

    LOGGER = "dotenv.main"

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[int | None] = []
        self._thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.thread != self._thread or record.levelno < logging.WARNING:
            return True
        args = record.args if isinstance(record.args, tuple) else ()
        self.lines.append(args[0] if args and isinstance(args[0], int) else None)
        return False

    def __enter__(self) -> _UnparsedLines:
        logging.getLogger(self.LOGGER).addFilter(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger(self.LOGGER).removeFilter(self)


def _dotenv_path() -> str:
    """The ``.env`` settings are read from (the workspace's), as a message names it."""
    return str(workspace_root() / ".env")


def _number(raw: str | None, name: str, kind: Callable[[str], N], default: D) -> N | D:
    if raw is None:
        return default
    try:
        value = kind(raw)
    except (ValueError, OverflowError):
        what = "whole number" if kind is int else "number"
        raise ConfigurationError(f"{name}={raw[:40]!r} is not a {what}.") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigurationError(f"{name}={raw[:40]!r} is not a finite number; use a number of seconds such as 30.")
    return value
