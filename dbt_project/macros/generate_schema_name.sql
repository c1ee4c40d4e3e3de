{#-
    Models land in exactly the schema given by +schema (staging, intermediate, marts) instead of
    dbt's default <target_schema>_<custom_schema>. Models without +schema use the target schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
