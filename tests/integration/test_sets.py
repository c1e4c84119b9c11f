"""Set commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER
SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN."""

from ember_resp import Err

WRONGTYPE = Err("WRONGTYPE Operation against a key holding the wrong kind of value")
SYNTAX = Err("ERR syntax error")


def test_members(r, c):
    assert r.sadd("s", "b", "a", "b") == 2
    assert r.smembers("s") == {b"a", b"b"}
    assert r.sismember("s", "a") == 1 and r.sismember("s", "z") == 0
    assert r.smismember("s", ["a", "z"]) == [1, 0]
    assert r.scard("s") == 2 and r.scard("nokey") == 0
    assert r.srem("s", "a", "z") == 1
    assert r.srem("s", "b") == 1
    assert r.exists("s") == 0
    assert c.call_raw("SMEMBERS", "nokey") == b"*0\r\n"
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call_raw("SMEMBERS", "nokey") == b"~0\r\n"


def test_encodings(r, c, config):
    r.sadd("i", 3, 1, 2)
    assert c.call("OBJECT", "ENCODING", "i") == b"intset"
    assert c.call("SMEMBERS", "i") == [b"1", b"2", b"3"]      # intsets are sorted
    r.sadd("i", "x")
    assert c.call("OBJECT", "ENCODING", "i") == b"hashtable"
    config.set("set-max-intset-entries", "3")
    r.sadd("n", 1, 2, 3)
    assert c.call("OBJECT", "ENCODING", "n") == b"intset"
    r.sadd("n", 4)
    assert c.call("OBJECT", "ENCODING", "n") == b"hashtable"


def test_spop_srandmember(r, c):
    members = {str(i).encode() for i in range(10)}
    r.sadd("s", *members)
    assert r.srandmember("s") in members
    assert len(set(r.srandmember("s", 5))) == 5
    assert set(r.srandmember("s", 100)) == members
    assert len(r.srandmember("s", -20)) == 20
    assert r.srandmember("nokey") is None and r.srandmember("nokey", 3) == []
    popped = r.spop("s")
    assert popped in members and r.scard("s") == 9
    assert len(r.spop("s", 4)) == 4 and r.scard("s") == 5
    assert len(r.spop("s", 100)) == 5
    assert r.exists("s") == 0
    assert c.call("SPOP", "s", "-1") == Err("ERR value is out of range, must be positive")
    assert c.call("SPOP", "s", "1", "2") == SYNTAX


def test_smove(r, c):
    r.sadd("a", "x", "y")
    assert r.smove("a", "b", "x") is True
    assert r.smove("a", "b", "nope") is False
    assert r.smembers("b") == {b"x"}
    assert r.smove("a", "a", "y") is True
    r.set("str", "v")
    assert c.call("SMOVE", "a", "str", "y") == WRONGTYPE
    assert c.call("SMOVE", "nokey", "str", "y") == 0
    assert r.smove("a", "b", "y") is True
    assert r.exists("a") == 0


def test_algebra_and_store(r, c):
    r.sadd("a", "1", "2", "x")
    r.sadd("b", "2", "x", "y")
    assert r.sinter("a", "b") == {b"2", b"x"}
    assert r.sunion("a", "b", "nokey") == {b"1", b"2", b"x", b"y"}
    assert r.sdiff("a", "b") == {b"1"}
    assert r.sinter("a", "nokey") == set()
    assert r.sinterstore("d", "a", "b") == 2 and r.smembers("d") == {b"2", b"x"}
    assert r.sdiffstore("d", "a", "b") == 1 and c.call("OBJECT", "ENCODING", "d") == b"intset"
    assert r.sunionstore("d", "nokey") == 0 and r.exists("d") == 0
    assert c.call("SINTERCARD", "2", "a", "b") == 2
    assert c.call("SINTERCARD", "2", "a", "b", "LIMIT", "1") == 1
    assert c.call("SINTERCARD", "0", "a") == Err("ERR numkeys should be greater than 0")
    assert c.call("SINTERCARD", "3", "a") == Err("ERR Number of keys can't be greater than number of args")
    r.set("str", "v")
    assert c.call("SINTER", "a", "str") == WRONGTYPE
    assert r.sunionstore("str", "a") == 3 and r.type("str") == b"set"


def test_sscan(r, c):
    assert c.call("SSCAN", "nokey", "0") == [b"0", []]
    assert c.call("SSCAN", "nokey", "x") == Err("ERR invalid cursor")
    r.sadd("big", *[f"m{i}" for i in range(1000)])
    seen = set()
    cursor = b"0"
    while True:
        cursor, items = c.call("SSCAN", "big", cursor, "COUNT", "100")
        seen.update(items)
        if cursor == b"0":
            break
    assert seen == {f"m{i}".encode() for i in range(1000)}
    assert set(r.sscan_iter("big", match="m99?")) == {f"m99{i}".encode() for i in range(10)}
