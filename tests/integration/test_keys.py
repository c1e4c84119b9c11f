"""Keyspace commands: DEL UNLINK EXISTS TYPE EXPIRE PEXPIRE EXPIREAT PEXPIREAT
EXPIRETIME PEXPIRETIME TTL PTTL PERSIST KEYS SCAN RENAME RENAMENX RANDOMKEY
DBSIZE FLUSHDB FLUSHALL MOVE COPY SWAPDB TOUCH OBJECT."""

import time

import pytest

from ember_resp import Err

SYNTAX = Err("ERR syntax error")
NOT_INT = Err("ERR value is not an integer or out of range")
DB_RANGE = Err("ERR DB index is out of range")
NO_SUCH_KEY = Err("ERR no such key")
SAME_OBJECT = Err("ERR source and destination objects are the same")
I64_MAX = 9223372036854775807
I64_MIN = -9223372036854775808


def arity(cmd):
    return Err(f"ERR wrong number of arguments for '{cmd}' command")


# ------------------------------------------------------ DEL UNLINK EXISTS TYPE


@pytest.mark.parametrize("cmd", ["DEL", "UNLINK"])
def test_del_unlink(c, cmd, make_list):
    assert c.call("MSET", "a", "1", "b", "2", "c", "3") == "OK"
    assert c.call(cmd, "a") == 1
    assert c.call(cmd, "a") == 0
    assert c.call(cmd, "b", "c", "missing") == 2
    assert c.call("DBSIZE") == 0
    assert c.call("SET", "d", "1") == "OK"
    assert c.call(cmd, "d", "d", "d") == 1   # duplicates counted once
    make_list("l")
    assert c.call(cmd, "l") == 1             # any type
    assert c.call(cmd) == arity(cmd.lower())


def test_del_redis_py(r):
    r.mset({"a": 1, "b": 2})
    assert r.delete("a", "b", "c") == 2
    r.set("x", 1)
    assert r.unlink("x") == 1


def test_exists(c):
    assert c.call("EXISTS", "a") == 0
    assert c.call("MSET", "a", "1", "b", "2") == "OK"
    assert c.call("EXISTS", "a") == 1
    assert c.call("EXISTS", "a", "b", "missing") == 2
    assert c.call("EXISTS", "a", "a", "a") == 3   # duplicates counted each time
    assert c.call("EXISTS") == arity("exists")


def test_type(c, make_list):
    assert c.call("SET", "s", "v") == "OK"
    assert c.call("SET", "n", "42") == "OK"
    assert c.call_raw("TYPE", "s") == b"+string\r\n"
    assert c.call("TYPE", "n") == "string"
    assert c.call_raw("TYPE", "missing") == b"+none\r\n"
    make_list("l")
    assert c.call("TYPE", "l") == "list"
    assert c.call("TYPE") == arity("type")
    assert c.call("TYPE", "a", "b") == arity("type")


# --------------------------------------------------------------------- EXPIRE


def test_expire_and_ttl(c):
    assert c.call("SET", "k", "v") == "OK"
    assert c.call("TTL", "k") == -1
    assert c.call("PTTL", "k") == -1
    assert c.call("EXPIRE", "k", "100") == 1
    assert c.call("TTL", "k") == 100
    assert 99000 < c.call("PTTL", "k") <= 100000
    assert c.call("PEXPIRE", "k", "5500") == 1
    assert c.call("TTL", "k") in (5, 6)  # rounded: (ms + 500) / 1000
    assert 5000 < c.call("PTTL", "k") <= 5500
    assert c.call("EXPIRE", "missing", "100") == 0
    assert c.call("PEXPIRE", "missing", "100") == 0
    assert c.call("TTL", "missing") == -2
    assert c.call("PTTL", "missing") == -2


def test_expire_zero_or_negative_deletes(c):
    for cmd, val in [("EXPIRE", "0"), ("EXPIRE", "-1"), ("PEXPIRE", "0"), ("PEXPIRE", "-1000"),
                     ("EXPIREAT", "1"), ("EXPIREAT", "0"), ("PEXPIREAT", "1000"),
                     ("PEXPIREAT", "-1"), ("PEXPIRE", str(I64_MIN))]:
        assert c.call("SET", "k", "v") == "OK"
        assert c.call(cmd, "k", val) == 1, (cmd, val)
        assert c.call("EXISTS", "k") == 0, (cmd, val)
        assert c.call("TTL", "k") == -2


def test_expireat_pexpireat(c):
    assert c.call("SET", "k", "v") == "OK"
    at = int(time.time()) + 1000
    assert c.call("EXPIREAT", "k", at) == 1
    assert c.call("EXPIRETIME", "k") == at
    assert c.call("PEXPIRETIME", "k") == at * 1000
    assert c.call("TTL", "k") in (999, 1000)
    assert c.call("PEXPIREAT", "k", at * 1000 + 499) == 1
    assert c.call("EXPIRETIME", "k") == at       # EXPIRETIME rounds: (ms + 500) / 1000
    assert c.call("PEXPIRETIME", "k") == at * 1000 + 499
    assert c.call("PEXPIREAT", "k", at * 1000 + 500) == 1
    assert c.call("EXPIRETIME", "k") == at + 1
    assert c.call("PEXPIRETIME", "k") == at * 1000 + 500
    assert c.call("EXPIREAT", "missing", at) == 0
    assert c.call("PEXPIREAT", "missing", at * 1000) == 0


def test_expiretime_special_values(c):
    assert c.call("EXPIRETIME", "missing") == -2
    assert c.call("PEXPIRETIME", "missing") == -2
    assert c.call("SET", "k", "v") == "OK"
    assert c.call("EXPIRETIME", "k") == -1
    assert c.call("PEXPIRETIME", "k") == -1
    assert c.call("EXPIRETIME") == arity("expiretime")
    assert c.call("PEXPIRETIME", "a", "b") == arity("pexpiretime")


def test_expire_options_nx_xx(c):
    assert c.call("SET", "k", "v") == "OK"
    assert c.call("EXPIRE", "k", "100", "XX") == 0
    assert c.call("TTL", "k") == -1
    assert c.call("EXPIRE", "k", "100", "NX") == 1
    assert c.call("EXPIRE", "k", "200", "NX") == 0
    assert c.call("TTL", "k") == 100
    assert c.call("EXPIRE", "k", "300", "XX") == 1
    assert c.call("TTL", "k") == 300
    assert c.call("EXPIRE", "missing", "100", "NX") == 0


def test_expire_options_gt_lt(c):
    assert c.call("SET", "k", "v") == "OK"
    # A key without TTL counts as infinite TTL.
    assert c.call("EXPIRE", "k", "100", "GT") == 0
    assert c.call("TTL", "k") == -1
    assert c.call("EXPIRE", "k", "0", "GT") == 0
    assert c.call("EXISTS", "k") == 1
    assert c.call("EXPIRE", "k", "100", "LT") == 1
    assert c.call("TTL", "k") == 100
    assert c.call("EXPIRE", "k", "50", "GT") == 0
    assert c.call("EXPIRE", "k", "500", "GT") == 1
    assert c.call("TTL", "k") == 500
    assert c.call("EXPIRE", "k", "600", "LT") == 0
    assert c.call("EXPIRE", "k", "50", "LT") == 1
    assert c.call("TTL", "k") == 50
    # 49 s, not 50: a 50 s TTL set a millisecond later would be greater.
    assert c.call("EXPIRE", "k", "49", "XX", "GT") == 0
    assert c.call("EXPIRE", "k", "70", "gt", "xx") == 1
    assert c.call("TTL", "k") == 70
    assert c.call("PEXPIRE", "k", "1000", "LT") == 1
    assert c.call("TTL", "k") == 1
    assert c.call("PEXPIREAT", "k", "1", "GT") == 0
    assert c.call("EXPIREAT", "k", "1", "LT") == 1
    assert c.call("EXISTS", "k") == 0
    # A negative expire on a key without TTL with LT deletes it.
    assert c.call("SET", "n", "v") == "OK"
    assert c.call("EXPIRE", "n", "-1", "LT") == 1
    assert c.call("EXISTS", "n") == 0


@pytest.mark.parametrize("cmd", ["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"])
def test_expire_option_conflicts(c, cmd):
    assert c.call("SET", "k", "v") == "OK"
    nx_xx = Err("ERR NX and XX, GT or LT options at the same time are not compatible")
    for opts in [("NX", "XX"), ("XX", "NX"), ("NX", "GT"), ("NX", "LT"), ("GT", "NX"),
                 ("NX", "XX", "GT")]:
        assert c.call(cmd, "k", "100", *opts) == nx_xx, opts
    assert c.call(cmd, "k", "100", "GT", "LT") == Err(
        "ERR GT and LT options at the same time are not compatible")
    assert c.call(cmd, "k", "100", "LT", "GT") == Err(
        "ERR GT and LT options at the same time are not compatible")
    assert c.call(cmd, "k", "100", "FOO") == Err("ERR Unsupported option FOO")
    assert c.call(cmd, "k", "100", "nx", "bar") == Err("ERR Unsupported option bar")
    # Repeating a compatible option is fine.
    assert c.call(cmd, "k", "100", "XX", "XX") == 0
    assert c.call("TTL", "k") == -1


@pytest.mark.parametrize("cmd", ["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"])
def test_expire_bad_integer(c, cmd):
    assert c.call("SET", "k", "v") == "OK"
    for v in ["abc", "1.5", "", "99999999999999999999"]:
        assert c.call(cmd, "k", v) == NOT_INT, v
    assert c.call(cmd, "k") == arity(cmd.lower())
    assert c.call("TTL", "k") == -1


def test_expire_overflow(c):
    assert c.call("SET", "k", "v") == "OK"
    for cmd, v in [("EXPIRE", I64_MAX), ("EXPIRE", "9223372036854775"),
                   ("EXPIRE", "9223372036854774"), ("EXPIRE", I64_MIN),
                   ("EXPIRE", "-9223372036854775807"), ("PEXPIRE", I64_MAX),
                   ("EXPIREAT", I64_MAX), ("EXPIREAT", "-9223372036854775807")]:
        assert c.call(cmd, "k", v) == Err(f"ERR invalid expire time in '{cmd.lower()}' command"), \
            (cmd, v)
    assert c.call("TTL", "k") == -1
    # Largest values that still fit.
    assert c.call("PEXPIREAT", "k", I64_MAX) == 1
    assert c.call("PEXPIRETIME", "k") == I64_MAX
    assert c.call("EXPIRE", "k", "9223372036854") == 1
    assert c.call("TTL", "k") == 9223372036854


def test_persist(c):
    assert c.call("SET", "k", "v", "EX", "100") == "OK"
    assert c.call("PERSIST", "k") == 1
    assert c.call("TTL", "k") == -1
    assert c.call("PERSIST", "k") == 0
    assert c.call("PERSIST", "missing") == 0
    assert c.call("PERSIST") == arity("persist")


def test_expire_redis_py(r):
    r.set("k", "v")
    assert r.expire("k", 100) is True
    assert r.ttl("k") == 100
    assert r.expire("k", 50, gt=True) is False
    assert r.pexpire("k", 50000, lt=True) is True
    assert r.ttl("k") == 50
    assert r.persist("k") is True
    assert r.expire("nokey", 10) is False


# ------------------------------------------------------------------------ KEYS

GLOB_KEYS = ["hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "h?llo", "h[a]llo",
             "hbllo", "other"]


@pytest.fixture
def glob_keys(c):
    args = []
    for k in GLOB_KEYS:
        args += [k, "1"]
    assert c.call("MSET", *args) == "OK"


@pytest.mark.parametrize("pattern,expected", [
    ("*", GLOB_KEYS),
    ("h?llo", ["hello", "hallo", "hxllo", "h*llo", "h?llo", "hbllo"]),
    ("h*llo", ["hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "h?llo", "h[a]llo",
               "hbllo"]),
    ("h[ae]llo", ["hello", "hallo"]),
    ("h[^e]llo", ["hallo", "hxllo", "h*llo", "h?llo", "hbllo"]),
    ("h[a-b]llo", ["hallo", "hbllo"]),
    ("h[b-a]llo", ["hallo", "hbllo"]),          # reversed range
    ("h[!e]llo", ["hello"]),                     # '!' is NOT negation
    ("h\\*llo", ["h*llo"]),
    ("h\\?llo", ["h?llo"]),
    ("h\\[a\\]llo", ["h[a]llo"]),
    ("h\\ello", ["hello"]),                      # escaped ordinary char
    ("hello", ["hello"]),
    ("*llo", ["hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "h?llo", "h[a]llo",
              "hbllo"]),
    ("o*", ["other"]),
    ("*e*", ["hello", "heeeello", "other"]),
    ("h??llo", []),
    ("h???llo", ["h[a]llo"]),
    ("nomatch", []),
    ("h[a", []),                                 # unterminated class
    ("", []),
    ("?", []),
    ("[", []),
])
def test_keys_glob(c, glob_keys, pattern, expected):
    got = c.call("KEYS", pattern)
    assert isinstance(got, list)
    assert sorted(got) == sorted(k.encode() for k in expected)


def test_keys_more_patterns(c):
    assert c.call("MSET", "a", "1", "b", "1", "ab", "1", "a\\b", "1", "-", "1", "]", "1") == "OK"
    assert sorted(c.call("KEYS", "?")) == [b"-", b"]", b"a", b"b"]
    assert sorted(c.call("KEYS", "a*")) == [b"a", b"a\\b", b"ab"]
    assert sorted(c.call("KEYS", "a\\\\b")) == [b"a\\b"]
    assert sorted(c.call("KEYS", "[\\]]")) == [b"]"]
    assert sorted(c.call("KEYS", "[a\\-]")) == [b"-", b"a"]
    assert sorted(c.call("KEYS", "**b")) == [b"a\\b", b"ab", b"b"]


def test_keys_case_sensitive_and_binary(c):
    assert c.call("MSET", "Key", "1", "key", "2", b"k\x00y", "3") == "OK"
    assert c.call("KEYS", "K*") == [b"Key"]
    assert sorted(c.call("KEYS", "k?y")) == [b"k\x00y", b"key"]


def test_keys_empty_db_and_arity(c):
    assert c.call_raw("KEYS", "*") == b"*0\r\n"
    assert c.call("KEYS") == arity("keys")
    assert c.call("KEYS", "a", "b") == arity("keys")


def test_keys_only_current_db(c):
    assert c.call("SET", "db0key", "1") == "OK"
    assert c.call("SELECT", "3") == "OK"
    assert c.call("SET", "db3key", "1") == "OK"
    assert c.call("KEYS", "*") == [b"db3key"]
    assert c.call("SELECT", "0") == "OK"
    assert c.call("KEYS", "*") == [b"db0key"]


# ------------------------------------------------------------------------ SCAN


def scan_all(c, *opts):
    seen = []
    cursor = b"0"
    iterations = 0
    while True:
        reply = c.call("SCAN", cursor, *opts)
        assert isinstance(reply, list) and len(reply) == 2, reply
        cursor, keys = reply
        assert isinstance(cursor, bytes) and cursor.isdigit(), cursor
        assert isinstance(keys, list)
        seen.extend(keys)
        iterations += 1
        assert iterations < 10000
        if cursor == b"0":
            return seen, iterations


def test_scan_iterates_everything(c, r):
    keys = [f"key:{i}" for i in range(1000)]
    with r.pipeline(transaction=False) as p:
        for k in keys:
            p.set(k, "v")
        p.execute()
    seen, iterations = scan_all(c)
    assert set(seen) == {k.encode() for k in keys}
    assert len(seen) == 1000       # no rehashing happened, so no duplicates
    assert iterations > 1          # default COUNT is 10
    seen, iterations = scan_all(c, "COUNT", "100000")
    assert sorted(seen) == sorted(k.encode() for k in keys)


def test_scan_match_count(c, r):
    with r.pipeline(transaction=False) as p:
        for i in range(300):
            p.set(f"user:{i}", "v")
            p.set(f"item:{i}", "v")
        p.execute()
    seen, _ = scan_all(c, "MATCH", "user:*", "COUNT", "25")
    assert set(seen) == {f"user:{i}".encode() for i in range(300)}
    seen, _ = scan_all(c, "MATCH", "item:1?", "COUNT", "7")
    assert sorted(seen) == sorted(f"item:{i}".encode() for i in range(10, 20))
    seen, _ = scan_all(c, "COUNT", "50", "MATCH", "nomatch*")
    assert seen == []


def test_scan_type(c, make_list):
    assert c.call("MSET", "s1", "a", "s2", "b") == "OK"
    make_list("l1")
    seen, _ = scan_all(c, "TYPE", "string")
    assert sorted(seen) == [b"s1", b"s2"]
    seen, _ = scan_all(c, "TYPE", "list")
    assert seen == [b"l1"]
    seen, _ = scan_all(c, "TYPE", "LIST")       # case-insensitive
    assert seen == [b"l1"]
    seen, _ = scan_all(c, "TYPE", "hash")
    assert seen == []
    seen, _ = scan_all(c, "TYPE", "nosuchtype")   # 7.0: unknown type is just no match
    assert seen == []
    seen, _ = scan_all(c, "MATCH", "s1", "TYPE", "string", "COUNT", "1000")
    assert seen == [b"s1"]


def test_scan_small_db_single_call(c):
    assert c.call("MSET", "a", "1", "b", "2", "c", "3") == "OK"
    cursor, keys = c.call("SCAN", "0")
    assert cursor == b"0"
    assert sorted(keys) == [b"a", b"b", b"c"]
    assert c.call_raw("SCAN", "0", "MATCH", "zzz") == b"*2\r\n$1\r\n0\r\n*0\r\n"


def test_scan_empty_db(c):
    assert c.call("SCAN", "0") == [b"0", []]


def test_scan_errors(c):
    assert c.call("SCAN", "abc") == Err("ERR invalid cursor")
    assert c.call("SCAN", "1.5") == Err("ERR invalid cursor")
    assert c.call("SCAN", "18446744073709551616") == Err("ERR invalid cursor")
    assert c.call("SCAN", "0", "COUNT", "0") == SYNTAX
    assert c.call("SCAN", "0", "COUNT", "-1") == SYNTAX
    assert c.call("SCAN", "0", "COUNT", "abc") == NOT_INT
    assert c.call("SCAN", "0", "COUNT") == SYNTAX
    assert c.call("SCAN", "0", "MATCH") == SYNTAX
    assert c.call("SCAN", "0", "TYPE") == SYNTAX
    assert c.call("SCAN", "0", "FOO", "bar") == SYNTAX
    assert c.call("SCAN", "0", "FOO") == SYNTAX
    assert c.call("SCAN") == arity("scan")


def test_scan_redis_py(rd):
    rd.mset({f"k{i}": i for i in range(50)})
    assert sorted(rd.scan_iter(match="k1*", count=5)) == sorted(
        ["k1"] + [f"k1{i}" for i in range(10)])


# -------------------------------------------------------------- RENAME(NX)


def test_rename(c):
    assert c.call("SET", "a", "1", "EX", "100") == "OK"
    assert c.call("RENAME", "a", "b") == "OK"
    assert c.call("EXISTS", "a") == 0
    assert c.call("GET", "b") == b"1"
    assert c.call("TTL", "b") == 100           # TTL moves with the key
    assert c.call("SET", "c", "2") == "OK"
    assert c.call("RENAME", "c", "b") == "OK"  # overwrite, and target TTL is gone
    assert c.call("GET", "b") == b"2"
    assert c.call("TTL", "b") == -1
    assert c.call("RENAME", "b", "b") == "OK"  # same name: OK
    assert c.call("GET", "b") == b"2"


def test_rename_other_types(c, make_list):
    make_list("l", "x", "y")
    assert c.call("SET", "s", "v") == "OK"
    assert c.call("RENAME", "l", "s") == "OK"
    assert c.call("TYPE", "s") == "list"


def test_renamenx(c):
    assert c.call("MSET", "a", "1", "b", "2") == "OK"
    assert c.call("RENAMENX", "a", "b") == 0
    assert c.call("MGET", "a", "b") == [b"1", b"2"]
    assert c.call("RENAMENX", "a", "c") == 1
    assert c.call("MGET", "a", "c") == [None, b"1"]
    assert c.call("RENAMENX", "c", "c") == 0   # same name: 0


def test_rename_errors(c):
    assert c.call("RENAME", "missing", "x") == NO_SUCH_KEY
    assert c.call("RENAMENX", "missing", "x") == NO_SUCH_KEY
    assert c.call("RENAME", "missing", "missing") == NO_SUCH_KEY
    assert c.call("RENAME", "a") == arity("rename")
    assert c.call("RENAMENX", "a", "b", "c") == arity("renamenx")


# ----------------------------------------------------- RANDOMKEY DBSIZE FLUSH*


def test_randomkey(c):
    assert c.call("RANDOMKEY") is None
    assert c.call_raw("RANDOMKEY") == b"$-1\r\n"
    assert c.call("SET", "only", "1") == "OK"
    assert c.call("RANDOMKEY") == b"only"
    assert c.call("MSET", "a", "1", "b", "2") == "OK"
    seen = {c.call("RANDOMKEY") for _ in range(200)}
    assert seen == {b"only", b"a", b"b"}
    assert c.call("RANDOMKEY", "x") == arity("randomkey")


def test_dbsize(c):
    assert c.call("DBSIZE") == 0
    assert c.call("MSET", "a", "1", "b", "2") == "OK"
    assert c.call("DBSIZE") == 2
    assert c.call("SELECT", "1") == "OK"
    assert c.call("DBSIZE") == 0
    assert c.call("DBSIZE", "x") == arity("dbsize")


def test_flushdb_only_current_db(c):
    assert c.call("SET", "a", "1") == "OK"
    assert c.call("SELECT", "1") == "OK"
    assert c.call("SET", "b", "1") == "OK"
    assert c.call("FLUSHDB") == "OK"
    assert c.call("DBSIZE") == 0
    assert c.call("SELECT", "0") == "OK"
    assert c.call("DBSIZE") == 1


@pytest.mark.parametrize("mode", [(), ("ASYNC",), ("SYNC",), ("async",)])
def test_flushdb_flushall_modes(c, mode):
    assert c.call("SET", "a", "1") == "OK"
    assert c.call("FLUSHDB", *mode) == "OK"
    assert c.call("DBSIZE") == 0
    assert c.call("SET", "a", "1") == "OK"
    assert c.call("SELECT", "5") == "OK"
    assert c.call("SET", "b", "1") == "OK"
    assert c.call("FLUSHALL", *mode) == "OK"
    assert c.call("DBSIZE") == 0
    assert c.call("SELECT", "0") == "OK"
    assert c.call("DBSIZE") == 0


def test_flush_errors(c):
    for cmd in ["FLUSHDB", "FLUSHALL"]:
        assert c.call(cmd, "FOO") == SYNTAX
        assert c.call(cmd, "ASYNC", "SYNC") == SYNTAX
        assert c.call(cmd, "ASYNC", "x") == SYNTAX


# ----------------------------------------------------------------- MOVE COPY


def test_move(c):
    assert c.call("SET", "a", "1", "EX", "100") == "OK"
    assert c.call("MOVE", "a", "1") == 1
    assert c.call("EXISTS", "a") == 0
    assert c.call("MOVE", "a", "1") == 0
    assert c.call("MOVE", "missing", "1") == 0
    assert c.call("SELECT", "1") == "OK"
    assert c.call("GET", "a") == b"1"
    assert c.call("TTL", "a") == 100
    assert c.call("SELECT", "0") == "OK"
    assert c.call("SET", "a", "2") == "OK"
    assert c.call("MOVE", "a", "1") == 0       # target exists
    assert c.call("GET", "a") == b"2"


def test_move_errors(c):
    assert c.call("SET", "a", "1") == "OK"
    assert c.call("MOVE", "a", "0") == SAME_OBJECT
    assert c.call("MOVE", "a", "16") == DB_RANGE
    assert c.call("MOVE", "a", "-1") == DB_RANGE
    assert c.call("MOVE", "a", "abc") == NOT_INT
    assert c.call("MOVE", "a", "2147483648") == Err(
        "ERR value is out of range, value must between -2147483648 and 2147483647")
    assert c.call("MOVE", "a") == arity("move")
    assert c.call("SELECT", "2") == "OK"
    assert c.call("MOVE", "x", "2") == SAME_OBJECT


def test_copy(c):
    assert c.call("SET", "a", "1", "EX", "100") == "OK"
    assert c.call("COPY", "a", "b") == 1
    assert c.call("GET", "b") == b"1"
    assert c.call("TTL", "b") == 100
    assert c.call("SET", "a", "2") == "OK"
    assert c.call("COPY", "a", "b") == 0
    assert c.call("GET", "b") == b"1"
    assert c.call("COPY", "a", "b", "REPLACE") == 1
    assert c.call("GET", "b") == b"2"
    assert c.call("TTL", "b") == -1
    assert c.call("COPY", "missing", "x") == 0
    assert c.call("COPY", "missing", "b", "REPLACE") == 0
    assert c.call("GET", "b") == b"2"
    # The copy is independent of the source.
    assert c.call("APPEND", "b", "x") == 2
    assert c.call("GET", "a") == b"2"


def test_copy_db(c):
    assert c.call("SET", "a", "1") == "OK"
    assert c.call("COPY", "a", "a", "DB", "1") == 1   # same name, other db: fine
    assert c.call("COPY", "a", "b", "DB", "1") == 1
    assert c.call("COPY", "a", "b", "DB", "1") == 0
    assert c.call("SET", "a", "2") == "OK"
    assert c.call("COPY", "a", "b", "DB", "1", "REPLACE") == 1
    assert c.call("COPY", "a", "c", "REPLACE", "DB", "2") == 1
    assert c.call("SELECT", "1") == "OK"
    assert c.call("MGET", "a", "b") == [b"1", b"2"]
    assert c.call("SELECT", "2") == "OK"
    assert c.call("GET", "c") == b"2"


def test_copy_errors(c):
    assert c.call("SET", "a", "1") == "OK"
    assert c.call("COPY", "a", "a") == SAME_OBJECT
    assert c.call("COPY", "a", "a", "DB", "0") == SAME_OBJECT
    assert c.call("COPY", "a", "a", "REPLACE") == SAME_OBJECT
    assert c.call("COPY", "a", "b", "DB", "16") == DB_RANGE
    assert c.call("COPY", "a", "b", "DB", "-1") == DB_RANGE
    assert c.call("COPY", "a", "b", "DB", "abc") == NOT_INT
    assert c.call("COPY", "a", "b", "DB", "2147483648") == Err(
        "ERR value is out of range, value must between -2147483648 and 2147483647")
    assert c.call("COPY", "a", "b", "DB") == SYNTAX
    assert c.call("COPY", "a", "b", "FOO") == SYNTAX
    assert c.call("COPY", "a") == arity("copy")
    assert c.call("EXISTS", "b") == 0


def test_copy_list(c, make_list):
    make_list("l", "a", "b")
    assert c.call("COPY", "l", "l2") == 1
    assert c.call("TYPE", "l2") == "list"


# -------------------------------------------------------------------- SWAPDB


def test_swapdb(c, conn_factory):
    other = conn_factory()
    assert other.call("SELECT", "1") == "OK"
    assert c.call("MSET", "a", "db0", "x", "1") == "OK"
    assert other.call("SET", "a", "db1") == "OK"
    assert other.call("EXPIRE", "a", "100") == 1
    assert c.call("SWAPDB", "0", "1") == "OK"
    assert c.call("GET", "a") == b"db1"
    assert c.call("TTL", "a") == 100
    assert c.call("DBSIZE") == 1
    # Clients selected on the swapped db see the swapped data.
    assert other.call("GET", "a") == b"db0"
    assert other.call("DBSIZE") == 2
    assert c.call("SWAPDB", "1", "0") == "OK"
    assert c.call("GET", "a") == b"db0"
    assert c.call("SWAPDB", "0", "0") == "OK"
    assert c.call("GET", "a") == b"db0"


def test_swapdb_errors(c):
    assert c.call("SWAPDB", "0", "16") == DB_RANGE
    assert c.call("SWAPDB", "16", "0") == DB_RANGE
    assert c.call("SWAPDB", "-1", "0") == DB_RANGE
    assert c.call("SWAPDB", "0", "-1") == DB_RANGE
    assert c.call("SWAPDB", "abc", "0") == Err("ERR invalid first DB index")
    assert c.call("SWAPDB", "0", "abc") == Err("ERR invalid second DB index")
    assert c.call("SWAPDB", "2147483648", "0") == Err("ERR invalid first DB index")
    assert c.call("SWAPDB", "0") == arity("swapdb")


# --------------------------------------------------------------------- TOUCH


def test_touch(c):
    assert c.call("MSET", "a", "1", "b", "2") == "OK"
    assert c.call("TOUCH", "a", "b", "missing") == 2
    assert c.call("TOUCH", "a", "a") == 2
    assert c.call("TOUCH", "missing") == 0
    assert c.call("TOUCH") == arity("touch")


# -------------------------------------------------------------------- OBJECT


@pytest.mark.parametrize("value,encoding", [
    ("0", b"int"),
    ("12345", b"int"),
    ("-1", b"int"),
    ("9223372036854775807", b"int"),
    ("-9223372036854775808", b"int"),
    ("9223372036854775808", b"embstr"),
    ("01", b"embstr"),
    ("+1", b"embstr"),
    (" 1", b"embstr"),
    ("1.5", b"embstr"),
    ("hello", b"embstr"),
    ("", b"embstr"),
    ("x" * 44, b"embstr"),
    ("x" * 45, b"raw"),
    ("x" * 1000, b"raw"),
])
def test_object_encoding_strings(c, value, encoding):
    assert c.call("SET", "k", value) == "OK"
    assert c.call("OBJECT", "ENCODING", "k") == encoding


def test_object_encoding_after_modification(c):
    assert c.call("SET", "a", "hello") == "OK"
    assert c.call("APPEND", "a", "!") == 6
    assert c.call("OBJECT", "ENCODING", "a") == b"raw"
    assert c.call("SET", "b", "x") == "OK"
    assert c.call("SETRANGE", "b", "0", "y") == 1
    assert c.call("OBJECT", "ENCODING", "b") == b"raw"
    assert c.call("SET", "n", "5") == "OK"
    assert c.call("INCRBYFLOAT", "n", "1") == b"6"
    assert c.call("OBJECT", "ENCODING", "n") == b"embstr"
    assert c.call("INCR", "n") == 7
    assert c.call("OBJECT", "ENCODING", "n") == b"int"
    assert c.call("OBJECT", "encoding", "missing") is None


def test_object_encoding_list(c, make_list):
    make_list("l")
    assert c.call("OBJECT", "ENCODING", "l") == b"quicklist"


def test_object_refcount(c):
    assert c.call("SET", "s", "hello") == "OK"
    assert c.call("OBJECT", "REFCOUNT", "s") == 1
    assert c.call("SET", "big", "123456") == "OK"
    assert c.call("OBJECT", "REFCOUNT", "big") == 1
    # Integers 0..9999 are shared objects (OBJ_SHARED_REFCOUNT = INT_MAX).
    assert c.call("SET", "small", "100") == "OK"
    assert c.call("OBJECT", "REFCOUNT", "small") == 2147483647
    assert c.call("SET", "zero", "0") == "OK"
    assert c.call("OBJECT", "REFCOUNT", "zero") == 2147483647
    assert c.call("SET", "edge", "10000") == "OK"
    assert c.call("OBJECT", "REFCOUNT", "edge") == 1
    assert c.call("OBJECT", "REFCOUNT", "missing") is None


def test_object_idletime(c):
    assert c.call("SET", "k", "v") == "OK"
    # The LRU clock has a 1 s resolution: "0" unless a second boundary passed.
    assert c.call("OBJECT", "IDLETIME", "k") in (0, 1)
    assert c.call("OBJECT", "IDLETIME", "missing") is None
    time.sleep(1.2)
    idle = c.call("OBJECT", "IDLETIME", "k")
    assert idle in (1, 2)
    # OBJECT IDLETIME itself does not touch the key ...
    assert c.call("OBJECT", "IDLETIME", "k") in (1, 2)
    # ... but GET does.
    assert c.call("GET", "k") == b"v"
    assert c.call("OBJECT", "IDLETIME", "k") in (0, 1)


def test_object_freq_requires_lfu(c, config):
    assert c.call("SET", "k", "hello") == "OK"
    assert c.call("OBJECT", "FREQ", "k") == Err(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
        "Please note that when switching between policies at runtime LRU and LFU data "
        "will take some time to adjust.")
    config.set("maxmemory-policy", "allkeys-lfu")
    assert c.call("SET", "f", "hello") == "OK"
    assert c.call("OBJECT", "FREQ", "f") == 5          # LFU_INIT_VAL
    assert c.call("GET", "f") == b"hello"
    assert c.call("OBJECT", "FREQ", "f") == 6
    assert c.call("OBJECT", "FREQ", "missing") is None
    assert c.call("OBJECT", "IDLETIME", "f") == Err(
        "ERR An LFU maxmemory policy is selected, idle time not tracked. "
        "Please note that when switching between policies at runtime LRU and LFU data "
        "will take some time to adjust.")


def test_object_help_and_errors(c):
    help_lines = c.call("OBJECT", "HELP")
    assert help_lines == [
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    ]
    # Help lines are status replies (+...), not bulk strings.
    assert c.call_raw("OBJECT", "HELP").startswith(
        b"*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
        b"+ENCODING <key>\r\n")
    assert c.call("OBJECT", "FOO", "k") == Err("ERR unknown subcommand 'FOO'. Try OBJECT HELP.")
    assert c.call("OBJECT", "foo") == Err("ERR unknown subcommand 'foo'. Try OBJECT HELP.")
    assert c.call("OBJECT") == arity("object")
    assert c.call("OBJECT", "ENCODING") == arity("object|encoding")
    assert c.call("OBJECT", "ENCODING", "a", "b") == arity("object|encoding")
    assert c.call("OBJECT", "REFCOUNT") == arity("object|refcount")
    assert c.call("OBJECT", "HELP", "x") == arity("object|help")


def test_object_redis_py(r):
    r.set("k", "123456")
    assert r.object("encoding", "k") == b"int"
    assert r.object("idletime", "k") in (0, 1)
    assert r.object("refcount", "k") == 1
    r.set("shared", "12")
    assert r.object("refcount", "shared") == 2147483647
