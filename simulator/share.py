"""Scenario text in a URL: compact, URL-safe tokens that round-trip exactly.

A token is ``z`` + base64url(zlib(utf-8 text)) without padding. Tokens are bounded so a shared
link stays usable in every browser, and decoding never builds Python objects: the text still goes
through the strict scenario parser afterwards.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

from simulator.errors import InputError, clip

#: Longest token accepted [characters]; browsers handle URLs of this size comfortably.
MAX_TOKEN = 6000
#: Largest decoded scenario text [bytes].
MAX_TEXT = 64_000


def encode_scenario(text: str) -> str:
    """Scenario YAML text -> URL token; InputError when the result would be too long for a URL."""
    packed = base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii").rstrip("=")
    token = "z" + packed
    if len(token) > MAX_TOKEN:
        raise InputError(
            f"scenario: too long to share in a link ({len(token)} > {MAX_TOKEN} characters); share "
            "the YAML file instead"
        )
    return token


def decode_scenario(token: str) -> str:
    """URL token -> scenario YAML text; InputError naming what is wrong."""
    if not token.startswith("z") or len(token) > MAX_TOKEN:
        raise InputError(f"link: scenario token must start with 'z' and be at most {MAX_TOKEN} characters")
    body = token[1:]
    if not re.fullmatch(r"[A-Za-z0-9_-]+", body):
        raise InputError("link: scenario token is damaged (characters outside A-Z, a-z, 0-9, '-', '_')")
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        out = zlib.decompressobj()
        data = out.decompress(raw, MAX_TEXT + 1)
        complete = out.eof
        text = data.decode("utf-8") if len(data) <= MAX_TEXT else ""
    except (binascii.Error, zlib.error, UnicodeDecodeError) as err:
        raise InputError(f"link: scenario token is damaged ({type(err).__name__})") from None
    if len(data) > MAX_TEXT:
        raise InputError(f"link: scenario text larger than {MAX_TEXT} bytes")
    if not complete:
        raise InputError("link: scenario token is damaged (truncated)")
    return text


def check_not_bundled(name: str, text: str, bundled: dict[str, str], source: str) -> None:
    """A shared or uploaded scenario may never take a bundled scenario's name (``baseline`` with
    other levers would replace the real baseline for whoever opens the link); the bundled text
    itself under its own name is fine. Names are compared ignoring case and surrounding spaces."""
    key = str(name).strip().casefold()
    for own, own_text in bundled.items():
        if own.casefold() == key and own_text != text:
            raise InputError(
                f"{source}: scenario name {clip(name)!r} is the name of a bundled scenario: expected "
                "another name"
            )


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|:~$&=\"'^@%/])")


def plain(text: object) -> str:
    """User text (a scenario name, an error echoing a file's value) made safe for Streamlit's
    Markdown elements (st.error, st.success, st.markdown): every punctuation mark that could start
    a link, an image, HTML, a directive (:red[...]), math or an emoji code is escaped, so it is
    shown as typed and never fetched or clicked."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).split()))
