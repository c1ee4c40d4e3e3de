"""The feed_status argument of build_report, from the warehouse's load bookkeeping (meta.loads).

The serving copy holds no meta tables: the caller (the Dagster asset, which has the warehouse open)
reads them with this function and passes the result to build_report. It may then overwrite
check_passed with the results of the Dagster asset checks.
"""

import duckdb

from report.queries import rows

# meta.loads has a row per partition of each load (load_id = '<load>/<partition>'): a load's outcome
# is its worst partition's, and its rows the sum over its partitions.
FEED_STATUS_SQL = """
    with loads as (
        select feed, split_part(load_id, '/', 1) as load, max(finished_at) as finished_at,
            case
                when bool_or(status = 'rejected') then 'rejected'
                when bool_or(status = 'failed') then 'failed'
                when bool_or(status = 'published') then 'published'
                else min(status)
            end as status,
            sum(rows_published) filter (where status = 'published') as rows
        from meta.loads
        group by all
    ),
    latest as (
        select feed, arg_max(status, finished_at) as last_status from loads group by feed
    ),
    published as (
        select feed, max(finished_at) as last_loaded_at, arg_max(rows, finished_at) as rows
        from loads
        where rows is not null
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
        (its worst partition: rejected, failed, published, unchanged), rows those published by the last
    publishing load (all its partitions),
        check_passed False when the last load was rejected by its validation, None when it failed for
        another reason. last_loaded_at is an ISO string (UTC, as meta.loads stores it)."""
    return rows(con, FEED_STATUS_SQL)
