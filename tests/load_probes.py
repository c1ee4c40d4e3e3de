"""Probes of how ingest.feeds stages a load, for tests: which reads it made, and what each window's
`feed_stage` was. Each takes a MonkeyPatch (a test's, or a module fixture's context) and returns a
list that fills as loads run."""

from typing import NamedTuple

from ingest import feeds


def file_reads(patch) -> list[str]:
    """The reads of the loads from now on: a file read on its own (its path), a group ("group")."""
    reads = []
    read_file_once, stage_files = feeds._read_file_once, feeds._stage_files
    patch.setattr(
        feeds,
        "_read_file_once",
        lambda con, feed, file, *a: reads.append(file.path) or read_file_once(con, feed, file, *a),
    )
    patch.setattr(
        feeds,
        "_stage_files",
        lambda con, feed, files, *a: reads.append("group") or stage_files(con, feed, files, *a),
    )
    return reads


class Staged(NamedTuple):
    feed: str
    kind: str  # 'VIEW' or 'LOCAL TEMPORARY' (a table)
    tables: int  # tables of files read on their own held when the window had staged


def staged_as(patch) -> list[Staged]:
    """What each window of the loads from now on staged its rows as."""
    windows = []
    rows_without_place = feeds._rows_without_place

    def record(con, feed, *args):
        kind, tables = con.execute(
            """select table_type, (select count(*) from duckdb_tables()
                where temporary and table_name like 'load_stage_%')
            from information_schema.tables
            where table_catalog = 'temp' and table_name = 'feed_stage'"""
        ).fetchone()
        windows.append(Staged(feed.name, kind, tables))
        return rows_without_place(con, feed, *args)

    patch.setattr(feeds, "_rows_without_place", record)
    return windows
