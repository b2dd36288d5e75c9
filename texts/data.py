"""User-facing strings: data area (see texts/__init__.py)."""

STRINGS: dict[str, str] = {
}
