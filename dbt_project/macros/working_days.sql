{#-
    Working-day arithmetic for the appeals models. Working days are counted in exactly one place,
    the model int_working_days (working_day_index = number of working days from 2015-01-01 up to and
    including the date, from ref.kz_working_calendar); these macros only join to it and subtract
    indexes, so every model applies the same convention:

      working days from date a to date b = index(b) - index(a)
        (the day of a is not counted, the day of b is when it is a working day; same day = 0;
         a Saturday registration answered on Monday = 1)
      n working days after date a = the working date whose index is index(a) + n
        (int_working_days.deadline_date for n = var appeals_deadline_working_days)

    usage:
      from appeals
      {{ working_day_join('start_wd', 'appeals.start_date') }}
      {{ working_day_join('answer_wd', 'appeals.answered_date') }}
      select {{ working_days_between('start_wd', 'answer_wd') }} as working_days_to_answer
-#}

{# left join of int_working_days as `alias` on the date of `date_expr` (date or timestamp). #}
{% macro working_day_join(alias, date_expr) -%}
    left join {{ ref('int_working_days') }} as {{ alias }}
        on {{ alias }}.calendar_date = {{ dbt.cast(date_expr, 'date') }}
{%- endmacro %}

{# Working days from the date joined as start_alias to the date joined as end_alias. #}
{% macro working_days_between(start_alias, end_alias) -%}
    ({{ end_alias }}.working_day_index - {{ start_alias }}.working_day_index)
{%- endmacro %}

{#-
    A query of one text, `version`, that changes whenever a date's working-day flag or its deadline
    in int_working_days does (the calendar is a reference table, reloaded from the `holidays`
    package; the deadline follows var appeals_deadline_working_days). A model that keeps
    working-day figures across incremental runs stores it on its rows, and rebuilds every row when
    it differs (appeals_watermarks).
-#}
{% macro working_calendar_version() -%}
    select
        md5({{ ordered_string_agg(
            dbt.concat([
                dbt.cast('calendar_date', dbt.type_string()),
                "case when is_working_day then ':1:' else ':0:' end",
                "coalesce(" ~ dbt.cast('deadline_date', dbt.type_string()) ~ ", '')"
            ]),
            "','",
            ['calendar_date']
        ) }}) as version
    from {{ ref('int_working_days') }}
{%- endmacro %}
