{#-
    A table's column-level checks in one test (one dbt node, one Dagster check per table instead
    of one per column and kind): the columns of `not_null` hold no null, and the columns of
    `accepted_values` hold only their accepted values (nulls pass there, as in dbt's
    accepted_values). Fails with one row per problem: the column's name, the failure ('null' or
    'not accepted'), the value outside the accepted ones (as a string; null for a null) and its
    number of rows.

    Numbers (and booleans) are compared as they are, every other value as a quoted string (what
    dbt's accepted_values did with `quote: false` for numbers and its default otherwise); column
    names are not quoted (as there). The nulls are counted in one scan for all the columns.
    Cross-database SQL (count(case ...), union all, cross join, dbt.type_string,
    dbt.escape_single_quotes: '' on DuckDB, \' on Spark), for DuckDB and Spark; CI runs the data
    tests on DuckDB.

    With `new_rows_column` (macros/tested_rows.sql), only the rows not tested yet are checked.

    usage (model, seed or source table level; either argument may be left out):
      data_tests:
        - column_values:
            name: column_values_fct_trade_flows
            arguments:
              not_null: [reporter_code, period]
              accepted_values:
                flow_code: ['M', 'X']
                aggr_level: [2, 4, 6]
              new_rows_column: _loaded_at  # optional
-#}
{% test column_values(model, not_null=none, accepted_values=none, new_rows_column=none) %}
{%- set scope = rows_not_yet_tested(model, new_rows_column) | trim if new_rows_column else 'true' %}
{%- set tested_rows = model if scope == 'true' else '(select * from ' ~ model ~ ' where ' ~ scope ~ ') as tested_rows' %}

{% if not (not_null or accepted_values) %}
    {{ exceptions.raise_compiler_error("column_values on " ~ model ~ ": neither not_null nor accepted_values given") }}
{% endif %}

with
{% if not_null %}
null_counts as (
    select
        {% for column_name in not_null %}
            count(case when {{ column_name }} is null then 1 end) as null_rows_{{ loop.index }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from {{ tested_rows }}
),

tested_columns as (
    {% for column_name in not_null %}
        select
            {{ loop.index }} as column_position,
            '{{ column_name }}' as column_name
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

{% endif %}
failures as (
    {% if not_null %}
        select
            tested_columns.column_name,
            'null' as failure,
            cast(null as {{ dbt.type_string() }}) as value,
            case tested_columns.column_position
                {% for column_name in not_null %}
                    when {{ loop.index }} then null_counts.null_rows_{{ loop.index }}
                {% endfor %}
            end as n_records
        from tested_columns
        cross join null_counts
        {% if accepted_values %}union all{% endif %}
    {% endif %}
    {% for column_name, values in (accepted_values or {}).items() %}
        select
            '{{ column_name }}' as column_name,
            'not accepted' as failure,
            cast({{ column_name }} as {{ dbt.type_string() }}) as value,
            count(*) as n_records
        from {{ tested_rows }}
        where
            {{ column_name }} is not null
            and {{ column_name }} not in (
                {%- for value in values -%}
                    {%- if value is none -%}
                        {{ exceptions.raise_compiler_error("column_values on " ~ model ~ ": a null among the accepted values of " ~ column_name ~ " (nulls always pass)") }}
                    {%- elif value is number -%}
                        {{ value }}
                    {%- else -%}
                        '{{ dbt.escape_single_quotes(value | string) }}'
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%}
            )
        group by {{ column_name }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    column_name,
    failure,
    value,
    n_records
from failures
where n_records > 0

{% endtest %}
