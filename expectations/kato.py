"""KATO codes that exist, as an expectation run inside DuckDB."""

from expectations.runner import ExpectationSpec, unexpected_rows
from ingest.reference import KATO_FILE


def known_kato(column: str) -> ExpectationSpec:
    """An anti-join of `column` with the bundled KATO classifier (16,000 codes). As a value set
    that many codes cost Great Expectations seconds per run (it copies the set through pydantic
    many times) and make a query of 16,000 literals; the join costs DuckDB milliseconds."""
    path = str(KATO_FILE).replace("'", "''")
    return unexpected_rows(
        f"""select _source_file, _source_row, "{column}" from {{batch}}
        where "{column}" is not null and "{column}" not in (
            select code from read_csv('{path}', delim = ';', header = true, all_varchar = true))""",
        column=column,
        message="KATO code does not exist",
        check="known_kato_code",
    )
