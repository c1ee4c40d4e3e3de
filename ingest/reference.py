"""Reference data: country codes (M49 / ISO 3166) and the published official trade aggregates.

The published aggregates are a second trade source, kept apart from Comtrade's record-level data
and reconciled against it in dbt (mart_trade_reference_reconciliation).
"""

import re
from pathlib import Path

import duckdb
import pandas as pd
import pycountry

from ingest import lake
from ingest.duck import sql_string, transaction
from ingest.loads import (
    META_DDL,
    WHOLE,
    LoadError,
    LoadIssue,
    LoadReport,
    PartitionOutcome,
    file_sha256,
    new_load_id,
    publish_whole_tables,
    utc_now,
)
from ingest.privacy import redact_text
from ingest.settings import BUNDLED_REFERENCE_DIR

# Comtrade reports against some codes that are not ISO 3166 countries, and uses its own codes
# where its coverage differs from ISO's (e.g. 842 USA incl. Puerto Rico, 757 Switzerland incl.
# Liechtenstein). Source: UN Comtrade reference list of partner areas.
COMTRADE_SPECIAL_AREAS = {
    0: ("W00", "World"),
    97: ("EUR", "European Union"),
    251: ("FRA", "France (incl. Monaco)"),
    490: ("S19", "Other Asia, nes"),
    579: ("NOR", "Norway (incl. Svalbard)"),
    699: ("IND", "India (incl. Sikkim)"),
    757: ("CHE", "Switzerland (incl. Liechtenstein)"),
    842: ("USA", "USA (incl. Puerto Rico and Virgin Isds)"),
    837: ("_X", "Bunkers"),
    838: ("_Y", "Free Zones"),
    839: ("X2", "Special Categories"),
    899: ("_X", "Areas, nes"),
}


def country_codes() -> pd.DataFrame:
    """Every ISO 3166-1 country with its numeric (= UN M49) code, plus Comtrade's special areas."""
    countries = [
        (int(c.numeric), c.alpha_2, c.alpha_3, getattr(c, "common_name", c.name), False)
        for c in pycountry.countries
    ]
    iso_codes = {code for code, *_ in countries}
    areas = [
        (code, None, alpha3 if len(alpha3) == 3 and alpha3.isalpha() else None, name, True)
        for code, (alpha3, name) in COMTRADE_SPECIAL_AREAS.items()
        if code not in iso_codes
    ]
    return pd.DataFrame(
        countries + areas,
        columns=["m49_code", "iso_alpha2", "iso_alpha3", "country_name", "is_area"],
    ).sort_values("m49_code", ignore_index=True)


def _to_lake(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    """A reference table just replaced -> its Parquet copy, when the lake is on (ingest/lake.py)."""
    if lake.lake_enabled():
        lake.write_table(con, schema, table)


def load_country_codes(con: duckdb.DuckDBPyConnection) -> int:
    frame = country_codes()
    con.execute("create schema if not exists ref")
    con.register("country_frame", frame)
    try:
        con.execute("create or replace table ref.country_codes as select * from country_frame")
    finally:
        con.unregister("country_frame")
    _to_lake(con, "ref", "country_codes")
    return len(frame)


# --------------------------------------------------------------------------------------------
# Published official aggregates (kz_tj_trade_reference.csv)
# --------------------------------------------------------------------------------------------

REFERENCE_FEED = "trade_reference"
REFERENCE_COLUMNS = {
    "period": "VARCHAR",
    "period_type": "VARCHAR",
    "reporting_side": "VARCHAR",
    "measure": "VARCHAR",
    "value_musd": "DOUBLE",
    "yoy_pct": "DOUBLE",
    "is_derived": "BOOLEAN",
    "confidence": "VARCHAR",
    "source_url": "VARCHAR",
    "source_date": "VARCHAR",
    "note": "VARCHAR",
}
REFERENCE_MEASURES = [
    "turnover",
    "export_kz_to_tj",
    "import_kz_from_tj",
    "export_tj_to_kz",
    "import_tj_from_kz",
]
# '2022' (a year), '2023-01..2023-06' (year to date), '2026-01' (a month)
_PERIOD_START = (
    "try_strptime(regexp_extract(period, '^([0-9]{4}(-[0-9]{2})?)', 1) || "
    "case when regexp_full_match(period, '[0-9]{4}') then '-01-01' else '-01' end, '%Y-%m-%d')::date"
)
_PERIOD_END = (
    "(date_trunc('month', try_strptime(regexp_extract(period, '([0-9]{4}(-[0-9]{2})?)$', 1) || "
    "case when regexp_full_match(period, '[0-9]{4}') then '-12-01' else '-01' end, '%Y-%m-%d'))"
    " + interval 1 month - interval 1 day)::date"
)


def load_trade_reference(
    con: duckdb.DuckDBPyConnection, path: Path, *, validator, load_id: str | None = None
) -> LoadReport:
    """Load the published aggregates as one unpartitioned table, replaced atomically after its
    suite (`validator`, catalog/reference.py) passes. The same file version loaded twice is a
    no-op."""
    load_id = load_id or new_load_id()
    started_at = utc_now()
    report = LoadReport(REFERENCE_FEED, load_id)
    sha = file_sha256(path)
    con.execute(META_DDL)
    con.execute("create schema if not exists raw")
    loaded = (
        _table_exists(con, "raw", "trade_reference")
        and con.execute("select count(*) from raw.trade_reference where _file_sha256 = ?", [sha]).fetchone()[
            0
        ]
    )
    if loaded:
        report.partitions.append(PartitionOutcome(WHOLE, "unchanged", files=[str(path)]))
        return report

    schema = "{" + ", ".join(f"'{k}': '{v}'" for k, v in REFERENCE_COLUMNS.items()) + "}"
    outcome = PartitionOutcome(WHOLE, "rejected", files=[str(path)])
    try:
        con.execute(
            f"""
            create or replace temp table reference_stage as
            select *, {_PERIOD_START} as period_start, {_PERIOD_END} as period_end,
                {sql_string(str(path))} as _source_file,
                row_number() over () + 1 as _source_row,
                {sql_string(sha)} as _file_sha256, {sql_string(load_id)} as _load_id,
                ?::timestamp as _loaded_at
            from read_csv({sql_string(str(path))}, header = true, auto_detect = false,
                delim = ',', quote = '"', escape = '"', columns = {schema})
        """,
            [started_at],
        )
    except duckdb.Error as error:
        outcome.issues = [_unreadable_csv(path, error)]
    if not outcome.issues:
        frame = con.execute("select * from reference_stage").df()
        passed, summary, outcome.issues = validator(frame, "all")
        report.validations.append({"partitions": "all", **summary})
        if not passed and not outcome.issues:
            outcome.issues = [LoadIssue(str(path), None, None, "validation", "suite failed")]
    # What is written (the table, quarantine's records, messages) has every IIN redacted, the
    # same way on both sides of the quarantine's join (file and row).
    outcome.issues = [issue.cleaned(_mask) for issue in outcome.issues]
    staged = _table_exists(con, "main", "reference_stage", temporary=True)
    if staged:
        _redact_table(con, "reference_stage", keep=("_file_sha256", "_load_id"))
    publish_whole_tables(
        con,
        feed=REFERENCE_FEED,
        load_id=load_id,
        started_at=started_at,
        outcome=outcome,
        replacements={"raw.trade_reference": "select * from reference_stage"},
        stage_table="reference_stage" if staged else None,
    )
    con.execute("drop table if exists reference_stage")
    report.partitions.append(outcome)
    return report


def _mask(text: str | None) -> str | None:
    """`text` with every IIN masked, as the loads' messages are (ingest/privacy.py)."""
    return redact_text(text, masked=True)


def _redact_table(con: duckdb.DuckDBPyConnection, table: str, *, keep: tuple[str, ...] = ()) -> None:
    """Every text value of the temp `table` (a small staged reference file) with its IINs masked
    (`_mask`), but the columns `keep` (a digest, a load id: never read from the file). The stage is
    what is published and what a rejected load keeps in quarantine (`record`, the whole row)."""
    columns = con.execute(
        """
        select column_name from duckdb_columns()
        where database_name = 'temp' and table_name = ? and data_type = 'VARCHAR'
    """,
        [table],
    ).fetchall()
    for (column,) in columns:
        if column in keep:
            continue
        quoted = '"' + column.replace('"', '""') + '"'
        values = con.execute(f"select distinct {quoted} from {table} where {quoted} is not null").fetchall()
        for (value,) in values:
            masked = _mask(value)
            if masked != value:
                con.execute(f"update {table} set {quoted} = ? where {quoted} = ?", [masked, value])


# What DuckDB says is wrong with a CSV line, as a fixed text: its message quotes the line
# ("Original Line: ...", which a quoted value left open runs over the next lines) and values.
_CSV_PROBLEMS = (
    (r"Expected Number of Columns: (\d+) Found: (\d+)", "expected {0} columns, found {1}"),
    (r"unterminated quote", "a quoted value is not closed"),
    (r"[Cc]ould not convert|Conversion Error", "a value is not of its column's type"),
    (r"[Ii]nvalid unicode|UTF-8", "not valid UTF-8"),
)


def _unreadable_csv(path: Path, error: duckdb.Error) -> LoadIssue:
    """A file DuckDB cannot read as CSV, as an issue on the line it names, with a fixed text of
    what is wrong (_CSV_PROBLEMS): nothing of DuckDB's message but the line number is kept, as it
    quotes the line (and a quoted value left open, the lines after it), which may hold anything."""
    text = str(error)
    found = re.search(r"CSV Error on Line: (\d+)", text)
    problem = "the file cannot be read as CSV"
    for pattern, described in _CSV_PROBLEMS:
        match = re.search(pattern, text)
        if match:
            problem = described.format(*match.groups())
            break
    return LoadIssue(str(path), int(found.group(1)) if found else None, None, "unreadable_file", problem)


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str, *, temporary: bool = False) -> bool:
    """Whether schema.name exists in the warehouse (`temporary`: in the connection's temp catalog).
    A table of the same name in another schema (quarantine.trade_reference, kept by a rejected
    first load) is not it."""
    return bool(
        con.execute(
            """
            select count(*) from duckdb_tables()
            where schema_name = ? and table_name = ? and temporary = ?
                and (temporary or database_name = current_database())
        """,
            [schema, name, temporary],
        ).fetchone()[0]
    )


# --------------------------------------------------------------------------------------------
# Kazakhstan: the KATO classifier, regions, and the working-day calendar
# --------------------------------------------------------------------------------------------

KATO_FILE = BUNDLED_REFERENCE_DIR / "kato_2022-10-17_ru.csv"
REGIONS_FILE = BUNDLED_REFERENCE_DIR / "kz_regions_kato_iso_2022.csv"
CALENDAR_YEARS = range(2015, 2031)


KATO_FEED = "kato_units"
REGIONS_FEED = "kz_regions"
_KATO_COLUMNS = "{'id': 'BIGINT', 'parent_id': 'BIGINT', 'code': 'VARCHAR', 'name': 'VARCHAR'}"
_REGION_COLUMNS = ("kato_code", "kato_2digit", "name_ru_kato", "name_en", "iso3166_2", "type", "created")
_SHOWN = 5  # codes named in a message


def load_kato(
    con: duckdb.DuckDBPyConnection, kato_file: Path = KATO_FILE, *, accept_removed_codes: bool = False
) -> int:
    """The official KATO classifier (2022-10-17) as ref.kato_units: code, parent, name, level.

    The file is read into a temp table and checked before it replaces the table, in one
    transaction: a file DuckDB cannot read, a unit without id, parent or code, an id or code twice,
    a unit whose parents do not lead to a top-level unit, a file without units, a code of the
    published ref.kato_units missing from it, or a region of ref.kz_regions without its top-level
    unit is a LoadError naming the file (and line and column), and the table stays as it was. A
    file cut short at a line end reads without complaint: it is caught by the codes it lacks.
    `accept_removed_codes`: units (and regions) no longer in the classifier are removed on purpose."""
    con.execute("create schema if not exists ref")
    try:
        try:
            con.execute(f"""
                create or replace temp table kato_source as
                select *, row_number() over () + 1 as _line
                from read_csv({sql_string(str(kato_file))}, delim = ';', header = true,
                    auto_detect = false, columns = {_KATO_COLUMNS})
            """)
        except duckdb.Error as error:
            _refuse(KATO_FEED, [_unreadable_csv(kato_file, error)])
        _refuse(KATO_FEED, _kato_source_issues(con, kato_file))
        con.execute("""
            create or replace temp table kato_stage as
            with recursive tree as (
                select id, parent_id, code, name, 1 as level from kato_source where parent_id = 0
                union all
                select s.id, s.parent_id, s.code, s.name, tree.level + 1
                from kato_source as s join tree on s.parent_id = tree.id
            )
            select tree.code, parent.code as parent_code, tree.name as name_ru, tree.level,
                left(tree.code, 2) as region_kato_2digit
            from tree left join kato_source as parent on parent.id = tree.parent_id
        """)
        issues = [
            LoadIssue(
                str(kato_file),
                line,
                "parent_id",
                "orphan",
                f"parent {parent} does not lead to a "
                "top-level unit (parent_id 0) of the file: the unit would be lost",
            )
            for line, parent in con.execute("""
                select _line, parent_id from kato_source
                where code not in (select code from kato_stage) order by 1
            """).fetchall()
        ]
        if not accept_removed_codes:
            staged = "select code from kato_stage"
            issues += _codes_missing(con, kato_file, "ref.kato_units", "code", staged, "units")
            issues += _codes_missing(
                con,
                kato_file,
                "ref.kz_regions",
                "kato_code",
                staged + " where level = 1",
                "regions (as top-level units)",
            )
        _refuse(KATO_FEED, issues)
        with transaction(con):
            con.execute("create or replace table ref.kato_units as select * from kato_stage order by code")
    finally:
        con.execute("drop table if exists kato_stage")
        con.execute("drop table if exists kato_source")
    _to_lake(con, "ref", "kato_units")
    return con.execute("select count(*) from ref.kato_units").fetchone()[0]


def _kato_source_issues(con: duckdb.DuckDBPyConnection, path: Path) -> list[LoadIssue]:
    """The lines of the KATO file read that cannot be units of a tree: a missing id, parent or code,
    an id or code twice (a repeated id could even make the tree endless)."""
    issues = [LoadIssue(str(path), None, None, "empty", "the file has no units")]
    if con.execute("select count(*) from kato_source").fetchone()[0]:
        issues = []
    for column in ("id", "parent_id", "code"):
        issues += [
            LoadIssue(str(path), line, column, "missing", f"no {column}")
            for (line,) in con.execute(
                f"select _line from kato_source where {column} is null order by 1"
            ).fetchall()
        ]
    for column in ("id", "code"):
        issues += [
            LoadIssue(
                str(path), line, column, "duplicate", f"{column} {value} is on line {first} already", value
            )
            for line, value, first in con.execute(f"""
                select _line, {column}::varchar, min(_line) over (partition by {column}) as first
                from kato_source where {column} is not null qualify _line > first order by 1
            """).fetchall()
        ]
    return issues


def load_regions(
    con: duckdb.DuckDBPyConnection, regions_file: Path = REGIONS_FILE, *, accept_removed_codes: bool = False
) -> int:
    """The 20 regions (17 oblasts incl. Abai, Zhetisu and Ulytau created in 2022, 3 cities).

    Checked before it replaces ref.kz_regions, in one transaction, as load_kato: a kato_code not
    of 9 digits or twice, a kato_2digit not its first two digits, a file without regions, a region
    of the published ref.kz_regions missing, or a top-level unit of ref.kato_units (each is a
    region) missing is a LoadError naming the file (and line and column); the table stays as it
    was. `accept_removed_codes`: regions no longer in the file are removed on purpose."""
    con.execute("create schema if not exists ref")
    selected = ", ".join(_REGION_COLUMNS)
    try:
        try:
            con.execute(f"""
                create or replace temp table regions_source as
                select {selected}, row_number() over () + 1 as _line
                from read_csv({sql_string(str(regions_file))}, header = true, all_varchar = true)
            """)
        except duckdb.Error as error:
            _refuse(REGIONS_FEED, [_unreadable_csv(regions_file, error)])
        con.execute("""
            create or replace temp table regions_stage as
            select kato_code::varchar as kato_code, lpad(kato_2digit::varchar, 2, '0') as kato_2digit,
                name_ru_kato as name_ru, name_en, iso3166_2, type as region_type,
                try_cast(created as date) as created
            from regions_source order by _line
        """)
        issues = [LoadIssue(str(regions_file), None, None, "empty", "the file has no regions")]
        if con.execute("select count(*) from regions_source").fetchone()[0]:
            issues = []
        checks = [
            (
                "kato_code",
                "not a KATO code of 9 digits",
                "not regexp_full_match(coalesce(kato_code, ''), '[0-9]{9}')",
            ),
            (
                "kato_2digit",
                "not the first two digits of kato_code",
                "lpad(coalesce(kato_2digit, ''), 2, '0') <> left(coalesce(kato_code, ''), 2)",
            ),
        ]
        for column, problem, condition in checks:
            issues += [
                LoadIssue(str(regions_file), line, column, "format", problem, value)
                for line, value in con.execute(
                    f"select _line, {column} from regions_source where {condition} order by 1"
                ).fetchall()
            ]
        issues += [
            LoadIssue(str(regions_file), line, "kato_code", "duplicate", f"on line {first} already", value)
            for line, value, first in con.execute("""
                select _line, kato_code, min(_line) over (partition by kato_code) as first
                from regions_source qualify _line > first order by 1
            """).fetchall()
        ]
        if not accept_removed_codes:
            staged = "select kato_code from regions_stage"
            issues += _codes_missing(con, regions_file, "ref.kz_regions", "kato_code", staged, "regions")
            issues += _codes_missing(
                con,
                regions_file,
                "ref.kato_units",
                "code",
                staged,
                "top-level units (each a region)",
                where="level = 1",
            )
        _refuse(REGIONS_FEED, issues)
        with transaction(con):
            con.execute("create or replace table ref.kz_regions as select * from regions_stage")
    finally:
        con.execute("drop table if exists regions_stage")
        con.execute("drop table if exists regions_source")
    _to_lake(con, "ref", "kz_regions")
    return con.execute("select count(*) from ref.kz_regions").fetchone()[0]


def _codes_missing(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    code: str,
    staged: str,
    what: str,
    *,
    where: str = "true",
) -> list[LoadIssue]:
    """An issue when codes of the published `table` (its rows `where`) are not among the file's
    (`staged`: a SELECT of one column): a reload may not remove codes already published (a file cut
    short at a line end reads without complaint) unless the caller accepts it."""
    if not _table_exists(con, *table.split(".")):
        return []
    missing = [
        value
        for (value,) in con.execute(f"""
            select {code} from {table}
            where {where} and {code} not in (select c from ({staged}) as s(c) where c is not null)
            order by 1
        """).fetchall()
    ]
    if not missing:
        return []
    shown = ", ".join(str(value) for value in missing[:_SHOWN]) + (", ..." if len(missing) > _SHOWN else "")
    return [
        LoadIssue(
            str(path),
            None,
            None,
            "codes_missing",
            f"{len(missing):,} {what} of the published {table} are missing from the file ({shown}): "
            "is it cut short? (accept_removed_codes=True removes them on purpose)",
        )
    ]


def _refuse(feed: str, issues: list[LoadIssue]) -> None:
    """Raise LoadError for `issues`, if any, their texts redacted (ingest/privacy.py)."""
    if issues:
        raise LoadError(feed, [issue.cleaned(_mask) for issue in issues])


def working_calendar(years=CALENDAR_YEARS) -> pd.DataFrame:
    """Every day with whether it is a working day in Kazakhstan, as the `holidays` library knows
    it: weekends and public holidays are days off, days off moved by government decree too, and
    the Saturdays worked in their place (2024-05-04 for 2024-05-08) are working days."""
    import holidays

    public = holidays.country_holidays("KZ", years=list(years))
    days = pd.date_range(f"{min(years)}-01-01", f"{max(years)}-12-31", freq="D").date
    return pd.DataFrame(
        {
            "calendar_date": days,
            "is_working_day": [public.is_working_day(day) for day in days],
            "holiday_name": [public.get(day) for day in days],
        }
    )


def load_working_calendar(con: duckdb.DuckDBPyConnection) -> int:
    frame = working_calendar()
    con.execute("create schema if not exists ref")
    con.register("calendar_frame", frame)
    try:
        con.execute("""
            create or replace table ref.kz_working_calendar as
            select calendar_date::date as calendar_date, is_working_day, holiday_name
            from calendar_frame order by 1
        """)
    finally:
        con.unregister("calendar_frame")
    _to_lake(con, "ref", "kz_working_calendar")
    return len(frame)


# --------------------------------------------------------------------------------------------
# Published land-monitoring figures (kz_land_reference.csv), reconciled in mart_land_reconciliation
# --------------------------------------------------------------------------------------------

LAND_REFERENCE_FILE = BUNDLED_REFERENCE_DIR / "kz_land_reference.csv"
LAND_REFERENCE_FEED = "kz_land_reference"
LAND_REFERENCE_UNITS = {"thousand_ha": 1e3, "million_ha": 1e6, "cases": 1.0, "parcels": 1.0}


LAND_REFERENCE_COLUMNS = {
    "period": "VARCHAR",
    "scope": "VARCHAR",
    "measure": "VARCHAR",
    "value": "DOUBLE",
    "unit": "VARCHAR",
    "is_derived": "BOOLEAN",
    "source_url": "VARCHAR",
    "source_date": "VARCHAR",
    "note": "VARCHAR",
}
# The columns load_land_reference computes from a source column.
LAND_REFERENCE_DERIVED = {"value": ("value_base",)}
_NOT_OF_TYPE = {"DOUBLE": "not a number", "BOOLEAN": "not true or false"}


def load_land_reference(
    con: duckdb.DuckDBPyConnection, path: Path = LAND_REFERENCE_FILE, *, validator
) -> int:
    """The published national and regional land figures as ref.kz_land_reference, with values in
    base units (hectares or counts), the period's first and last year and the region's KATO prefix.
    Validated first (`validator`, catalog/reference.py); a bad file (a value that is not of its
    column's type, a line DuckDB cannot read, a failed expectation) raises LoadError naming row and
    column (kept in quarantine.kz_land_reference and meta.loads, like every load) and leaves the
    table as it was. Messages and values are redacted (ingest/privacy.py) and never quote a whole
    source line."""
    load_id = new_load_id()
    started_at = utc_now()
    issues: list[LoadIssue] = []
    unreadable = False
    texts = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in LAND_REFERENCE_COLUMNS) + "}"
    try:
        # Read as text, so that a value not of its column's type is an issue naming its row and column.
        con.execute(f"""
            create or replace temp table land_reference_text as
            select *, row_number() over () + 1 as _source_row
            from read_csv({sql_string(str(path))}, header = true, auto_detect = false, columns = {texts})
        """)
    except duckdb.Error as error:
        unreadable = True
        issues = [_unreadable_csv(path, error)]
        con.execute(
            "create or replace temp table land_reference_text as select "
            + ", ".join(f"null::varchar as {name}" for name in LAND_REFERENCE_COLUMNS)
            + ", null::bigint as _source_row limit 0"
        )
    typed = {n: t for n, t in LAND_REFERENCE_COLUMNS.items() if t != "VARCHAR"}
    for name, kind in typed.items():
        for row, value in con.execute(f"""
            select _source_row, {name} from land_reference_text
            where {name} is not null and try_cast({name} as {kind}) is null order by 1
        """).fetchall():
            issues.append(LoadIssue(str(path), row, name, "type", _NOT_OF_TYPE[kind], value))
    columns = ", ".join(
        f"try_cast({name} as {kind}) as {name}" if kind != "VARCHAR" else name
        for name, kind in LAND_REFERENCE_COLUMNS.items()
    )
    factors = ", ".join(f"({sql_string(u)}, {f})" for u, f in LAND_REFERENCE_UNITS.items())
    frame = con.execute(f"""
        select texts.* exclude (_source_row), units.*, texts._source_row,
            {sql_string(str(path))} as _source_file,
            value * factor as value_base,
            case when unit like '%_ha' then 'ha' else unit end as base_unit,
            try_cast(left(period, 4) as integer) as first_year,
            try_cast(regexp_extract(period, '(\\d{{4}})[^.]*$', 1) as integer) as last_year,
            nullif(regexp_extract(scope, 'KATO (\\d{{2}})', 1), '') as region_kato_2digit
        from (select {columns}, _source_row from land_reference_text) as texts
        left join (values {factors}) as units(unit_name, factor) on units.unit_name = unit
        order by _source_row
    """).df()
    con.execute("drop table land_reference_text")
    if not unreadable:
        passed, _, found = validator(frame)
        # A value that did not parse is reported already; the suite would only see it (and what is
        # computed from it) missing.
        derived = LAND_REFERENCE_DERIVED
        reported = {(i.row, c) for i in issues for c in (i.column, *derived.get(i.column, ()))}
        issues += [i for i in found if (i.row, i.column) not in reported]
        if not passed and not issues:
            issues = [LoadIssue(str(path), None, None, "validation", "suite failed")]
    issues = [issue.cleaned(_mask) for issue in issues]
    outcome = PartitionOutcome(WHOLE, "rejected", files=[str(path)], issues=issues)
    con.register("land_reference_frame", frame)
    try:
        con.execute("create or replace temp table land_reference_stage as select * from land_reference_frame")
    finally:
        con.unregister("land_reference_frame")
    # The stage is published, or kept whole in quarantine (`record`) for a rejected row: its texts
    # (a note may name a person) masked as the messages are.
    _redact_table(con, "land_reference_stage")
    publish_whole_tables(
        con,
        feed=LAND_REFERENCE_FEED,
        load_id=load_id,
        started_at=started_at,
        outcome=outcome,
        replacements={
            "ref.kz_land_reference": "select * exclude (unit_name, factor, _source_file) "
            "from land_reference_stage"
        },
        stage_table="land_reference_stage",
    )
    con.execute("drop table land_reference_stage")
    if outcome.status != "published":
        raise LoadError(LAND_REFERENCE_FEED, outcome.issues, load_id)
    return len(frame)
