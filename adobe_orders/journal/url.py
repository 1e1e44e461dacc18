"""Where the journal lives, as a setting: a file (SQLite, the default) or a ``postgresql://`` URL
(the team journal). The URL may carry a password, so it is only ever shown masked.

``ADOBE_VIPM_JOURNAL`` (or ``journal=`` in Python, or the client's settings in the widgets) holds
either; this module tells them apart and hides the secret part, nothing more.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

SCHEMES = ("postgresql", "postgres")
MASK = "***"


def is_database_url(setting: object) -> bool:
    """True for ``postgresql://…`` / ``postgres://…``: the team journal, not a file name."""
    return isinstance(setting, str) and setting.strip().lower().startswith(tuple(f"{s}://" for s in SCHEMES))


RESERVED = "/?#@"


def outline(url: str) -> str:
    """A URL that cannot be read as written, as it may be shown: its scheme and user, nothing after."""
    scheme, _, rest = url.strip().partition("://")
    user = re.split(r"[:@/?#]", rest, maxsplit=1)[0] if "@" in rest else ""
    return f"{scheme}://{user}:{MASK}@…" if user else f"{scheme}://…"


def url_problem(setting: str) -> str | None:
    """Why a journal setting written as a URL cannot be used, or None.

    A URL of another scheme (SQLAlchemy's ``postgresql+psycopg://``, a typo) would otherwise be taken
    as a file name: a journal made under a folder named after the URL, password and all. A password
    pasted with a character the URL reserves ends the user part early, so the driver reads a piece of
    it as the host or the path and shows it in its error; both are refused before anything connects.
    """
    text = setting.strip()
    scheme, found, rest = text.partition("://")
    if not found:
        return None
    if not is_database_url(text):
        return (f"ADOBE_VIPM_JOURNAL {outline(text)} is neither a file nor a team journal: the team journal's URL "
                f"starts with postgresql:// (not {scheme}://).")
    user_info = rest[: rest.rfind("@")] if "@" in rest else ""
    bad_percent = re.search(r"%(?![0-9A-Fa-f]{2})", user_info)
    query = rest.partition("?")[2]  # a password=… whose value holds & or = splits into pieces of no name
    bad_query = query and any(piece.count("=") != 1 for piece in query.split("&"))
    if "#" in text or any(c in user_info for c in RESERVED) or bad_percent or bad_query:
        return (f"ADOBE_VIPM_JOURNAL {outline(text)} has a character a URL reserves (/ ? # @ % & =) written as is, "
                "in its password or elsewhere: percent-encode it (/ as %2F, ? as %3F, # as %23, @ as %40, % as %25, "
                "& as %26, = as %3D; urllib.parse.quote(password, safe='') does it), or keep the password in "
                "~/.pgpass or PGPASSWORD.")
    return None


def password_of(url: str) -> str | None:
    """The password in the URL (percent-decoded), or the one given as ``password=`` in its query."""
    try:
        parts = urlsplit(url)
        found = parts.password
    except ValueError:
        found = None
    if found:
        return unquote(found)
    query = re.search(r"(?:^|[?&])password=([^&]*)", url)
    return unquote(query.group(1)) if query and query.group(1) else None


def masked(url: str) -> str:
    """The URL as it may be shown: the password (in the user part or the query) replaced by ``***``."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            user_part, host_part = netloc.rsplit("@", 1)
            if ":" in user_part:
                user_part = user_part.split(":", 1)[0] + ":" + MASK
            netloc = f"{user_part}@{host_part}"
        query = re.sub(r"(^|&)password=[^&]*", rf"\1password={MASK}", parts.query)
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return re.sub(r"(//[^:/@]*:)[^@]*@", rf"\1{MASK}@", url.split("?", 1)[0])


def scrub(text: str, url: str) -> str:
    """``text`` (an error message from the driver) with the URL's password masked wherever it appears."""
    secret = password_of(url)
    if secret:
        text = text.replace(url, masked(url)).replace(secret, MASK)
        user_info = url.split("://", 1)[-1].split("@", 1)[0] if "@" in url else ""
        if ":" in user_info:  # as written in the URL (percent-encoded), too
            text = text.replace(user_info.split(":", 1)[1], MASK)
        query = re.search(r"(?:^|[?&])password=([^&]*)", url)
        if query and query.group(1):
            text = text.replace(query.group(1), MASK)
    return text.replace(url, masked(url))


__all__ = ["is_database_url", "masked", "outline", "password_of", "scrub", "url_problem"]
