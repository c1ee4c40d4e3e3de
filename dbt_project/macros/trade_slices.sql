{#-
    Incremental runs of a mart built on fct_trade_flows slice by slice (a Comtrade slice: reporter,
    frequency, period), on DuckDB; on Spark, whose Parquet tables take no delete, the mart is a
    table and is_incremental() is false.

    A run rebuilds the slices whose rows in fct_trade_flows changed since the mart last read them,
    found without a watermark: every row of a slice comes from one load (int_trade__plain_rows
    keeps the latest), and the mart keeps that load's _loaded_at on each row, so a slice changed
    when its load time in the mart differs from its load time in the fact: a new slice, a slice
    loaded again, or a slice gone (deleted upstream, or left without any row the mart keeps). The
    slice a year later is rebuilt too, as its year-on-year columns read this one. Descriptions come
    from dim_commodity, which the records' latest descriptions can change: if a stored row's
    descriptions no longer match, the run rebuilds every slice. A change of the project's code or
    vars still needs --full-refresh, as for every incremental dbt model.
-#}

{#- A slice as one value: reporter|frequency|period. -#}
{% macro trade_slice_key(prefix='') -%}
    cast({{ prefix }}reporter_code as varchar) || '|' || {{ prefix }}freq_code || '|' || {{ prefix }}period
{%- endmacro %}

{#- Slice keys moved by `years` years (same reporter and frequency; YYYYMM + 100 a year, YYYY + 1). -#}
{% macro trade_slice_keys_shifted(keys, years) -%}
    {%- set shifted = [] -%}
    {%- for key in keys -%}
        {%- set reporter, freq, period = key.split('|') -%}
        {%- do shifted.append(
            reporter ~ '|' ~ freq ~ '|' ~ (period | int + years * (100 if freq == 'M' else 1))
        ) -%}
    {%- endfor -%}
    {{ return(shifted) }}
{%- endmacro %}

{#- What rebuilding these slices reads: themselves and the same slices a year earlier (none: all). -#}
{% macro trade_slices_with_previous_year(keys) -%}
    {{ return(none if keys is none else (keys + trade_slice_keys_shifted(keys, -1)) | unique | sort) }}
{%- endmacro %}

{#- The slices of a relation without a row in another: rows of (reporter_code, freq_code, period). -#}
{% macro trade_slices_gone(stored, current) -%}
    select reporter_code, freq_code, period from {{ stored }}
    except
    select reporter_code, freq_code, period from {{ current }}
    where aggr_level in ({{ commodity_mix_aggr_levels() | join(', ') }})
{%- endmacro %}

{#-
    The keys of the slices an incremental run rebuilds (a list of strings), or none for every
    slice. Asked of the database when the model is compiled.
-#}
{% macro trade_slices_to_rebuild() -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return(none) }}
    {%- endif -%}
    {#- a table built before the column existed: every slice -#}
    {%- if '_loaded_at' not in adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set fact, commodities = ref('fct_trade_flows'), ref('dim_commodity') -%}
    {%- set descriptions_changed = run_query(
        "select exists (
            select 1
            from " ~ this ~ " as stored
            left join " ~ commodities ~ " as dim
                on stored.cmd_code = dim.cmd_code
            where
                -- the mart's coalesce(dim, record) is dim's whenever dim has the code: dim keeps a
                -- code's latest non-null description, so it is null only if every record's is
                (dim.cmd_code is not null and stored.cmd_desc is distinct from dim.cmd_desc)
                or stored.chapter_title is distinct from dim.chapter_title
                or stored.section_number is distinct from dim.section_number
                or stored.section_roman is distinct from dim.section_roman
                or stored.section_title is distinct from dim.section_title
        )"
    ).columns[0].values()[0] -%}
    {%- if descriptions_changed -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set changed = run_query(
        "with stored as (
            select reporter_code, freq_code, period, max(_loaded_at) as loaded_at
            from " ~ this ~ "
            group by all
        ),
        current_slices as (
            select reporter_code, freq_code, period, max(_loaded_at) as loaded_at
            from " ~ fact ~ "
            where aggr_level in (" ~ commodity_mix_aggr_levels() | join(', ') ~ ")
            group by all
        ),
        changed as (
            select
                coalesce(stored.reporter_code, current_slices.reporter_code) as reporter_code,
                coalesce(stored.freq_code, current_slices.freq_code) as freq_code,
                coalesce(stored.period, current_slices.period) as period
            from stored
            full outer join current_slices
                on
                    stored.reporter_code = current_slices.reporter_code
                    and stored.freq_code = current_slices.freq_code
                    and stored.period = current_slices.period
            where stored.loaded_at is distinct from current_slices.loaded_at
        )
        select " ~ trade_slice_key() ~ " from changed
        order by 1"
    ).columns[0].values() | list -%}
    {{ return((changed + trade_slice_keys_shifted(changed, 1)) | unique | sort) }}
{%- endmacro %}

{#-
    A predicate on the slice of each row: `true` for every slice (none), else its key in the list;
    the test of the period first lets DuckDB skip the row groups of other periods.
-#}
{% macro trade_slice_in(keys, prefix='') -%}
    {%- if keys is none -%}
        true
    {%- elif keys | length == 0 -%}
        false
    {%- else -%}
        (
            {%- set periods = [] -%}
            {%- for key in keys -%}{%- do periods.append(key.split('|')[2]) -%}{%- endfor %}
            {{ prefix }}period in ({% for period in periods | unique | sort %}'{{ period }}'{{ ', ' if not loop.last }}{% endfor %})
            and ({{ trade_slice_key(prefix) }}) in ({% for key in keys %}'{{ key }}'{{ ', ' if not loop.last }}{% endfor %})
        )
    {%- endif -%}
{%- endmacro %}

{#- The aggregation levels mart_commodity_mix keeps: HS chapters, headings, subheadings. -#}
{% macro commodity_mix_aggr_levels() -%}
    {{ return([2, 4, 6]) }}
{%- endmacro %}

{#-
    Incremental strategy replace_slices: delete the stored rows of the slices the run rebuilt,
    then insert what it built. Those are the slices of the rows built, and the slices with no row
    in fct_trade_flows any more (rebuilt as nothing), so a slice gone upstream leaves the table
    too. The delete runs before the insert, on the fact as it stands (the run writes only the mart).
-#}
{% macro get_incremental_replace_slices_sql(arg_dict) -%}
    delete from {{ arg_dict['target_relation'] }} as stored
    where exists (
        select 1
        from (
            select reporter_code, freq_code, period from {{ arg_dict['temp_relation'] }}
            union
            select * from ({{ trade_slices_gone(arg_dict['target_relation'], ref('fct_trade_flows')) }}) as gone
        ) as rebuilt
        where
            rebuilt.reporter_code = stored.reporter_code
            and rebuilt.freq_code = stored.freq_code
            and rebuilt.period = stored.period
    );
    {{ get_incremental_append_sql(arg_dict) }}
{%- endmacro %}
