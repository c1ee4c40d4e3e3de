-- One row per first-level unit of Kazakhstan (17 oblasts and the 3 cities of republican
-- significance; Abai, Zhetisu and Ulytau since 2022-06-08), keyed by the 2-digit KATO region code.
with regions as (
    select * from {{ ref('stg_ref__kz_regions') }}
),

kato_regions as (
    select
        kato_code,
        name_ru as kato_name_ru
    from {{ ref('stg_ref__kato_units') }}
    where kato_level = 1
)

select
    regions.region_kato_2digit,
    regions.kato_code,
    regions.name_ru,
    regions.name_en,
    regions.iso3166_2,
    regions.region_type,
    regions.created_date,
    kato_regions.kato_name_ru,
    -- The 2022 regions were carved out of these (older appeals may carry the parent's codes).
    case regions.region_kato_2digit
        when '10' then '63'
        when '33' then '19'
        when '62' then '35'
    end as split_from_region_kato_2digit
from regions
left join kato_regions
    on regions.kato_code = kato_regions.kato_code
