"""Citizens' personal data never reaches the warehouse in clear.

Identifiers (the IIN) are replaced, in the very SQL that reads the source file, by a keyed hash:
HMAC-SHA256 with a secret key, so the same person gets the same key (repeat appeals can be
counted) but the IIN cannot be recovered or re-derived without the secret. Free text that may hold
personal data is not read at all (see ingest/eotinish_schema.py), and every other value of a feed
that carries personal data goes through `redact_pii` (SQL) / `redact_text` (Python) before it is
written anywhere (tables, quarantine, messages, metadata, logs): every IIN in it, whatever letters
surround it, becomes a token without digits (`iin:` + 16 letters), the same for the same person.

What counts as an IIN (`is_valid_iin` for 12 ASCII digits; `find_iin_in_text`, `redact_text`
and the SQL macros for a text): 12 digits that are a valid IIN: YYMMDD a real date, the 7th digit
0-6 (century and sex: 1, 2 = 1800s; 3, 4 = 1900s; 5, 6 = 2000s; 0 is read as 1900s, to err on the
side of privacy), a 4-digit serial and the official check digit. In a text they are written as

* a run of exactly 12 digits, not part of a longer digit run, or a longer run whose extra leading
  digits are all zeros (`00900315300123`: a number padded to a fixed width; ASCII or full-width
  zeros). Letters around it do not matter: `IIN900315300123`, `iin-900315300123` and
  `u-900315300123` all hold an IIN;
* or groups of equal length, 6 + 6, 4 + 4 + 4 or six of 2 digits, joined by one space or hyphen
  each (`900315 300123`, `900315-300123`, `9003 1530 0123`; no-break and thin spaces, dashes and
  their full-width forms count too), where the groups beside them in the same chain have another
  length (a 16-digit card number `4400 4301 2345 6789` is not read as an IIN) and the chain is not
  glued to a letter or digit, nor inside a UUID (whose hex groups may all be digits). Other
  groupings are not IINs: a cadastral number `11-032-001-0001` (2 + 3 + 3 + 4 digits) and a
  number with thousands separators `123 456 789 012` keep their digits;
* with any Unicode decimal digits (full-width `９００３１５３００１２３`, Arabic-Indic...), read as
  the ASCII digits they stand for (the token is that of the ASCII IIN: one person, one token).

One exception: a text that is a WKT geometry (shapely parses it) keeps the decimals of its
coordinates (a run directly after `<digit>.`): a coordinate written to 12 decimals would be read as
an IIN about one time in 300 (land parcels' polygons and subsoil licences' contours are
redacted: catalog/land.py). Anything else in it, and every text that does not parse, is read as
any other text.

The key:

* `APPEALS_HASH_KEY`, or the file named by `APPEALS_HASH_KEY_FILE` (default
  .secrets/appeals_hash_key, never committed). A configured key shorter than 32 bytes (after
  stripping white space; an empty file too) is refused with an error naming the variable or file.
* Without a configured key, the public demo key may hash only the bundled demo files: those whose
  SHA-256 the demo generator (demo/appeals.py) recorded in `.demo_checksums.json` in the
  folder it wrote them to (`record_demo_files`). Any other file is refused (`MissingHashKey`).
  That manifest lives in the landing folder, so an operator could edit it to whitelist a real
  file: it is a guard against mistakes, not against someone determined to misuse the public key.
* Each load records the key's fingerprint (`key_fingerprint`, derived one-way from the key; never
  the key) in `meta.hash_key_fingerprints`; a load with a key whose fingerprint differs from the
  recorded one is refused (`HashKeyMismatch`): applicant keys made with two keys cannot be joined.
  To change the key on purpose, rebuild the feed's raw tables from the landing files and call
  `forget_hash_key(con, feed)` first.

`prepare_hashing` is the one entry point of the load path; `register_pii_hash(con, demo_ok=True)`
stays for scans that store nothing (the sensor's in-memory partition scan).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb
from duckdb.sqltypes import BOOLEAN, VARCHAR

from ingest.settings import REPO_ROOT, WarehousePaths

DEMO_KEY = b"kz-tj-warehouse-demo-key-not-secret"
DEFAULT_KEY_FILE = REPO_ROOT / ".secrets" / "appeals_hash_key"
MIN_KEY_BYTES = 32
BLOCK_BYTES = 64  # SHA-256 block size, for HMAC's key padding
DEMO_MANIFEST = ".demo_checksums.json"  # written by the demo generator beside the files it writes
FINGERPRINTS_TABLE = "meta.hash_key_fingerprints"
REDACTED = "iin:redacted"  # the token when no key is at hand (Python only)

# Digits of a token are written as letters, so that a token can never look like an IIN again.
_DIGITS_AS_LETTERS = str.maketrans("0123456789", "ghijklmnop")
_WEIGHTS_1 = tuple(range(1, 12))
_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_CENTURY = {"0": 1900, "1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}
# What may join the digit groups of an IIN written in groups: a space (also no-break, thin and
# ideographic) or a hyphen (also the Unicode hyphens, en dash, minus and the full-width hyphen).
_SEPARATORS = " \u00a0\u2009\u202f\u3000\u2010\u2011\u2012\u2013\u2212\uff0d-"
# A chain: digit runs (any Unicode decimal digits) joined by one separator each.
_CHAIN = re.compile(rf"\d+(?:[{_SEPARATORS}]\d+)*")
_GROUP = re.compile(r"\d+")
# What only the general reading of a text (_candidates) finds or leaves: 12 decimals (a WKT
# geometry's coordinates), ASCII digit groups that may be an IIN written in groups (one pattern
# with their common start: Python's re tries alternatives one by one), a digit that is not ASCII.
# A text with none (a date, an id, a name: most) is read by its ASCII digit runs alone.
_GROUPS_OR_DECIMALS = re.compile(
    rf"\.[0-9]{{12}}|[0-9]{{2}}(?:[0-9]{{4}}[{_SEPARATORS}][0-9]{{6}}"
    rf"|[0-9]{{2}}[{_SEPARATORS}][0-9]{{4}}[{_SEPARATORS}][0-9]{{4}}"
    rf"|[{_SEPARATORS}][0-9]{{2}}(?:[{_SEPARATORS}][0-9]{{2}}){{4}})"
)
_NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")
_ASCII_RUN = re.compile(r"[0-9]+")
_GROUP_LENGTHS = (2, 4, 6)  # an IIN in groups: six of 2 digits, three of 4, two of 6
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# A hex digest (SHA-256/HMAC, 64 hex digits or more in a row) is not scanned for IINs: by chance
# about one in 12,000 of them holds a 12-digit run that passes the IIN check (see find_iin_values).
_HEX_DIGEST = r"[0-9a-fA-F]{64,}"
# The SQL macros' cheap prefilter (RE2), true for every text that may hold an IIN in one of its
# forms (and a few more): 12 digits in a row (after leading zeros), not inside a longer digit
# run; or 12 digits in equal groups joined by separators.
_ZEROS = "0\uff10"  # the zeros a number may be padded with (ASCII and full-width)
_LONE_12_DIGITS = rf"(^|[^\p{{Nd}}])[{_ZEROS}]*\p{{Nd}}{{12}}([^\p{{Nd}}]|$)"
_IIN_PREFILTER = "|".join(
    [_LONE_12_DIGITS]
    + [rf"\p{{Nd}}{{{g}}}([{_SEPARATORS}]\p{{Nd}}{{{g}}}){{{12 // g - 1}}}" for g in _GROUP_LENGTHS]
)


class MissingHashKey(RuntimeError):
    """No usable key for hashing applicants' identifiers (none configured, or a weak one)."""


class InvalidHashKey(MissingHashKey):
    """A configured key that is too short (or empty)."""


class HashKeyMismatch(RuntimeError):
    """The key differs from the one the warehouse's applicant keys were made with."""


# ------------------------------------------------------------------------------------------------
# Detection and redaction (Python).
# ------------------------------------------------------------------------------------------------


def is_valid_iin(digits: str) -> bool:
    """True if `digits` is exactly 12 ASCII digits forming a valid IIN (birth date, century/sex
    digit 0-6, check digit by the official two-pass algorithm)."""
    if len(digits) != 12 or not digits.isascii() or not digits.isdigit():
        return False
    century = _CENTURY.get(digits[6])
    if century is None:
        return False
    try:
        date(century + int(digits[0:2]), int(digits[2:4]), int(digits[4:6]))
    except ValueError:
        return False
    d = [int(c) for c in digits]
    check = sum(x * w for x, w in zip(d[:11], _WEIGHTS_1, strict=True)) % 11
    if check == 10:
        check = sum(x * w for x, w in zip(d[:11], _WEIGHTS_2, strict=True)) % 11
        if check == 10:
            return False
    return check == d[11]


def iin_token(iin: str, key: bytes | None) -> str:
    """`iin:` + the first 16 hex digits of HMAC-SHA256(key, iin), digits written as letters
    (`iin:redacted` without a key). The same in SQL (`redact_pii`)."""
    if key is None:
        return REDACTED
    digest = hmac.new(key, iin.encode(), hashlib.sha256).hexdigest()[:16]
    return "iin:" + digest.translate(_DIGITS_AS_LETTERS)


def _ascii_digits(run: str) -> str:
    """A run of Unicode decimal digits as ASCII digits ('９０' -> '90')."""
    return run if run.isascii() else "".join(str(unicodedata.decimal(c)) for c in run)


def _glued(text: str, at: int) -> bool:
    """Whether the character at `at` (if any) is a letter or a digit."""
    return 0 <= at < len(text) and text[at].isalnum()


def _run_candidate(text: str, start: int, end: int) -> tuple[int, int, str, bool] | None:
    """The digit run text[start:end] as a candidate: 12 digits, or zeros (ASCII or full-width) and
    12 digits, with whether it is the decimals of a number (directly after `<digit>.`)."""
    run = text[start:end]
    if len(run) == 12 or (len(run) > 12 and not run[:-12].strip(_ZEROS)):
        decimals = start >= 2 and text[start - 1] == "." and text[start - 2].isdigit()
        return (start, end, _ascii_digits(run[-12:]), decimals)
    return None


def _candidates(text: str) -> list[tuple[int, int, str, bool]]:
    """Where `text` may hold an IIN, in order: (start, end, its 12 ASCII digits, whether it is the
    decimals of a number: a run directly after `<digit>.`), in every form the module's docstring
    lists; not yet tested for validity."""
    found = []
    uuids = None  # the spans of the text's UUIDs, found when first needed
    for chain in _CHAIN.finditer(text):
        groups = [(g.start(), g.end()) for g in _GROUP.finditer(text, chain.start(), chain.end())]
        for start, end in groups:
            candidate = _run_candidate(text, start, end)
            if candidate:
                found.append(candidate)
        if len(groups) < 2 or _glued(text, chain.start() - 1) or _glued(text, chain.end()):
            continue
        lengths = [end - start for start, end in groups]
        i = 0
        while i < len(groups):  # runs of groups of the same length: two of 6, three of 4, six of 2
            j = i
            while j + 1 < len(groups) and lengths[j + 1] == lengths[i]:
                j += 1
            if lengths[i] in _GROUP_LENGTHS and (j - i + 1) * lengths[i] == 12:
                if uuids is None:
                    uuids = [u.span() for u in _UUID.finditer(text)]
                # not the groups of a UUID whose hex digits happen to be digits
                if not any(a <= chain.start() and chain.end() <= b for a, b in uuids):
                    digits = "".join(_ascii_digits(text[a:b]) for a, b in groups[i : j + 1])
                    found.append((groups[i][0], groups[j][1], digits, False))
            i = j + 1
    found.sort()
    return found


def _is_wkt(text: str) -> bool:
    """Whether `text` is a WKT geometry (shapely parses all of it)."""
    import shapely

    try:
        return shapely.from_wkt(text, on_invalid="ignore") is not None
    except Exception:  # anything the parser refuses
        return False


def _iins(text: str) -> list[tuple[int, int, str]]:
    """The IINs in `text`: (start, end, the IIN in ASCII digits), in order. The decimals of the
    coordinates of a WKT geometry are not IINs (see the module's docstring)."""
    valid = [c for c in _candidates(text) if is_valid_iin(c[2])]
    if any(decimals for *_, decimals in valid) and _is_wkt(text):
        valid = [c for c in valid if not c[3]]
    return [(start, end, iin) for start, end, iin, _ in valid]


def redact_text(text: str | None, key: bytes | None = None, *, masked: bool = False) -> str | None:
    """`text` with every IIN (12 digits that are a valid IIN, in any of the forms the module's
    docstring lists, whatever surrounds them) replaced by its token. Without `key`, the configured
    key if there is one (a weak one is an error), else the mask `iin:redacted`; `masked`: the
    mask, whatever key is configured (a message that must not depend on the key being good)."""
    if text is None:
        return None
    if not (_GROUPS_OR_DECIMALS.search(text) or (not text.isascii() and _NON_ASCII_DIGIT.search(text))):
        # Most texts the loads redact (dates, ids, codes, names, an IIN alone): their ASCII digit
        # runs are all there is to read, in one pass of the regex (the general reading below
        # costs 2-3 times as much per text).
        keys = []

        def replace(match: re.Match) -> str:
            run = match.group()
            if (len(run) == 12 or (len(run) > 12 and not run[:-12].strip("0"))) and is_valid_iin(run[-12:]):
                if not keys:
                    keys.append(key if key is not None or masked else configured_key())
                return iin_token(run[-12:], keys[0])
            return run

        return _ASCII_RUN.sub(replace, text)
    found = _iins(text)
    if not found:
        return text
    if key is None and not masked:
        key = configured_key()
    parts, at = [], 0
    for start, end, iin in found:
        parts += [text[at:start], iin_token(iin, key)]
        at = end
    return "".join(parts) + text[at:]


def find_iin_in_text(text: str) -> list[str]:
    """The IINs in a plain text (a log, an HTML page, a database dump), in order of appearance, in
    ASCII digits. Hex digests of 64 digits or more are skipped (see `find_iin_values`)."""
    text = re.sub(_HEX_DIGEST, "|", text)
    return [iin for *_, iin in _iins(text)]


def refuse_paths_holding_an_iin(paths: WarehousePaths) -> None:
    """Raise a ValueError when the project's, the warehouse's or the landing folder's path holds
    an IIN (a home folder named by one, /home/<IIN>/): every row keeps its file's path, and
    Dagster's metadata, dbt's files and the report name the warehouse's folders, so the IIN would
    be in clear in all of them. The message masks the IIN without the hash key (which may be what
    is wrong). (A 12-digit timestamp in a folder's name, YYMMDDhhmmss, reads as a valid IIN about
    one time in ten: it is refused too, and the message says which folder.) The project folder is
    refused before Dagster starts (`make warehouse`, `make ui`): Dagster records its code's folder
    in its own storage, a stack trace included."""
    for what, path, remedy in (
        ("project folder", REPO_ROOT, "clone the project into another folder"),
        ("warehouse folder", paths.root, "set WAREHOUSE_DIR to another folder"),
        ("landing folder", paths.landing, "set LANDING_DIR to another folder"),
    ):
        shown = str(Path(path).absolute())  # a relative folder is written under the current one
        if find_iin_in_text(shown):
            raise ValueError(
                f"The {what}'s path holds an IIN ({redact_text(shown, masked=True)}): every row keeps "
                "its file's path and the warehouse's files and metadata name its folders, so the IIN "
                f"would be kept in clear. Rename the folder, or {remedy}."
            )


def stop_if_paths_hold_an_iin(paths: WarehousePaths) -> None:
    """For a command: stop with the refusal's one-line message (`refuse_paths_holding_an_iin`)."""
    try:
        refuse_paths_holding_an_iin(paths)
    except ValueError as refused:
        raise SystemExit(str(refused)) from None


# ------------------------------------------------------------------------------------------------
# Detection and redaction (DuckDB SQL macros).
# ------------------------------------------------------------------------------------------------


def _digit(run: str, i: int) -> str:
    return f"(ascii(substr({run}, {i}, 1)) - 48)"


def _weighted(run: str, weights: Sequence[int]) -> str:
    return "(" + " + ".join(f"{w} * {_digit(run, i)}" for i, w in enumerate(weights, 1)) + ") % 11"


def _valid_iin_sql(run: str) -> str:
    """SQL: `run` (a string of ASCII digits) is a valid IIN; the same rule as is_valid_iin."""
    century = (
        f"case substr({run}, 7, 1) when '1' then 1800 when '2' then 1800 "
        f"when '5' then 2000 when '6' then 2000 else 1900 end"
    )
    first, second = _weighted(run, _WEIGHTS_1), _weighted(run, _WEIGHTS_2)
    date_text = (
        f"({century} + substr({run}, 1, 2)::integer)::varchar || '-' || "
        f"substr({run}, 3, 2) || '-' || substr({run}, 5, 2)"
    )
    # The check digit first (arithmetic), the date (a cast) only for the few that pass it.
    return f"""(
        case when length({run}) <> 12 or substr({run}, 7, 1) not between '0' and '6' then false
             when case when {first} <> 10 then {first} = {_digit(run, 12)}
                       else {second} <> 10 and {second} = {_digit(run, 12)} end
             then try_cast({date_text} as date) is not null
             else false end
    )"""


def _replace_function(con: duckdb.DuckDBPyConnection, name: str, function, returns) -> None:
    with contextlib.suppress(duckdb.Error):
        con.remove_function(name)
    con.create_function(name, function, [VARCHAR], returns, type="native", side_effects=False)


def register_iin_detector(con: duckdb.DuckDBPyConnection) -> None:
    """Define the temp macros `is_valid_iin(run)` (12 ASCII digits are a valid IIN) and
    `contains_iin(value)` (a text holds an IIN, in any form `find_iin_in_text` reads; hex digests
    are not skipped). No key is needed. The few texts the prefilter lets through are read in
    Python (`holds_iin_text`): the forms of an IIN are the same rule as in Python."""
    con.execute(f"create or replace temp macro is_valid_iin(iin_run) as {_valid_iin_sql('iin_run')}")
    _replace_function(con, "holds_iin_text", lambda value: bool(_iins(value)), BOOLEAN)
    con.execute(f"""
        create or replace temp macro contains_iin(value) as
        case when value is null then false
             when not regexp_matches(value, '{_IIN_PREFILTER}') then false
             else holds_iin_text(value)
        end
    """)


def _register_macros(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """`pii_hash(text)` = hex HMAC-SHA256 under `key`, in DuckDB SQL so that hashing runs inside the
    vectorised read: HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)). `redact_pii(text)` = the
    text with each IIN replaced by its token (as redact_text). The macros are temporary: the key is
    never stored in the database."""
    raw_key = key
    if len(key) > BLOCK_BYTES:
        key = hashlib.sha256(key).digest()
    key = key.ljust(BLOCK_BYTES, b"\0")
    inner = bytes(b ^ 0x36 for b in key).hex()
    outer = bytes(b ^ 0x5C for b in key).hex()
    register_iin_detector(con)
    con.execute(f"""
        create or replace temp macro pii_hash(value) as
        case when value is null then null
             else sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || encode(value))))
        end
    """)
    # Cheap prefilter in SQL (nothing that may be an IIN in any of its forms: unchanged); the rare
    # value that may hold one goes to redact_text in Python (DuckDB's CASE calls it for those rows
    # only). The same rule in SQL alone (split into runs, test each, join) costs most of a second of
    # planning per query with one call per column, which a load of many small files pays per file.
    _replace_function(con, "redact_iin_text", lambda value: redact_text(value, raw_key), VARCHAR)
    con.execute(f"""
        create or replace temp macro redact_pii(value) as
        case when value is null then null
             when not regexp_matches(value, '{_IIN_PREFILTER}') then value
             else redact_iin_text(value)
        end
    """)
    # The same for a list of values, one prefilter for all of them: the values joined by `|` (no
    # digit, no separator: an IIN in groups cannot run from one value into the next) let the
    # prefilter through when one of them does. A query reading many columns binds this once rather
    # than `redact_pii` per column (~1 ms a column, per statement).
    # (The regex is not put in the lambda: there DuckDB compiled it for every value.)
    con.execute(f"""
        create or replace temp macro redact_pii_list(texts) as
        case when not regexp_matches(array_to_string(texts, '|'), '{_IIN_PREFILTER}') then texts
             else list_transform(texts, lambda value: redact_iin_text(value))
        end
    """)


# ------------------------------------------------------------------------------------------------
# The key.
# ------------------------------------------------------------------------------------------------


def configured_key() -> bytes | None:
    """The key from APPEALS_HASH_KEY or the key file, stripped; None if neither is set. A key
    shorter than MIN_KEY_BYTES (an empty file too) is refused, naming where it came from."""
    if (value := os.environ.get("APPEALS_HASH_KEY")) is not None:
        key, source = value.strip().encode(), "the environment variable APPEALS_HASH_KEY"
    else:
        key_file = Path(os.environ.get("APPEALS_HASH_KEY_FILE", DEFAULT_KEY_FILE))
        if not key_file.exists():
            return None
        key, source = key_file.read_bytes().strip(), f"the key file {key_file}"
    if len(key) < MIN_KEY_BYTES:
        raise InvalidHashKey(
            f"The key for hashing applicants' identifiers in {source} is "
            f"{'empty' if not key else 'too short'}: it must be at least {MIN_KEY_BYTES} bytes "
            "(e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`)."
        )
    return key


def _missing_key_message(what: str) -> str:
    key_file = Path(os.environ.get("APPEALS_HASH_KEY_FILE", DEFAULT_KEY_FILE))
    return (
        f"No key for hashing applicants' identifiers{what}: set APPEALS_HASH_KEY, or put a key of "
        f"at least {MIN_KEY_BYTES} bytes in {key_file} (or point APPEALS_HASH_KEY_FILE at it). "
        "Only the bundled demo files (checksums recorded by the demo generator) may be hashed "
        "with the public demo key."
    )


def hash_key(*, demo_ok: bool = False) -> bytes:
    """The configured key; else the demo key if `demo_ok` (the caller has checked that only
    bundled demo files, or nothing that is stored, get hashed); else MissingHashKey."""
    if (key := configured_key()) is not None:
        return key
    if demo_ok:
        return DEMO_KEY
    raise MissingHashKey(_missing_key_message(""))


def key_fingerprint(key: bytes) -> str:
    """16 letters derived one-way from the key (SHA-256, digits written as letters so that no
    fingerprint can look like an IIN): tells keys apart without revealing them."""
    return hashlib.sha256(b"fingerprint:" + key).hexdigest()[:16].translate(_DIGITS_AS_LETTERS)


DEMO_FINGERPRINT = key_fingerprint(DEMO_KEY)


def register_pii_hash(
    con: duckdb.DuckDBPyConnection, *, demo_ok: bool = False, key: bytes | None = None
) -> bytes:
    """Define the temp macros `pii_hash`, `redact_pii`, `redact_pii_list`, `is_valid_iin`,
    `contains_iin` on `con` with `key` (default: hash_key(demo_ok=demo_ok)); return the key used.
    `demo_ok=True` is for reads that store nothing (the sensor's partition scan); loads go through
    prepare_hashing."""
    key = hash_key(demo_ok=demo_ok) if key is None else key
    _register_macros(con, key)
    return key


# ------------------------------------------------------------------------------------------------
# Bundled demo files.
# ------------------------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record_demo_files(paths: Sequence[Path]) -> None:
    """Record the SHA-256 of demo files just written (by the demo generator) in the manifest of
    their folder, so that the demo key may hash them and nothing else."""
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        by_folder.setdefault(Path(path).resolve().parent, []).append(Path(path))
    for folder, files in by_folder.items():
        manifest = folder / DEMO_MANIFEST
        recorded = _read_manifest(manifest)
        recorded.update({f.name: file_sha256(f) for f in files})
        temporary = manifest.with_suffix(".tmp")
        temporary.write_text(
            json.dumps(
                {"written_by": "demo (synthetic demo data)", "sha256": recorded},
                indent=1,
                sort_keys=True,
            )
        )
        temporary.replace(manifest)


def recorded_demo_files(manifest: Path) -> list[str]:
    """The names of the files a demo checksum list records (none if it cannot be read)."""
    return sorted(_read_manifest(manifest))


def _read_manifest(manifest: Path) -> dict[str, str]:
    try:
        recorded = json.loads(manifest.read_text()).get("sha256", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {str(k): str(v) for k, v in recorded.items()} if isinstance(recorded, dict) else {}


def demo_checksums(folders: Sequence[Path]) -> set[str]:
    """The SHA-256 of the demo files the generator recorded in these folders."""
    return {sha for folder in folders for sha in _read_manifest(Path(folder) / DEMO_MANIFEST).values()}


def _default_demo_folders() -> list[Path]:
    try:
        return [WarehousePaths.from_env().landing / "eotinish"]
    except Exception:  # no configured landing folder: only the files' own folders count
        return []


# ------------------------------------------------------------------------------------------------
# The load path's entry point and the fingerprint rule.
# ------------------------------------------------------------------------------------------------


def _ensure_fingerprints_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists meta")
    con.execute(f"""
        create table if not exists {FINGERPRINTS_TABLE} (
            feed varchar primary key, fingerprint varchar not null,
            first_used_at timestamptz not null default current_timestamp)
    """)


def key_recorded(con: duckdb.DuckDBPyConnection, feed_name: str) -> bool:
    """Whether a load of `feed_name` has recorded its key's fingerprint."""
    _ensure_fingerprints_table(con)
    (found,) = con.execute(
        f"select count(*) from {FINGERPRINTS_TABLE} where feed = ?", [feed_name]
    ).fetchone()
    return found > 0


def check_key_fingerprint(con: duckdb.DuckDBPyConnection, feed_name: str, fingerprint: str) -> None:
    """Record the fingerprint at the feed's first load; refuse a different one afterwards."""
    _ensure_fingerprints_table(con)
    row = con.execute(
        f"select fingerprint, first_used_at::varchar from {FINGERPRINTS_TABLE} where feed = ?", [feed_name]
    ).fetchone()
    if row is None:
        con.execute(
            f"insert into {FINGERPRINTS_TABLE} (feed, fingerprint) values (?, ?)", [feed_name, fingerprint]
        )
    elif row[0] != fingerprint:
        raise HashKeyMismatch(
            f"The key for hashing applicants' identifiers (fingerprint {fingerprint}) is not the "
            f"one feed {feed_name!r} was loaded with since {row[1]} (fingerprint {row[0]}): "
            "applicant keys made with two keys cannot be joined, so the load is refused. Use the "
            "original key, or to change the key on purpose rebuild the feed's raw tables from the "
            "landing files (see README, 'Citizens' appeals (eOtinish) and privacy')."
        )


def forget_hash_key(con: duckdb.DuckDBPyConnection, feed_name: str) -> None:
    """Forget the feed's key fingerprint, to change the key on purpose: only together with
    dropping the feed's raw and quarantine tables and reloading every partition."""
    _ensure_fingerprints_table(con)
    con.execute(f"delete from {FINGERPRINTS_TABLE} where feed = ?", [feed_name])


def demo_key_in_use(con: duckdb.DuckDBPyConnection) -> bool:
    """Some feed of this warehouse was hashed with the public demo key (its data is the demo)."""
    try:
        (count,) = con.execute(
            f"select count(*) from {FINGERPRINTS_TABLE} where fingerprint = ?", [DEMO_FINGERPRINT]
        ).fetchone()
    except duckdb.CatalogException:
        return False
    return count > 0


def prepare_hashing(
    con: duckdb.DuckDBPyConnection,
    feed_name: str,
    file_sha256s: Sequence[str],
    *,
    paths: Sequence[Path | str] | None = None,
    demo_folders: Sequence[Path] | None = None,
) -> str:
    """Before a load hashes the files with these SHA-256 (`paths`, same order, only to name a file
    in errors and to find the demo manifest beside it): pick the key, define the macros on `con`,
    check (and at the first load record) the key's fingerprint for `feed_name`; return it.

    The key is the configured one; without one, the demo key if every file is a bundled demo file
    (its checksum recorded by the generator in `.demo_checksums.json` of the file's folder, of
    `demo_folders`, or of the landing folder's eotinish/), else MissingHashKey naming the first
    other file. A weak configured key: InvalidHashKey. Another key than the recorded one:
    HashKeyMismatch. With no files nothing is hashed, and nothing is recorded."""
    paths = [Path(p) for p in paths] if paths is not None else []
    key = configured_key()
    if key is None:
        folders = list(demo_folders) if demo_folders is not None else _default_demo_folders()
        folders += sorted({p.resolve().parent for p in paths})
        demo = demo_checksums(folders)
        for i, sha in enumerate(file_sha256s):
            if sha not in demo:
                name = str(paths[i]) if i < len(paths) else f"with SHA-256 {sha}"
                raise MissingHashKey(
                    _missing_key_message(f" (feed {feed_name}): the file {name} is not a bundled demo file")
                )
        key = DEMO_KEY
    _register_macros(con, key)
    fingerprint = key_fingerprint(key)
    if file_sha256s:
        check_key_fingerprint(con, feed_name, fingerprint)
    return fingerprint


# ------------------------------------------------------------------------------------------------
# Scanning a warehouse.
# ------------------------------------------------------------------------------------------------


def find_iin_values(
    con: duckdb.DuckDBPyConnection, database: str | None = None
) -> list[tuple[str, str, int]]:
    """Every VARCHAR or JSON column of every table (in `database`, default the current one)
    holding a value with an IIN in it (the strict detector, whatever letters surround it):
    (table, column, rows). The privacy tests expect none.

    Hex digests of 64 digits or more (applicant_key and other HMAC/SHA-256 values, file checksums
    in meta) are skipped: a random 64-hex string holds an exactly-12-digit run about once in 40,
    and such a run passes the IIN date and check-digit test about once in 300, so about one hash
    in 12,000 would be reported although it holds nobody's IIN."""
    from ingest.duck import quote_ident

    register_iin_detector(con)
    database = database or con.execute("select current_database()").fetchone()[0]
    columns = con.execute(
        """
        select schema_name, table_name, column_name from duckdb_columns()
        where database_name = ? and (data_type = 'VARCHAR' or data_type = 'JSON')
            and not internal
        order by all
    """,
        [database],
    ).fetchall()
    found = []
    for schema, table, column in columns:
        name = f"{quote_ident(database)}.{quote_ident(schema)}.{quote_ident(table)}"
        value = f"{quote_ident(column)}::varchar"
        (rows,) = con.execute(
            f"select count(*) from {name} where regexp_matches({value}, '{_IIN_PREFILTER}') "
            f"and contains_iin(regexp_replace({value}, '{_HEX_DIGEST}', '|', 'g'))"
        ).fetchone()
        if rows:
            found.append((f"{schema}.{table}", column, rows))
    return found
