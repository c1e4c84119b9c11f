"""MEMORY USAGE (with SAMPLES) and DEBUG OBJECT for every value type and encoding.

Exact byte counts are implementation details, so only the shape is checked: a positive integer,
bigger values report more, and a value's figure covers at least its payload."""

import re

from ember_resp import Err

SYNTAX = Err("ERR syntax error")


def usage(c, key, *opts):
    reply = c.call("MEMORY", "USAGE", key, *opts)
    assert isinstance(reply, int) and reply > 0, (key, reply)
    return reply


def many(n, prefix="m"):
    return [f"{prefix}{i}" for i in range(n)]


def pairs(n, prefix="m"):
    return [x for i in range(n) for x in (i, f"{prefix}{i}")]


def test_memory_usage_string(c):
    assert c.call("SET", "s", "hello") == "OK"
    assert c.call("SET", "n", "12345") == "OK"
    assert c.call("SET", "big", "x" * 10000) == "OK"
    small = usage(c, "s")
    usage(c, "n")
    assert usage(c, "big") >= 10000
    assert usage(c, "big") > small
    assert c.call("SET", "k" * 200, "v") == "OK"
    assert usage(c, "k" * 200) >= 200           # the key counts too


def test_memory_usage_missing_key(c):
    assert c.call("MEMORY", "USAGE", "nokey") is None
    assert c.call_raw("MEMORY", "USAGE", "nokey") == b"$-1\r\n"
    assert c.call("MEMORY", "USAGE", "nokey", "SAMPLES", "0") is None
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call_raw("MEMORY", "USAGE", "nokey") == b"_\r\n"


def test_memory_usage_hash(c, config):
    assert c.call("HSET", "small", "a", "1") == 1
    assert c.call("OBJECT", "ENCODING", "small") == b"listpack"
    assert c.call("HSET", "big", *[x for i in range(1000) for x in (f"f{i}", f"v{i}")]) == 1000
    assert c.call("OBJECT", "ENCODING", "big") == b"hashtable"
    assert usage(c, "big") > usage(c, "small")
    payload = sum(len(f"f{i}") + len(f"v{i}") for i in range(1000))
    assert usage(c, "big", "SAMPLES", "0") >= payload
    config.set("hash-max-listpack-entries", "0")
    assert c.call("HSET", "ht", "a", "1") == 1
    assert c.call("OBJECT", "ENCODING", "ht") == b"hashtable"
    usage(c, "ht")


def test_memory_usage_list(c):
    assert c.call("RPUSH", "small", "a") == 1
    assert c.call("RPUSH", "big", *many(1000, "x")) == 1000
    assert usage(c, "big") > usage(c, "small")
    assert usage(c, "big", "SAMPLES", "0") >= sum(len(m) for m in many(1000, "x"))


def test_memory_usage_set(c):
    assert c.call("SADD", "ints", "1", "2", "3") == 3
    assert c.call("OBJECT", "ENCODING", "ints") == b"intset"
    assert c.call("SADD", "small", "a", "b", "c") == 3
    assert c.call("OBJECT", "ENCODING", "small") == b"hashtable"
    assert c.call("SADD", "big", *many(1000)) == 1000
    assert c.call("SADD", "bigints", *range(1000)) == 1000
    assert c.call("OBJECT", "ENCODING", "bigints") == b"hashtable"
    assert usage(c, "big") > usage(c, "small")
    assert usage(c, "big") > usage(c, "ints")
    assert usage(c, "bigints") > usage(c, "ints")
    assert usage(c, "big", "SAMPLES", "0") >= sum(len(m) for m in many(1000))
    assert c.call("SADD", "intset500", *range(500)) == 500
    assert c.call("OBJECT", "ENCODING", "intset500") == b"intset"
    assert usage(c, "intset500") > usage(c, "ints")
    assert usage(c, "intset500") >= 500 * 2                 # at least 16-bit each


def test_memory_usage_zset(c, config):
    assert c.call("ZADD", "small", "1", "a") == 1
    assert c.call("OBJECT", "ENCODING", "small") == b"listpack"
    assert c.call("ZADD", "big", *pairs(1000)) == 1000
    assert c.call("OBJECT", "ENCODING", "big") == b"skiplist"
    assert usage(c, "big") > usage(c, "small")
    assert usage(c, "big", "SAMPLES", "0") >= sum(len(m) for m in many(1000)) + 1000 * 8
    config.set("zset-max-listpack-entries", "0")
    assert c.call("ZADD", "sk", "1", "a") == 1
    assert c.call("OBJECT", "ENCODING", "sk") == b"skiplist"
    usage(c, "sk")


def test_memory_usage_samples(c):
    # One huge member among many tiny ones: counting all of them must see it.
    members = [b"h" * 100_000] + [f"m{i}".encode() for i in range(300)]
    assert c.call("SADD", "s", *members) == 301
    assert usage(c, "s", "SAMPLES", "0") >= 100_000
    assert usage(c, "s", "samples", "1") > 0
    assert usage(c, "s", "SAMPLES", "5") > 0
    assert usage(c, "s", "SAMPLES", "1", "SAMPLES", "0") >= 100_000   # the last one wins
    assert c.call("SET", "str", "v") == "OK"
    assert usage(c, "str", "SAMPLES", "0") == usage(c, "str")


def test_memory_usage_errors(c):
    assert c.call("SET", "s", "v") == "OK"
    assert c.call("MEMORY", "USAGE", "s", "SAMPLES", "x") == Err(
        "ERR value is not an integer or out of range")
    assert c.call("MEMORY", "USAGE", "s", "SAMPLES", "-1") == SYNTAX
    assert c.call("MEMORY", "USAGE", "s", "SAMPLES") == SYNTAX
    assert c.call("MEMORY", "USAGE", "s", "FOO") == SYNTAX
    assert c.call("MEMORY", "USAGE", "s", "FOO", "1") == SYNTAX
    assert c.call("MEMORY", "USAGE", "a", "b") == SYNTAX
    # Options are checked before the key is looked up.
    assert c.call("MEMORY", "USAGE", "nokey", "FOO") == SYNTAX
    assert c.call("MEMORY", "USAGE", "nokey", "SAMPLES", "x") == Err(
        "ERR value is not an integer or out of range")
    assert c.call("MEMORY", "USAGE") == Err(
        "ERR wrong number of arguments for 'memory|usage' command")


# ------------------------------------------------------------ DEBUG OBJECT

COMMON = (r"Value at:0x[0-9a-f]+ refcount:\d+ encoding:(?P<enc>\S+) serializedlength:(?P<sl>\d+) "
          r"lru:\d+ lru_seconds_idle:\d+")
LIST_EXTRA = (r" ql_nodes:(?P<nodes>\d+) ql_avg_node:\d+\.\d\d ql_listpack_max:-?\d+ "
              r"ql_compressed:\d+ ql_uncompressed_size:\d+")


def debug_object(c, key, extra=""):
    reply = c.call("DEBUG", "OBJECT", key)
    assert isinstance(reply, str), reply           # a status reply
    m = re.fullmatch(COMMON + extra, reply)
    assert m, reply
    assert m["enc"].encode() == c.call("OBJECT", "ENCODING", key)
    assert int(m["sl"]) > 0
    return m


def test_debug_object_collections(c):
    assert c.call("RPUSH", "l", "a", "b") == 2
    m = debug_object(c, "l", LIST_EXTRA)
    assert m["enc"] == "quicklist" and int(m["nodes"]) >= 1
    assert c.call("HSET", "h", "f", "v") == 1
    assert debug_object(c, "h")["enc"] == "listpack"
    assert c.call("SADD", "si", "1", "2") == 2
    assert debug_object(c, "si")["enc"] == "intset"
    assert c.call("SADD", "sh", "a") == 1
    assert debug_object(c, "sh")["enc"] == "hashtable"
    assert c.call("ZADD", "z", "1", "a") == 1
    assert debug_object(c, "z")["enc"] == "listpack"


def test_debug_object_big_encodings(c):
    assert c.call("ZADD", "z", *pairs(200)) == 200
    assert debug_object(c, "z")["enc"] == "skiplist"
    assert c.call("HSET", "h", *[x for i in range(600) for x in (f"f{i}", "v")]) == 600
    assert debug_object(c, "h")["enc"] == "hashtable"
    assert c.call("RPUSH", "l", *many(1000)) == 1000
    big = debug_object(c, "l", LIST_EXTRA)
    assert big["enc"] == "quicklist"
    # The serialized length grows with the content.
    assert c.call("RPUSH", "one", "x") == 1
    assert int(big["sl"]) > int(debug_object(c, "one", LIST_EXTRA)["sl"])


def test_debug_object_no_such_key(c):
    assert c.call("DEBUG", "OBJECT", "nokey") == Err("ERR no such key")
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call("RPUSH", "l", "a") == 1
    assert c.call_raw("DEBUG", "OBJECT", "l").startswith(b"+Value at:")
