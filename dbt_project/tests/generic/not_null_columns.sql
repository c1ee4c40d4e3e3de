{#-
    Fails with one row per column of `column_names` that holds nulls: the column's name and its
    number of null rows. One scan of the table for all the columns (instead of one not_null test,
    one query and one Dagster check per column); cross-database SQL (count(case ...), union all,
    cross join), so it runs on DuckDB and Spark alike.

    usage (model, seed or source table level):
      data_tests:
        - not_null_columns:
            arguments:
              column_names: [reporter_code, period]
-#}
{% test not_null_columns(model, column_names) %}

{% if not column_names %}
    {{ exceptions.raise_compiler_error("not_null_columns on " ~ model ~ ": column_names is empty") }}
{% endif %}

with null_counts as (
    select
        {% for column_name in column_names %}
            count(case when {{ column_name }} is null then 1 end) as null_rows_{{ loop.index }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from {{ model }}
),

tested_columns as (
    {% for column_name in column_names %}
        select
            {{ loop.index }} as column_position,
            '{{ column_name }}' as column_name
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

per_column as (
    select
        tested_columns.column_position,
        tested_columns.column_name,
        case tested_columns.column_position
            {% for column_name in column_names %}
                when {{ loop.index }} then null_counts.null_rows_{{ loop.index }}
            {% endfor %}
        end as null_rows
    from tested_columns
    cross join null_counts
)

select
    column_name,
    null_rows
from per_column
where null_rows > 0

{% endtest %}
