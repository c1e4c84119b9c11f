"""Hash commands: HSET HSETNX HGET HMSET HMGET HGETALL HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS
HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, through redis-py and raw RESP2/RESP3."""

import pytest

from ember_resp import Err, Map

WRONGTYPE = Err("WRONGTYPE Operation against a key holding the wrong kind of value")
SYNTAX = Err("ERR syntax error")
NOT_INT = Err("ERR value is not an integer or out of range")
NOT_FLOAT = Err("ERR value is not a valid float")


def arity(cmd):
    return Err(f"ERR wrong number of arguments for '{cmd}' command")


def test_hset_hget_hmset_hmget(r, c):
    assert r.hset("h", mapping={"a": "1", "b": "2"}) == 2
    assert r.hset("h", "a", "one") == 0
    assert r.hget("h", "a") == b"one"
    assert r.hget("h", "missing") is None
    assert r.hget("nokey", "a") is None
    assert r.hmget("h", ["a", "missing", "b"]) == [b"one", None, b"2"]
    assert r.hmget("nokey", ["a", "b"]) == [None, None]
    assert c.call("HMSET", "h", "c", "3", "d", "4") == "OK"
    assert c.call("HSET", "h", "x") == arity("hset")
    assert c.call("HSET", "h", "x", "1", "y") == arity("hset")
    assert c.call("HMSET", "h", "x", "1", "y") == arity("hmset")
    assert c.call("HSET", "h") == arity("hset")
    assert r.hlen("h") == 4
    assert r.hlen("nokey") == 0


def test_hsetnx_hexists_hstrlen(r):
    assert r.hsetnx("h", "f", "v") == 1
    assert r.hsetnx("h", "f", "other") == 0
    assert r.hget("h", "f") == b"v"
    assert r.hexists("h", "f") is True
    assert r.hexists("h", "g") is False
    assert r.hexists("nokey", "f") is False
    assert r.hstrlen("h", "f") == 1
    assert r.hstrlen("h", "g") == 0
    assert r.hstrlen("nokey", "g") == 0


def test_hgetall_hkeys_hvals(r, r3, c):
    assert r.hgetall("nokey") == {}
    assert c.call_raw("HGETALL", "nokey") == b"*0\r\n"
    r.hset("h", mapping={"a": "1", "b": "2", "c": "3"})
    assert r.hgetall("h") == {b"a": b"1", b"b": b"2", b"c": b"3"}
    assert sorted(r.hkeys("h")) == [b"a", b"b", b"c"]
    assert sorted(r.hvals("h")) == [b"1", b"2", b"3"]
    assert r3.hgetall("h") == {b"a": b"1", b"b": b"2", b"c": b"3"}
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert isinstance(c.call("HGETALL", "h"), Map)
    assert c.call_raw("HGETALL", "nokey") == b"%0\r\n"


def test_hdel_removes_empty_key(r):
    r.hset("h", mapping={"a": "1", "b": "2"})
    assert r.hdel("h", "a", "a", "missing") == 1
    assert r.exists("h") == 1
    assert r.hdel("h", "b") == 1
    assert r.exists("h") == 0
    assert r.hdel("nokey", "a") == 0


def test_hincrby(r, c):
    assert r.hincrby("h", "n", 5) == 5
    assert r.hincrby("h", "n", -8) == -3
    r.hset("h", "s", "abc")
    assert c.call("HINCRBY", "h", "s", "1") == Err("ERR hash value is not an integer")
    assert c.call("HINCRBY", "h", "n", "x") == NOT_INT
    r.hset("h", "max", str(2**63 - 1))
    assert c.call("HINCRBY", "h", "max", "1") == Err("ERR increment or decrement would overflow")
    # A failed increment of a missing key creates nothing.
    assert c.call("HINCRBY", "fresh", "n", "x") == NOT_INT
    assert r.exists("fresh") == 0


def test_hincrbyfloat(r, c):
    assert c.call("HINCRBYFLOAT", "h", "f", "10.5") == b"10.5"
    assert c.call("HINCRBYFLOAT", "h", "f", "0.1") == b"10.6"
    assert c.call("HINCRBYFLOAT", "h", "f", "-5.0e3") == b"-4989.39999999999999991"  # long double, as Redis
    assert c.call("HINCRBYFLOAT", "h", "f", "abc") == NOT_FLOAT
    assert c.call("HINCRBYFLOAT", "h", "f", "inf") == Err("ERR value is NaN or Infinity")
    r.hset("h", "s", "abc")
    assert c.call("HINCRBYFLOAT", "h", "s", "1") == Err("ERR hash value is not a float")
    # 1e4000 fits a long double: Redis answers with all its digits.
    assert c.call("HINCRBYFLOAT", "h", "big", "1e4000").startswith(b"99999999999999999999")


def test_hrandfield(r, r3, c):
    assert r.hrandfield("nokey") is None
    assert r.hrandfield("nokey", 3) == []
    fields = {f"f{i}".encode(): str(i).encode() for i in range(10)}
    r.hset("h", mapping=fields)
    assert r.hrandfield("h") in fields
    assert r.hrandfield("h", 0) == []
    distinct = r.hrandfield("h", 5)
    assert len(distinct) == len(set(distinct)) == 5 and set(distinct) <= set(fields)
    assert sorted(r.hrandfield("h", 100)) == sorted(fields)
    repeats = r.hrandfield("h", -30)
    assert len(repeats) == 30 and set(repeats) <= set(fields)
    flat = c.call("HRANDFIELD", "h", "3", "WITHVALUES")
    assert len(flat) == 6 and all(fields[flat[i]] == flat[i + 1] for i in range(0, 6, 2))
    assert c.call("HELLO", "3")[b"proto"] == 3
    pairs = c.call("HRANDFIELD", "h", "-4", "WITHVALUES")
    assert len(pairs) == 4 and all(fields[f] == v for f, v in pairs)
    assert c.call("HRANDFIELD", "h", "1", "foo") == SYNTAX
    assert c.call("HRANDFIELD", "h", "x") == NOT_INT


def test_hscan(r, c):
    assert c.call("HSCAN", "nokey", "0") == [b"0", []]
    r.hset("small", mapping={"a": "1", "b": "2", "ab": "3"})
    cursor, items = c.call("HSCAN", "small", "0", "MATCH", "a*")
    assert cursor == b"0" and dict(zip(items[::2], items[1::2])) == {b"a": b"1", b"ab": b"3"}
    assert c.call("HSCAN", "small", "x") == Err("ERR invalid cursor")
    assert c.call("HSCAN", "small", "0", "TYPE", "hash") == SYNTAX
    assert c.call("HSCAN", "small", "0", "COUNT", "0") == SYNTAX
    big = {f"field:{i}": str(i) for i in range(1000)}
    r.hset("big", mapping=big)
    seen = {}
    cursor = "0"
    while True:
        cursor, items = c.call("HSCAN", "big", cursor, "COUNT", "50")
        seen.update(zip(items[::2], items[1::2]))
        if cursor == b"0":
            break
    assert seen == {k.encode(): v.encode() for k, v in big.items()}
    assert dict(r.hscan_iter("big", match="field:99?")) == {f"field:99{i}".encode(): f"99{i}".encode() for i in range(10)}


def test_encodings_follow_thresholds(r, c, config):
    r.hset("h", "f", "v")
    assert c.call("OBJECT", "ENCODING", "h") == b"listpack"
    assert c.call("TYPE", "h") == "hash"
    r.hset("h", "long", "x" * 65)
    assert c.call("OBJECT", "ENCODING", "h") == b"hashtable"
    config.set("hash-max-listpack-entries", "4")
    r.hset("n", mapping={str(i): "v" for i in range(4)})
    assert c.call("OBJECT", "ENCODING", "n") == b"listpack"
    r.hset("n", "4", "v")
    assert c.call("OBJECT", "ENCODING", "n") == b"hashtable"
    assert c.call("CONFIG", "GET", "hash-max-ziplist-entries") == [b"hash-max-ziplist-entries", b"4"]


def test_wrong_types_and_copy(r, c):
    r.set("s", "v")
    for argv in (["HGET", "s", "f"], ["HSET", "s", "f", "v"], ["HGETALL", "s"], ["HLEN", "s"],
                 ["HDEL", "s", "f"], ["HINCRBY", "s", "f", "1"], ["HSCAN", "s", "0"], ["HRANDFIELD", "s"]):
        assert c.call(*argv) == WRONGTYPE, argv
    r.hset("h", "f", "v")
    for argv in (["GET", "h"], ["INCR", "h"], ["APPEND", "h", "x"], ["SET", "h", "x", "GET"]):
        assert c.call(*argv) == WRONGTYPE, argv
    assert r.copy("h", "h2") is True
    r.hset("h2", "f", "changed")
    assert r.hget("h", "f") == b"v"
    assert r.type("h2") == b"hash"
    assert r.set("h", "now a string") is True
    assert r.get("h") == b"now a string"
