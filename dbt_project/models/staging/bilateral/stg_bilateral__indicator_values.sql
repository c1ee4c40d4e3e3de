-- One row per measured value of a commitment's indicator (source raw.bilateral_indicator_values):
-- the indicators other than trade turnover, which comes from the trade marts.
with source as (
    select * from {{ source('raw', 'bilateral_indicator_values') }}
)

select
    {{ dbt.cast('commitment_id', dbt.type_string()) }} as commitment_id,
    {{ dbt.cast('date', 'date') }} as measured_date,
    indicator,
    {{ dbt.cast('value', 'double') }} as measured_value,
    source_url,
    note,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at
from source
