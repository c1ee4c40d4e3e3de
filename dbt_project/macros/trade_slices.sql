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
    descriptions no longer match, the run rebuilds every slice. That check reads every stored row
    (0.5 s at 5M rows), so it runs only when dim_commodity's descriptions differ from those the
    mart was last built with (meta.commodity_mix_descriptions, written by the mart's post-hook in
    the run's transaction): after every run the stored rows match the descriptions of that run,
    checked or rebuilt. A change of the project's code or vars still needs --full-refresh, as for
    every incremental dbt model.
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

{#- The columns of dim_commodity that mart_commodity_mix's rows carry. -#}
{% macro commodity_description_columns() -%}
    cmd_code, cmd_desc, chapter_title, section_number, section_roman, section_title
{%- endmacro %}

{#-
    mart_commodity_mix's post-hook (DuckDB): the descriptions it was built with. A table of ~85k
    rows at 5M records.
-#}
{% macro record_commodity_descriptions() -%}
    {%- if target.type == 'duckdb' -%}
    create or replace table meta.commodity_mix_descriptions as
    select {{ commodity_description_columns() }} from {{ ref('dim_commodity') }}
    {%- endif -%}
{%- endmacro %}

{#- True when dim_commodity's descriptions are those recorded by the mart's last run. -#}
{% macro commodity_descriptions_unchanged() -%}
    {%- set recorded = adapter.get_relation(
        database=target.database, schema='meta', identifier='commodity_mix_descriptions'
    ) -%}
    {%- if not recorded -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set columns = commodity_description_columns() -%}
    {%- set differ = run_query(
        "select exists (
            select " ~ columns ~ " from " ~ ref('dim_commodity') ~ "
            except select " ~ columns ~ " from " ~ recorded ~ "
        ) or exists (
            select " ~ columns ~ " from " ~ recorded ~ "
            except select " ~ columns ~ " from " ~ ref('dim_commodity') ~ "
        )"
    ).columns[0].values()[0] -%}
    {{ return(not differ) }}
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
    {%- set descriptions_changed = not commodity_descriptions_unchanged() and run_query(
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
    Incremental strategy replace_slices: delete the stored rows of the slices the run rebuilt, then
    insert what it built. The slices are those the model was compiled for, read back from its
    compiled SQL (trade_slices_rebuilt_marker), not asked again: the materialization may have
    added columns in between (a table built before _loaded_at existed, compiled as "every slice").
    A slice gone upstream is among them (its load time in the fact, none, differs from the mart's),
    rebuilt as nothing, so it leaves the table too; every slice when the run rebuilt every slice.
    A list of constants, not a comparison of the mart's slices with the fact's (two scans of every
    row: 0.3-0.5 s at 5M rows).
-#}
{% macro get_incremental_replace_slices_sql(arg_dict) -%}
    {%- set marker = '-- ' ~ trade_slices_rebuilt_marker() ~ ': ' -%}
    {%- set parts = model.compiled_code.split(marker) -%}
    {%- if parts | length != 2 -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ' uses replace_slices but its SQL does not say once which slices it rebuilt: '
            ~ '{{ trade_slices_rebuilt(slices) }}'
        ) }}
    {%- endif -%}
    delete from {{ arg_dict['target_relation'] }} as stored
    where {{ trade_slice_in(fromjson(parts[1].split('\n')[0]), 'stored.') }};
    {{ get_incremental_append_sql(arg_dict) }}
{%- endmacro %}

{#- The name of the comment line in which a replace_slices model says which slices it rebuilds. -#}
{% macro trade_slices_rebuilt_marker() -%}
    replace_slices rebuilds
{%- endmacro %}

{#- That comment line, for the model's SQL: the slice keys as JSON (null: every slice). -#}
{% macro trade_slices_rebuilt(keys) -%}
    -- {{ trade_slices_rebuilt_marker() }}: {{ tojson(keys) }}
{%- endmacro %}
