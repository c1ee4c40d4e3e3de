{#-
    Statistical disclosure control for the Digital Family Map marts: a count of fewer than
    var('family_min_cell') (10) families, but not zero, is published as null; `is_small` is the
    same test, for the row's flag column. (Zero is published: it describes no family.)
-#}
{% macro suppress_small(count_expr) -%}
    case when {{ count_expr }} between 1 and {{ var('family_min_cell') }} - 1 then null else {{ count_expr }} end
{%- endmacro %}

{% macro is_small(count_expr) -%}
    ({{ count_expr }} between 1 and {{ var('family_min_cell') }} - 1)
{%- endmacro %}

{#- The region of a row of `group by grouping sets ((..., region), (...))`: 'KZ' on the national
    rows only; a row whose region is unknown keeps a null region, never the national key. -#}
{% macro region_or_country(column) -%}
    case when grouping({{ column }}) = 1 then 'KZ' else {{ column }} end
{%- endmacro %}
