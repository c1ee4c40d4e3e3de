"""ingest.duck: the one way the loads open DuckDB and write in a transaction."""

import duckdb
import pytest

from ingest.duck import transaction


def test_a_transaction_commits_its_statements_together_or_none_of_them():
    con = duckdb.connect()
    con.execute("create table t (n integer)")
    with transaction(con):
        con.execute("insert into t values (1)")
        con.execute("insert into t values (2)")
    with pytest.raises(duckdb.ConstraintException), transaction(con):
        con.execute("insert into t values (3)")
        con.execute("insert into t values (null::integer)")  # (no constraint yet: passes)
        con.execute("alter table t alter column n set not null")  # fails on the null row
    with pytest.raises(KeyboardInterrupt), transaction(con):
        con.execute("insert into t values (4)")
        raise KeyboardInterrupt
    assert con.execute("select n from t order by n").fetchall() == [(1,), (2,)]
    assert con.execute("select count(*) from t").fetchone() == (2,)  # the connection is usable
