{#-
    On Spark (WAREHOUSE_ENGINE=spark) the sources raw.* and ref.* are the Parquet lake that the
    loads write (ingest/lake.py): WAREHOUSE_DIR/lake/<schema>/<table>/, one folder per partition.
    Run by on-run-start (dbt_project.yml): every source table of the project is declared again as an
    external Parquet table over its folder, read recursively (recursiveFileLookup: no partition
    column is inferred from the folder names, so a table has exactly the warehouse's columns and
    types, as the files hold them). Dropped and created on every run rather than `if not exists`:
    an external table's schema is taken from the files when it is created, so a column added to a
    feed reaches Spark on the next run, and a dropped external table leaves its files alone. The
    file listing is the one of that moment (a partition published during a run is seen by the next).
    Every source must have been published once (a missing folder fails the run at its table).
    Other adapters: nothing (DuckDB reads raw.* and ref.* in the warehouse file itself).
-#}
{% macro register_lake_sources() -%}
    {{ return(adapter.dispatch('register_lake_sources')()) }}
{%- endmacro %}

{% macro default__register_lake_sources() -%}
{%- endmacro %}

{% macro spark__register_lake_sources() -%}
    {%- if execute -%}
        {%- set lake = env_var('WAREHOUSE_LAKE_DIR', env_var('WAREHOUSE_DIR', '../warehouse') ~ '/lake') -%}
        {%- set schemas = [] -%}
        {%- for node in graph.sources.values() | sort(attribute='unique_id') -%}
            {%- if node.schema not in schemas -%}
                {%- do run_query('create database if not exists ' ~ node.schema) -%}
                {%- do schemas.append(node.schema) -%}
            {%- endif -%}
            {%- set relation = node.schema ~ '.' ~ node.identifier -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- do run_query(
                'create table ' ~ relation ~ ' using parquet'
                ~ " options (recursiveFileLookup 'true')"
                ~ " location '" ~ lake ~ '/' ~ node.schema ~ '/' ~ node.identifier ~ "'"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
