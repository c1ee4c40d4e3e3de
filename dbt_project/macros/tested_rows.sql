{#-
    Data tests that grow with the new rows, not with the history (issue 10, point 4). A test given
    `new_rows_column` (each row's load time, or the time dbt built it) checks the rows whose time
    is after the start of the last run in which every such test of the same table passed; a
    uniqueness test counts their keys over the whole table, so a new key that repeats an old one
    still fails. The rows before that time passed those tests then, and a run whose test failed or
    did not run records nothing, so the next one checks its rows again.

    That is exact while a row's time is not moved back and a writer commits rows only before dbt
    opens the warehouse (DuckDB allows one writing process): a row committed after a run's tests
    were loaded or built after that run started. A record holds for the tests and the table's code
    it was made with (tested_rows_fingerprint): a test added or given other arguments, or the
    model's SQL changed, checks every row again (not a change to the SQL of a generic test in
    tests/generic/, which the graph does not hold: run once with test_every_row after one).
    Every row is checked with --full-refresh or `--vars '{test_every_row: true}'`, before any run
    has passed, and on Spark (no record there);
    a run on empty or sampled inputs (--empty, --sample) records nothing.
    The record: meta.dbt_tested_rows (relation_name, tested_through, fingerprint), written by
    on-run-end.
-#}

{#-
    The where condition of the rows a test checks: `true` for every row (then the test runs as it
    would without new_rows_column). Asked of the record when the test is compiled.
-#}
{% macro rows_not_yet_tested(model, new_rows_column) -%}
    {%- set ns = namespace(through=none) -%}
    {%- set relation_name = model.schema ~ '.' ~ model.identifier -%}
    {%- if execute and target.type == 'duckdb' and not flags.FULL_REFRESH and not var('test_every_row', false)
        and adapter.get_relation(database=target.database, schema='meta', identifier='dbt_tested_rows') -%}
        {%- set found = run_query(
            "select max(tested_through) from meta.dbt_tested_rows where relation_name = '"
            ~ relation_name ~ "' and fingerprint = '" ~ tested_rows_fingerprint(relation_name) ~ "'"
        ) -%}
        {%- set ns.through = found.columns[0].values()[0] -%}
        {#- a table not yet rebuilt since its model gained the column (a `dbt test` first) #}
        {%- if ns.through is not none and new_rows_column | lower not in (
            adapter.get_columns_in_relation(model) | map(attribute='name') | map('lower') | list) -%}
            {%- set ns.through = none -%}
        {%- endif -%}
    {%- endif -%}
    {%- if ns.through is none -%}
        true
    {%- else -%}
        {{ new_rows_column }} > timestamp '{{ ns.through }}'
    {%- endif -%}
{%- endmacro %}

{#- The tests given new_rows_column of the table `relation_name` (schema.name): their nodes. -#}
{% macro tests_of_new_rows(relation_name) -%}
    {%- set tests = [] -%}
    {%- for test in graph.nodes.values()
        if test.resource_type == 'test' and test.attached_node in graph.nodes
        and 'new_rows_column' in (test.test_metadata or {}).get('kwargs', {}) -%}
        {%- set table = graph.nodes[test.attached_node] -%}
        {%- if table.schema ~ '.' ~ table.alias == relation_name -%}
            {%- do tests.append(test) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(tests | sort(attribute='unique_id')) }}
{%- endmacro %}

{#-
    What a record holds for: the table's model (its SQL's checksum) and its tests given
    new_rows_column (their ids and arguments).
-#}
{% macro tested_rows_fingerprint(relation_name) -%}
    {%- set parts = [] -%}
    {%- for test in tests_of_new_rows(relation_name) -%}
        {%- set table = graph.nodes[test.attached_node] -%}
        {%- do parts.append(table.unique_id ~ ':' ~ table.checksum.checksum) -%}
        {%- do parts.append(test.unique_id ~ ':' ~ tojson(test.test_metadata.kwargs, sort_keys=true)) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | unique | join('|'))) }}
{%- endmacro %}

{#- on-run-start: the record's table (DuckDB only). -#}
{% macro create_tested_rows_record() -%}
    {%- if target.type == 'duckdb' -%}
        create schema if not exists meta;
        create table if not exists meta.dbt_tested_rows (
            relation_name varchar primary key,
            tested_through timestamp not null,
            fingerprint varchar not null
        );
    {%- endif -%}
{%- endmacro %}

{#-
    on-run-end: for each table with tests given `new_rows_column`, the start of this run when
    every one of them ran in it and passed (not on empty or sampled inputs).
-#}
{% macro record_tested_rows(results) -%}
    {%- if execute and target.type == 'duckdb' and not (flags.EMPTY or flags.SAMPLE) -%}
        {%- set passed = [] -%}
        {%- for result in results if result.node.resource_type == 'test' and result.status == 'pass' -%}
            {%- do passed.append(result.node.unique_id) -%}
        {%- endfor -%}
        {%- set relations = [] -%}
        {%- for test in graph.nodes.values()
            if test.resource_type == 'test' and test.attached_node in graph.nodes
            and 'new_rows_column' in (test.test_metadata or {}).get('kwargs', {}) -%}
            {%- set table = graph.nodes[test.attached_node] -%}
            {%- do relations.append(table.schema ~ '.' ~ table.alias) -%}
        {%- endfor -%}
        {%- for relation_name in relations | unique
            if tests_of_new_rows(relation_name) | map(attribute='unique_id') | reject('in', passed) | list | length == 0 %}
        insert or replace into meta.dbt_tested_rows
        values (
            '{{ relation_name }}',
            timestamp '{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}',
            '{{ tested_rows_fingerprint(relation_name) }}'
        );
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- The time dbt built a row: the start of the run, as the tests of new_rows_column compare it. -#}
{% macro built_at() -%}
    {{ dbt.cast("'" ~ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") ~ "'", dbt.type_timestamp()) }}
{%- endmacro %}
