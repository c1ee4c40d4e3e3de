{#-
    Fails for every combination of `combination_of_columns` that occurs more than once
    (dbt_utils.unique_combination_of_columns without the package). Rows where any key column is
    null are counted as their own combination, like a composite primary key would reject them.

    usage:
      data_tests:
        - unique_combination:
            arguments:
              combination_of_columns: [reporter_code, period]
-#}
{% test unique_combination(model, combination_of_columns) %}

with validation as (
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
)

select *
from validation
where n_rows > 1

{% endtest %}
