"""List commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT LREM LTRIM
LPOS LMOVE RPOPLPUSH LMPOP, through redis-py and raw RESP2/RESP3 (the blocking variants are in
test_blocking.py)."""

import pytest

from ember_resp import Err

WRONGTYPE = Err("WRONGTYPE Operation against a key holding the wrong kind of value")
SYNTAX = Err("ERR syntax error")
NOT_INT = Err("ERR value is not an integer or out of range")
NOT_POSITIVE = Err("ERR value is out of range, must be positive")


def arity(cmd):
    return Err(f"ERR wrong number of arguments for '{cmd}' command")


# --------------------------------------------------------------------------- push / pop


def test_push_order_and_length(r, c):
    assert r.rpush("l", "a", "b") == 2
    assert r.lpush("l", "x", "y") == 4          # pushed one by one: y ends up first
    assert r.lrange("l", 0, -1) == [b"y", b"x", b"a", b"b"]
    assert r.rpush("l", "z") == 5
    assert r.llen("l") == 5
    assert r.llen("nokey") == 0
    assert r.type("l") == b"list"
    assert c.call("LPUSH", "l") == arity("lpush")
    assert c.call("RPUSH", "l") == arity("rpush")
    assert c.call("LLEN", "l", "x") == arity("llen")


def test_pushx(r, c):
    assert r.lpushx("nokey", "a") == 0
    assert r.rpushx("nokey", "a") == 0
    assert r.exists("nokey") == 0
    r.rpush("l", "m")
    assert c.call("LPUSHX", "l", "a", "b") == 3
    assert c.call("RPUSHX", "l", "y", "z") == 5
    assert r.lrange("l", 0, -1) == [b"b", b"a", b"m", b"y", b"z"]
    assert c.call("LPUSHX", "l") == arity("lpushx")


def test_pop_single(r, c):
    r.rpush("l", "a", "b", "c")
    assert r.lpop("l") == b"a"
    assert r.rpop("l") == b"c"
    assert r.lpop("l") == b"b"
    assert r.lpop("l") is None
    assert r.rpop("nokey") is None
    assert c.call_raw("LPOP", "nokey") == b"$-1\r\n"
    assert c.call_raw("RPOP", "nokey") == b"$-1\r\n"


def test_pop_with_count(r, c):
    r.rpush("l", "a", "b", "c", "d", "e")
    assert r.lpop("l", 2) == [b"a", b"b"]
    assert r.rpop("l", 2) == [b"e", b"d"]
    assert c.call_raw("LPOP", "l", "0") == b"*0\r\n"
    assert c.call_raw("RPOP", "l", "0") == b"*0\r\n"
    assert r.lpop("l", 1) == [b"c"]                 # a count always gives an array
    assert r.exists("l") == 0
    r.rpush("l", "a", "b", "c")
    assert r.rpop("l", 100) == [b"c", b"b", b"a"]
    assert r.exists("l") == 0
    r.rpush("l", "a", "b", "c")
    assert c.call("LPOP", "l", "9223372036854775807") == [b"a", b"b", b"c"]


def test_pop_count_errors(r, c):
    r.rpush("l", "a")
    assert c.call("LPOP", "l", "-1") == NOT_POSITIVE
    assert c.call("RPOP", "l", "-1") == NOT_POSITIVE
    assert c.call("LPOP", "l", "x") == NOT_POSITIVE
    assert c.call("RPOP", "l", "1.5") == NOT_POSITIVE
    assert c.call("LPOP", "l", "9223372036854775808") == NOT_POSITIVE
    assert c.call("LPOP", "l", "1", "2") == arity("lpop")
    assert c.call("RPOP", "l", "1", "2") == arity("rpop")
    assert r.lrange("l", 0, -1) == [b"a"]


def test_pop_count_missing_key_resp2_resp3(c):
    assert c.call_raw("LPOP", "nokey", "2") == b"*-1\r\n"
    assert c.call_raw("RPOP", "nokey", "2") == b"*-1\r\n"
    assert c.call_raw("LPOP", "nokey", "0") == b"*-1\r\n"
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call_raw("LPOP", "nokey", "2") == b"_\r\n"
    assert c.call_raw("RPOP", "nokey", "2") == b"_\r\n"
    assert c.call_raw("LPOP", "nokey") == b"_\r\n"
    assert c.call("RPUSH", "l", "a", "b") == 2
    assert c.call_raw("LPOP", "l", "1") == b"*1\r\n$1\r\na\r\n"
    assert c.call_raw("LPOP", "l", "0") == b"*0\r\n"


def test_last_element_removes_key(r, c):
    r.rpush("l", "a", "b")
    r.lpop("l")
    assert r.exists("l") == 1
    r.rpop("l")
    assert r.exists("l") == 0
    assert c.call("TYPE", "l") == "none"
    # Every way of emptying a list deletes the key.
    for empty in (("LREM", "l", "0", "a"), ("LTRIM", "l", "1", "0"), ("LMOVE", "l", "d", "LEFT", "LEFT"),
                  ("RPOPLPUSH", "l", "d"), ("LMPOP", "1", "l", "LEFT"), ("LPOP", "l", "5")):
        r.rpush("l", "a")
        c.call(*empty)
        assert r.exists("l") == 0, empty


# --------------------------------------------------------------------------- LRANGE LINDEX


def test_lrange(r, c):
    r.rpush("l", *"abcde")
    assert r.lrange("l", 0, -1) == [b"a", b"b", b"c", b"d", b"e"]
    assert r.lrange("l", 1, 3) == [b"b", b"c", b"d"]
    assert r.lrange("l", -2, -1) == [b"d", b"e"]
    assert r.lrange("l", -100, 1) == [b"a", b"b"]
    assert r.lrange("l", 3, 100) == [b"d", b"e"]
    assert r.lrange("l", 5, 10) == []
    assert r.lrange("l", 3, 1) == []
    assert r.lrange("l", -1, -2) == []
    assert r.lrange("l", -100, -50) == []
    assert r.lrange("l", 0, 0) == [b"a"]
    assert c.call_raw("LRANGE", "nokey", "0", "-1") == b"*0\r\n"
    assert c.call("LRANGE", "l", "a", "1") == NOT_INT
    assert c.call("LRANGE", "l", "0", "1.0") == NOT_INT
    assert c.call("LRANGE", "l", "0") == arity("lrange")


def test_lindex(r, c):
    r.rpush("l", "a", "b", "c")
    assert r.lindex("l", 0) == b"a"
    assert r.lindex("l", 2) == b"c"
    assert r.lindex("l", -1) == b"c"
    assert r.lindex("l", -3) == b"a"
    assert r.lindex("l", 3) is None
    assert r.lindex("l", -4) is None
    assert c.call_raw("LINDEX", "nokey", "0") == b"$-1\r\n"
    assert c.call("LINDEX", "l", "x") == NOT_INT
    assert c.call("LINDEX", "l", "99999999999999999999") == NOT_INT


# --------------------------------------------------------------------------- LSET LINSERT


def test_lset(r, c):
    r.rpush("l", "a", "b", "c")
    assert c.call("LSET", "l", "0", "A") == "OK"
    assert c.call("LSET", "l", "-1", "C") == "OK"
    assert r.lset("l", 1, "B") is True
    assert r.lrange("l", 0, -1) == [b"A", b"B", b"C"]
    assert c.call("LSET", "l", "3", "x") == Err("ERR index out of range")
    assert c.call("LSET", "l", "-4", "x") == Err("ERR index out of range")
    assert c.call("LSET", "nokey", "0", "x") == Err("ERR no such key")
    assert c.call("LSET", "l", "x", "y") == NOT_INT
    assert c.call("LSET", "l", "0") == arity("lset")
    assert r.exists("nokey") == 0


def test_linsert(r, c):
    r.rpush("l", "a", "b", "c")
    assert c.call("LINSERT", "l", "BEFORE", "b", "x") == 4
    assert c.call("LINSERT", "l", "after", "b", "y") == 5
    assert r.lrange("l", 0, -1) == [b"a", b"x", b"b", b"y", b"c"]
    assert c.call("LINSERT", "l", "AFTER", "c", "end") == 6
    assert c.call("LINSERT", "l", "BEFORE", "a", "start") == 7
    assert r.lrange("l", 0, -1) == [b"start", b"a", b"x", b"b", b"y", b"c", b"end"]
    assert c.call("LINSERT", "l", "BEFORE", "zz", "q") == -1
    assert c.call("LINSERT", "nokey", "BEFORE", "a", "q") == 0
    assert r.exists("nokey") == 0
    assert c.call("LINSERT", "l", "MIDDLE", "a", "q") == SYNTAX
    assert c.call("LINSERT", "nokey", "FOO", "a", "q") == SYNTAX
    assert c.call("LINSERT", "l", "BEFORE", "a") == arity("linsert")
    assert r.llen("l") == 7


def test_linsert_first_match_only(r):
    r.rpush("l", "a", "p", "a", "p")
    assert r.linsert("l", "AFTER", "p", "new") == 5
    assert r.lrange("l", 0, -1) == [b"a", b"p", b"new", b"a", b"p"]


# --------------------------------------------------------------------------- LREM LTRIM


def test_lrem(r, c):
    r.rpush("l", "a", "b", "a", "c", "a", "b", "a")
    assert r.lrem("l", 2, "a") == 2                 # first two from the head
    assert r.lrange("l", 0, -1) == [b"b", b"c", b"a", b"b", b"a"]
    assert r.lrem("l", -1, "b") == 1                # last one from the tail
    assert r.lrange("l", 0, -1) == [b"b", b"c", b"a", b"a"]
    assert r.lrem("l", 0, "a") == 2                 # all of them
    assert r.lrange("l", 0, -1) == [b"b", b"c"]
    assert r.lrem("l", 0, "zz") == 0
    assert r.lrem("l", -10, "c") == 1
    assert r.lrem("nokey", 0, "a") == 0
    assert c.call("LREM", "l", "x", "a") == NOT_INT
    assert c.call("LREM", "l", "0") == arity("lrem")
    assert r.lrem("l", 1, "b") == 1
    assert r.exists("l") == 0


def test_ltrim(r, c):
    r.rpush("l", *"abcdef")
    assert c.call("LTRIM", "l", "1", "-2") == "OK"
    assert r.lrange("l", 0, -1) == [b"b", b"c", b"d", b"e"]
    assert r.ltrim("l", -3, 100) is True
    assert r.lrange("l", 0, -1) == [b"c", b"d", b"e"]
    assert r.ltrim("l", -100, 1) is True
    assert r.lrange("l", 0, -1) == [b"c", b"d"]
    assert c.call("LTRIM", "nokey", "0", "1") == "OK"
    assert r.exists("nokey") == 0
    assert c.call("LTRIM", "l", "a", "1") == NOT_INT
    assert c.call("LTRIM", "l", "0") == arity("ltrim")
    assert c.call("LTRIM", "l", "5", "10") == "OK"     # start past the end: empties the list
    assert r.exists("l") == 0
    r.rpush("l", "a", "b")
    assert c.call("LTRIM", "l", "1", "0") == "OK"      # start > end
    assert r.exists("l") == 0


# --------------------------------------------------------------------------- LPOS


def test_lpos_basic(r, c):
    r.rpush("l", "a", "b", "c", "a", "b", "a")
    assert c.call("LPOS", "l", "a") == 0
    assert c.call("LPOS", "l", "c") == 2
    assert c.call_raw("LPOS", "l", "zz") == b"$-1\r\n"
    assert c.call_raw("LPOS", "nokey", "a") == b"$-1\r\n"
    assert c.call_raw("LPOS", "nokey", "a", "COUNT", "0") == b"*0\r\n"
    assert c.call_raw("LPOS", "nokey", "a", "COUNT", "1") == b"*0\r\n"
    assert r.lpos("l", "b") == 1
    assert r.lpos("l", "zz") is None


def test_lpos_rank_count_maxlen(r, c):
    r.rpush("l", "a", "b", "c", "a", "b", "a")
    assert c.call("LPOS", "l", "a", "RANK", "1") == 0
    assert c.call("LPOS", "l", "a", "RANK", "2") == 3
    assert c.call("LPOS", "l", "a", "RANK", "3") == 5
    assert c.call("LPOS", "l", "a", "RANK", "4") is None
    assert c.call("LPOS", "l", "a", "RANK", "-1") == 5
    assert c.call("LPOS", "l", "a", "RANK", "-3") == 0
    assert c.call("LPOS", "l", "a", "RANK", "-4") is None
    assert c.call("LPOS", "l", "a", "COUNT", "0") == [0, 3, 5]
    assert c.call("LPOS", "l", "a", "COUNT", "2") == [0, 3]
    assert c.call("LPOS", "l", "a", "COUNT", "10") == [0, 3, 5]
    assert c.call("LPOS", "l", "zz", "COUNT", "2") == []
    assert c.call("LPOS", "l", "a", "RANK", "2", "COUNT", "1") == [3]
    assert c.call("LPOS", "l", "a", "RANK", "-2", "COUNT", "0") == [3, 0]
    assert c.call("LPOS", "l", "c", "MAXLEN", "2") is None
    assert c.call("LPOS", "l", "c", "MAXLEN", "3") == 2
    assert c.call("LPOS", "l", "a", "RANK", "2", "MAXLEN", "3") is None
    assert c.call("LPOS", "l", "a", "MAXLEN", "4", "COUNT", "0") == [0, 3]
    assert c.call("LPOS", "l", "a", "MAXLEN", "0", "COUNT", "0") == [0, 3, 5]   # 0 = no limit
    assert c.call("LPOS", "l", "a", "RANK", "-1", "MAXLEN", "2", "COUNT", "0") == [5]
    assert c.call("LPOS", "l", "b", "COUNT", "0", "RANK", "-1", "MAXLEN", "1") == []
    assert c.call("LPOS", "l", "a", "RANK", "1", "RANK", "2") == 3              # last one wins
    assert r.lpos("l", "a", rank=-1) == 5
    assert r.lpos("l", "a", count=0) == [0, 3, 5]
    assert r.lpos("l", "a", rank=2, count=5, maxlen=5) == [3]


def test_lpos_errors(r, c):
    r.rpush("l", "a")
    assert c.call("LPOS", "l", "a", "RANK", "0") == Err(
        "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
        "or use negative to start from the end of the list")
    assert c.call("LPOS", "l", "a", "COUNT", "-1") == Err("ERR COUNT can't be negative")
    assert c.call("LPOS", "l", "a", "MAXLEN", "-1") == Err("ERR MAXLEN can't be negative")
    assert c.call("LPOS", "l", "a", "RANK", "x") == NOT_INT
    assert c.call("LPOS", "l", "a", "RANK") == SYNTAX
    assert c.call("LPOS", "l", "a", "COUNT") == SYNTAX
    assert c.call("LPOS", "l", "a", "FOO", "1") == SYNTAX
    assert c.call("LPOS", "l") == arity("lpos")


# --------------------------------------------------------------------------- LMOVE RPOPLPUSH


@pytest.mark.parametrize("wherefrom,whereto,moved,src_after,dst_after", [
    ("LEFT", "LEFT", b"a", [b"b", b"c"], [b"a", b"x", b"y"]),
    ("LEFT", "RIGHT", b"a", [b"b", b"c"], [b"x", b"y", b"a"]),
    ("RIGHT", "LEFT", b"c", [b"a", b"b"], [b"c", b"x", b"y"]),
    ("RIGHT", "RIGHT", b"c", [b"a", b"b"], [b"x", b"y", b"c"]),
])
def test_lmove_directions(r, c, wherefrom, whereto, moved, src_after, dst_after):
    r.rpush("src", "a", "b", "c")
    r.rpush("dst", "x", "y")
    assert c.call("LMOVE", "src", "dst", wherefrom, whereto) == moved
    assert r.lrange("src", 0, -1) == src_after
    assert r.lrange("dst", 0, -1) == dst_after


def test_lmove_same_key_rotation(r, c):
    r.rpush("l", "a", "b", "c")
    assert c.call("LMOVE", "l", "l", "LEFT", "RIGHT") == b"a"
    assert r.lrange("l", 0, -1) == [b"b", b"c", b"a"]
    assert c.call("LMOVE", "l", "l", "RIGHT", "LEFT") == b"a"
    assert r.lrange("l", 0, -1) == [b"a", b"b", b"c"]
    assert c.call("LMOVE", "l", "l", "left", "left") == b"a"
    assert r.lrange("l", 0, -1) == [b"a", b"b", b"c"]
    r.rpush("one", "x")
    assert c.call("LMOVE", "one", "one", "RIGHT", "RIGHT") == b"x"
    assert r.lrange("one", 0, -1) == [b"x"]


def test_lmove_creates_destination_and_missing_source(r, c):
    r.rpush("src", "a")
    assert r.lmove("src", "dst", "LEFT", "RIGHT") == b"a"
    assert r.exists("src") == 0
    assert r.lrange("dst", 0, -1) == [b"a"]
    assert c.call_raw("LMOVE", "nokey", "dst", "LEFT", "LEFT") == b"$-1\r\n"
    assert r.exists("nokey") == 0
    assert c.call("LMOVE", "dst", "x", "UP", "LEFT") == SYNTAX
    assert c.call("LMOVE", "dst", "x", "LEFT", "DOWN") == SYNTAX
    assert c.call("LMOVE", "dst", "x", "LEFT") == arity("lmove")
    assert r.lrange("dst", 0, -1) == [b"a"]


def test_rpoplpush(r, c):
    r.rpush("src", "a", "b", "c")
    r.rpush("dst", "x")
    assert r.rpoplpush("src", "dst") == b"c"
    assert r.lrange("dst", 0, -1) == [b"c", b"x"]
    assert c.call("RPOPLPUSH", "src", "src") == b"b"
    assert r.lrange("src", 0, -1) == [b"b", b"a"]
    assert c.call_raw("RPOPLPUSH", "nokey", "dst") == b"$-1\r\n"
    assert c.call("RPOPLPUSH", "src") == arity("rpoplpush")


# --------------------------------------------------------------------------- LMPOP


def test_lmpop(r, c):
    r.rpush("b", "1", "2", "3")
    r.rpush("c", "x")
    assert c.call("LMPOP", "3", "a", "b", "c", "LEFT") == [b"b", [b"1"]]
    assert c.call("LMPOP", "3", "a", "b", "c", "RIGHT", "COUNT", "5") == [b"b", [b"3", b"2"]]
    assert r.exists("b") == 0
    assert c.call("LMPOP", "3", "a", "b", "c", "right") == [b"c", [b"x"]]
    assert c.call_raw("LMPOP", "2", "a", "b", "LEFT") == b"*-1\r\n"
    r.rpush("a", "p", "q", "r")
    assert r.lmpop(2, "a", "b", direction="LEFT", count=2) == [b"a", [b"p", b"q"]]
    assert c.call_raw("LMPOP", "1", "a", "LEFT", "count", "1") == b"*2\r\n$1\r\na\r\n*1\r\n$1\r\nr\r\n"
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call_raw("LMPOP", "1", "a", "LEFT") == b"_\r\n"


def test_lmpop_errors(r, c):
    r.rpush("l", "a")
    assert c.call("LMPOP", "0", "l", "LEFT") == Err("ERR numkeys should be greater than 0")
    assert c.call("LMPOP", "-1", "l", "LEFT") == Err("ERR numkeys should be greater than 0")
    assert c.call("LMPOP", "x", "l", "LEFT") == Err("ERR numkeys should be greater than 0")
    assert c.call("LMPOP", "1", "l", "LEFT", "COUNT", "0") == Err("ERR count should be greater than 0")
    assert c.call("LMPOP", "1", "l", "LEFT", "COUNT", "-1") == Err("ERR count should be greater than 0")
    assert c.call("LMPOP", "1", "l", "LEFT", "COUNT", "x") == Err("ERR count should be greater than 0")
    assert c.call("LMPOP", "1", "l", "MIDDLE") == SYNTAX
    assert c.call("LMPOP", "2", "l", "LEFT") == SYNTAX         # numkeys larger than the keys given
    assert c.call("LMPOP", "5", "l", "LEFT") == SYNTAX
    assert c.call("LMPOP", "1", "l", "LEFT", "COUNT") == SYNTAX
    assert c.call("LMPOP", "1", "l", "LEFT", "COUNT", "1", "COUNT", "1") == SYNTAX
    assert c.call("LMPOP", "1", "l", "LEFT", "FOO") == SYNTAX
    assert c.call("LMPOP", "1", "l") == arity("lmpop")
    assert r.lrange("l", 0, -1) == [b"a"]


# --------------------------------------------------------------------------- types, encoding


def test_wrongtype(r, c):
    r.set("s", "v")
    for cmd in [
        ("LPUSH", "s", "a"), ("RPUSH", "s", "a"), ("LPUSHX", "s", "a"), ("RPUSHX", "s", "a"),
        ("LPOP", "s"), ("RPOP", "s"), ("LPOP", "s", "2"), ("RPOP", "s", "0"),
        ("LLEN", "s"), ("LRANGE", "s", "0", "-1"), ("LINDEX", "s", "0"), ("LSET", "s", "0", "a"),
        ("LINSERT", "s", "BEFORE", "a", "b"), ("LREM", "s", "0", "a"), ("LTRIM", "s", "0", "1"),
        ("LPOS", "s", "a"), ("LMOVE", "s", "d", "LEFT", "LEFT"), ("RPOPLPUSH", "s", "d"),
        ("LMPOP", "1", "s", "LEFT"), ("LMPOP", "2", "nokey", "s", "RIGHT"),
    ]:
        assert c.call(*cmd) == WRONGTYPE, cmd
    r.rpush("l", "a")
    assert c.call("LMOVE", "l", "s", "LEFT", "LEFT") == WRONGTYPE
    assert c.call("RPOPLPUSH", "l", "s") == WRONGTYPE
    assert c.call("LMPOP", "2", "s", "l", "LEFT") == WRONGTYPE
    assert r.lrange("l", 0, -1) == [b"a"]          # nothing was popped
    assert r.get("s") == b"v"
    # A missing source is checked first: nothing to move, no type error.
    assert c.call("LMOVE", "nokey", "s", "LEFT", "LEFT") is None
    assert c.call("RPOPLPUSH", "nokey", "s") is None


def test_object_encoding(r, c):
    r.rpush("l", "a", "1")
    assert c.call("OBJECT", "ENCODING", "l") == b"quicklist"
    r.rpush("big", *range(1000))
    assert c.call("OBJECT", "ENCODING", "big") == b"quicklist"
    r.rpush("long", "x" * 10000)
    assert c.call("OBJECT", "ENCODING", "long") == b"quicklist"


def test_non_integer_arguments(r, c):
    r.rpush("l", "a", "b")
    for cmd in [("LRANGE", "l", "0", "x"), ("LRANGE", "l", "1e1", "2"), ("LINDEX", "l", " 1"),
                ("LSET", "l", "0.5", "v"), ("LREM", "l", "one", "a"), ("LTRIM", "l", "0", "-"),
                ("LPOS", "l", "a", "RANK", "1.0")]:
        assert c.call(*cmd) == NOT_INT, cmd
    assert r.lrange("l", 0, -1) == [b"a", b"b"]


# --------------------------------------------------------------------------- data


def test_large_list(r, c):
    items = [f"item{i}" for i in range(1000)]
    assert c.call("RPUSH", "big", *items) == 1000
    assert r.llen("big") == 1000
    assert r.lrange("big", 0, -1) == [i.encode() for i in items]
    assert r.lrange("big", 100, 109) == [f"item{i}".encode() for i in range(100, 110)]
    assert r.lrange("big", -10, -1) == [f"item{i}".encode() for i in range(990, 1000)]
    assert r.lrange("big", 995, 5000) == [f"item{i}".encode() for i in range(995, 1000)]
    assert r.lindex("big", 500) == b"item500"
    assert r.lindex("big", -500) == b"item500"
    assert r.lset("big", 500, "middle") is True
    assert r.lindex("big", 500) == b"middle"
    assert r.linsert("big", "BEFORE", "middle", "inserted") == 1001
    assert r.lrange("big", 499, 502) == [b"item499", b"inserted", b"middle", b"item501"]
    assert r.lpos("big", "middle") == 501
    assert r.lpos("big", "item999") == 1000
    assert r.lrem("big", 0, "inserted") == 1
    assert r.lrem("big", 0, "middle") == 1
    assert r.llen("big") == 999
    assert r.lindex("big", 500) == b"item501"
    assert r.ltrim("big", 100, 199) is True
    assert r.llen("big") == 100
    assert r.lindex("big", 0) == b"item100"
    assert r.lindex("big", -1) == b"item199"


def test_large_list_many_duplicates(r):
    r.rpush("l", *(["x", "y"] * 500))
    assert r.lrem("l", 100, "x") == 100
    assert r.lrem("l", -100, "y") == 100
    assert r.llen("l") == 800
    # 100 "y" at the head, then 300 "x","y" pairs, then 100 "x" at the tail.
    assert r.lrange("l", 98, 103) == [b"y", b"y", b"x", b"y", b"x", b"y"]
    assert r.lpos("l", "x", count=0) == list(range(100, 700, 2)) + list(range(700, 800))
    assert r.lpos("l", "y", rank=-1) == 699
    assert r.lrem("l", 0, "x") == 400
    assert r.lrange("l", 0, -1) == [b"y"] * 400


def test_binary_safe_elements(r, c):
    values = [b"a\x00b", b"\r\n", b"line1\r\nline2", b"\xff\xfe\x00", b"", b" "]
    assert r.rpush("bin", *values) == len(values)
    assert r.lrange("bin", 0, -1) == values
    assert r.lindex("bin", 0) == b"a\x00b"
    assert r.lpos("bin", b"\r\n") == 1
    assert r.lpos("bin", b"") == 4
    assert r.linsert("bin", "AFTER", b"\xff\xfe\x00", b"\x00") == 7
    assert r.lrem("bin", 0, b"a\x00b") == 1
    assert r.lrem("bin", 0, b"a") == 0
    assert c.call_raw("LINDEX", "bin", "0") == b"$2\r\n\r\n\r\n"
    assert r.lpop("bin", 7) == [b"\r\n", b"line1\r\nline2", b"\xff\xfe\x00", b"\x00", b"", b" "]
    r.rpush(b"key\x00\r\n", b"v")
    assert r.lrange(b"key\x00\r\n", 0, -1) == [b"v"]


def test_integer_like_elements(r, c):
    assert r.rpush("n", "123", "-5", "007", "7", "1.5", "9223372036854775808") == 6
    assert r.lrange("n", 0, -1) == [b"123", b"-5", b"007", b"7", b"1.5", b"9223372036854775808"]
    assert r.lpos("n", "7") == 3                    # "007" is not "7"
    assert r.lpos("n", "007") == 2
    assert r.lrem("n", 0, "7") == 1
    assert r.lrange("n", 0, -1) == [b"123", b"-5", b"007", b"1.5", b"9223372036854775808"]
    assert c.call_raw("LINDEX", "n", "1") == b"$2\r\n-5\r\n"   # bulk, not an integer reply
    assert r.linsert("n", "BEFORE", "123", "0") == 6
    assert r.lpop("n") == b"0"
    assert r.rpop("n") == b"9223372036854775808"
