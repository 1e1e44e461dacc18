"""Typed errors that carry what an analyst, or Adobe support, needs to act.

``str()`` says in words what went wrong and what to do next, then the codes and IDs support
asks for. No secret reaches these messages: they are built from the answer's code and
message and from our request and correlation IDs, never from the request's headers or form.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus


class AdobeOrdersError(Exception):
    """Base class of every error this package raises on purpose."""

    attempts: int = 1  # how many HTTP attempts the call made before giving up

    def _render_traceback_(self) -> list[str]:
        """In IPython/Jupyter: the message alone the first time, the full traceback from ``%tb`` on.

        Our messages already say what went wrong and what to do; a 20-line traceback above them
        hides that from an analyst. IPython renders an error again for ``%tb`` (and for its
        history), so every later rendering of the same error is the ordinary traceback.
        """
        if getattr(self, "_shown_once", False):
            from IPython import get_ipython  # IPython only inside a notebook: a script never loads it

            shell = get_ipython()
            if shell is not None:
                return list(shell.InteractiveTB.structured_traceback(type(self), self, self.__traceback__))
            return traceback.format_exception(self)
        self._shown_once = True
        return [f"\x1b[31m{type(self).__name__}\x1b[0m: {self}",
                "\x1b[2m(the full traceback is one %tb away)\x1b[0m"]


class ConfigurationError(AdobeOrdersError, ValueError):
    """A setting is missing or wrong; raised before anything is sent."""


class UsageError(AdobeOrdersError, ValueError):
    """A function got an argument it cannot use (``workers=0``, ``max_rate=nan``); raised before anything
    is sent, because a batch that half-runs on a bad option is worse than one that never starts."""


def type_name(value: object) -> str:
    """What a wrong argument is, as a message names it ("None", "str", "list")."""
    return "None" if value is None else type(value).__name__


class ValidationError(AdobeOrdersError, ValueError):
    """Input refused locally, before anything was sent."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule
        self.message = message


class ApiError(AdobeOrdersError):
    """Adobe (or the emulator, or a gateway in between) answered with an HTTP error."""

    advice = "Check the values and try again."

    def __init__(
        self,
        status_code: int,
        code: str | None = None,
        message: str = "",
        details: list[str] | None = None,
        *,
        request_id: str | None = None,
        correlation_id: str | None = None,
        body: Any = None,
    ) -> None:
        self.status_code = status_code
        self.code = code
        self.message = message or f"HTTP {status_code}"
        self.details = list(details or [])
        self.request_id = request_id
        self.correlation_id = correlation_id
        self.body = body
        super().__init__(self.__str__())

    def __str__(self) -> str:
        code = f" (code {self.code})" if self.code else ""
        extra = f" Details: {'; '.join(self.details)}." if self.details else ""
        ids = f" [request {self.request_id}, correlation {self.correlation_id}]"
        return f"HTTP {self.status_code}{code}: {self.message}.{extra} {self.advice}{ids}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code}, code={self.code!r})"


class BadRequestError(ApiError):
    advice = "Adobe refused the request as sent; correct the value and send it again."


class AuthenticationError(ApiError):
    advice = "The access token was refused; check ADOBE_VIPM_CLIENT_ID / CLIENT_SECRET in .env."


class CredentialsRefused(AuthenticationError):
    """The credentials themselves are refused (or the token service gave no token): nothing sent
    with them can succeed, so the client raises this at once for every later call, without asking
    the token service again, and a batch stops. ``advice`` names the setting to fix."""

    def __init__(self, *args: Any, advice: str | None = None, **kwargs: Any) -> None:
        if advice:
            self.advice = advice
        super().__init__(*args, **kwargs)

    def __str__(self) -> str:
        code = f" (code {self.code})" if self.code else ""
        return f"{self.message}{code}. {self.advice}"


class PermissionDeniedError(ApiError):
    advice = "The API key or token is missing or not allowed; check ADOBE_VIPM_CLIENT_ID in .env."


class NotFoundError(ApiError):
    advice = "Check the customer ID and order ID (leading zeros count)."


class RateLimitError(ApiError):
    advice = "Adobe asked us to slow down; wait a little and retry."

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


class ServerError(ApiError):
    advice = "A temporary problem on Adobe's side; try again later."


class ResponseShapeError(AdobeOrdersError, ValueError):
    """An answer (or a value passed as one) is not the shape expected: e.g. a history page
    passed where an order belongs. Never silently read as an empty order."""


class HistoryChangedError(AdobeOrdersError):
    """A customer's order history moved while it was read (a renewal created meanwhile shifts every
    offset, an order left a filter), or its pages disagree about it: what was read may miss an
    order or hold one twice, so it is not used. Reading it again usually works."""


class TransportError(AdobeOrdersError):
    """No answer came (connection refused or dropped, timeout).

    ``may_have_been_applied`` is False only when the request provably never left this machine
    (a failed connect): after a read timeout or a dropped connection Adobe may have applied it.
    """

    def __init__(self, message: str, *, may_have_been_applied: bool, correlation_id: str | None = None,
                 request_id: str | None = None) -> None:
        self.may_have_been_applied = may_have_been_applied
        self.correlation_id = correlation_id
        self.request_id = request_id
        maybe = (
            "The change may have been applied: read the order before sending it again."
            if may_have_been_applied
            else "Nothing was sent."
        )
        ids = f" [correlation {correlation_id}]" if correlation_id else ""  # none before a request is made
        super().__init__(f"{message}. {maybe}{ids}")


class RetryBudgetExhausted(AdobeOrdersError):
    """The batch spent its retries: the API looks down, so the rest fails fast."""


# -- batches: raised before anything is sent (or, for JournalError, when the journal fails) --------


class ColumnError(AdobeOrdersError, KeyError):
    """The frame's columns cannot be read as updates: one missing, two candidates for one field, or a
    user column that a result column would replace. Raised before anything is sent."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class InputFileError(AdobeOrdersError, ValueError):
    """The file could not be read as a table of updates."""


class ConfirmationRequired(AdobeOrdersError):
    """A non-dry run against production needs ``confirm=True`` (CLI: ``--yes``)."""


class BatchMismatch(AdobeOrdersError, ValueError):
    """The rows given do not belong to the journaled batch they claim (a batch ID reused for other
    data, or a results row whose (batch_id, batch_row) names another order)."""


class ApiMismatch(BatchMismatch):
    """The batch ran against another API (environment, base URL or client ID) than this client's;
    resuming, retrying or undoing it here would write to orders it never touched."""


class BatchBusy(AdobeOrdersError):
    """Another live process (or thread) is running this batch now; one owner at a time."""


class OrderBusy(AdobeOrdersError):
    """Another live run has this order pending right now (one order, one run at a time), or changed it
    since this run read it. Raised by the pending mark, before anything is sent; the row waits or is
    reported with the other batch and who runs it, and can be retried."""

    def __init__(self, message: str, *, batch_id: str | None = None, changed: bool = False) -> None:
        super().__init__(message)
        self.batch_id = batch_id
        self.changed = changed  # True: not held now, but changed by another batch after this run read it


class JournalError(AdobeOrdersError):
    """The journal file cannot be opened, read or written; the message names the file and the fix."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class JournalGone(JournalError):
    """The journal file was deleted or replaced while a run had it open: what the run wrote since then
    is in no journal anyone can read, so that run must stop and must not offer an undo."""


_CLASSES: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}


def parse_error_body(text: str) -> tuple[str | None, str, list[str], Any]:
    """(code, message, details, decoded body) from any body shape in the contract.

    Adobe's ``{"code","message","additionalDetails"}``, a gateway's ``{"error_code","message"}``,
    IMS's ``{"error","error_description"}``, plain text and empty bodies all parse; a parser that
    required ``code`` is what crashed a public partner client on a 504.
    """
    try:
        body: Any = json.loads(text) if text and text.strip() else None
    except (ValueError, RecursionError):  # RecursionError: nested deeper than json can follow
        body = None
    if not isinstance(body, dict):
        plain = " ".join((text or "").split())[:300]
        return None, plain, [], body if body is not None else (text or None)
    code = body.get("code", body.get("error_code", body.get("error")))
    message = body.get("message") or body.get("error_description") or ""
    details = body.get("additionalDetails") or []
    if not isinstance(details, list):
        details = [details]
    return (str(code) if code is not None else None), str(message), [str(d) for d in details], body


HIDDEN = "<hidden>"


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every credential in it replaced, raw or URL-encoded (a token request's form body).

    A server's error answer may quote the request (a debugging gateway echoing ``Authorization``, an
    IMS error repeating the form with ``client_secret``); its words go into exceptions, results and the
    journal, so the credentials are taken out of them first.
    """
    for secret in secrets:
        if secret and len(secret) >= 6:
            for form in dict.fromkeys((secret, quote_plus(secret), quote(secret, safe=""))):
                text = text.replace(form, HIDDEN)
    return text


def error_from_response(
    status_code: int,
    text: str,
    *,
    request_id: str | None,
    correlation_id: str | None,
    retry_after: float | None = None,
    secrets: Iterable[str | None] = (),
) -> ApiError:
    """One place maps a status to its error class, with the request's ``secrets`` taken out of the answer."""
    secrets = tuple(secrets)
    code, message, details, body = parse_error_body(redact(text, secrets))
    if secrets and body is not None:  # a JSON escape (\/, \u…) could hide a secret from the raw text
        message, details = redact(message, secrets), [redact(d, secrets) for d in details]
        body = json.loads(redact(json.dumps(body), secrets)) if not isinstance(body, str) else redact(body, secrets)
    cls = _CLASSES.get(status_code, ServerError if status_code >= 500 else ApiError)
    kwargs: dict[str, Any] = dict(request_id=request_id, correlation_id=correlation_id, body=body)
    if cls is RateLimitError:
        kwargs["retry_after"] = retry_after
    return cls(status_code, code, message, details, **kwargs)
