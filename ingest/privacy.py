"""Citizens' personal data never reaches the warehouse in clear.

Identifiers (the IIN) are replaced, in the very SQL that reads the source file, by a keyed hash:
HMAC-SHA256 with a secret key, so the same person gets the same key (repeat appeals can be
counted) but the IIN cannot be recovered or re-derived without the secret. Free text that may hold
personal data is not read at all (see ingest/eotinish_schema.py).

The key comes from the environment variable APPEALS_HASH_KEY, or from the file named by
APPEALS_HASH_KEY_FILE (default: .secrets/appeals_hash_key, never committed). The bundled demo
(WAREHOUSE_DEMO=1, set by `make warehouse`) uses a fixed demo key; anywhere else a missing key is
an error.
"""

import hashlib
import os
from pathlib import Path

import duckdb

from ingest.settings import REPO_ROOT

DEMO_KEY = b"kz-tj-warehouse-demo-key-not-secret"
DEFAULT_KEY_FILE = REPO_ROOT / ".secrets" / "appeals_hash_key"
BLOCK_BYTES = 64  # SHA-256 block size, for HMAC's key padding


class MissingHashKey(RuntimeError):
    pass


def hash_key(*, demo_ok: bool = False) -> bytes:
    if value := os.environ.get("APPEALS_HASH_KEY"):
        return value.encode()
    key_file = Path(os.environ.get("APPEALS_HASH_KEY_FILE", DEFAULT_KEY_FILE))
    if key_file.exists():
        return key_file.read_bytes().strip()
    if demo_ok or os.environ.get("WAREHOUSE_DEMO") == "1":
        return DEMO_KEY
    raise MissingHashKey(
        "No key for hashing applicants' identifiers: set APPEALS_HASH_KEY, or put the key in "
        f"{key_file} (or point APPEALS_HASH_KEY_FILE at it). Only the demo build "
        "(WAREHOUSE_DEMO=1) may run without one."
    )


def register_pii_hash(con: duckdb.DuckDBPyConnection, *, demo_ok: bool = False) -> None:
    """Define the SQL macro `pii_hash(text)` = hex HMAC-SHA256 of the text under the secret key.

    HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)), in DuckDB SQL so that hashing runs inside
    the vectorised read. The macro is temporary: the key is never stored in the database."""
    key = hash_key(demo_ok=demo_ok)
    if len(key) > BLOCK_BYTES:
        key = hashlib.sha256(key).digest()
    key = key.ljust(BLOCK_BYTES, b"\0")
    inner = bytes(b ^ 0x36 for b in key).hex()
    outer = bytes(b ^ 0x5C for b in key).hex()
    con.execute(f"""
        create or replace temp macro pii_hash(value) as
        case when value is null then null
             else sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || encode(value))))
        end
    """)


def find_iin_values(
    con: duckdb.DuckDBPyConnection, database: str | None = None
) -> list[tuple[str, str, int]]:
    """Every text column of every table (in `database`, default the current one) holding a value
    that looks like an IIN: (table, column, rows). The privacy test expects none."""
    from ingest.duck import quote_ident
    from ingest.eotinish_schema import IIN_PATTERN

    database = database or con.execute("select current_database()").fetchone()[0]
    columns = con.execute("""
        select schema_name, table_name, column_name from duckdb_columns()
        where database_name = ? and (data_type = 'VARCHAR' or data_type = 'JSON')
            and not internal
        order by all
    """, [database]).fetchall()
    found = []
    for schema, table, column in columns:
        name = f"{quote_ident(database)}.{quote_ident(schema)}.{quote_ident(table)}"
        (rows,) = con.execute(
            f"select count(*) from {name} where regexp_matches({quote_ident(column)}::varchar, ?)",
            [IIN_PATTERN],
        ).fetchone()
        if rows:
            found.append((f"{schema}.{table}", column, rows))
    return found
