"""``python -m meeting_pack``: the weekly briefing deck (and workbook) from the command line."""

from __future__ import annotations

import sys

from meeting_pack.cli import main

if __name__ == "__main__":
    sys.exit(main())
