{#-
    A table's checks in one test (one dbt node, one Dagster check per table instead of one per
    column and kind: each dbt test costs ~25 ms of dbt's own work and a Dagster event, whatever
    its table's size, ~7 s of a fresh build's ~270 tests before they were merged):

    - not_null: the columns hold no null;
    - accepted_values: the columns hold only their accepted values (nulls pass there, as in dbt's
      accepted_values);
    - expressions: a condition each row meets (a row where it is null passes, as dbt's
      accepted_values [true] let it); `{where: ..., expression: ...}` checks only the rows the
      `where` condition selects (as a test's `where` config does);
    - unique: each entry a column, unique where not null (dbt's unique), or a list of columns, a
      key whose combinations occur once (a null counts as a value, as a composite primary key
      would reject it; dbt_utils.unique_combination_of_columns);
    - references: each column's non-null values are values of `field` in the model `to` (dbt's
      relationships).

    Fails with one row per problem: the column (the columns of a key, the condition of an
    expression), the failure ('null', 'not accepted', 'false', 'duplicate', 'not in <to>.<field>'),
    the value (as a string; null for a null or an expression) and its number of rows.

    Numbers (and booleans) are compared as they are, every other value as a quoted string (what
    dbt's accepted_values did with `quote: false` for numbers and its default otherwise); column
    names are not quoted (as there). The nulls are counted in one scan for all the columns.
    Cross-database SQL (count(case ...), union all, cross join, concat_ws, dbt.type_string,
    dbt.escape_single_quotes: '' on DuckDB, \' on Spark), for DuckDB and Spark.

    With `new_rows_column` (macros/tested_rows.sql), only the rows not tested yet are checked; a
    key's new rows are counted with the rows of the whole table that share their key; references
    read every row (the model referred to can change without the table).

    The models referred to are the test's parents too: dbt builds them first, and under
    `--indirect-selection cautious` the test (every check of its table) runs only when they are
    selected as well.

    usage (model, seed or source table level; at least one argument but new_rows_column):
      data_tests:
        - column_values:
            name: column_values_fct_trade_flows
            arguments:
              not_null: [reporter_code, period]
              accepted_values:
                flow_code: ['M', 'X']
                aggr_level: [2, 4, 6]
              expressions:
                - trade_value_usd >= 0
                - {where: "flow_code = 'M'", expression: "partner_code is not null"}
              unique: [trade_flow_id, [reporter_code, partner_code, period]]
              references:
                reporter_code: {to: dim_country, field: m49_code}
              new_rows_column: _loaded_at  # optional
-#}
{% test column_values(
    model, not_null=none, accepted_values=none, expressions=none, unique=none, references=none,
    new_rows_column=none
) %}
{%- set scope = rows_not_yet_tested(model, new_rows_column) | trim if new_rows_column else 'true' %}
{#- (rows_not_yet_tested gives "<new_rows_column> > timestamp '...'" or true) -#}
{%- set key_scope = 'true' if scope == 'true' else 'new_rows.' ~ scope %}
{%- set tested_rows = '(select * from ' ~ model ~ ' where ' ~ scope ~ ') as tested_rows' %}
{%- set branches = [] %}

{% if not (not_null or accepted_values or expressions or unique or references) %}
    {{ exceptions.raise_compiler_error("column_values on " ~ model ~ ": no check given") }}
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
        {% do branches.append(1) %}
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
    {% endif %}
    {% for column_name, values in (accepted_values or {}).items() %}
        {% if branches %}union all{% endif %}
        {% do branches.append(1) %}
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
    {% endfor %}
    {% for check in expressions or [] %}
        {%- set condition = check.expression if check is mapping else check %}
        {%- set where = check.get('where', 'true') if check is mapping else 'true' %}
        {% if branches %}union all{% endif %}
        {% do branches.append(1) %}
        select
            '{{ dbt.escape_single_quotes(condition) }}' as column_name,
            'false' as failure,
            cast(null as {{ dbt.type_string() }}) as value,
            count(*) as n_records
        from {{ tested_rows }}
        where ({{ where }}) and not coalesce(({{ condition }}), true)
    {% endfor %}
    {% for key in unique or [] %}
        {#- a column (nulls left out, as dbt's unique) or a list of columns (a null is a value) -#}
        {%- set columns = [key] if key is string else key %}
        {% if branches %}union all{% endif %}
        {% do branches.append(1) %}
        select
            '{{ columns | join(", ") }}' as column_name,
            'duplicate' as failure,
            concat_ws(', '
                {%- for column in columns %}, coalesce(cast({{ column }} as {{ dbt.type_string() }}), 'null'){% endfor -%}
            ) as value,
            count(*) as n_records
        from (select * from {{ model }}) as tested_rows
        where
            {%- if key is string %}
            {{ key }} is not null and
            {%- endif %}
            {%- if key_scope == 'true' %}
            true
            {%- else %}
            exists (
                select 1
                from (select * from {{ model }}) as new_rows
                where
                    {{ key_scope }}
                    {%- for column in columns %}
                    and new_rows.{{ column }} is not distinct from tested_rows.{{ column }}
                    {%- endfor %}
            )
            {%- endif %}
        group by {{ columns | join(', ') }}
        having count(*) > 1
    {% endfor %}
    {% for column_name, target in (references or {}).items() %}
        {% if branches %}union all{% endif %}
        {% do branches.append(1) %}
        select
            '{{ column_name }}' as column_name,
            'not in {{ target.to }}.{{ target.field }}' as failure,
            cast(tested_rows.{{ column_name }} as {{ dbt.type_string() }}) as value,
            count(*) as n_records
        from (select * from {{ model }}) as tested_rows
        left join {{ ref(target.to) }} as referenced
            on tested_rows.{{ column_name }} = referenced.{{ target.field }}
        where tested_rows.{{ column_name }} is not null and referenced.{{ target.field }} is null
        group by tested_rows.{{ column_name }}
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
