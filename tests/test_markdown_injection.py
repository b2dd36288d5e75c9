"""Values from the URL never become markup: no link, image, HTML or bidi trick in what the pages
render (found by an outside attack: an ignored ``week=`` was echoed into the notice unescaped and
showed a clickable external link; ``level=``/``unit=`` made every browser fetch an image).

The markdown Streamlit receives is checked here (AppTest); tests/e2e checks the browser's DOM and
its requests.
"""

from __future__ import annotations

import re

import pytest
from helpers.app import PAGES, _app, _app_env, _no_exception, _texts  # noqa: F401 - _app_env: autouse
from helpers.payloads import PARAMS, PAYLOADS

from texts.safe import clean, html, md, tm
from ui.links import UNIT_PATH

# Short enough to survive the 20-character cut of the notices, and longer ones.

BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What a renderer would turn into markup once backslash escapes are taken out.
MARKUP = [
    # [text](url), except the app's own relative unit-page links (ui.links.unit_link)
    re.compile(rf"\]\((?!{re.escape(UNIT_PATH)}\?)"),
    re.compile(r"!\["),  # image
    re.compile(r"<\s*(img|a|script|iframe|svg)\b", re.I),  # raw HTML
    # GFM's autolink literals, as remark finds them: after the escapes are resolved
    re.compile(r"https?://|www(?=\.)", re.I),
    re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+", re.ASCII),
    re.compile(r":red\["),  # Streamlit colour directive
    re.compile(r"\$x\^2\$"),  # formula
]


def _unsafe(rendered: str) -> list[str]:
    """The markup left in ``rendered`` (markdown source) after its backslash escapes."""
    plain = re.sub(r"\\.", "", rendered)
    found = [m.pattern for m in MARKUP if m.search(plain)]
    if BIDI.search(rendered):
        found.append("bidi control")
    return found


# In an st.html block a value is HTML-escaped text: what matters there is that no tag, link or
# attribute came from it (the only links are the app's own relative unit links).
HTML_MARKUP = [
    re.compile(r"<\s*(img|script|iframe|svg|object|embed)\b", re.I),
    re.compile(r"<a\b(?![^>]*href=\"don-vi\?)", re.I),
    re.compile(r"\bon\w+\s*=", re.I),
]


def _rendered(at) -> str:  # noqa: ANN001
    for h in at.get("html"):
        body = h.proto.body
        if "<style" in body:
            continue  # the app's own CSS
        bad = [m.pattern for m in HTML_MARKUP if m.search(body)]
        assert not bad, (bad, body)
    parts = [_texts(at, with_html=False)]
    parts += [str(x.value) for x in at.toast]
    parts += [str(getattr(m, "label", "")) for m in at.metric]
    return "\n".join(parts)


def test_md_escapes_every_payload():
    for p in PAYLOADS:
        assert not _unsafe(md(p)), p
        assert "<" not in html(p) and ">" not in html(p)
        assert not BIDI.search(md(p)) and not BIDI.search(html(p))
        assert "\n" not in md(p), "a value never starts a new markdown block"
    assert clean("a\u202eb\u2066c") == "abc"
    assert tm("ui.notice.bad_level", value="[x](//e)").startswith("Cấp «\\[x\\]\\(//e\\)»")


@pytest.mark.slow
@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: repr(p)[:24])
def test_url_payloads_render_as_text_on_every_page(payload, demo_url, monkeypatch):
    at = _app(demo_url, monkeypatch, **dict.fromkeys(PARAMS, payload))
    at.run()
    _no_exception(at)
    assert at.info, "the ignored parameters are named in a notice"
    assert not _unsafe(_rendered(at)), _rendered(at)
    for page in PAGES:
        at.switch_page(page).run()
        _no_exception(at)
        assert not _unsafe(_rendered(at)), (page, _rendered(at))
    # the unit page reads ``unit`` on a fresh session, and names it in its own notice
    at = _app(demo_url, monkeypatch, unit=payload)
    at.run()
    at.switch_page("app_pages/unit.py").run()
    _no_exception(at)
    assert any("«" in str(i.value) for i in at.info)
    assert not _unsafe(_rendered(at)), _rendered(at)


HOSTILE_NAME = "[x](//evil.example) ![i](https://evil.example/a.png) <img src=x> www.evil.example"


@pytest.mark.slow
def test_database_names_render_as_text(engine, tmp_path, monkeypatch):
    """Names come from import files: a unit or level named like markup is shown as text."""
    from helpers.import_files import CATALOGUE, CATALOGUE_HEADERS, UNIT, write_csv
    from helpers.import_files import import_dossiers as _import
    from sqlalchemy import update

    from data_access import schema as s
    from data_access.importer import import_files

    assert import_files(engine, [write_csv(tmp_path / "cat.csv", CATALOGUE_HEADERS, CATALOGUE)],
                        progress=False) == 0  # fmt: skip
    _import(engine, tmp_path, "d.csv", [f"A{i}" for i in range(3)])
    with engine.begin() as c:
        c.execute(update(s.unit).where(s.unit.c.code == UNIT).values(name=HOSTILE_NAME))
        c.execute(update(s.unit_level).values(name=HOSTILE_NAME, plural=HOSTILE_NAME))
    at = _app(engine.url.render_as_string(hide_password=False), monkeypatch, unit=UNIT)
    at.run()
    _no_exception(at)
    for page in PAGES:
        at.switch_page(page).run()
        _no_exception(at)
        assert not _unsafe(_rendered(at)), (page, _rendered(at))
    # a fresh session on the unit's own link (the lagging page put the unit it shows in the URL)
    at = _app(engine.url.render_as_string(hide_password=False), monkeypatch, unit=UNIT)
    at.run()  # AppTest finds a page by its url_path only once st.navigation has run
    at.switch_page("app_pages/unit.py").run()
    assert md(HOSTILE_NAME) in at.title[0].value, "the unit page is titled with its (escaped) name"
