"""Stand-ins for dbt's cross-database macros (the `dbt.` namespace) so that sqlfluff's jinja
templater can render the models without a dbt project or database. They return DuckDB-flavoured
SQL close to what dbt-duckdb renders; dbt itself never imports this file.

Configured in pyproject.toml: [tool.sqlfluff.templater.jinja] library_path.
"""


def cast(field, type_):
    return f"cast({field} as {type_})"


def safe_cast(field, type_):
    return f"try_cast({field} as {type_})"


def concat(fields):
    return " || ".join(str(f) for f in fields)


def right(string_text, length_expression):
    return f"right({string_text}, {length_expression})"


def hash(field):  # noqa: A001 - mirrors dbt.hash
    return f"md5(cast({field} as varchar))"


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"date_add({from_date_or_timestamp}, cast({interval} as bigint) * interval 1 {datepart})"


def datediff(first_date, second_date, datepart):
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"


def last_day(date, datepart):
    return f"last_day({date})"


def type_string():
    return "varchar"


def type_int():
    return "integer"


def type_bigint():
    return "bigint"


def type_float():
    return "double"


def type_numeric():
    return "numeric(28, 6)"


def type_timestamp():
    return "timestamp"


def type_boolean():
    return "boolean"


def generate_series(upper_bound):
    return f"select generated_number from range(1, {upper_bound} + 1) as t (generated_number)"


def array_construct(inputs=(), data_type="integer"):
    return f"cast([{', '.join(inputs)}] as {data_type}[])"
