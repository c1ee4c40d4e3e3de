"""At the door: no IIN, whatever letters surround it, is written anywhere the warehouse writes.

A small warehouse is built through Dagster with a real, persistent Dagster instance (run and event
storage in SQLite, compute logs on disk): a week of the bundled appeals, then five more days whose
appeals and events files plant IINs in every field, text and numeric, bare and with letters
around them (`900315300123`, `IIN900315300123`, `iin-900315300123`, `u-900315300123`,
`x_900315300123_y`):

* 2024-01-08 (JSON Lines), 2024-01-09 (CSV) and 2024-01-12 (UTF-16, which the load reads
  through a UTF-8 copy) hold IINs only where the suites accept them (reg_number, event ids,
  actor_user_id, the hashed IIN and the dropped personal fields and free text): they are
  published, redacted;
* 2024-01-10 (JSON Lines) and 2024-01-11 (CSV, with a broken line holding an IIN) hold them in
  every field, numeric ones included (as JSON numbers too): they are rejected, so the quarantine,
  meta.loads, the step's error, the asset check's metadata and Data Docs all get them.

Land parcels and subsoil licences too: holder ids that are IINs and licensees' names holding one
(published, redacted) and, after the first runs, a quarter's re-export of both with an IIN in
every field, the polygon's too (rejected).

The Digital Family Map likewise: a month (2023-01) of extracts for 300 families whose members'
IINs and family ids (`FAM-<IIN>`) are hashed and whose names hold planted IINs (published), then a
month (2023-02) of extracts (its civil registry clean, so that the others are read) and three
days of proactive-service events with an IIN in every field (one field per row, and a row with all
of them), landed after the first runs and rejected.

Then every place is scanned: every table of every DuckDB file under the warehouse folder (the
warehouse, the serving copy, operations.duckdb), every Parquet file, every other file there (Data
Docs, dbt docs, the report and its charts, spill and work folders) and every file of the Dagster
home (SQLite run and event storage, read both as raw bytes and row by row; compute logs).
"""

import csv
import json
import re
import sqlite3
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import copy_files
from dagster import (
    AssetSelection,
    DagsterEventType,
    DagsterInstance,
    build_run_status_sensor_context,
    materialize,
)
from load_probes import file_reads, staged_as

from catalog.family import FAMILY_FEEDS
from catalog.land import LAND_PARCELS, SUBSOIL_SITES
from demo.appeals import _write_rows, bundled_day_rows, make_iin, write_bundled_appeals
from demo.family import write_family
from demo.land import write_bundled_land
from ingest import feeds
from ingest.duck import quote_ident
from ingest.eotinish_schema import APPEAL_SOURCE_COLUMNS, EVENT_SOURCE_COLUMNS
from ingest.periods import quarter_start
from ingest.privacy import find_iin_in_text, find_iin_values, is_valid_iin, register_iin_detector
from ingest.settings import WarehousePaths

pytestmark = pytest.mark.integration

HASH_KEY = "privacy-scan-test-key-for-applicants-0001"
START = date(2024, 1, 1)
BUNDLED_DAYS = 7
PASS_JSONL, PASS_CSV, FAIL_JSONL, FAIL_CSV = "2024-01-08", "2024-01-09", "2024-01-10", "2024-01-11"
PASS_UTF16 = "2024-01-12"  # passing rows in UTF-16 files (DuckDB reads a UTF-8 copy of them)
PASS_DAYS = (PASS_JSONL, PASS_CSV, PASS_UTF16)
PLANTED_DAYS = (PASS_JSONL, PASS_CSV, FAIL_JSONL, FAIL_CSV, PASS_UTF16)
DAYS = ("2024-01-01", PASS_UTF16)
MONTHS = ("2022-01-01", "2023-12-01")
QUARTERS = ("2022-01-01", "2025-10-01")
FAMILY_FAIL_MONTH = "2023-02"
PROBES: dict[str, list] = {}  # how the loads read and staged (tests/load_probes.py)
YEARS = ("2022", "2023")

IIN = "900315300123"
IINS = [IIN] + [make_iin(date(1960 + 7 * i, 1 + i, 3 + 2 * i), i % 2 == 1, 4100 + 37 * i) for i in range(6)]
FORMS = ("{}", "IIN{}", "iin-{}", "u-{}", "x_{}_y")
APPEAL_COLUMNS = [name for name, _ in APPEAL_SOURCE_COLUMNS]
EVENT_COLUMNS = [name for name, _ in EVENT_SOURCE_COLUMNS]
NUMERIC = {name for name, dtype in APPEAL_SOURCE_COLUMNS + EVENT_SOURCE_COLUMNS if dtype == "INTEGER"}


def planted(k: int) -> str:
    """The k-th planted value: IIN number k (mod 7) in form k (mod 5)."""
    return FORMS[k % len(FORMS)].format(IINS[k % len(IINS)])


def planted_json(k: int, column: str):
    """As planted(), but a bare IIN is a JSON number in every other case (always in a numeric
    field): json_extract_string gives it back as digits."""
    value = planted(k)
    return int(value) if value.isdigit() and (column in NUMERIC or k % 2 == 0) else value


def plant_passing(appeals: list[dict], events: list[dict]) -> None:
    """IINs only where the suites let them through: the rows are published (redacted)."""
    for k, row in enumerate(appeals):
        row["reg_number"] = f"{row['reg_number']}/{planted(k)}"
        row["applicant_iin"] = planted(k + 1)
        for column in ("applicant_name", "applicant_phone", "applicant_email", "applicant_address"):
            row[column] = f"{row[column]} {planted(k + 2)}"
        row["data"] = f"{row['data']} ИИН {planted(k + 3)}, {planted(k + 4)}"
    for k, row in enumerate(events):
        row["id"] = f"{row['id']}-{planted(k)}"
        row["actor_user_id"] = planted(k + 1)
        row["message"] = f"{row['message'] or ''} {planted(k + 2)}"
        row["system_message_ru"] = f"{row['system_message_ru'] or ''} {planted(k + 3)}"


def plant_failing(rows: list[dict], columns: list[str], *, as_json: bool) -> list[dict]:
    """An IIN in every field (one field per row, cycling through the rows) and one more row with
    an IIN in all of its fields."""
    rows = [dict(row) for row in rows]
    for k, column in enumerate(columns):
        row = rows[k % len(rows)]
        row[column] = planted_json(k, column) if as_json else planted(k)
    everything = {c: planted_json(k + 3, c) if as_json else planted(k + 3) for k, c in enumerate(columns)}
    return [*rows, everything]


def day_index(day: str) -> int:
    return (date.fromisoformat(day) - START).days


def write_planted_days(folder: Path) -> None:
    """Replace the bundled files of the planted days by the planted ones."""
    appeal_rows, event_rows = bundled_day_rows(START, days=len(PLANTED_DAYS) + BUNDLED_DAYS)
    for day in PLANTED_DAYS:
        for old in folder.glob(f"*_{day}.*"):
            old.unlink()
        appeals, events = appeal_rows[day_index(day)], event_rows[day_index(day)]
        suffix = "csv" if day in (PASS_CSV, FAIL_CSV) else "jsonl"
        if day in PASS_DAYS:
            plant_passing(appeals, events)
            written = [
                _write_rows(
                    folder / f"appeals_{day}.{'csv' if day == PASS_UTF16 else suffix}",
                    appeals,
                    APPEAL_COLUMNS,
                ),
                _write_rows(folder / f"appeal_events_{day}.{suffix}", events, EVENT_COLUMNS),
            ]
            if day == PASS_UTF16:
                for path in written:
                    path.write_bytes(path.read_text().encode("utf-16"))  # with its byte-order mark
            continue
        as_json = suffix == "jsonl"
        appeals = plant_failing(appeals, APPEAL_COLUMNS, as_json=as_json)
        events = plant_failing(events, EVENT_COLUMNS, as_json=as_json)
        for name, rows, columns in (
            ("appeals", appeals, APPEAL_COLUMNS),
            ("appeal_events", events, EVENT_COLUMNS),
        ):
            path = folder / f"{name}_{day}.{suffix}"
            if as_json:  # _write_rows would not keep the JSON numbers of text fields as such
                path.write_text(
                    "".join(json.dumps({c: r[c] for c in columns}, ensure_ascii=False) + "\n" for r in rows)
                )
            else:
                _write_rows(path, rows, columns)
                # A line broken on purpose holding IINs: too few fields (appeals), an unclosed
                # quote at the end of the file (events).
                broken = f"{IIN},IIN{IIN},x_{IIN}_y\n" if name == "appeals" else f'{IIN},"u-{IIN}\n'
                with path.open("a") as handle:
                    handle.write(broken)


def write_planted_family(folder: Path, held: Path) -> None:
    """Two months of Digital Family Map extracts for 300 families, with their daily events. Every
    file carries members' IINs (hashed) and family ids made from the head's IIN (`FAM-<IIN>`,
    hashed). January's extracts get IINs planted in the names (never read) and must all pass (the
    month run has to succeed); February's extracts but the civil registry, and three days of
    events, get an IIN in every field; they wait in `held` (with February's registry) until the
    first runs are done (land_failing_family)."""
    write_family(folder, families=300, months=2, first_month=date(2023, 1, 1), events=True)
    held.mkdir(parents=True, exist_ok=True)
    events = sorted(folder.glob("family_proactive_events_*.csv"))
    # (February's civil registry stays clean: the other extracts are loaded only once it passes)
    february = sorted(
        set(folder.glob(f"family_*_{FAMILY_FAIL_MONTH}.csv")) - set(folder.glob("family_civil_*"))
    )
    for path in [*[p for p in events if _csv_rows(p)[1]][:3], *february]:
        header, rows = _csv_rows(path)
        failing = plant_failing([dict(zip(header, row, strict=True)) for row in rows], header, as_json=False)
        _write_rows(held / path.name, failing, header)
    for path in folder.glob(f"family_civil_registry_{FAMILY_FAIL_MONTH}.csv"):
        path.rename(held / path.name)
    for path in [*events, *february]:
        path.unlink()
    for path in folder.glob("family_*_2023-01.csv"):
        lines = path.read_text().splitlines()
        header = lines[0].split(",")
        rows = [line.split(",") for line in lines[1:]]
        source = path.name.removeprefix("family_").removesuffix("_2023-01.csv")
        for k, row in enumerate(rows[:20]):
            if source == "civil_registry":
                row[header.index("last_name")] = planted(k)
                row[header.index("first_name")] = f"x {planted(k + 1)}"
        path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n")


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a CSV file."""
    with path.open(newline="") as handle:
        header, *rows = csv.reader(handle)
    return header, rows


def plant_land(folder: Path, held: Path) -> str:
    """Parcels held by persons under their IINs (holder_id) and subsoil licences held by
    individual entrepreneurs (an IIN in holder_name): published, redacted. Held aside until the
    first runs are done (a rejected parcels file stops the other land loads of its run), a
    re-export of a later quarter's parcels (CSV) and subsoil sites (JSON Lines) files (the quarter
    with the most parcels among those with sites) with an IIN in every field, the polygon's too,
    spread over their rows: rejected. Returns the held files' quarter."""

    def quarter(path: Path) -> str:
        return path.stem.rsplit("_", 1)[1]

    sites = {quarter(p): p for p in folder.glob("subsoil_sites_*.jsonl") if p.read_text().strip()}
    first, *later = sorted(folder.glob("land_parcels_*.csv"))
    longest = max((p for p in later if quarter(p) in sites), key=lambda path: len(_csv_rows(path)[1]))
    held.mkdir(parents=True)
    for path, column, every_field in (
        (first, "holder_id", False),
        (sites[min(sites)], "holder_name", False),
        (longest, None, True),
        (sites[quarter(longest)], None, True),
    ):
        if path.suffix == ".csv":
            header, values = _csv_rows(path)
            rows = [dict(zip(header, row, strict=True)) for row in values]
        else:
            rows = [json.loads(line) for line in path.read_text().splitlines()]
            header = list(rows[0])
        for k, name in enumerate(header if every_field else [column] * 5):
            # a licensee's name: an individual entrepreneur (IP) under their IIN
            rows[k % len(rows)][name] = f"IP {planted(k)}" if name == "holder_name" else planted(k)
        _write_rows(held / path.name if every_field else path, rows, header)
    return quarter(longest)


def land_failing_family(landing: Path, held: Path) -> tuple[tuple[str, str], tuple[str, str]]:
    """Move the held family files into the landing folder; (month window, events' day window)."""
    days = []
    for path in sorted(held.iterdir()):
        path.rename(landing / path.name)
        if path.name.startswith("family_proactive_events_"):
            days.append(path.stem.removeprefix("family_proactive_events_"))
    month = f"{FAMILY_FAIL_MONTH}-01"
    return (month, month), (days[0], days[-1])


def range_tags(window):
    return {"dagster/asset_partition_range_start": window[0], "dagster/asset_partition_range_end": window[1]}


def record_failed_runs(instance: DagsterInstance, resources: dict, results) -> int:
    """What the run-failure sensor does for each failed run: operations.duckdb's run_failures."""
    from orchestration.defs.operations import record_run_failures

    recorded = 0
    for result in results:
        if result.success:
            continue
        run = instance.get_run_by_id(result.run_id)
        failure = next(iter(instance.all_logs(run.run_id, of_type=DagsterEventType.RUN_FAILURE)))
        context = build_run_status_sensor_context(
            sensor_name="record_run_failures",
            dagster_instance=instance,
            dagster_run=run,
            dagster_event=failure.dagster_event,
            resources=resources,
        ).for_run_failure()
        record_run_failures(context)
        recorded += 1
    return recorded


@pytest.fixture(scope="module")
def built(tmp_path_factory, bundled_files):
    root = tmp_path_factory.mktemp("privacy_scan")
    paths = WarehousePaths(root=root / "warehouse", landing=root / "landing")
    home = root / "dagster_home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in paths.export_env().items():
            patch.setenv(name, value)
        patch.setenv("DAGSTER_HOME", str(home))
        patch.setenv("APPEALS_HASH_KEY", HASH_KEY)
        patch.delenv("WAREHOUSE_DEMO", raising=False)
        # dbt's log files at their most detailed (every SQL statement), not the builds' default
        # (none): what an operator debugging a build would write.
        patch.setenv("DBT_LOG_LEVEL_FILE", "debug")
        # Files of 200 rows or more are read on their own, unnumbered, into a table of theirs
        # (FilesReadOnce), the smaller ones in groups: the scan covers both reads.
        patch.setattr(feeds, "STAGE_GROUP_ROWS", 200)
        PROBES.update(reads=file_reads(patch), staged=staged_as(patch))
        copy_files([f for f in bundled_files if f.stem.endswith(YEARS)], paths.trade_landing)
        write_bundled_appeals(paths.landing / "eotinish", start=START, days=BUNDLED_DAYS + len(PLANTED_DAYS))
        write_planted_days(paths.landing / "eotinish")
        write_planted_family(paths.landing / "family", root / "held_family")
        # Quarters without new sites or observations are written as empty files, which the load
        # refuses: leave them out (this test is not about land).
        for path in write_bundled_land(paths.landing / "land", parcels=400, sites=30):
            if path.stat().st_size == 0:
                path.unlink()
        failing_quarter = plant_land(paths.landing / "land", root / "held_land")

        from orchestration.definitions import defs
        from orchestration.defs.assets.feeds import raw_key
        from orchestration.defs.jobs import (
            AFTER_DAILY_AND_QUARTERLY_LOADS,
            DAILY_RAW,
            DBT_SOURCE_CHECKS,
            LAND_RAW,
        )
        from orchestration.defs.resources import WarehouseResource, dbt_resource

        resources = {
            "warehouse": WarehouseResource(root=str(paths.root), landing=str(paths.landing)),
            "dbt": dbt_resource(),
        }
        assets = list(defs.assets)
        instance = DagsterInstance.get()  # persistent: SQLite storage and compute logs in `home`
        try:
            appeals = materialize(
                assets,
                selection=DAILY_RAW,
                resources=resources,
                instance=instance,
                tags=range_tags(DAYS),
                raise_on_error=False,
            )
            land = materialize(
                assets,
                selection=LAND_RAW,
                resources=resources,
                instance=instance,
                tags=range_tags(QUARTERS),
                raise_on_error=False,
            )
            rest = materialize(
                assets,
                selection=AFTER_DAILY_AND_QUARTERLY_LOADS,
                resources=resources,
                instance=instance,
                tags=range_tags(MONTHS),
                raise_on_error=False,
            )
            months, days = land_failing_family(paths.landing / "family", root / "held_family")
            family_extracts, family_events = (
                materialize(
                    assets,
                    selection=AssetSelection.assets(
                        *(raw_key(f) for f in FAMILY_FEEDS if f.partitioning == partitioning)
                    )
                    - DBT_SOURCE_CHECKS,
                    resources=resources,
                    instance=instance,
                    tags=range_tags(window),
                    raise_on_error=False,
                )
                for partitioning, window in (("monthly", months), ("daily", days))
            )
            for path in (root / "held_land").iterdir():  # the re-exports with IINs everywhere
                path.replace(paths.landing / "land" / path.name)
            start = quarter_start(failing_quarter).isoformat()
            land_failing, sites_failing = (
                materialize(
                    assets,
                    selection=AssetSelection.assets(raw_key(feed)) - DBT_SOURCE_CHECKS,
                    resources=resources,
                    instance=instance,
                    tags=range_tags((start, start)),
                    raise_on_error=False,
                )
                for feed in (LAND_PARCELS, SUBSOIL_SITES)
            )
            runs = [appeals, land, rest, family_extracts, family_events, land_failing, sites_failing]
            failures = record_failed_runs(instance, resources, runs)
            yield (
                paths,
                home,
                {
                    "appeals": appeals,
                    "land": land,
                    "rest": rest,
                    "land_failing": land_failing,
                    "sites_failing": sites_failing,
                    "family_extracts": family_extracts,
                    "family_events": family_events,
                    "failures": failures,
                },
            )
        finally:
            instance.dispose()


# ------------------------------------------------------------------------------------------------
# The scan.
# ------------------------------------------------------------------------------------------------

_HEX_DIGEST = r"[0-9a-fA-F]{64,}"
# Identifiers that are not IINs but may hold a 12-digit run by chance: UUIDs (Dagster's run and
# event ids, the exports' event ids) and hex digests of 32 digits or more (snapshot ids, checksums).
_NOT_IIN = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|[0-9a-fA-F]{32,}"
)


def iins_in(text: str) -> list[str]:
    return find_iin_in_text(_NOT_IIN.sub(" ", text))


# Types whose text form cannot hold a run of 12 digits (an IIN): not worth a scan.
_NO_ROOM = {
    "BOOLEAN",
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "DATE",
    "TIME",
    "TIMESTAMP",
    "TIMESTAMP WITH TIME ZONE",
    "TIMESTAMP_NS",
    "TIMESTAMP_MS",
    "TIMESTAMP_S",
    "INTERVAL",
    "UUID",
}


def _contains_iin(column: str) -> str:
    return f"contains_iin(regexp_replace({quote_ident(column)}::varchar, '{_HEX_DIGEST}', ' ', 'g'))"


def scan_duckdb(path: Path) -> list[str]:
    """find_iin_values over the file, and every other column (lists, structs, big numbers, JSON
    in a list...) as text, one pass per table."""
    found = []
    with duckdb.connect(str(path), read_only=True) as con:
        found += [f"{path}: {table}.{column} ({rows} rows)" for table, column, rows in find_iin_values(con)]
        register_iin_detector(con)
        database = con.execute("select current_database()").fetchone()[0]
        columns = con.execute(
            """
            select schema_name, table_name, list(column_name order by column_index)
            from duckdb_columns()
            where database_name = ? and data_type not in ('VARCHAR', 'JSON') and not internal
                and not list_contains(?, data_type)
            group by all order by all
        """,
            [database, sorted(_NO_ROOM)],
        ).fetchall()
        for schema, table, names in columns:
            counts = con.execute(
                "select "
                + ", ".join(f"count(*) filter (where {_contains_iin(n)})" for n in names)
                + f" from {quote_ident(schema)}.{quote_ident(table)}"
            ).fetchone()
            found += [
                f"{path}: {schema}.{table}.{name} ({rows} rows)"
                for name, rows in zip(names, counts, strict=True)
                if rows
            ]
    return found


def scan_parquet(path: Path) -> list[str]:
    with duckdb.connect() as con:
        register_iin_detector(con)
        source = f"read_parquet('{path}')"
        described = con.execute(f"select column_name from (describe select * from {source})").fetchall()
        names = [n for (n,) in described]
        counts = con.execute(
            "select "
            + ", ".join(f"count(*) filter (where {_contains_iin(n)})" for n in names)
            + f" from {source}"
        ).fetchone()
    return [f"{path}: column {name} ({rows} rows)" for name, rows in zip(names, counts, strict=True) if rows]


def scan_sqlite(path: Path, only: set[str]) -> list[str]:
    """Every value of every table of a SQLite database (Dagster's run and event storage), for the
    IINs of `only`."""
    found = []
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        tables = [t for (t,) in con.execute("select name from sqlite_master where type = 'table'")]
    except sqlite3.DatabaseError:
        return found
    try:
        for table in tables:
            for row in con.execute(f'select * from "{table}"'):
                text = " ".join(
                    v.decode("utf-8", "ignore") if isinstance(v, bytes) else str(v)
                    for v in row
                    if v is not None
                )
                if iins := [iin for iin in iins_in(text) if iin in only]:
                    found.append(f"{path}: table {table}: {iins[0]} in {text[:200]!r}")
                    break  # one row per table is enough to point at it
    finally:
        con.close()
    return found


def scan_bytes(path: Path, only: set[str]) -> list[str]:
    """The file's bytes as text (whatever it is): one line per file that holds IINs of `only`."""
    text = path.read_bytes().decode("utf-8", errors="ignore")
    if not (iins := [iin for iin in iins_in(text) if iin in only]):
        return []
    at = text.find(iins[0])
    return [f"{path}: {len(iins)} IIN(s), e.g. ...{text[max(at - 80, 0) : at + 40]!r}..."]


def landed_iins(landing: Path) -> set[str]:
    """Every IIN the landed files hold, the planted ones (also those of the UTF-16 file) and the
    generated applicants' and family members'."""
    return set(IINS) | {
        iin
        for path in landing.rglob("*")
        if path.is_file()
        for iin in find_iin_in_text(path.read_bytes().decode("utf-8", errors="ignore"))
    }


def scan_tree(folder: Path, landed: set[str]) -> tuple[list[str], dict[str, int]]:
    found: list[str] = []
    kinds = {"duckdb": 0, "parquet": 0, "sqlite": 0, "files": 0}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        with path.open("rb") as handle:
            magic = handle.read(16)
        if path.suffix == ".duckdb":
            kinds["duckdb"] += 1
            found += scan_duckdb(path)
        elif path.suffix == ".parquet":
            kinds["parquet"] += 1
            found += scan_parquet(path)
        elif magic.startswith(b"SQLite format 3"):
            kinds["sqlite"] += 1
            found += scan_sqlite(path, landed)
        kinds["files"] += 1
        # Raw bytes as well: freed pages, logs, HTML, JSON, PNG... As text, these are searched for
        # the IINs that were landed, which are what a leak would show: any valid IIN would match
        # by chance too, e.g. in the digits of numbers (a step's "duration_ms": 4128.480504004983
        # in Dagster's event log, CI 2026-12-03; a run-length byte sequence of a Parquet page; what
        # looks like an FSST symbol table of a DuckDB file). A Parquet file is written once and
        # has no freed pages: its values, read by the column scan, are all there is.
        if path.suffix != ".parquet":
            found += scan_bytes(path, only=landed)
    return found, kinds


def test_planted_iins_are_valid():
    assert all(is_valid_iin(iin) for iin in IINS) and len(set(IINS)) == len(IINS)
    assert all(find_iin_in_text(FORMS[k].format(IIN)) == [IIN] for k in range(len(FORMS)))


def test_the_planted_rows_are_published_redacted_and_the_bad_ones_quarantined(built):
    """So that the scan cannot pass vacuously: the planted rows are there, redacted."""
    paths, _, results = built
    assert not results["appeals"].success  # the planted failing days are rejected
    assert results["land"].success and results["rest"].success
    # the re-exports with IINs everywhere are rejected
    assert not results["land_failing"].success and not results["sites_failing"].success
    assert results["failures"] >= 1
    with duckdb.connect(str(paths.warehouse_db), read_only=True) as con:
        appeals = dict(
            con.execute("""
            select _partition_date::varchar, count(*) filter (where reg_number like '%/%iin:%')
            from raw.eotinish_appeals group by 1
        """).fetchall()
        )
        events = dict(
            con.execute("""
            select _partition_date::varchar, count(*) filter (where actor_user_id like '%iin:%'
                and id like '%-%iin:%')
            from raw.eotinish_appeal_events group by 1
        """).fetchall()
        )
        quarantined = con.execute("""
            select partition_key, column_name, check_name from quarantine.eotinish_appeals
            where bad_value like '%iin:%' or check_name like 'broken_csv%'
            union all
            select partition_key, column_name, check_name from quarantine.eotinish_appeal_events
            where bad_value like '%iin:%' or check_name like 'broken_csv%'
        """).fetchall()
        rejected = con.execute("""
            select feed, partition_key from meta.loads where status = 'rejected' order by all
        """).fetchall()
    for day in PASS_DAYS:
        assert appeals[day] > 10 and events[day] > 10, day
    assert FAIL_JSONL not in appeals and FAIL_CSV not in appeals
    assert {
        (feed, day)
        for feed in ("eotinish_appeals", "eotinish_appeal_events")
        for day in (FAIL_JSONL, FAIL_CSV)
    } <= set(rejected)
    by_column = {(day, column) for day, column, _ in quarantined}
    assert {
        (FAIL_JSONL, "person_age"),
        (FAIL_CSV, "person_age"),
        (FAIL_JSONL, "org_id"),
        (FAIL_CSV, "actor_org_id"),
    } <= by_column
    assert {day for day, _, check in quarantined if check.startswith("broken_csv")} == {FAIL_CSV}
    with duckdb.connect(str(paths.warehouse_db), read_only=True) as con:
        land_redacted = con.execute("""
            select
                (select count(*) from raw.land_parcels where holder_id like '%iin:%'),
                (select count(*) from raw.subsoil_sites where holder_name like 'IP %iin:%')
        """).fetchone()
        land_rejected = con.execute("""
            select distinct feed from meta.loads
            where status = 'rejected' and feed in ('land_parcels', 'subsoil_sites') order by 1
        """).fetchall()
    assert land_redacted[0] >= 5 and land_redacted[1] >= 1, land_redacted
    assert land_rejected == [("land_parcels",), ("subsoil_sites",)], land_rejected
    with duckdb.connect(str(paths.warehouse_db), read_only=True) as con:
        (members,) = con.execute("select count(*) from raw.family_civil_registry").fetchone()
        (housing,) = con.execute("select count(*) from raw.family_housing").fetchone()
    assert members > 500 and housing >= 300
    # February's planted extracts and the planted event days: rejected, their rows in quarantine
    assert not results["family_extracts"].success and not results["family_events"].success
    with duckdb.connect(str(paths.warehouse_db), read_only=True) as con:
        rejected_family = con.execute("""
            select feed, count(*) from meta.loads
            where feed like 'family_%' and status = 'rejected' group by 1
        """).fetchall()
        quarantined_family = sum(
            con.execute(f"select count(*) from quarantine.{feed} where bad_value like '%iin:%'").fetchone()[0]
            for (feed,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'quarantine' "
                "and table_name like 'family_%'"
            ).fetchall()
        )
    every_feed_but_the_registry = {f.name for f in FAMILY_FEEDS} - {"family_civil_registry"}
    assert {feed for feed, _ in rejected_family} == every_feed_but_the_registry, rejected_family
    assert quarantined_family > len(every_feed_but_the_registry)
    with duckdb.connect(str(paths.serving_db), read_only=True) as con:
        (served,) = con.execute(
            "select count(*) from marts.fct_appeals where reg_number like '%iin:%'"
        ).fetchone()
    assert served > 0
    # Planted files went through both reads, on their own and in groups, and the family's months
    # (each a file of over 200 rows per extract) were staged as views over their reads.
    views = {window.feed for window in PROBES["staged"] if window.kind == "VIEW"}
    assert {"family_civil_registry", "family_health"} <= views, PROBES["staged"]
    alone = {Path(read).name for read in PROBES["reads"] if read != "group"}
    planted_files = {p.name for p in (paths.landing / "eotinish").glob("*") if p.stem.endswith(PLANTED_DAYS)}
    assert planted_files & alone and planted_files - alone, alone
    assert any(name.startswith("family_") and FAMILY_FAIL_MONTH in name for name in alone), alone


def test_no_iin_anywhere_the_warehouse_or_dagster_writes(built):
    paths, home, _ = built
    assert paths.operations_db.exists()
    landed = landed_iins(paths.landing)
    assert set(IINS) < landed  # the generated ones too
    found, kinds = scan_tree(paths.root, landed)
    found_home, kinds_home = scan_tree(home, landed)
    leaks = found + found_home
    assert leaks == [], "IINs found:\n" + "\n".join(leaks)
    # Everything was really scanned: the databases, the Parquet copy, Data Docs, the report,
    # Dagster's storage and the compute logs.
    assert kinds["duckdb"] >= 3 and kinds["parquet"] > 5
    # dbt's logs of the builds are there, at the debug level (every statement)
    assert any('"level": "debug"' in log.read_text() for log in paths.dbt_runs.rglob("dbt.log"))
    assert (paths.data_docs / "index.html").exists() and (paths.report_dir / "index.html").exists()
    # Data Docs show the rejected appeals validations, with their (redacted) unexpected values.
    pages = [p.read_text() for p in (paths.data_docs / "validations").rglob("eotinish_appeals__*.html")]
    assert any("iin:" in page for page in pages)
    # The step errors and check metadata in Dagster's event storage quote the (redacted) values.
    assert any(b"iin:" in p.read_bytes() for p in (home / "history").rglob("*.db*"))
    assert kinds_home["sqlite"] >= 2
    compute_logs = [p for p in home.rglob("*") if p.suffix in (".out", ".err", ".complete")]
    assert compute_logs, "no compute logs were captured"
