"""Personal data at the door (ingest/privacy.py): the IIN detector, redaction in Python and in
DuckDB SQL, the key policy (length, demo key only for the bundled demo files, fingerprint)."""

import hashlib
import hmac
import re
from datetime import date

import duckdb
import pytest
from appeal_files import IIN, appeal, write_jsonl

from demo.appeals import make_iin, write_bundled_appeals
from ingest.privacy import (
    DEMO_FINGERPRINT,
    DEMO_MANIFEST,
    HashKeyMismatch,
    InvalidHashKey,
    MissingHashKey,
    file_sha256,
    find_iin_in_text,
    find_iin_values,
    hash_key,
    is_valid_iin,
    key_fingerprint,
    prepare_hashing,
    redact_text,
    register_pii_hash,
)

KEY = b"a-key-for-the-privacy-tests-000000001"
OTHER_KEY = b"another-key-for-the-privacy-tests-0002"
DIGITS = re.compile(r"[0-9]")


@pytest.fixture
def no_key(monkeypatch, tmp_path):
    """Neither APPEALS_HASH_KEY nor a key file."""
    monkeypatch.delenv("APPEALS_HASH_KEY", raising=False)
    monkeypatch.setenv("APPEALS_HASH_KEY_FILE", str(tmp_path / "no_such_key"))
    monkeypatch.setenv("LANDING_DIR", str(tmp_path / "landing"))


# --- the detector --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "iin",
    [
        IIN,
        "000101000003",  # 1900-01-01, second-pass check digit
        "000229500008",  # 29 February 2000 (a leap year)
        make_iin(date(1985, 7, 31), True, 42),
        make_iin(date(2004, 2, 29), False, 9999),
    ],
)
def test_valid_iins(iin):
    assert is_valid_iin(iin)


@pytest.mark.parametrize(
    "digits",
    [
        "900315300124",  # wrong check digit
        "901315300123",  # month 13
        "900332300123",  # day 32
        "010229300127",  # 29 February 1901 (not a leap year)
        "000229100007",  # 29 February 1800 (not a leap year)
        "900315700123",  # century digit 7
        "90031530012",  # 11 digits
        "9003153001230",  # 13 digits
        "90031530012a",
        "９００３１５３００１２３",  # full-width digits are not ASCII
    ],
)
def test_invalid_iins(digits):
    assert not is_valid_iin(digits)


def test_check_digit_second_pass():
    """A number whose first weighted sum is 10 takes its check digit from the second weights;
    if that is 10 too, it is no IIN."""
    first = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    second = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
    seen = {"second": False, "none": False}
    for serial in range(10000):
        head = f"9003153{serial:04d}"
        d = [int(c) for c in head]
        if sum(a * b for a, b in zip(d, first, strict=True)) % 11 != 10:
            continue
        k = sum(a * b for a, b in zip(d, second, strict=True)) % 11
        if k == 10:
            seen["none"] = True
            assert not any(is_valid_iin(head + str(c)) for c in range(10))
        else:
            seen["second"] = True
            assert is_valid_iin(head + str(k))
            assert not is_valid_iin(head + str((k + 1) % 10))
    assert all(seen.values())


@pytest.mark.parametrize(
    "text",
    [
        f"IIN{IIN}",
        f"iin-{IIN}",
        f"u-{IIN}",
        f"_{IIN}_",
        IIN,
        f"ИИН{IIN}.",
        f"x\n{IIN}\ny",
    ],
)
def test_an_iin_is_found_whatever_surrounds_it(text):
    assert find_iin_in_text(text) == [IIN]


@pytest.mark.parametrize(
    "text",
    [
        f"1{IIN}",  # a 13-digit run
        f"{IIN}0",
        "900315300124",  # bad check digit
        "901315300123",  # bad date
        "id 22052600000992",  # an appeal id: 14 digits
    ],
)
def test_no_iin_in(text):
    assert find_iin_in_text(text) == []


def test_a_hex_digest_is_not_scanned():
    digest = "ab" + IIN + "c" * 50
    assert find_iin_in_text(digest) == []
    assert find_iin_in_text(digest[:40]) == [IIN]


# --- redaction -------------------------------------------------------------------------------------


def token(iin, key):
    digest = hmac.new(key, iin.encode(), hashlib.sha256).hexdigest()[:16]
    return "iin:" + digest.translate(str.maketrans("0123456789", "ghijklmnop"))


def test_redact_text_replaces_every_iin_by_a_token_without_digits():
    text = f"IIN{IIN}, again iin-{IIN}; not 1{IIN} nor 900315300124"
    redacted = redact_text(text, KEY)
    assert redacted == (f"IIN{token(IIN, KEY)}, again iin-{token(IIN, KEY)}; not 1{IIN} nor 900315300124")
    assert not DIGITS.search(token(IIN, KEY))
    assert find_iin_in_text(redacted) == []
    assert redact_text(None, KEY) is None
    assert redact_text(text, OTHER_KEY) != redacted


def test_redact_text_without_a_key_masks(no_key):
    assert redact_text(f"u-{IIN}") == "u-iin:redacted"


def sql_redact(con, values):
    rows = con.execute(
        """
        select redact_pii(v) from unnest(?) with ordinality as t(v, i) order by i
    """,
        [values],
    ).fetchall()
    return [r for (r,) in rows]


def test_sql_and_python_redaction_agree_and_leave_no_iin():
    values = [
        f"IIN{IIN}",
        f"iin-{IIN}",
        f"u-{IIN}",
        f"_{IIN}_",
        f"1{IIN}",
        "900315300124",
        f"{IIN} и {IIN}\n{make_iin(date(2001, 12, 31), True, 7)}x",
        "",
        None,
        "no digits",
        "22052600000992",
        '{"applicant_iin": "' + IIN + '"}',
    ]
    values += [
        f"a{make_iin(date(1950 + i, 1 + i % 12, 1 + i % 28), i % 2 == 0, i * 37)}-{i}" for i in range(60)
    ]
    con = duckdb.connect()
    register_pii_hash(con, key=KEY)
    redacted = sql_redact(con, values)
    assert redacted == [redact_text(v, KEY) for v in values]
    assert not any(find_iin_in_text(v) for v in redacted if v)
    (left,) = con.execute(
        "select count(*) from unnest(?) as t(v) where contains_iin(v)", [redacted]
    ).fetchone()
    assert left == 0
    (found,) = con.execute(
        "select count(*) from unnest(?) as t(v) where contains_iin(v)", [values]
    ).fetchone()
    assert found == sum(bool(find_iin_in_text(v)) for v in values if v) == 66


def test_the_list_redaction_agrees_with_the_value_redaction():
    """redact_pii_list (a row's values, one prefilter for all of them) = redact_pii on each."""
    half = len(IIN) // 2
    rows = [
        ["no digits", None, "", "22052600000992"],  # nothing to redact: the list as it is
        ["x", f"IIN{IIN}", None, "12"],
        [IIN[:half], IIN[half:]],  # halves of an IIN in two values: neither holds an IIN
        [f"1{IIN}", "900315300124", f"{IIN} и {IIN}"],
        [None, None],
        [],
    ]
    con = duckdb.connect()
    register_pii_hash(con, key=KEY)
    for row in rows:
        (listed,) = con.execute("select redact_pii_list(?::varchar[])", [row]).fetchone()
        assert listed == sql_redact(con, row) == [redact_text(v, KEY) for v in row], row


def test_sql_and_python_agree_on_which_numbers_are_iins():
    numbers = [f"{(i * 7919 * 104729) % 10**12:012d}" for i in range(20000)]
    numbers += [make_iin(date(1899 + i % 130, 1 + i % 12, 1 + i % 28), i % 3 == 0, i) for i in range(500)]
    con = duckdb.connect()
    register_pii_hash(con, key=KEY)
    rows = con.execute(
        "select is_valid_iin(v) from unnest(?) with ordinality as t(v, i) order by i", [numbers]
    ).fetchall()
    assert [r for (r,) in rows] == [is_valid_iin(n) for n in numbers]


def test_find_iin_values_uses_the_strict_detector():
    con = duckdb.connect()
    con.execute("create schema meta")
    con.execute(
        """create table main.t as select * from (values
        ('u-' || $iin, 'x'), ('1' || $iin, 'IIN' || $iin), ('900315300124', null)) as v(a, b)""",
        {"iin": IIN},
    )
    con.execute("create table meta.h (applicant_key varchar)")
    con.execute("insert into meta.h values (?)", ["ab" + IIN + "c" * 50])
    assert find_iin_values(con) == [("main.t", "a", 1), ("main.t", "b", 1)]


# --- the key ---------------------------------------------------------------------------------------


def test_a_short_key_is_refused(monkeypatch):
    monkeypatch.setenv("APPEALS_HASH_KEY", "test-only-key")
    with pytest.raises(InvalidHashKey, match="APPEALS_HASH_KEY") as error:
        hash_key()
    assert "test-only-key" not in str(error.value)
    con = duckdb.connect()
    with pytest.raises(InvalidHashKey):
        prepare_hashing(con, "eotinish_appeals", ["0" * 64])


def test_an_empty_key_file_is_refused(monkeypatch, tmp_path):
    monkeypatch.delenv("APPEALS_HASH_KEY", raising=False)
    key_file = tmp_path / "appeals_hash_key"
    key_file.write_text("\n")
    monkeypatch.setenv("APPEALS_HASH_KEY_FILE", str(key_file))
    with pytest.raises(InvalidHashKey, match="empty") as error:
        hash_key(demo_ok=True)
    assert str(key_file) in str(error.value)
    key_file.write_text(KEY.decode() + "\n")
    assert hash_key() == KEY


def test_the_demo_key_is_refused_for_a_file_the_generator_did_not_write(no_key, tmp_path):
    path = write_jsonl(
        tmp_path / "landing" / "eotinish" / "appeals_2024-03-05.jsonl", [appeal(1, "2024-03-05")]
    )
    con = duckdb.connect()
    with pytest.raises(MissingHashKey, match="appeals_2024-03-05.jsonl"):
        prepare_hashing(con, "eotinish_appeals", [file_sha256(path)], paths=[path])
    with pytest.raises(MissingHashKey, match=file_sha256(path)):
        prepare_hashing(con, "eotinish_appeals", [file_sha256(path)])


def test_the_demo_key_hashes_the_bundled_files(no_key, tmp_path):
    folder = tmp_path / "landing" / "eotinish"
    files = write_bundled_appeals(folder, days=2, per_working_day=3)
    con = duckdb.connect()
    shas = [file_sha256(p) for p in files]
    assert prepare_hashing(con, "eotinish_appeals", shas) == DEMO_FINGERPRINT
    assert con.execute("select fingerprint from meta.hash_key_fingerprints").fetchall() == [
        (DEMO_FINGERPRINT,)
    ]
    # a real file beside them is not one of them, even in the same folder
    real = write_jsonl(folder / "appeals_2024-01-03.jsonl", [appeal(1, "2024-01-03")])
    with pytest.raises(MissingHashKey, match="appeals_2024-01-03.jsonl"):
        prepare_hashing(con, "eotinish_appeals", [*shas, file_sha256(real)], paths=[*files, real])


def test_a_load_with_another_key_is_refused(monkeypatch):
    con = duckdb.connect()
    monkeypatch.setenv("APPEALS_HASH_KEY", KEY.decode())
    first = prepare_hashing(con, "eotinish_appeals", ["1" * 64])
    assert first == key_fingerprint(KEY) and not DIGITS.search(first) and KEY.decode() not in first
    assert prepare_hashing(con, "eotinish_appeals", ["2" * 64]) == first  # same key: fine
    (expected,) = con.execute("select pii_hash(?)", [IIN]).fetchone()
    assert expected == hmac.new(KEY, IIN.encode(), hashlib.sha256).hexdigest()

    monkeypatch.setenv("APPEALS_HASH_KEY", OTHER_KEY.decode())
    with pytest.raises(HashKeyMismatch, match="cannot be joined"):
        prepare_hashing(con, "eotinish_appeals", ["3" * 64])
    assert con.execute("select feed, fingerprint from meta.hash_key_fingerprints").fetchall() == [
        ("eotinish_appeals", first)
    ]


@pytest.mark.slow
def test_bundled_files_landed_before_the_manifest_are_recognised(no_key, tmp_path):
    """`make warehouse` on a landing folder the older generator wrote (no manifest): the files
    identical to the generator's output are recorded as demo files, any other file is not."""
    from orchestration.build import recognise_bundled_files

    folder = tmp_path / "landing" / "eotinish"
    files = write_bundled_appeals(folder)
    (folder / DEMO_MANIFEST).unlink()
    changed = files[0].read_bytes().replace(b'"kk"', b'"ru"', 1)
    files[0].write_bytes(changed)
    con = duckdb.connect()
    with pytest.raises(MissingHashKey):
        prepare_hashing(con, "eotinish_appeals", [file_sha256(files[1])])

    recognise_bundled_files(folder, write_bundled_appeals, "eOtinish")

    assert prepare_hashing(con, "eotinish_appeals", [file_sha256(p) for p in files[1:]]) == (DEMO_FINGERPRINT)
    with pytest.raises(MissingHashKey, match=files[0].name):
        prepare_hashing(con, "eotinish_appeals", [file_sha256(files[0])], paths=[files[0]])
