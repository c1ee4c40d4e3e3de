{#-
    Fails with one row per column of `values_by_column` and value outside that column's accepted
    values: the column's name, the value (as a string) and its number of rows. Nulls pass, as in
    dbt's accepted_values. One test, one query and one Dagster check per table instead of one per
    column. Numbers (and booleans) are compared as they are, every other value as a quoted string
    (what dbt's accepted_values did with `quote: false` for numbers and its default otherwise);
    column names are not quoted (as there). Cross-database SQL (dbt.type_string,
    dbt.escape_single_quotes: '' on DuckDB, \' on Spark), for DuckDB and Spark; CI runs the data
    tests on DuckDB.

    usage (model, seed or source table level):
      data_tests:
        - accepted_values_columns:
            arguments:
              values_by_column:
                flow_code: ['M', 'X']
                aggr_level: [2, 4, 6]
-#}
{% test accepted_values_columns(model, values_by_column) %}

{% if not values_by_column %}
    {{ exceptions.raise_compiler_error("accepted_values_columns on " ~ model ~ ": values_by_column is empty") }}
{% endif %}

{% for column_name, values in values_by_column.items() %}
    select
        '{{ column_name }}' as column_name,
        cast({{ column_name }} as {{ dbt.type_string() }}) as value,
        count(*) as n_records
    from {{ model }}
    where
        {{ column_name }} is not null
        and {{ column_name }} not in (
            {%- for value in values -%}
                {%- if value is none -%}
                    {{ exceptions.raise_compiler_error("accepted_values_columns on " ~ model ~ ": a null among the values of " ~ column_name ~ " (nulls always pass)") }}
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

{% endtest %}
