"""The command lines' argument parser: argparse, with the mistakes users make in Vietnamese.

Shared by ``python -m scorecard`` and ``python -m meeting_pack`` so both report a bad argument
the same way: one Vietnamese line on stderr and exit code 2, never argparse's English usage.
"""

from __future__ import annotations

import argparse
import re
from typing import NoReturn

from texts import t


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
