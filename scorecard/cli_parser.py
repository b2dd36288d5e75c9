"""The command lines' argument parser: argparse, with the mistakes users make in Vietnamese.

Shared by ``python -m scorecard`` and ``python -m meeting_pack`` so both report a bad argument
the same way: one Vietnamese line on stderr and exit code 2, never argparse's English usage.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pandas as pd

from data_access.cell_safety import safe_frame
from texts import t

FORMATS = ("csv", "xlsx", "table")


class UsageError(Exception):
    """A user mistake: reported as one Vietnamese line, exit code 2."""


# argparse speaks English: the messages users can trigger, in Vietnamese
_ARGPARSE_MESSAGES = (
    (re.compile(r"the following arguments are required: (.*)"), "cli.argparse.required"),
    (re.compile(r"unrecognized arguments: (.*)"), "cli.argparse.unrecognized"),
    (re.compile(r"argument (\S+): invalid choice: '?([^' ]*)'?.*"), "cli.argparse.choice"),
    (re.compile(r"argument (\S+): expected one argument"), "cli.argparse.value"),
)


def vietnamese(message: str) -> str:
    """argparse's English error ``message`` in Vietnamese (unchanged when not recognised)."""
    for pattern, key in _ARGPARSE_MESSAGES:
        m = pattern.fullmatch(message.strip())
        if m:
            groups = ["lệnh" if g == "command" else g for g in m.groups()]
            return t(key, **{f"a{i}": g for i, g in enumerate(groups)})
    return message


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises UsageError (Vietnamese) instead of printing usage."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(t("cli.err.args", detail=vietnamese(message)))


def write_frame(df: pd.DataFrame, fmt: str, out: str | None,
                rounded: Callable[[pd.DataFrame], pd.DataFrame],
                table: Callable[[pd.DataFrame], str]) -> str | None:
    """A command's rows as ``fmt`` (csv, xlsx or an aligned text table): text for stdout, or
    None when written to ``out``. ``rounded`` rounds the numbers for the files, ``table``
    draws the text table."""
    if fmt not in FORMATS:
        raise UsageError(t("cli.err.args", detail=f"--format {fmt}"))
    if fmt == "xlsx":
        if not out:
            raise UsageError(t("cli.err.format"))
        safe_frame(rounded(df)).to_excel(out, index=False, engine="xlsxwriter")
        return None
    if fmt == "csv":
        # Names from the database must not run as formulas when the file is opened in Excel;
        # numeric columns are left alone (a negative number is not a formula).
        data = safe_frame(rounded(df))
        if out:
            data.to_csv(out, index=False, encoding="utf-8-sig")
            return None
        return data.to_csv(index=False)
    text = table(df)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
        return None
    return text
