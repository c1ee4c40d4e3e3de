"""The physical line where a row a load reports begins.

DuckDB numbers what it reads, not lines: the records of a CSV (a quoted value may hold a line
break; a blank line is skipped) and the lines of a JSON Lines file that are not blank. The load
numbers its rows so (`_source_row`), which is each row's line in a file without blank lines or
values across lines. The rows a load reports of a CSV or JSON Lines file are named by their line
from here: that one file is read again, streaming, keeping only the numbers asked for, and only
when the file has rows to report (ingest.feeds._issues_at_their_lines).
"""

import csv
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from typing import BinaryIO, TextIO

# Python's csv module refuses a field over 128 KiB by default; DuckDB takes lines up to its
# max_line_size (2 MB by default), so a value the load read must not stop the count.
_LARGEST_FIELD = (1 << 31) - 1


def jsonl_records(handle: BinaryIO) -> Iterator[tuple[int, int, bytes]]:
    """(line, record, text) of each line of a JSON Lines file that is not blank: lines split at LF,
    as DuckDB's reader splits them, and records counting the lines it does not skip (blank or
    whitespace only); UTF-8's byte-order mark left out of the first line."""
    record = 0
    for number, line in enumerate(handle, 1):
        text = line.removeprefix(b"\xef\xbb\xbf") if number == 1 else line
        if text.strip():
            record += 1
            yield number, record, text


def jsonl_lines(handle: BinaryIO, records: Iterable[int]) -> dict[int, int]:
    """Record -> line, of the records `records` (counted from 1) of a JSON Lines file; those past
    its end are left out. Reads no further than the last record asked for."""
    wanted = set(records)
    found: dict[int, int] = {}
    if not wanted:
        return found
    last = max(wanted)
    for number, record, _ in jsonl_records(handle):
        if record in wanted:
            found[record] = number
        if record >= last:
            break
    return found


def csv_lines(
    handle: TextIO, rows: Iterable[int], rejects: Iterable[int] = (), rejected: Iterable[int] = ()
) -> tuple[dict[int, int], dict[int, int]]:
    """Where rows of a CSV begin, read as the load reads it (`,` between values, `"` around them,
    `""` for a quote within; `handle` opened as text with newline=""): (row -> line, reject ->
    line), the line counted from 1 with the header.

    `rows` are the load's numbers of rows DuckDB kept: the header is 1 and each record kept one
    more, then moved down by the records it rejected (ingest.feeds._renumber_after_rejects).
    `rejects` and `rejected` are the numbers DuckDB gives the records it rejected (those asked
    for, and all of the file's: they move the kept rows), which count blank lines too. Numbers
    past the file's end are left out; reads no further than the last of those asked for."""
    wanted_rows, wanted_rejects = set(rows), set(rejects)
    rejected_records = set(rejected) | wanted_rejects
    # The k-th rejected record (from 0), numbered L, moves a kept row numbered n >= L - k by one.
    thresholds = [line - k for k, line in enumerate(sorted(rejected_records))]
    row_lines: dict[int, int] = {}
    reject_lines: dict[int, int] = {}
    if not wanted_rows and not wanted_rejects:
        return row_lines, reject_lines
    if csv.field_size_limit() < _LARGEST_FIELD:
        csv.field_size_limit(_LARGEST_FIELD)
    reader = csv.reader(handle, delimiter=",", quotechar='"', doublequote=True)
    unit = kept = ended = 0  # DuckDB's count of records and blank lines, the records kept, lines read
    for record in reader:  # line_num: the lines read so far, a record's last line after it
        begins, ended = ended + 1, reader.line_num
        unit += 1
        if unit == 1 or not record:  # the header; a blank line, which DuckDB skips
            continue
        if unit in rejected_records:
            if unit in wanted_rejects:
                reject_lines[unit] = begins
        else:
            kept += 1
            number = 1 + kept + bisect_right(thresholds, 1 + kept)
            if number in wanted_rows:
                row_lines[number] = begins
        if len(row_lines) == len(wanted_rows) and len(reject_lines) == len(wanted_rejects):
            break
    return row_lines, reject_lines
