"""Revisions that look like a partial file are held back, not published.

A newer file replaces the slices it holds (a Comtrade reporter-period, an export day). A file that
holds only part of a slice would silently replace the whole of it, so before a slice is replaced
its new version is compared with the published one:

- it must not lose the row that totals the slice (Comtrade's TOTAL commodity row) that the
  published version had;
- it must not shrink the published slice's rows or value by more than a share
  (WAREHOUSE_REVISION_MAX_SHRINK, default 0.2 = 20 %);
- where the feed declares parts of a slice that are totalled on their own (Comtrade: each flow,
  imports and exports), a revision that drops a whole flow, or a flow's TOTAL row, or shrinks one
  flow's value past the share, is held although the slice as a whole keeps a TOTAL row and
  shrinks less (not a flow with fewer rows: a flow's lines are few, and a revision moving a value
  from one line to another can drop a third of them);
- what the feed declares consistent must be (Comtrade: within a slice, the TOTAL row of each flow
  equals the sum of its chapter rows, within rounding).

A held revision fails the load's check naming both versions' figures. When the smaller figures are
right (a reporter really did revise a month down), accept that file version on purpose:

    python -m ingest.revisions accept <feed> <landing file>

and load again; the acceptance is recorded in meta.accepted_revisions with its checksum, so a later
change of the file is judged again.
"""

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.loads import LoadIssue, utc_now

DEFAULT_MAX_SHRINK = 0.2


@dataclass(frozen=True)
class RevisionGuard:
    # An aggregate over a slice's typed rows giving its value (e.g. the sum of its TOTAL rows).
    value_sql: str | None = None
    value_label: str = "value"
    # A predicate over typed rows: the row that totals the slice (or, with part_sql, its part).
    total_row_sql: str | None = None
    # An expression over typed rows naming the part of its slice a row belongs to, when each part
    # has a total of its own (Comtrade: the flow). The rules on the total row and value then hold
    # for every part the published version had (and a part may not be dropped whole), as well as
    # for the whole slice.
    part_sql: str | None = None
    part_label: str = "part"
    # A query over the typed rows (temp table feed_typed) returning the rows that break a rule of
    # consistency within a slice: (_partition_key, _source_file, _source_row, column, message, value).
    consistency_sql: str | None = None


def max_shrink() -> float:
    return float(os.environ.get("WAREHOUSE_REVISION_MAX_SHRINK", DEFAULT_MAX_SHRINK))


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        create schema if not exists meta;
        -- the figures of each published slice, to judge the next revision by
        create table if not exists meta.published_slice_figures (
            feed varchar not null,
            slice varchar not null,
            row_count bigint not null,
            slice_value decimal(38, 2),
            has_total boolean,
            primary key (feed, slice)
        );
        -- the same figures for each part of a published slice (RevisionGuard.part_sql)
        create table if not exists meta.published_slice_parts (
            feed varchar not null,
            slice varchar not null,
            part varchar not null,
            row_count bigint not null,
            part_value decimal(38, 2),
            has_total boolean,
            primary key (feed, slice, part)
        );
        -- file versions an operator accepted although they shrink what is published
        create table if not exists meta.accepted_revisions (
            feed varchar not null,
            sha256 varchar not null,
            source_file varchar not null,
            accepted_at timestamp not null,
            primary key (feed, sha256)
        );
    """)


def _figures_sql(guard: RevisionGuard) -> str:
    value = f"({guard.value_sql})::decimal(38, 2)" if guard.value_sql else "null::decimal(38, 2)"
    total = f"bool_or({guard.total_row_sql})" if guard.total_row_sql else "null::boolean"
    return f"count(*) as row_count, {value} as slice_value, {total} as has_total"


def _part_sql(guard: RevisionGuard) -> str:
    return f"coalesce(({guard.part_sql})::varchar, '')"


def record_published(
    con: duckdb.DuckDBPyConnection, feed: str, guard: RevisionGuard, keys: list[str]
) -> None:
    """Keep the figures of the slices being published (inside the publishing transaction)."""
    con.execute(
        f"""
        insert or replace into meta.published_slice_figures
        select ?, _slice, {_figures_sql(guard)}
        from feed_typed where list_contains(?, _partition_key) group by _slice
    """,
        [feed, keys],
    )
    if not guard.part_sql:
        return
    # A part the new version no longer has must not be judged again: the slice's parts are replaced.
    con.execute(
        """
        delete from meta.published_slice_parts where feed = $feed and slice in (
            select slice from meta.published_slices
            where feed = $feed and list_contains($keys, partition_key)
            union all
            select _slice from feed_typed where list_contains($keys, _partition_key)
        )
    """,
        {"feed": feed, "keys": keys},
    )
    con.execute(
        f"""
        insert into meta.published_slice_parts
        select $feed, _slice, {_part_sql(guard)} as part, {_figures_sql(guard)}
        from feed_typed where list_contains($keys, _partition_key) group by _slice, part
    """,
        {"feed": feed, "keys": keys},
    )


def _figures(guard: RevisionGuard, rows_count: int, value, total) -> str:
    text = f"{rows_count:,} rows"
    if value is not None:
        text += f", {guard.value_label} {value:,.2f}"
    if total is not None:
        text += ", with its total row" if total else ", WITHOUT a total row"
    return text


def held_revisions(
    con: duckdb.DuckDBPyConnection,
    feed: str,
    guard: RevisionGuard,
    slices: list[tuple],
    previous: dict[str, tuple[str, int]] | None = None,
) -> dict[str, list[LoadIssue]]:
    """Issues of the slices about to be published, (partition, slice, file, sha256) staged in the
    temp table feed_typed, that must not replace what is published. A slice with no staged rows
    (an empty export) is judged too. A slice never published is judged against `previous`
    ({slice: (file, rows)}): the largest version landed before this one, by its rows only (its
    other figures are not known until it is read)."""
    issues: dict[str, list[LoadIssue]] = {}
    if guard.consistency_sql:
        accepted = {
            file
            for (file,) in con.execute(
                """
            select distinct t._source_file from feed_typed as t
            join meta.accepted_revisions as a on a.feed = ? and a.sha256 = t._file_sha256
        """,
                [feed],
            ).fetchall()
        }
        rows = con.execute(guard.consistency_sql).fetchall()
        for key, file, row, column, message, value in rows:
            if file in accepted:
                continue
            message += f"; if the file is right as it is: python -m ingest.revisions accept {feed} {file}"
            issues.setdefault(key, []).append(
                LoadIssue(file, row, column, "inconsistent_slice", message, value)
            )
    share = max_shrink()
    publishing = [{"partition_key": k, "slice": s, "source_file": f, "sha256": h} for k, s, f, h in slices]
    if not publishing:
        return issues
    rows = con.execute(
        f"""
        with publishing as (
            select unnest($publishing, recursive := true)
        ),
        staged as (
            select _slice, {_figures_sql(guard)}
            from feed_typed where _slice in (select slice from publishing)
            group by all
        ),
        new as (
            select p.partition_key, p.slice, p.source_file, p.sha256,
                coalesce(s.row_count, 0) as row_count, s.slice_value, s.has_total
            from publishing as p left join staged as s on s._slice = p.slice
        )
        select new.partition_key, new.slice, new.source_file,
            new.row_count, new.slice_value, new.has_total,
            old.row_count, old.slice_value, old.has_total, published.source_file
        from new
        join meta.published_slice_figures as old on old.feed = $feed and old.slice = new.slice
        join meta.published_slices as published on published.feed = $feed and published.slice = new.slice
        left join meta.accepted_revisions as accepted
            on accepted.feed = $feed and accepted.sha256 = new.sha256
        where accepted.sha256 is null and published.sha256 <> new.sha256 and (
            (old.has_total and not coalesce(new.has_total, false))
            or new.row_count < old.row_count * (1 - $share)
            or coalesce(new.slice_value < old.slice_value * (1 - $share), false)
        )
        order by all
    """,
        {"publishing": publishing, "feed": feed, "share": share},
    ).fetchall()
    for (
        key,
        slice_key,
        file,
        rows_new,
        value_new,
        total_new,
        rows_old,
        value_old,
        total_old,
        old_file,
    ) in rows:
        message = (
            f"held back, looks like a partial file: slice {slice_key} has "
            f"{_figures(guard, rows_new, value_new, total_new)} in {Path(file).name}, but the published "
            f"version from {Path(old_file).name} has {_figures(guard, rows_old, value_old, total_old)} "
            f"(more than {share:.0%} less, or its total row dropped). If the new figures are right: "
            f"python -m ingest.revisions accept {feed} {file}"
        )
        issues.setdefault(key, []).append(LoadIssue(file, None, None, "revision_held", message))
    if guard.part_sql:
        # A slice held as a whole is not held again for each of its parts: one message says why.
        held_whole = {row[1] for row in rows}
        for key, found in _held_parts(con, feed, guard, publishing, share, held_whole).items():
            issues.setdefault(key, []).extend(found)
    if previous:
        issues_of_unpublished = _held_against_previous(con, feed, slices, previous, share)
        for key, found in issues_of_unpublished.items():
            issues.setdefault(key, []).extend(found)
    return issues


def _held_parts(
    con: duckdb.DuckDBPyConnection,
    feed: str,
    guard: RevisionGuard,
    publishing: list[dict],
    share: float,
    held_whole: set[str],
) -> dict[str, list[LoadIssue]]:
    """held_revisions' rules for each part of a published slice (RevisionGuard.part_sql): a part the
    new version lacks has no rows and no total row."""
    no_total = "false" if guard.total_row_sql else "null::boolean"
    rows = con.execute(
        f"""
        with publishing as (
            select unnest($publishing, recursive := true)
        ),
        staged as (
            select _slice, {_part_sql(guard)} as part, {_figures_sql(guard)}
            from feed_typed where _slice in (select slice from publishing)
            group by all
        )
        select p.partition_key, p.slice, old.part, p.source_file,
            coalesce(new.row_count, 0), new.slice_value, coalesce(new.has_total, {no_total}),
            old.row_count, old.part_value, old.has_total, published.source_file
        from publishing as p
        join meta.published_slice_parts as old on old.feed = $feed and old.slice = p.slice
        join meta.published_slices as published on published.feed = $feed and published.slice = p.slice
        left join staged as new on new._slice = p.slice and new.part = old.part
        left join meta.accepted_revisions as accepted
            on accepted.feed = $feed and accepted.sha256 = p.sha256
        where accepted.sha256 is null and published.sha256 <> p.sha256 and (
            (old.has_total and not coalesce(new.has_total, false))
            -- a part gone whole; not one with fewer rows: a flow's lines are few (a revision that
            -- moves a value from one line to another drops a third of a flow of three rows)
            or (coalesce(new.row_count, 0) = 0 and old.row_count > 0)
            or coalesce(new.slice_value < old.part_value * (1 - $share), false)
        )
        order by all
    """,
        {"publishing": publishing, "feed": feed, "share": share},
    ).fetchall()
    issues: dict[str, list[LoadIssue]] = {}
    for key, slice_key, part, file, *figures, old_file in rows:
        if slice_key in held_whole:
            continue
        rows_new, value_new, total_new, rows_old, value_old, total_old = figures
        message = (
            f"held back, looks like a partial file: slice {slice_key}, {guard.part_label} "
            f"{part or '(none)'}, has {_figures(guard, rows_new, value_new, total_new)} in "
            f"{Path(file).name}, but the published version from {Path(old_file).name} has "
            f"{_figures(guard, rows_old, value_old, total_old)} for that {guard.part_label} (more than "
            f"{share:.0%} less, or its total row dropped). If the new figures are right: "
            f"python -m ingest.revisions accept {feed} {file}"
        )
        issues.setdefault(key, []).append(LoadIssue(file, None, None, "revision_held", message))
    return issues


def _held_against_previous(
    con: duckdb.DuckDBPyConnection,
    feed: str,
    slices: list[tuple],
    previous: dict[str, tuple[str, int]],
    share: float,
) -> dict[str, list[LoadIssue]]:
    """held_revisions for the slices never published: their staged rows against the rows of the
    largest version landed before (`previous`), unless the new version was accepted."""
    staged = dict(
        con.execute(
            "select _slice, count(*) from feed_typed where list_contains(?, _slice) group by 1",
            [list(previous)],
        ).fetchall()
    )
    accepted = {
        sha
        for (sha,) in con.execute(
            "select sha256 from meta.accepted_revisions where feed = ?", [feed]
        ).fetchall()
    }
    issues: dict[str, list[LoadIssue]] = {}
    for key, slice_key, file, sha in slices:
        if slice_key not in previous or sha in accepted:
            continue
        old_file, rows_old = previous[slice_key]
        rows_new = staged.get(slice_key, 0)
        if rows_new < rows_old * (1 - share):
            message = (
                f"held back, looks like a partial file: slice {slice_key} has {rows_new:,} rows in "
                f"{Path(file).name}, but {Path(old_file).name}, landed before it and not published, has "
                f"{rows_old:,} rows (more than {share:.0%} less); neither is published. If the new "
                f"figures are right: python -m ingest.revisions accept {feed} {file}; if not, remove it"
            )
            issues.setdefault(key, []).append(LoadIssue(file, None, None, "revision_held", message))
    return issues


def accept(con: duckdb.DuckDBPyConnection, feed: str, path: Path) -> str:
    """Accept the file version now at `path` for `feed`, whatever its figures."""
    from ingest.landing import inspect

    ensure_tables(con)
    inspection = inspect(path)
    if inspection.sha256 is None:
        raise FileNotFoundError(f"{path}: {inspection.problem}")
    con.execute(
        "insert or replace into meta.accepted_revisions values (?, ?, ?, ?)",
        [feed, inspection.sha256, str(path), utc_now()],
    )
    return inspection.sha256


def main(argv: list[str] | None = None) -> int:
    from ingest.duck import connect
    from ingest.privacy import stop_if_paths_hold_an_iin
    from ingest.settings import WarehousePaths

    parser = argparse.ArgumentParser(
        prog="python -m ingest.revisions",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    accepting = commands.add_parser("accept", help="accept a held revision on purpose")
    accepting.add_argument("feed", help="e.g. comtrade_records")
    accepting.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    paths = WarehousePaths.from_env()
    stop_if_paths_hold_an_iin(paths)
    con = connect(paths.warehouse_db)
    try:
        for path in args.files:
            sha = accept(con, args.feed, path.resolve())
            print(f"accepted {path} ({sha[:12]}) for {args.feed}; it is published at the next load")
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
