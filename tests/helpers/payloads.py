"""Hostile values for the markup-injection tests (AppTest and browser): links, images, HTML,
autolinks, bidi controls, Streamlit directives and block markdown, as an attacker would put them
into a shared link's parameters or an imported name."""

from __future__ import annotations

# every URL parameter the dashboard reads (ui.state, ui.meeting)
PARAMS = ("week", "period", "level", "unit", "present")
# what the browser test sends (each one a page load per page: kept short)
BROWSER_PAYLOADS = [
    "[x](//evil.example)",
    "![x](//evil.example)",
    "<img src=//evil.ex>",
    "<a href=//evil.ex>x",
    "https://evil.example",
    "www.evil.example",
    "x@evil.example",
    "\u202eelpmaxe.live",
]
# the AppTest adds the forms only markdown source shows
PAYLOADS = [
    *BROWSER_PAYLOADS[:7],
    "_www.evil.example",
    "\u202eelpmaxe.live[x](//e.x)",
    ":red[x] $x^2$",
    "[x](https://evil.example/a)",
    "![x](https://evil.example/a.png)",
    "<img src=https://evil.example/a.png>",
    "**bold**\n# heading\n- item",
]
