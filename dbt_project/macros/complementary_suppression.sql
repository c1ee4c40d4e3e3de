{#-
    Secondary (complementary) suppression for the Digital Family Map marts. Primary suppression
    (suppress_small) withholds a cell of 1..9 families; but a total less the published parts of
    it gives a single withheld part back (the country less the regions, a region less its levels).
    So in every group of cells that adds up to a known total, one withheld cell never stands
    alone: when exactly one is withheld, the group's smallest non-zero published cell is withheld
    with it (else a zero one; the total row itself, e.g. 'KZ', only when nothing else is left;
    among equals, one in a row or column that already has a withheld cell, so that fewer cells
    are lost). Bounds are not considered (a withheld cell is at least 1, paid <= accepted...).

    `input` is a relation (CTE) with `columns`, `is_total` (1 on the total row, 'KZ') and the
    boolean `withheld` (the primary rule). Each pass handles one kind of group, e.g.
    [['month', 'level'], ['month', 'region_kato_2digit']]: a column pass (the regions of a level,
    with the country) and then a row pass (the levels of a region); a pass can leave a withheld
    cell alone in a group of the other kind, so the passes repeat `rounds` times (a data test
    checks that no group is left with exactly one: tests/assert_family_no_lone_withheld_cell.sql).
    The last pass is the CTE `name`. Plain window functions (also for Apache Spark).
-#}
{% macro complementary_suppression(input, name, columns, value, groups, tie_break, rounds=3) -%}
    {%- set ns = namespace(previous=input) -%}
    {%- for step in range(rounds * (groups | length)) %}
        {%- set group = groups[step % (groups | length)] | join(', ') -%}
        {%- set other = groups[(step + 1) % (groups | length)] | join(', ') -%}
        {%- set this = name if loop.last else name ~ '_pass' ~ loop.index %}
{{ this }}_counted as (
    select
        {{ columns | join(', ') }},
        is_total,
        withheld,
        sum(case when withheld then 1 else 0 end) over (partition by {{ group }}) as withheld_in_group,
        max(case when withheld then 1 else 0 end) over (partition by {{ other }}) as withheld_beside
    from {{ ns.previous }}
),

{{ this }}_ranked as (
    select
        *,
        row_number() over (
            partition by {{ group }}
            order by
                case when withheld then 1 else 0 end,
                is_total,
                case when {{ value }} = 0 then 1 else 0 end,
                {{ value }},
                withheld_beside desc,
                {{ tie_break }}
        ) as complement_rank
    from {{ this }}_counted
),

{{ this }} as (
    select
        {{ columns | join(', ') }},
        is_total,
        (withheld or (withheld_in_group = 1 and complement_rank = 1)) as withheld
    from {{ this }}_ranked
){{ ',' if not loop.last }}
        {%- set ns.previous = this -%}
    {%- endfor %}
{%- endmacro %}
