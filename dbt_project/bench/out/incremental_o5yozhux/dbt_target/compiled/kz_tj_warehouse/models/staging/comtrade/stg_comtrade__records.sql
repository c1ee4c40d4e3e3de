-- One row per raw Comtrade record: snake_case names, typed period date, normalised flow direction.
with source as (
    select * from "warehouse"."raw"."comtrade_records"
),

renamed as (
    select
        typecode as type_code,
        freqcode as freq_code,
        refperiodid as ref_period_id,
        refyear as ref_year,
        refmonth as ref_month,
        period,
        reportercode as reporter_code,
        reporteriso as reporter_iso,
        reporterdesc as reporter_desc,
        flowcode as flow_code,
        flowdesc as flow_desc,
        partnercode as partner_code,
        partneriso as partner_iso,
        partnerdesc as partner_desc,
        partner2code as partner2_code,
        partner2iso as partner2_iso,
        partner2desc as partner2_desc,
        classificationcode as classification_code,
        classificationsearchcode as classification_search_code,
        isoriginalclassification as is_original_classification,
        cmdcode as cmd_code,
        cmddesc as cmd_desc,
        aggrlevel as aggr_level,
        isleaf as is_leaf,
        customscode as customs_code,
        customsdesc as customs_desc,
        moscode as mos_code,
        motcode as mot_code,
        motdesc as mot_desc,
        qtyunitcode as qty_unit_code,
        qtyunitabbr as qty_unit_abbr,
        qty,
        isqtyestimated as is_qty_estimated,
        altqtyunitcode as alt_qty_unit_code,
        altqtyunitabbr as alt_qty_unit_abbr,
        altqty as alt_qty,
        isaltqtyestimated as is_alt_qty_estimated,
        netwgt as net_weight_kg,
        isnetwgtestimated as is_net_weight_estimated,
        grosswgt as gross_weight_kg,
        isgrosswgtestimated as is_gross_weight_estimated,
        
    cast(cifvalue as numeric(28,6))
 as cif_value_usd,
        
    cast(fobvalue as numeric(28,6))
 as fob_value_usd,
        
    cast(primaryvalue as numeric(28,6))
 as trade_value_usd,
        legacyestimationflag as legacy_estimation_flag,
        isreported as is_reported,
        isaggregate as is_aggregate,
        _source_file,
        _source_row,
        _file_sha256,
        _load_id,
        _loaded_at
    from source
)

select
    *,
    
    cast(case when freq_code = 'M' then substr(period, 1, 4) || '-' || substr(period, 5, 2) || '-01' else substr(period, 1, 4) || '-01-01' end as date)
 as period_date,
    case
        when flow_code in ('X', 'RX') then 'export'
        when flow_code in ('M', 'RM') then 'import'
    end as flow_direction,
    coalesce(flow_code in ('RX', 'RM'), false) as is_re_flow,
    coalesce(
        customs_code = 'C00' and mot_code = 0 and partner2_code = 0, false
    ) as is_plain_row,
    case
        when aggr_level = 0 then 'total'
        when aggr_level = 2 then 'hs_chapter'
        when aggr_level = 4 then 'hs_heading'
        when aggr_level = 6 then 'hs_subheading'
        else 'other'
    end as commodity_level
from renamed