"""``connect()``: the client a workspace is configured for — the way in for notebooks, the CLI, widgets and the app.

It sits above both the client and the emulator. ``OrdersClient`` knows only a base URL and credentials;
which API a workspace uses is decided here: its ``.env`` (and ``ADOBE_VIPM_*`` variables), and when they
name no API, the workspace's embedded emulator. That emulator keeps its demo orders in
``<workspace>/.adobe-orders/emulator-state.json``, so the CLI, a notebook, a script and the Voilà app
started in one workspace — in one process or several — see one set of demo orders, and an undo in one
restores what the others see.
"""

from __future__ import annotations

import difflib
from typing import Any

from .client import OrdersClient
from .config import Settings
from .errors import UsageError, type_name
from .workspace import emulator_state_file

#: The keywords ``OrdersClient`` takes besides its settings.
CLIENT_OPTIONS = ("backoff", "max_rate", "pool_size", "sleep", "rng")


def connect(*, announce: bool = True, **overrides: Any) -> OrdersClient:
    """The client this workspace's settings choose, the embedded emulator when they choose none.

    ``overrides`` replace settings (``environment=``, ``base_url=``, ``timeout=``…, as in ``Settings``) or
    set the client's own options (``sleep``, ``backoff``, ``max_rate``, ``pool_size``, ``rng``).
    ``announce=False`` leaves out the one line that says the embedded emulator started (the CLI and the
    app name the API themselves).
    """
    unknown = [k for k in overrides if k not in Settings.__dataclass_fields__ and k not in CLIENT_OPTIONS]
    if unknown:  # before the emulator starts: a typo ended in TypeError after it had started and said so
        known = [k for k in Settings.__dataclass_fields__ if k != "embedded"] + list(CLIENT_OPTIONS)
        raise UsageError("connect() does not take " + "; ".join(f"{k}={_did_you_mean(k, known)}" for k in unknown)
                         + f". It takes {', '.join(f'{k}=' for k in known)}.")
    fields = {k: overrides.pop(k) for k in list(overrides) if k in Settings.__dataclass_fields__}
    settings = Settings.from_env()
    if fields.get("base_url") and not fields.get("ims_url") and fields.get("environment",
                                                                          settings.environment) == "local":
        fields["ims_url"] = fields["base_url"]  # a local URL given alone serves both routes, as the emulator does
    settings = settings.with_overrides(**fields)
    if settings.uses_embedded_emulator and settings.base_url is None:
        settings = _embedded_emulator(settings, announce)
    return OrdersClient(settings, **overrides)


def client_or_connect(client: object, who: str) -> OrdersClient:
    """The client a widget was given, or the workspace's when none: a string such as 'sandbox' failed
    later with AttributeError (a client is made by connect(), the environment chosen in .env)."""
    if client is None:
        return connect()
    if not isinstance(client, OrdersClient):
        raise UsageError(f"{who} takes a client (ao.connect()), not {type_name(client)}; choose the API with "
                         "ADOBE_VIPM_ENV in .env, or ao.connect(environment='sandbox').")
    return client


def _did_you_mean(word: str, known: list[str]) -> str:
    """ADOBE_VIPM_ENV makes 'env=' the likely slip; otherwise the closest keyword, if any is close."""
    close = ["environment"] if word.lower() in ("env", "environ") else difflib.get_close_matches(word, known, n=1)
    return f" (did you mean {close[0]}=?)" if close else ""


def _embedded_emulator(settings: Settings, announce: bool) -> Settings:
    """Start this workspace's emulator in this process (once), and point the settings at it."""
    from .sandbox import embedded  # the emulator's modules load only when a workspace uses it

    sb, fresh = embedded(emulator_state_file())
    if fresh and announce:
        # Ordinary output, said once: on stderr, Jupyter shows it on a pink error background.
        print(f"Using the embedded local emulator ({sb.url}): nothing reaches Adobe. "
              "ADOBE_VIPM_ENV=sandbox or production in .env talks to Adobe.", flush=True)
    return settings.with_overrides(client_id=sb.client_id, client_secret=sb.client_secret, ims_url=sb.url,
                                   base_url=sb.url, embedded=True)


__all__ = ["client_or_connect", "connect"]
