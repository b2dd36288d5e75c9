"""What an import file is before it is parsed: its text encoding, and whether a spreadsheet is
safe to open.

The readers trust these checks to keep memory bounded on hostile files. A CSV is read a chunk of
rows at a time, so its memory follows its own size; an XLSX is a zip archive, where a file of a
few kilobytes can expand to gigabytes and one cell can hold all of it (the XML parser then builds
that string whole). So an XLSX is opened only when it is a zip archive whose members, as
recorded in the archive, are within ``MAX_XLSX_BYTES`` (shared strings, which openpyxl keeps in
memory, within ``MAX_SHARED_STRINGS_BYTES``), and when no run of its XML between two tags is
longer than ``MAX_CELL_BYTES``. Failures raise ``FileError`` with the Vietnamese message shown
to the user.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from pathlib import Path

from texts import t

# Excel's own limit for one cell: anything longer was not written by a spreadsheet program.
MAX_CELL_CHARS = 32_767
# The same in the XML of an XLSX, where a character takes up to 4 bytes of UTF-8, or 8 as an
# escape (&#x1F600;).
MAX_CELL_BYTES = MAX_CELL_CHARS * 8
# Columns in a header row: the real exports have a few dozen.
MAX_COLUMNS = 256
# One CSV line (a row without quoted line breaks): MAX_COLUMNS cells of a realistic size.
MAX_LINE_BYTES = 1 << 20
MAX_XLSX_BYTES = 4 << 30  # all members, uncompressed: a 1M-row export is well under 1 GB
MAX_SHARED_STRINGS_BYTES = 256 << 20  # held in memory by openpyxl while the sheet is read
_SAMPLE = 1 << 16  # bytes looked at to tell the encoding
_BLOCK = 1 << 20


class FileError(Exception):
    """A file that cannot be read at all; ``str(e)`` is the Vietnamese reason."""


# --- encodings ------------------------------------------------------------------------------


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 text without a byte-order mark: mostly ASCII (headers, codes, dates), so every
    other byte is NUL, the odd ones (little-endian) or the even ones (big-endian)."""
    n = len(sample) - len(sample) % 2
    if n < 4:
        return None
    even, odd = sample[0:n:2], sample[1:n:2]
    half = n // 2
    if odd.count(0) >= 0.6 * half and even.count(0) <= 0.1 * half:
        return "utf-16-le"
    if even.count(0) >= 0.6 * half and odd.count(0) <= 0.1 * half:
        return "utf-16-be"
    return None


def detect_encoding(path: Path) -> str:
    """The Python codec for a CSV file: UTF-8 (with or without BOM), or UTF-16 (LE/BE, with or
    without BOM). Anything else (a legacy code page such as TCVN3 or Windows-1258, binary data)
    raises FileError: guessing a code page would store garbled Vietnamese names silently."""
    with path.open("rb") as f:
        sample = f.read(_SAMPLE)
    if sample.startswith(codecs.BOM_UTF8):
        enc = "utf-8-sig"
    elif sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        enc = "utf-16"  # the codec reads the BOM and drops it
    else:
        enc = _utf16_without_bom(sample) or "utf-8"
    try:
        # The sample may end inside a character: an incremental decoder is not bothered.
        codecs.getincrementaldecoder(enc)().decode(sample, final=False)
    except UnicodeDecodeError:
        raise FileError(t("import.file.encoding")) from None
    return enc


def decode_error(e: UnicodeDecodeError) -> FileError:
    """A file that stops being valid text after the sample ``detect_encoding`` looked at."""
    return FileError(t("import.file.decode", encoding=e.encoding, position=e.start))


# --- size limits ----------------------------------------------------------------------------


def _longest_run_ok(stream, stop: bytes, limit: int) -> bool:  # noqa: ANN001 - binary stream
    """Whether ``stream`` has no run of more than ``limit`` bytes without a ``stop`` byte.

    The pattern only starts a match right after a stop byte (or at a block's start), so each
    byte is looked at a bounded number of times: linear, whatever the input."""
    s = re.escape(stop)
    long_run = re.compile(rb"(?<![^" + s + rb"])[^" + s + rb"]{" + str(limit + 1).encode() + rb"}")
    carry = 0  # bytes since the last stop byte, at the end of the previous block
    while block := stream.read(_BLOCK):
        first = block.find(stop)
        if carry + (len(block) if first < 0 else first) > limit:
            return False
        if first < 0:
            carry += len(block)
            continue
        if long_run.search(block, first + 1):
            return False
        carry = len(block) - block.rfind(stop) - 1
    return True


# Files already checked, by (path, modification time, size): an import reads a file's header
# twice (to order the files, then to plan it), and a large file need not be scanned twice.
_CHECKED: set[tuple[str, int, int]] = set()


def _stamp(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path.resolve()), st.st_mtime_ns, st.st_size


def check_csv(path: Path) -> None:
    """No line longer than MAX_LINE_BYTES (a line is read whole by the parser)."""
    stamp = _stamp(path)
    if stamp in _CHECKED:
        return
    _check_csv(path)
    _CHECKED.add(stamp)


def _check_csv(path: Path) -> None:
    with path.open("rb") as f:
        # UTF-16 has NULs between the bytes of a line break: count code units as bytes,
        # which only makes the bound stricter by a factor of two.
        if not _longest_run_ok(f, b"\n", MAX_LINE_BYTES):
            raise FileError(t("import.file.line_too_long", n=MAX_LINE_BYTES // 1024))


def check_xlsx(path: Path) -> None:
    """A zip archive within the size limits, with no cell longer than Excel allows."""
    stamp = _stamp(path)
    if stamp in _CHECKED:
        return
    _check_xlsx(path)
    _CHECKED.add(stamp)


def _check_xlsx(path: Path) -> None:
    if not zipfile.is_zipfile(path):
        raise FileError(t("import.file.not_zip"))
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if sum(i.file_size for i in infos) > MAX_XLSX_BYTES:
                raise FileError(t("import.file.xlsx_too_big", n=MAX_XLSX_BYTES >> 30))
            for info in infos:
                name = info.filename.lower()
                if not name.endswith(".xml"):
                    continue
                if "sharedstrings" in name and info.file_size > MAX_SHARED_STRINGS_BYTES:
                    raise FileError(t("import.file.xlsx_too_big", n=MAX_XLSX_BYTES >> 30))
                if "sharedstrings" in name or "worksheets/" in name:
                    with z.open(info) as member:
                        # zipfile never reads past a member's declared size, so the sizes
                        # checked above bound what this scan and openpyxl can read
                        if not _longest_run_ok(member, b"<", MAX_CELL_BYTES):
                            raise FileError(t("import.file.cell_too_long", n=MAX_CELL_CHARS))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as e:
        raise FileError(t("import.file.bad_xlsx", error=type(e).__name__)) from None
