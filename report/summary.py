"""What `make warehouse` prints after a build and the serving copy shows in the Dagster UI: a few
figures read from the serving copy (its tables, target progress, land and subsoil)."""

import duckdb
import pandas as pd


def serving_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    return con.execute(
        "select schema_name || '.' || table_name, estimated_size from duckdb_tables() "
        "where table_name <> 'serving_info' order by 1"
    ).fetchall()


def target_progress(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Progress toward each bilateral target, each side's own statistics."""
    return con.execute("""
        select target_name as target, reporting_side as side,
            latest_rolling_12m_label as last_12_months,
            round(latest_rolling_12m_turnover_usd / 1e6, 1) as turnover_musd,
            target_value_musd as target_musd,
            progress_rolling_12m_pct as progress_pct,
            round(gap_rolling_12m_usd / 1e6, 1) as gap_musd,
            required_cagr_pct as growth_needed_pct_per_year,
            deadline_year, trend_target_year as trend_reaches_target_in
        from marts.mart_trade_target_progress order by target_id, reporting_side
    """).df()


def target_progress_markdown(con: duckdb.DuckDBPyConnection) -> str | None:
    """The same as a small table for the UI; None when the mart is not there."""
    try:
        progress = target_progress(con)
    except duckdb.Error:
        return None
    columns = [
        "target",
        "side",
        "last_12_months",
        "turnover_musd",
        "target_musd",
        "progress_pct",
        "growth_needed_pct_per_year",
        "trend_reaches_target_in",
    ]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += [
        "| " + " | ".join("" if pd.isna(v) else str(v) for v in row) + " |"
        for row in progress[columns].itertuples(index=False)
    ]
    return "\n".join(lines)


def land_latest_season(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("""
        with latest as (
            select max(season_seq) as season_seq from marts.mart_land_utilization
            where observed_ha > 0
        )
        select any_value(season_label) as season,
            round(sum(observed_ha) / 1e3, 1) as observed_kha,
            round(sum(unused_ha) / 1e3, 1) as unused_kha,
            round(100 * sum(unused_ha) / nullif(sum(observed_ha), 0), 1) as unused_pct
        from marts.mart_land_utilization join latest using (season_seq)
    """).df()


def subsoil_by_quarter(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Unlicensed workings by quarter detected: the total alone would read as the latest season's."""
    return con.execute("""
        select detection_quarter as quarter,
            count(*) filter (where is_unlicensed) as unlicensed,
            count(*) filter (where compliance_category = 'outside_contour') as outside_contour,
            count(*) filter (where compliance_category = 'after_licence_expiry')
                as after_licence_expiry
        from marts.fct_subsoil_detections group by all order by quarter
    """).df()
