
  
  create view "warehouse"."intermediate"."int_trade__plain_rows__dbt_tmp" as (
    -- Goods records without any breakdown (customs C00, all transport modes, partner2 World), from the
-- latest load of each reporter/freq/period slice, one row per reporter, partner, flow, commodity
-- and period. Breakdown rows are partial views of the same trade and must never be added here.
with records as (
    select * from "warehouse"."staging"."stg_comtrade__records"
    where
        is_plain_row
        and type_code = 'C'
),

latest_load_per_slice as (
    select
        reporter_code,
        freq_code,
        period,
        max(_loaded_at) as latest_loaded_at
    from records
    group by reporter_code, freq_code, period
),

latest_slices as (
    select records.*
    from records
    inner join latest_load_per_slice as latest
        on
            records.reporter_code = latest.reporter_code
            and records.freq_code = latest.freq_code
            and records.period = latest.period
            and records._loaded_at = latest.latest_loaded_at
),

ranked as (
    select
        *,
        row_number() over (
            partition by reporter_code, partner_code, flow_code, freq_code, period, cmd_code
            order by
                case when is_original_classification then 0 else 1 end,
                _source_file desc,
                _source_row desc
        ) as row_rank
    from latest_slices
)

select * from ranked
where row_rank = 1
  );
