"""User-facing strings: ui area (see texts/__init__.py)."""

STRINGS: dict[str, str] = {
}
