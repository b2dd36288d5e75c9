"""Values from outside (a URL, an import file, the database, the identity provider) made safe to
show inside Streamlit markdown or HTML.

Streamlit renders markdown in titles, captions, notices, toasts, metric labels and tooltips:
a value that reaches one of them unescaped can become a link (``[x](//evil.example)``, a bare
``https://…`` or ``www.…`` autolink), an image the browser fetches (``![x](…)``), a colour or
icon directive (``:red[…]``, ``:material/…:``) or a formula (``$…$``). Every such value goes
through ``md`` (or ``tm``, the catalogue lookup with its values escaped); values put into HTML go
through ``html``. Both also drop the Unicode bidirectional controls that can make a text read
differently from what it is (``\\u202e``), and control characters such as newlines that would
start a new markdown block.
"""

from __future__ import annotations

import html as _html
import re

from texts import t

# Bidirectional embedding, override and isolate controls, and the implicit marks.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The characters that can start a link, image, autolink, HTML, emphasis, code, table cell,
# strikethrough, heading, Streamlit directive (:red[…], :material/…:) or formula ($…$). A
# backslash before ASCII punctuation always stands for the character itself. "-", "+", "." and
# "&" are left alone: in the middle of a value they only read as themselves (an entity renders as
# text, never as markup), and names like "Lao động - Thương binh" stay as they are.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~$:@])")
# GFM's autolink literals ("https://…", "www.…", "name@host.tld") are found in the text AFTER
# backslash escapes are resolved, so escaping cannot stop them: a WORD JOINER (U+2060, invisible,
# not a bidi control) inside "://", after "www" and before "@" breaks the pattern instead.
_JOINER = "\u2060"
_SCHEME = re.compile(r"(?i)(\\:)(//)")
_WWW = re.compile(r"(?i)(www)(\.)")
_AT = re.compile(r"(\\@)")


def clean(value: object) -> str:
    """``value`` as text without bidi controls, and with control characters as spaces."""
    text = _BIDI.sub("", "" if value is None else str(value))
    return _CONTROL.sub(" ", text)


def md(value: object) -> str:
    """``value`` as literal text inside markdown: no link, image, HTML, directive or formula."""
    text = _MD_SPECIAL.sub(r"\\\1", clean(value))
    text = _SCHEME.sub(rf"\1{_JOINER}\2", text)
    text = _WWW.sub(rf"\1{_JOINER}\2", text)
    return _AT.sub(rf"{_JOINER}\1", text)


def html(value: object) -> str:
    """``value`` as literal text inside HTML (quotes included, for attribute values)."""
    return _html.escape(clean(value), quote=True)


def tm(key: str, **values: object) -> str:
    """``t(key, **values)`` for markdown: the catalogue text as written, each value escaped."""
    return t(key, **{k: md(v) for k, v in values.items()})
