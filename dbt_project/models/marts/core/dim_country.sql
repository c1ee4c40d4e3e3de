-- One row per UN M49 / Comtrade country or area code, with ISO codes and the KZ/TJ pair flag.
with countries as (
    select * from {{ ref('stg_ref__country_codes') }}
)

select
    m49_code,
    iso_alpha2,
    iso_alpha3,
    country_name,
    is_area,
    coalesce(m49_code in ({{ var('kz_m49_code') }}, {{ var('tj_m49_code') }}), false) as is_kz_tj_pair
from countries
