-- One row per UN M49 / Comtrade country or area code.
with source as (
    select * from {{ source('ref', 'country_codes') }}
)

select
    m49_code,
    iso_alpha2,
    iso_alpha3,
    country_name,
    coalesce(is_area, false) as is_area
from source
