{#-
    Fails for every combination of `combination_of_columns` that occurs more than once
    (dbt_utils.unique_combination_of_columns without the package). Rows where any key column is
    null are counted as their own combination, like a composite primary key would reject them.

    With `new_rows_column` (macros/tested_rows.sql), only the combinations of the rows not tested
    yet are counted, over the whole table.

    usage:
      data_tests:
        - unique_combination:
            arguments:
              combination_of_columns: [reporter_code, period]
              new_rows_column: _loaded_at  # optional
-#}
{% test unique_combination(model, combination_of_columns, new_rows_column=none) %}
{%- set scope = rows_not_yet_tested(model, 'new_rows.' ~ new_rows_column) | trim if new_rows_column else 'true' %}

with validation as (
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as n_rows
    {%- if scope == 'true' %}
    from {{ model }}
    {%- else %}
    from {{ model }} as tested_rows
    where exists (
        select 1
        from {{ model }} as new_rows
        where
            {{ scope }}
            {%- for column in combination_of_columns %}
            and new_rows.{{ column }} is not distinct from tested_rows.{{ column }}
            {%- endfor %}
    )
    {%- endif %}
    group by {{ combination_of_columns | join(', ') }}
)

select *
from validation
where n_rows > 1

{% endtest %}
