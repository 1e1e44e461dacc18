"""Settings: where requests go and with which credentials.

Read once from the process environment and a ``.env`` file found from the current working
directory (a notebook's folder), so an analyst configures a folder, not the library.
Every problem is reported at construction, naming the variable and the fix, because a bad
setting found mid-batch costs far more than one found before anything is sent.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal, TypeVar
from urllib.parse import urlsplit

from .errors import ConfigurationError

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


def mask(secret: str | None) -> str:
    """What a secret looks like wherever it could be printed: present or not, never its value."""
    return "<set>" if secret else "<not set>"


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str, variable: str) -> str:
    """A base URL must be absolute, and plain http is only for this machine (the emulator)."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"{variable}={url!r} is not a URL; use the form https://host or http://127.0.0.1:PORT."
        )
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConfigurationError(
            f"{variable}={url!r} uses plain http to a host that is not this machine; tokens would "
            "travel unencrypted. Use https:// (plain http is allowed only for 127.0.0.1 / localhost)."
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(f"{variable}={url!r} must not have a query or fragment.")
    return url


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

    def __post_init__(self) -> None:
        env = str(self.environment).strip().lower()
        if env not in ENVIRONMENT_LABELS:
            raise ConfigurationError(
                f"ADOBE_VIPM_ENV={self.environment!r} is not an environment; "
                "use local (the default, the emulator), sandbox or production."
            )
        object.__setattr__(self, "environment", env)
        defaults = ENVIRONMENT_URLS.get(env)
        base = self.base_url or (defaults[0] if defaults else None)
        ims = self.ims_url or (defaults[1] if defaults else base)
        if base:
            object.__setattr__(self, "base_url", check_url(base, "ADOBE_VIPM_BASE_URL"))
        if ims:
            object.__setattr__(self, "ims_url", check_url(ims, "ADOBE_VIPM_IMS_URL"))
        if env != "local" or self.base_url:
            self._require_credentials()
        if not self.timeout or self.timeout <= 0:
            raise ConfigurationError("ADOBE_VIPM_TIMEOUT must be a positive number of seconds, e.g. 30.")
        if self.max_retries < 0:
            raise ConfigurationError("ADOBE_VIPM_MAX_RETRIES must be 0 or more, e.g. 4.")
        if self.recon_cutoff_day is not None and not 1 <= self.recon_cutoff_day <= 31:
            raise ConfigurationError("ADOBE_VIPM_RECON_CUTOFF_DAY must be a day of the month, 1 to 31.")

    def _require_credentials(self) -> None:
        where = ENVIRONMENT_LABELS[self.environment]
        if not self.client_id:
            raise ConfigurationError(
                f"ADOBE_VIPM_CLIENT_ID is not set; the {where} needs your integration's client ID "
                "(it is also sent as X-Api-Key). Put it in .env next to your notebook."
            )
        if not (self.client_secret or self.access_token):
            raise ConfigurationError(
                f"Neither ADOBE_VIPM_CLIENT_SECRET nor ADOBE_VIPM_ACCESS_TOKEN is set; the {where} "
                "needs one of them. Put the client secret in .env next to your notebook."
            )

    @property
    def uses_embedded_emulator(self) -> bool:
        return self.environment == "local" and not self.base_url

    @property
    def label(self) -> str:
        """Which API this is, in the words shown on forms and batch summaries."""
        name = ENVIRONMENT_LABELS[self.environment]
        if self.uses_embedded_emulator:
            return f"{name} (embedded)"
        return f"{name} — {self.base_url}"

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
        """Read ``ADOBE_VIPM_*`` from the environment; a ``.env`` in the working folder fills gaps.

        Real environment variables win over the file, as python-dotenv does by default.
        """
        values: dict[str, str] = {}
        if dotenv and environ is None:
            from dotenv import dotenv_values, find_dotenv

            path = find_dotenv(usecwd=True)
            if path:
                values.update({k: v for k, v in dotenv_values(path).items() if v is not None})
        values.update(os.environ if environ is None else environ)

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


def _number(raw: str | None, name: str, kind: Callable[[str], N], default: D) -> N | D:
    if raw is None:
        return default
    try:
        return kind(raw)
    except ValueError:
        what = "whole number" if kind is int else "number"
        raise ConfigurationError(f"{name}={raw!r} is not a {what}.") from None
