"""String commands: GET SET SETNX SETEX PSETEX GETEX GETDEL GETSET MGET MSET
MSETNX INCR DECR INCRBY DECRBY INCRBYFLOAT APPEND STRLEN GETRANGE SETRANGE
SUBSTR LCS."""

import time

import pytest

from ember_resp import Err, redis_py_raw

WRONGTYPE = Err("WRONGTYPE Operation against a key holding the wrong kind of value")
SYNTAX = Err("ERR syntax error")
NOT_INT = Err("ERR value is not an integer or out of range")
NOT_FLOAT = Err("ERR value is not a valid float")
OVERFLOW = Err("ERR increment or decrement would overflow")
I64_MAX = 9223372036854775807
I64_MIN = -9223372036854775808


def arity(cmd):
    return Err(f"ERR wrong number of arguments for '{cmd}' command")


def invalid_expire(cmd):
    return Err(f"ERR invalid expire time in '{cmd}' command")


# --------------------------------------------------------------------- GET/SET


def test_get_set_basic(r, c):
    assert r.set("k", "v") is True
    assert r.get("k") == b"v"
    assert r.get("missing") is None
    assert c.call_raw("GET", "k") == b"$1\r\nv\r\n"
    assert c.call_raw("GET", "missing") == b"$-1\r\n"
    assert c.call_raw("SET", "k", "v2") == b"+OK\r\n"


def test_set_binary_and_empty_values(r):
    value = bytes(range(256)) + b"\r\n\x00end"
    assert r.set(b"bin\x00key\r\n", value)
    assert r.get(b"bin\x00key\r\n") == value
    assert r.set("empty", "")
    assert r.get("empty") == b""
    assert r.exists("empty") == 1
    assert r.strlen("empty") == 0


def test_set_large_value(r):
    value = b"x" * (1 << 20) + b"y"
    assert r.set("big", value)
    assert r.get("big") == value
    assert r.strlen("big") == (1 << 20) + 1


def test_set_overwrites_and_clears_ttl(c):
    assert c.call("SET", "k", "v", "EX", "100") == "OK"
    assert c.call("TTL", "k") == 100
    assert c.call("SET", "k", "v2") == "OK"
    assert c.call("TTL", "k") == -1
    assert c.call("GET", "k") == b"v2"


def test_set_overwrites_other_types(c, make_list):
    make_list("l")
    assert c.call("SET", "l", "v") == "OK"
    assert c.call("TYPE", "l") == "string"
    assert c.call("GET", "l") == b"v"


def test_set_ex_px(c):
    assert c.call("SET", "a", "1", "EX", "100") == "OK"
    assert c.call("TTL", "a") == 100
    assert 99000 <= c.call("PTTL", "a") <= 100000
    assert c.call("SET", "b", "1", "PX", "100000") == "OK"
    assert c.call("TTL", "b") == 100
    assert c.call("SET", "c", "1", "ex", "5") == "OK"  # options are case-insensitive
    assert c.call("TTL", "c") == 5


def test_set_exat_pxat(c):
    at = int(time.time()) + 1000
    assert c.call("SET", "a", "1", "EXAT", at) == "OK"
    assert c.call("EXPIRETIME", "a") == at
    assert c.call("SET", "b", "1", "PXAT", at * 1000 + 123) == "OK"
    assert c.call("PEXPIRETIME", "b") == at * 1000 + 123
    # An absolute time in the past deletes the key (SET replies OK).
    assert c.call("SET", "past", "1", "EXAT", "1") == "OK"
    assert c.call("EXISTS", "past") == 0
    assert c.call("SET", "past", "1", "PXAT", "1") == "OK"
    assert c.call("EXISTS", "past") == 0


def test_set_nx_xx(c):
    assert c.call("SET", "k", "v", "XX") is None
    assert c.call("EXISTS", "k") == 0
    assert c.call("SET", "k", "v", "NX") == "OK"
    assert c.call("SET", "k", "w", "NX") is None
    assert c.call("GET", "k") == b"v"
    assert c.call("SET", "k", "w", "XX") == "OK"
    assert c.call("GET", "k") == b"w"
    assert c.call_raw("SET", "k", "z", "NX") == b"$-1\r\n"


def test_set_keepttl(c):
    assert c.call("SET", "k", "v", "EX", "100") == "OK"
    assert c.call("SET", "k", "v2", "KEEPTTL") == "OK"
    assert c.call("TTL", "k") == 100
    assert c.call("GET", "k") == b"v2"
    assert c.call("SET", "k", "v3", "XX", "KEEPTTL") == "OK"
    assert c.call("TTL", "k") == 100
    assert c.call("SET", "n", "v", "KEEPTTL") == "OK"
    assert c.call("TTL", "n") == -1


def test_set_get_option(c):
    assert c.call("SET", "k", "v1", "GET") is None
    assert c.call("GET", "k") == b"v1"
    assert c.call("SET", "k", "v2", "GET") == b"v1"
    assert c.call("SET", "k", "v3", "GET", "EX", "50") == b"v2"
    assert c.call("TTL", "k") == 50
    assert c.call("SET", "k", "v4", "GET", "KEEPTTL") == b"v3"
    assert c.call("TTL", "k") == 50
    assert c.call("GET", "k") == b"v4"


def test_set_get_with_nx_xx(c):
    # Redis 7.0 allows GET together with NX.
    assert c.call("SET", "k", "v1", "NX", "GET") is None
    assert c.call("GET", "k") == b"v1"
    assert c.call("SET", "k", "v2", "NX", "GET") == b"v1"   # not set
    assert c.call("GET", "k") == b"v1"
    assert c.call("SET", "k", "v3", "GET", "XX") == b"v1"   # set
    assert c.call("GET", "k") == b"v3"
    assert c.call("SET", "missing", "x", "XX", "GET") is None
    assert c.call("EXISTS", "missing") == 0


def test_set_get_wrongtype(c, make_list):
    make_list("l")
    assert c.call("SET", "l", "v", "GET") == WRONGTYPE
    assert c.call("SET", "l", "v", "NX", "GET") == WRONGTYPE
    assert c.call("SET", "l", "v", "XX", "GET") == WRONGTYPE
    assert c.call("TYPE", "l") == "list"  # not overwritten


def test_set_repeated_options_are_accepted(c):
    assert c.call("SET", "k", "v", "EX", "10", "EX", "20") == "OK"
    assert c.call("TTL", "k") == 20
    assert c.call("SET", "k", "v", "XX", "XX") == "OK"
    assert c.call("TTL", "k") == -1
    assert c.call("SET", "k", "w", "GET", "GET") == b"v"
    assert c.call("SET", "k", "v", "EX", "30") == "OK"
    assert c.call("SET", "k", "v", "KEEPTTL", "KEEPTTL") == "OK"
    assert c.call("TTL", "k") == 30


@pytest.mark.parametrize("opts", [
    ("NX", "XX"),
    ("XX", "NX"),
    ("EX", "10", "PX", "100"),
    ("PX", "100", "EX", "10"),
    ("EX", "10", "EXAT", "99999999999"),
    ("PX", "10", "PXAT", "99999999999999"),
    ("EXAT", "99999999999", "PXAT", "99999999999999"),
    ("KEEPTTL", "EX", "10"),
    ("EX", "10", "KEEPTTL"),
    ("PXAT", "99999999999999", "KEEPTTL"),
    ("EX",),
    ("PX",),
    ("EXAT",),
    ("PXAT",),
    ("FOO",),
    ("NX", "FOO"),
    ("EX", "10", "20"),
])
def test_set_invalid_option_combinations(c, opts):
    assert c.call("SET", "k", "v", *opts) == SYNTAX
    assert c.call("EXISTS", "k") == 0


@pytest.mark.parametrize("opt,value", [
    ("EX", "0"), ("EX", "-1"), ("PX", "0"), ("PX", "-100"),
    ("EXAT", "0"), ("EXAT", "-5"), ("PXAT", "0"), ("PXAT", "-1"),
    ("EX", str(I64_MAX)), ("PX", str(I64_MAX)), ("EXAT", str(I64_MAX)),
    ("EX", "9223372036854775"),          # *1000 fits, + now overflows
    ("EX", str(I64_MIN)),
])
def test_set_invalid_expire_time(c, opt, value):
    assert c.call("SET", "k", "v", opt, value) == invalid_expire("set")
    assert c.call("EXISTS", "k") == 0


@pytest.mark.parametrize("value", ["abc", "1.5", "10s", "", " 1", "99999999999999999999"])
def test_set_expire_not_integer(c, value):
    assert c.call("SET", "k", "v", "EX", value) == NOT_INT
    assert c.call("SET", "k", "v", "PX", value) == NOT_INT


def test_set_huge_but_valid_expire(c):
    assert c.call("SET", "k", "v", "EX", "9223372036854") == "OK"
    assert c.call("TTL", "k") == 9223372036854
    assert c.call("SET", "k", "v", "PXAT", str(I64_MAX)) == "OK"
    assert c.call("PEXPIRETIME", "k") == I64_MAX


def test_set_arity(c):
    assert c.call("SET", "k") == arity("set")
    assert c.call("SET") == arity("set")
    assert c.call("GET") == arity("get")
    assert c.call("GET", "a", "b") == arity("get")


def test_redis_py_set_options(r):
    assert r.set("k", "v", ex=100) is True
    assert r.ttl("k") == 100
    assert r.set("k", "v", nx=True) is None
    assert r.set("k", "x", keepttl=True) is True
    assert r.ttl("k") == 100
    assert r.set("k", "w", xx=True, get=True) == b"x"
    assert r.ttl("k") == -1
    assert r.set("k", "y", px=5000) is True
    assert 4000 < r.pttl("k") <= 5000


# ---------------------------------------------------------- SETNX SETEX PSETEX


def test_setnx(c, make_list):
    assert c.call("SETNX", "k", "v") == 1
    assert c.call("SETNX", "k", "w") == 0
    assert c.call("GET", "k") == b"v"
    make_list("l")
    assert c.call("SETNX", "l", "v") == 0
    assert c.call("SETNX", "k") == arity("setnx")


def test_setex_psetex(c):
    assert c.call("SETEX", "k", "100", "v") == "OK"
    assert c.call("TTL", "k") == 100
    assert c.call("GET", "k") == b"v"
    assert c.call("PSETEX", "p", "100000", "v") == "OK"
    assert 99000 <= c.call("PTTL", "p") <= 100000
    # SETEX replaces an existing value and TTL.
    assert c.call("SET", "x", "old") == "OK"
    assert c.call("SETEX", "x", "7", "new") == "OK"
    assert c.call("GET", "x") == b"new"
    assert c.call("TTL", "x") == 7


@pytest.mark.parametrize("cmd", ["SETEX", "PSETEX"])
def test_setex_errors(c, cmd):
    low = cmd.lower()
    assert c.call(cmd, "k", "0", "v") == invalid_expire(low)
    assert c.call(cmd, "k", "-1", "v") == invalid_expire(low)
    assert c.call(cmd, "k", "abc", "v") == NOT_INT
    assert c.call(cmd, "k", "1.5", "v") == NOT_INT
    assert c.call(cmd, "k", str(I64_MAX), "v") == invalid_expire(low)
    assert c.call(cmd, "k", "10") == arity(low)
    assert c.call("EXISTS", "k") == 0


# ----------------------------------------------------------------------- GETEX


def test_getex_without_options_keeps_ttl(c):
    assert c.call("SET", "k", "v", "EX", "100") == "OK"
    assert c.call("GETEX", "k") == b"v"
    assert c.call("TTL", "k") == 100
    assert c.call("GETEX", "missing") is None


def test_getex_options(c):
    assert c.call("SET", "k", "v") == "OK"
    assert c.call("GETEX", "k", "EX", "100") == b"v"
    assert c.call("TTL", "k") == 100
    assert c.call("GETEX", "k", "PX", "50000") == b"v"
    assert c.call("TTL", "k") == 50
    at = int(time.time()) + 500
    assert c.call("GETEX", "k", "EXAT", at) == b"v"
    assert c.call("EXPIRETIME", "k") == at
    assert c.call("GETEX", "k", "PXAT", at * 1000 + 7) == b"v"
    assert c.call("PEXPIRETIME", "k") == at * 1000 + 7
    assert c.call("GETEX", "k", "PERSIST") == b"v"
    assert c.call("TTL", "k") == -1
    assert c.call("GETEX", "k", "persist") == b"v"
    assert c.call("GETEX", "missing", "EX", "10") is None
    assert c.call("EXISTS", "missing") == 0


def test_getex_past_time_deletes(c):
    assert c.call("SET", "k", "v") == "OK"
    assert c.call("GETEX", "k", "EXAT", "1") == b"v"
    assert c.call("EXISTS", "k") == 0
    assert c.call("SET", "k", "v") == "OK"
    assert c.call("GETEX", "k", "PXAT", "1") == b"v"
    assert c.call("EXISTS", "k") == 0


def test_getex_errors(c, make_list):
    assert c.call("SET", "k", "v") == "OK"
    for opts in [("EX", "10", "PX", "10"), ("PERSIST", "EX", "10"), ("EX", "10", "PERSIST"),
                 ("FOO",), ("EX",), ("PXAT",), ("KEEPTTL",), ("NX",)]:
        assert c.call("GETEX", "k", *opts) == SYNTAX, opts
    for opt, val in [("EX", "0"), ("PX", "0"), ("EXAT", "0"), ("PXAT", "0"), ("EX", "-5"),
                     ("EX", str(I64_MAX)), ("PX", str(I64_MAX))]:
        assert c.call("GETEX", "k", opt, val) == invalid_expire("getex"), (opt, val)
    assert c.call("GETEX", "k", "EX", "ten") == NOT_INT
    assert c.call("TTL", "k") == -1
    assert c.call("GETEX") == arity("getex")
    make_list("l")
    assert c.call("GETEX", "l") == WRONGTYPE
    assert c.call("GETEX", "l", "PERSIST") == WRONGTYPE


def test_getex_redis_py(r):
    r.set("k", "v")
    assert r.getex("k", ex=60) == b"v"
    assert r.ttl("k") == 60
    assert r.getex("k", persist=True) == b"v"
    assert r.ttl("k") == -1


# ------------------------------------------------------------- GETDEL GETSET


def test_getdel(c, make_list):
    assert c.call("SET", "k", "v", "EX", "100") == "OK"
    assert c.call("GETDEL", "k") == b"v"
    assert c.call("EXISTS", "k") == 0
    assert c.call("GETDEL", "k") is None
    assert c.call("GETDEL") == arity("getdel")
    assert c.call("GETDEL", "a", "b") == arity("getdel")
    make_list("l")
    assert c.call("GETDEL", "l") == WRONGTYPE
    assert c.call("EXISTS", "l") == 1


def test_getset(c, make_list):
    assert c.call("GETSET", "k", "v1") is None
    assert c.call("GETSET", "k", "v2") == b"v1"
    assert c.call("GET", "k") == b"v2"
    assert c.call("EXPIRE", "k", "100") == 1
    assert c.call("GETSET", "k", "v3") == b"v2"
    assert c.call("TTL", "k") == -1  # GETSET clears the TTL
    make_list("l")
    assert c.call("GETSET", "l", "x") == WRONGTYPE
    assert c.call("GETSET", "k") == arity("getset")


# ----------------------------------------------------------- MGET MSET MSETNX


def test_mget(c, make_list):
    assert c.call("MSET", "a", "1", "b", "2") == "OK"
    make_list("l")
    # Non-string keys read as nil in MGET (no WRONGTYPE).
    assert c.call("MGET", "a", "missing", "l", "b", "a") == [b"1", None, None, b"2", b"1"]
    assert c.call_raw("MGET", "missing") == b"*1\r\n$-1\r\n"
    assert c.call("MGET") == arity("mget")


def test_mset(c, make_list):
    assert c.call("MSET", "a", "1") == "OK"
    assert c.call("MSET", "a", "2", "b", "3", "a", "4") == "OK"  # last one wins
    assert c.call("MGET", "a", "b") == [b"4", b"3"]
    assert c.call("EXPIRE", "a", "100") == 1
    assert c.call("MSET", "a", "5") == "OK"
    assert c.call("TTL", "a") == -1
    make_list("l")
    assert c.call("MSET", "l", "s") == "OK"
    assert c.call("TYPE", "l") == "string"
    assert c.call("MSET", "a") == arity("mset")
    assert c.call("MSET", "a", "1", "b") == arity("mset")
    assert c.call("MSET") == arity("mset")


def test_msetnx(c):
    assert c.call("MSETNX", "a", "1", "b", "2") == 1
    assert c.call("MSETNX", "b", "x", "c", "3") == 0
    assert c.call("MGET", "a", "b", "c") == [b"1", b"2", None]
    assert c.call("MSETNX", "c", "3", "d", "4") == 1
    # The same new key twice: all keys are new so it succeeds, last value wins.
    assert c.call("MSETNX", "e", "1", "e", "2") == 1
    assert c.call("GET", "e") == b"2"
    assert c.call("MSETNX", "a") == arity("msetnx")
    assert c.call("MSETNX", "x", "1", "y") == arity("msetnx")


def test_msetnx_wrongtype_key_counts_as_existing(c, make_list):
    make_list("l")
    assert c.call("MSETNX", "l", "v", "n", "v") == 0
    assert c.call("EXISTS", "n") == 0


def test_mget_mset_redis_py(r):
    assert r.mset({"a": "1", "b": "2"}) is True
    assert r.mget("a", "b", "c") == [b"1", b"2", None]
    assert r.msetnx({"c": "3"}) is True
    assert r.msetnx({"c": "4", "d": "5"}) is False


# ------------------------------------------------------------ INCR and friends


def test_incr_decr(c):
    assert c.call("INCR", "n") == 1
    assert c.call("INCR", "n") == 2
    assert c.call("DECR", "n") == 1
    assert c.call("DECR", "m") == -1
    assert c.call("INCRBY", "n", "10") == 11
    assert c.call("INCRBY", "n", "-20") == -9
    assert c.call("DECRBY", "n", "-9") == 0
    assert c.call("DECRBY", "n", "5") == -5
    assert c.call("GET", "n") == b"-5"
    assert c.call_raw("INCR", "n") == b":-4\r\n"


def test_incr_keeps_ttl(c):
    assert c.call("SET", "n", "5", "EX", "100") == "OK"
    assert c.call("INCR", "n") == 6
    assert c.call("TTL", "n") == 100


@pytest.mark.parametrize("value", ["abc", "1.5", " 1", "1 ", "+1", "12345678901234567890",
                                   "", "0x10", "1e3", "-"])
def test_incr_non_integer_value(c, value):
    assert c.call("SET", "n", value) == "OK"
    assert c.call("INCR", "n") == NOT_INT
    assert c.call("DECR", "n") == NOT_INT
    assert c.call("INCRBY", "n", "1") == NOT_INT
    assert c.call("GET", "n") == value.encode()


@pytest.mark.parametrize("value,expected", [("-0", None), ("007", None), ("0", 1), ("-5", -4),
                                            ("9223372036854775806", I64_MAX)])
def test_incr_accepted_formats(c, value, expected):
    assert c.call("SET", "n", value) == "OK"
    if expected is None:
        # "-0" and leading zeros are not canonical integers for string2ll().
        assert c.call("INCR", "n") == NOT_INT
    else:
        assert c.call("INCR", "n") == expected


def test_incrby_argument_errors(c):
    assert c.call("INCRBY", "n", "abc") == NOT_INT
    assert c.call("INCRBY", "n", "1.0") == NOT_INT
    assert c.call("INCRBY", "n", "99999999999999999999") == NOT_INT
    assert c.call("DECRBY", "n", "x") == NOT_INT
    assert c.call("EXISTS", "n") == 0
    assert c.call("INCR") == arity("incr")
    assert c.call("INCR", "a", "b") == arity("incr")
    assert c.call("INCRBY", "a") == arity("incrby")
    assert c.call("DECRBY", "a") == arity("decrby")


def test_incr_overflow(c):
    assert c.call("SET", "max", str(I64_MAX)) == "OK"
    assert c.call("INCR", "max") == OVERFLOW
    assert c.call("INCRBY", "max", "1") == OVERFLOW
    assert c.call("DECRBY", "max", "-1") == OVERFLOW
    assert c.call("GET", "max") == str(I64_MAX).encode()
    assert c.call("SET", "min", str(I64_MIN)) == "OK"
    assert c.call("DECR", "min") == OVERFLOW
    assert c.call("INCRBY", "min", "-1") == OVERFLOW
    assert c.call("DECRBY", "min", "1") == OVERFLOW
    assert c.call("INCRBY", "min", str(I64_MAX)) == -1
    # DECRBY with LLONG_MIN cannot be negated.
    assert c.call("DECRBY", "x", str(I64_MIN)) == Err("ERR decrement would overflow")
    assert c.call("DECRBY", "min", str(I64_MIN)) == Err("ERR decrement would overflow")
    assert c.call("INCRBY", "y", str(I64_MIN)) == I64_MIN
    assert c.call("INCRBY", "z", str(I64_MAX)) == I64_MAX


def test_incr_wrongtype(c, make_list):
    make_list("l")
    for args in [("INCR", "l"), ("DECR", "l"), ("INCRBY", "l", "1"), ("DECRBY", "l", "1"),
                 ("INCRBYFLOAT", "l", "1")]:
        assert c.call(*args) == WRONGTYPE, args


def test_incr_object_encoding(c):
    assert c.call("SET", "n", "abc") == "OK"
    assert c.call("SET", "n", "100") == "OK"
    assert c.call("INCR", "n") == 101
    assert c.call("OBJECT", "ENCODING", "n") == b"int"


@pytest.mark.parametrize("start,incr,expected", [
    ("10", "0.5", b"10.5"),
    ("10.5", "0.1", b"10.6"),
    ("3.0e3", "0", b"3000"),
    ("5.0e3", "2.0e2", b"5200"),
    ("10", "-10", b"0"),
    ("1", "-1.5", b"-0.5"),
    ("0", "1e-5", b"0.00001"),
    ("0", "1.5e20", b"150000000000000000000"),
    ("7", "3", b"10"),
    ("0.1", "0.2", b"0.3"),
    ("  ", None, None),
])
def test_incrbyfloat(c, start, incr, expected):
    assert c.call("SET", "f", start) == "OK"
    if incr is None:
        assert c.call("INCRBYFLOAT", "f", "1") == NOT_FLOAT
        return
    assert c.call("INCRBYFLOAT", "f", incr) == expected
    assert c.call("GET", "f") == expected


def test_incrbyfloat_missing_key_and_ttl(c):
    assert c.call("INCRBYFLOAT", "f", "2.5") == b"2.5"
    assert c.call("INCRBYFLOAT", "g", "-3") == b"-3"
    assert c.call("SET", "t", "1", "EX", "100") == "OK"
    assert c.call("INCRBYFLOAT", "t", "1.5") == b"2.5"
    assert c.call("TTL", "t") == 100
    assert c.call("OBJECT", "ENCODING", "f") == b"embstr"


def test_incrbyfloat_hex_and_exponent_input(c):
    # strtold() semantics: hexadecimal and exponent forms are accepted.
    assert c.call("INCRBYFLOAT", "h", "0x10") == b"16"
    assert c.call("INCRBYFLOAT", "e", "1E2") == b"100"


@pytest.mark.parametrize("bad", ["abc", "nan", "NaN", "", " 1", "1 ", "1.5.5", "--1"])
def test_incrbyfloat_invalid_increment(c, bad):
    assert c.call("SET", "f", "1") == "OK"
    assert c.call("INCRBYFLOAT", "f", bad) == NOT_FLOAT
    assert c.call("GET", "f") == b"1"


@pytest.mark.parametrize("bad", ["inf", "-inf", "+inf", "infinity"])
def test_incrbyfloat_infinity(c, bad):
    assert c.call("SET", "f", "1") == "OK"
    assert c.call("INCRBYFLOAT", "f", bad) == Err("ERR increment would produce NaN or Infinity")
    assert c.call("GET", "f") == b"1"


def test_incrbyfloat_bad_stored_value(c):
    for v in ["abc", " 1.5", "1.5 ", "inf-ish"]:
        assert c.call("SET", "f", v) == "OK"
        assert c.call("INCRBYFLOAT", "f", "1") == NOT_FLOAT, v
    assert c.call("INCRBYFLOAT", "f") == arity("incrbyfloat")


def test_incrbyfloat_uses_long_double_range(c):
    # Redis computes with long double (80-bit on x86-64): doubling DBL_MAX
    # does not overflow and is printed with %.17Lf-style formatting.
    assert c.call("SET", "g", "1.7976931348623157e308") == "OK"
    reply = c.call("INCRBYFLOAT", "g", "1.7976931348623157e308")
    assert reply == (b"35953862697246313999184209354820886809677289388865835697062884153035325"
                     b"70462487927094037372167741711288575868388510413786174167269022721107157"
                     b"94556052955234146997955372576789671236326588091188869859074894581254961"
                     b"33883476929775824555243666719790770566420656500950322338241623544031997"
                     b"1852753604933726679072768")


def test_incrbyfloat_overflow(c):
    # 1e4932 fits a long double (max ~1.19e4932); doubling it overflows.
    first = c.call("INCRBYFLOAT", "x", "1e4932")
    assert first.startswith(b"10000000000000000000") and len(first) == 4933
    assert c.call("INCRBYFLOAT", "x", "1e4932") == Err(
        "ERR increment would produce NaN or Infinity")
    assert c.call("GET", "x") == first
    assert c.call("INCRBYFLOAT", "w", "-1e4932")[:2] == b"-1"
    assert c.call("INCRBYFLOAT", "w", "-1e4932") == Err(
        "ERR increment would produce NaN or Infinity")
    # Out-of-range literals (strtold ERANGE) are not valid floats.
    assert c.call("INCRBYFLOAT", "y", "1e5000") == NOT_FLOAT
    assert c.call("INCRBYFLOAT", "y", "1e-5000") == NOT_FLOAT
    assert c.call("SET", "z", "1e5000") == "OK"
    assert c.call("INCRBYFLOAT", "z", "1") == NOT_FLOAT
    # Tiny but representable values print as 0 (%.17Lf, trailing zeros trimmed).
    assert c.call("INCRBYFLOAT", "u", "5e-324") == b"0"


def test_incrbyfloat_redis_py(r):
    assert r.incrbyfloat("f", 1.25) == 1.25
    assert r.incrbyfloat("f", 1) == 2.25
    assert r.get("f") == b"2.25"


# ---------------------------------------------------------------- APPEND STRLEN


def test_append(c, make_list):
    assert c.call("APPEND", "k", "hello") == 5
    assert c.call("APPEND", "k", " world") == 11
    assert c.call("GET", "k") == b"hello world"
    assert c.call("APPEND", "k", "") == 11
    assert c.call("APPEND", "e", "") == 0
    assert c.call("EXISTS", "e") == 1  # APPEND of "" still creates the key
    assert c.call("GET", "e") == b""
    make_list("l")
    assert c.call("APPEND", "l", "x") == WRONGTYPE
    assert c.call("APPEND", "k") == arity("append")


def test_append_to_integer_and_keeps_ttl(c):
    assert c.call("SET", "n", "123") == "OK"
    assert c.call("OBJECT", "ENCODING", "n") == b"int"
    assert c.call("APPEND", "n", "4") == 4
    assert c.call("GET", "n") == b"1234"
    assert c.call("OBJECT", "ENCODING", "n") == b"raw"
    assert c.call("EXPIRE", "n", "100") == 1
    assert c.call("APPEND", "n", "5") == 5
    assert c.call("TTL", "n") == 100


def test_strlen(c, make_list):
    assert c.call("STRLEN", "missing") == 0
    assert c.call("SET", "k", "hello") == "OK"
    assert c.call("STRLEN", "k") == 5
    assert c.call("SET", "n", "-12345") == "OK"
    assert c.call("STRLEN", "n") == 6   # integer-encoded value
    assert c.call("SET", "u", "é") == "OK"
    assert c.call("STRLEN", "u") == 2   # bytes, not characters
    make_list("l")
    assert c.call("STRLEN", "l") == WRONGTYPE
    assert c.call("STRLEN") == arity("strlen")


# ---------------------------------------------------------- GETRANGE / SUBSTR


@pytest.mark.parametrize("start,end,expected", [
    (0, -1, b"hello"),
    (0, 0, b"h"),
    (1, 3, b"ell"),
    (-3, -1, b"llo"),
    (-1, -1, b"o"),
    (0, 100, b"hello"),
    (4, 100, b"o"),
    (5, 10, b""),
    (3, 1, b""),
    (-1, -5, b""),
    (-100, 2, b"hel"),
    (-100, -50, b"h"),       # Redis 7.0 quirk: both ends clamp to 0
    (-100, -5, b"h"),
    (2, -100, b""),
    (I64_MAX, I64_MAX, b""),
    (I64_MIN, -1, b"hello"),
    (I64_MIN, I64_MAX, b"hello"),
])
def test_getrange(c, start, end, expected):
    assert c.call("SET", "k", "hello") == "OK"
    assert c.call("GETRANGE", "k", start, end) == expected
    assert c.call("SUBSTR", "k", start, end) == expected


def test_getrange_integer_encoded(c):
    assert c.call("SET", "n", "-12345") == "OK"
    assert c.call("GETRANGE", "n", "1", "3") == b"123"
    assert c.call("GETRANGE", "n", "-2", "-1") == b"45"


def test_getrange_missing_and_errors(c, make_list):
    assert c.call("GETRANGE", "missing", "0", "-1") == b""
    assert c.call_raw("GETRANGE", "missing", "0", "-1") == b"$0\r\n\r\n"
    assert c.call("SET", "e", "") == "OK"
    assert c.call("GETRANGE", "e", "0", "-1") == b""
    assert c.call("SET", "k", "v") == "OK"
    assert c.call("GETRANGE", "k", "a", "1") == NOT_INT
    assert c.call("GETRANGE", "k", "0", "1.5") == NOT_INT
    assert c.call("GETRANGE", "k", "0") == arity("getrange")
    assert c.call("SUBSTR", "k", "0") == arity("substr")
    make_list("l")
    assert c.call("GETRANGE", "l", "0", "1") == WRONGTYPE
    assert c.call("SUBSTR", "l", "0", "1") == WRONGTYPE


# -------------------------------------------------------------------- SETRANGE


def test_setrange(c):
    assert c.call("SET", "k", "Hello World") == "OK"
    assert c.call("SETRANGE", "k", "6", "Redis") == 11
    assert c.call("GET", "k") == b"Hello Redis"
    assert c.call("SETRANGE", "k", "11", "!!") == 13
    assert c.call("GET", "k") == b"Hello Redis!!"
    assert c.call("SETRANGE", "k", "0", "J") == 13
    assert c.call("GET", "k") == b"Jello Redis!!"


def test_setrange_pads_with_zero_bytes(c):
    assert c.call("SETRANGE", "n", "5", "ab") == 7
    assert c.call("GET", "n") == b"\x00\x00\x00\x00\x00ab"
    assert c.call("SET", "s", "x") == "OK"
    assert c.call("SETRANGE", "s", "3", "y") == 4
    assert c.call("GET", "s") == b"x\x00\x00y"


def test_setrange_empty_value(c):
    # Empty value on a missing key: no key is created.
    assert c.call("SETRANGE", "m", "0", "") == 0
    assert c.call("SETRANGE", "m", "10", "") == 0
    assert c.call("EXISTS", "m") == 0
    # Empty value on an existing key: no change, returns length.
    assert c.call("SET", "k", "abc") == "OK"
    assert c.call("SETRANGE", "k", "10", "") == 3
    assert c.call("GET", "k") == b"abc"


def test_setrange_integer_encoded(c):
    assert c.call("SET", "n", "1234") == "OK"
    assert c.call("SETRANGE", "n", "1", "9") == 4
    assert c.call("GET", "n") == b"1934"


def test_setrange_keeps_ttl(c):
    assert c.call("SET", "k", "abc", "EX", "100") == "OK"
    assert c.call("SETRANGE", "k", "1", "X") == 3
    assert c.call("TTL", "k") == 100


def test_setrange_errors(c, make_list):
    assert c.call("SETRANGE", "k", "-1", "x") == Err("ERR offset is out of range")
    assert c.call("SETRANGE", "k", "abc", "x") == NOT_INT
    # 512 MB limit (proto-max-bulk-len default) on offset + len(value).
    too_big = Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    assert c.call("SETRANGE", "k", "536870912", "x") == too_big
    assert c.call("SETRANGE", "k", "536870911", "xy") == too_big
    assert c.call("SETRANGE", "k", str(I64_MAX), "x") == too_big
    assert c.call("EXISTS", "k") == 0
    # An empty value never triggers the size check.
    assert c.call("SETRANGE", "k", "536870912", "") == 0
    assert c.call("SETRANGE", "k", "1") == arity("setrange")
    make_list("l")
    assert c.call("SETRANGE", "l", "0", "x") == WRONGTYPE
    assert c.call("SETRANGE", "l", "0", "") == WRONGTYPE


def test_setrange_respects_lowered_proto_max_bulk_len(c, config):
    config.set("proto-max-bulk-len", "1048576")
    too_big = Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    assert c.call("SETRANGE", "k", "1048576", "x") == too_big
    assert c.call("SETRANGE", "k", "1048575", "x") == 1048576
    assert c.call("APPEND", "k", "y") == too_big
    assert c.call("STRLEN", "k") == 1048576


# ------------------------------------------------------------------------- LCS


def test_lcs_basic(c):
    assert c.call("MSET", "key1", "ohmytext", "key2", "mynewtext") == "OK"
    assert c.call("LCS", "key1", "key2") == b"mytext"
    assert c.call("LCS", "key1", "key2", "LEN") == 6
    assert c.call("LCS", "key2", "key1", "len") == 6


def test_lcs_idx(c):
    assert c.call("MSET", "key1", "ohmytext", "key2", "mynewtext") == "OK"
    assert c.call("LCS", "key1", "key2", "IDX") == [
        b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]],
        b"len", 6]
    assert c.call("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4") == [
        b"matches", [[[4, 7], [5, 8]]],
        b"len", 6]
    assert c.call("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN") == [
        b"matches", [[[4, 7], [5, 8], 4]],
        b"len", 6]
    assert c.call("LCS", "key1", "key2", "IDX", "WITHMATCHLEN") == [
        b"matches", [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]],
        b"len", 6]
    # Negative / zero MINMATCHLEN means no filter.
    assert c.call("LCS", "key1", "key2", "MINMATCHLEN", "-5", "IDX") == [
        b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]],
        b"len", 6]


def test_lcs_idx_resp3(r3):
    r3.mset({"key1": "ohmytext", "key2": "mynewtext"})
    assert redis_py_raw(r3, "LCS", "key1", "key2", "IDX") == {b"matches": [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len": 6}


def test_lcs_missing_and_empty(c):
    assert c.call("SET", "a", "hello") == "OK"
    assert c.call("LCS", "a", "missing") == b""
    assert c.call("LCS", "missing", "a", "LEN") == 0
    assert c.call("LCS", "m1", "m2", "IDX") == [b"matches", [], b"len", 0]
    assert c.call_raw("LCS", "m1", "m2", "IDX") == b"*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"
    assert c.call("MSET", "x", "abc", "y", "xyz") == "OK"
    assert c.call("LCS", "x", "y") == b""
    assert c.call("LCS", "a", "a") == b"hello"


def test_lcs_options_ignored_without_idx(c):
    assert c.call("MSET", "key1", "ohmytext", "key2", "mynewtext") == "OK"
    assert c.call("LCS", "key1", "key2", "WITHMATCHLEN") == b"mytext"
    assert c.call("LCS", "key1", "key2", "LEN", "WITHMATCHLEN") == 6
    assert c.call("LCS", "key1", "key2", "LEN", "MINMATCHLEN", "3") == 6


def test_lcs_errors(c, make_list):
    assert c.call("MSET", "key1", "ohmytext", "key2", "mynewtext") == "OK"
    assert c.call("LCS", "key1", "key2", "LEN", "IDX") == Err(
        "ERR If you want both the length and indexes, please just use IDX.")
    assert c.call("LCS", "key1", "key2", "FOO") == SYNTAX
    assert c.call("LCS", "key1", "key2", "MINMATCHLEN") == SYNTAX
    assert c.call("LCS", "key1", "key2", "MINMATCHLEN", "abc") == NOT_INT
    assert c.call("LCS", "key1") == arity("lcs")
    make_list("l")
    assert c.call("LCS", "key1", "l") == Err("ERR The specified keys must contain string values")
    assert c.call("LCS", "l", "missing") == Err("ERR The specified keys must contain string values")


def test_lcs_integer_encoded_values(c):
    assert c.call("MSET", "a", "12345", "b", "x2y4z") == "OK"
    assert c.call("LCS", "a", "b") == b"24"
