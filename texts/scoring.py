"""User-facing strings: scoring area (see texts/__init__.py)."""

STRINGS: dict[str, str] = {
}
