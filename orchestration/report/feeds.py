"""The feed_status argument of build_report, from the warehouse's load bookkeeping (meta.loads).

The serving copy holds no meta tables: the caller (the Dagster asset, which has the warehouse open)
reads them with this function and passes the result to build_report. It may then overwrite
check_passed with the results of the Dagster asset checks.
"""

import duckdb

from orchestration.report.queries import rows

FEED_STATUS_SQL = """
    with latest as (
        select feed, arg_max(status, finished_at) as last_status
        from meta.loads
        group by feed
    ),
    published as (
        select feed, max(finished_at) as last_loaded_at, arg_max(rows_published, finished_at) as rows
        from meta.loads
        where status = 'published'
        group by feed
    )
    select latest.feed, published.last_loaded_at, latest.last_status, published.rows,
        case latest.last_status
            when 'rejected' then false
            when 'failed' then null
            else true
        end as check_passed
    from latest
    left join published using (feed)
    order by latest.feed
"""


def feed_status_from_loads(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """One dict per feed of meta.loads: last_loaded_at is the last load that published data (a
    feed whose loads found nothing new is getting older), last_status the outcome of its last load
    (published, unchanged, rejected, failed), rows those published by the last publishing load,
    check_passed False when the last load was rejected by its validation, None when it failed for
    another reason. last_loaded_at is an ISO string (UTC, as meta.loads stores it)."""
    return rows(con, FEED_STATUS_SQL)
