"""Sorted set commands: ZADD (NX XX GT LT CH INCR) ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK
ZCOUNT ZLEXCOUNT ZRANGE (BYSCORE BYLEX REV LIMIT WITHSCORES) ZRANGESTORE ZREVRANGE ZRANGEBYSCORE
ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX
ZPOPMIN ZPOPMAX ZMPOP BZPOPMIN BZPOPMAX BZMPOP ZRANDMEMBER ZUNION ZINTER ZDIFF ZUNIONSTORE
ZINTERSTORE ZDIFFSTORE ZINTERCARD ZSCAN; score formatting in RESP2 and RESP3, encodings."""

import re
import select
import time

from ember_resp import Err

WRONGTYPE = Err("WRONGTYPE Operation against a key holding the wrong kind of value")
SYNTAX = Err("ERR syntax error")
NOT_INT = Err("ERR value is not an integer or out of range")
NOT_FLOAT = Err("ERR value is not a valid float")
MINMAX_FLOAT = Err("ERR min or max is not a float")
MINMAX_LEX = Err("ERR min or max not valid string range item")
POSITIVE = Err("ERR value is out of range, must be positive")
NUMKEYS = Err("ERR numkeys should be greater than 0")


def arity(cmd):
    return Err(f"ERR wrong number of arguments for '{cmd}' command")


def no_input(cmd):
    return Err(f"ERR at least 1 input key is needed for '{cmd}' command")


def fill(c, key, *pairs):
    """ZADD key score member ... from (member, score) tuples."""
    args = [x for member, score in pairs for x in (score, member)]
    assert c.call("ZADD", key, *args) == len(pairs)


def abcde(c, key="z"):
    fill(c, key, ("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5))


def blocked_clients(c):
    info = c.call("INFO", "clients")
    return int(re.search(rb"blocked_clients:(\d+)", info).group(1))


def wait_blocked(c, waiter, n=1, timeout=5.0):
    """Poll INFO until `n` clients are blocked (no blind sleeps); fail at once if `waiter`
    got a reply instead of blocking."""
    deadline = time.monotonic() + timeout
    while blocked_clients(c) < n:
        if waiter.buf or select.select([waiter.sock], [], [], 0)[0]:
            raise AssertionError(f"got a reply instead of blocking: {waiter.read()!r}")
        assert time.monotonic() < deadline, f"fewer than {n} blocked clients after {timeout}s"
        time.sleep(0.01)


# ---------------------------------------------------------------------- ZADD


def test_zadd_basic_and_update(r, c):
    assert c.call("ZADD", "z", "1", "a", "2", "b") == 2
    assert c.call("ZADD", "z", "3", "a", "4", "c") == 1       # only new members count
    assert c.call("ZADD", "z", "5", "x", "3", "x") == 1       # last score of a repeated member wins
    assert c.call("ZSCORE", "z", "x") == b"3"
    assert r.zrange("z", 0, -1, withscores=True) == [(b"b", 2.0), (b"a", 3.0), (b"x", 3.0),
                                                      (b"c", 4.0)]
    assert c.call("ZCARD", "z") == 4 and c.call("ZCARD", "nokey") == 0


def test_zadd_nx_xx_gt_lt_ch(c):
    fill(c, "z", ("a", 1), ("b", 2))
    assert c.call("ZADD", "z", "NX", "10", "a", "3", "c") == 1
    assert c.call("ZSCORE", "z", "a") == b"1"
    assert c.call("ZADD", "z", "XX", "10", "a", "5", "new") == 0
    assert c.call("ZSCORE", "z", "a") == b"10" and c.call("ZSCORE", "z", "new") is None
    assert c.call("ZADD", "z", "CH", "10", "a", "20", "b", "7", "d") == 2   # b changed, d added
    assert c.call("ZADD", "z", "GT", "CH", "0", "a", "30", "b") == 1
    assert c.call("ZADD", "z", "LT", "CH", "0", "a", "100", "b") == 1
    assert c.call("ZRANGE", "z", "0", "-1", "WITHSCORES") == [
        b"a", b"0", b"c", b"3", b"d", b"7", b"b", b"30"]
    # GT / LT still add new members.
    assert c.call("ZADD", "z", "GT", "5", "g") == 1
    assert c.call("ZADD", "z", "LT", "CH", "5", "h") == 1
    assert c.call("ZADD", "z", "XX", "GT", "CH", "50", "b", "1", "absent") == 1
    assert c.call("ZSCORE", "z", "b") == b"50" and c.call("ZSCORE", "z", "absent") is None
    assert c.call("ZADD", "z", "nx", "ch", "5", "q") == 1     # options are case-insensitive


def test_zadd_incr(c):
    assert c.call("ZADD", "z", "INCR", "1.5", "a") == b"1.5"
    assert c.call("ZADD", "z", "INCR", "1", "a") == b"2.5"
    assert c.call("ZADD", "z", "NX", "INCR", "1", "a") is None      # exists: nil
    assert c.call("ZADD", "z", "XX", "INCR", "1", "nope") is None   # missing: nil
    assert c.call("ZSCORE", "z", "nope") is None
    assert c.call("ZADD", "z", "GT", "INCR", "-1", "a") is None     # would lower: nil
    assert c.call("ZADD", "z", "LT", "INCR", "5", "a") is None      # would raise: nil
    assert c.call("ZADD", "z", "GT", "INCR", "5", "a") == b"7.5"
    assert c.call("ZADD", "z", "CH", "INCR", "1", "a") == b"8.5"
    assert c.call("ZADD", "z", "NX", "INCR", "1", "b") == b"1"
    assert c.call_raw("ZADD", "z", "NX", "INCR", "1", "a") == b"$-1\r\n"
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call_raw("ZADD", "z", "INCR", "1", "b") == b",2\r\n"
    assert c.call_raw("ZADD", "z", "NX", "INCR", "1", "a") == b"_\r\n"


def test_zadd_errors(c):
    assert c.call("ZADD", "z", "XX", "NX", "1", "a") == Err(
        "ERR XX and NX options at the same time are not compatible")
    assert c.call("ZADD", "z", "NX", "XX", "GT", "1", "a") == Err(
        "ERR XX and NX options at the same time are not compatible")
    gt_lt = Err("ERR GT, LT, and/or NX options at the same time are not compatible")
    assert c.call("ZADD", "z", "GT", "LT", "1", "a") == gt_lt
    assert c.call("ZADD", "z", "GT", "NX", "1", "a") == gt_lt
    assert c.call("ZADD", "z", "LT", "NX", "1", "a") == gt_lt
    assert c.call("ZADD", "z", "INCR", "1", "a", "2", "b") == Err(
        "ERR INCR option supports a single increment-element pair")
    for bad in ("x", "nan", "", " 1", "1 ", "1e500"):
        assert c.call("ZADD", "z", bad, "a") == NOT_FLOAT, bad
    assert c.call("ZADD", "z", "1", "a", "2") == SYNTAX
    assert c.call("ZADD", "z", "NX", "XX") == SYNTAX
    assert c.call("ZADD", "z", "inc", "5", "a") == SYNTAX
    assert c.call("ZADD", "z", "1") == arity("zadd")
    assert c.call("ZADD", "z") == arity("zadd")
    assert c.call("ZADD", "z", "NX") == arity("zadd")
    assert c.call("ZADD", "z", "INCR") == arity("zadd")
    assert c.call("EXISTS", "z") == 0                        # nothing was created
    assert c.call("ZADD", "z", "+inf", "p", "-INF", "q", "Infinity", "r") == 3
    assert c.call("ZRANGE", "z", "0", "-1", "WITHSCORES") == [b"q", b"-inf", b"p", b"inf",
                                                              b"r", b"inf"]


def test_zincrby(c):
    assert c.call("ZINCRBY", "z", "2", "a") == b"2"
    assert c.call("ZINCRBY", "z", "-0.5", "a") == b"1.5"
    assert c.call("ZINCRBY", "z", "x", "a") == NOT_FLOAT
    assert c.call("ZINCRBY", "z", "1", "a", "b") == arity("zincrby")
    assert c.call("ZADD", "i", "inf", "a") == 1
    nan = Err("ERR resulting score is not a number (NaN)")
    assert c.call("ZINCRBY", "i", "-inf", "a") == nan
    assert c.call("ZADD", "i", "INCR", "-inf", "a") == nan
    assert c.call("ZSCORE", "i", "a") == b"inf"
    assert c.call("ZINCRBY", "i", "1", "a") == b"inf"


def test_zrem_zcard_and_empty_key_removed(r, c):
    abcde(c)
    assert c.call("ZREM", "z", "a", "nope", "a") == 1
    assert c.call("ZCARD", "z") == 4
    assert c.call("ZREM", "z", "b", "c", "d", "e") == 4
    assert c.call("EXISTS", "z") == 0
    assert c.call("ZREM", "nokey", "a") == 0
    assert c.call("ZREM", "z") == arity("zrem")
    assert c.call("ZCARD", "z", "x") == arity("zcard")


def test_zscore_zmscore(c):
    fill(c, "z", ("a", 1.5), ("b", 2))
    assert c.call("ZSCORE", "z", "a") == b"1.5"
    assert c.call("ZSCORE", "z", "nope") is None
    assert c.call("ZSCORE", "nokey", "a") is None
    assert c.call("ZMSCORE", "z", "a", "nope", "b") == [b"1.5", None, b"2"]
    assert c.call_raw("ZMSCORE", "nokey", "a") == b"*1\r\n$-1\r\n"
    assert c.call("ZMSCORE", "z") == arity("zmscore")
    assert c.call("ZSCORE", "z") == arity("zscore")


def test_zrank_zrevrank_ties(c):
    fill(c, "z", ("b", 1), ("a", 1), ("c", 1), ("d", 0))
    assert c.call("ZRANGE", "z", "0", "-1") == [b"d", b"a", b"b", b"c"]   # ties by member
    assert c.call("ZRANK", "z", "a") == 1
    assert c.call("ZREVRANK", "z", "a") == 2
    assert c.call("ZRANK", "z", "d") == 0 and c.call("ZREVRANK", "z", "d") == 3
    assert c.call("ZRANK", "z", "nope") is None
    assert c.call("ZRANK", "nokey", "a") is None
    assert c.call("ZREVRANK", "nokey", "a") is None
    assert c.call("ZRANK", "z", "a", "WITHSCORE") == arity("zrank")   # 7.2+ only


def test_binary_members(c):
    assert c.call("ZADD", "z", "1", b"\x00\xff\r\n", "2", b"", "3", "\u00e9".encode()) == 3
    assert c.call("ZRANGE", "z", "0", "-1", "WITHSCORES") == [
        b"\x00\xff\r\n", b"1", b"", b"2", "\u00e9".encode(), b"3"]
    assert c.call("ZSCORE", "z", b"") == b"2"
    assert c.call("ZRANK", "z", b"\x00\xff\r\n") == 0
    assert c.call("ZADD", "lex", "0", b"\x00\xff", "0", b"", "0", b"\xff", "0", b"\x00") == 4
    assert c.call("ZRANGE", "lex", "0", "-1") == [b"", b"\x00", b"\x00\xff", b"\xff"]
    assert c.call("ZRANGE", "lex", b"(\x00", b"[\xff", "BYLEX") == [b"\x00\xff", b"\xff"]


# ----------------------------------------------------------- counts / ranges


def test_zcount_zlexcount(c):
    abcde(c)
    assert c.call("ZCOUNT", "z", "-inf", "+inf") == 5
    assert c.call("ZCOUNT", "z", "(1", "+inf") == 4
    assert c.call("ZCOUNT", "z", "(1", "(3") == 1
    assert c.call("ZCOUNT", "z", "3", "1") == 0
    assert c.call("ZCOUNT", "z", "x", "1") == MINMAX_FLOAT
    assert c.call("ZCOUNT", "nokey", "-inf", "+inf") == 0
    assert c.call("ZLEXCOUNT", "z", "-", "+") == 5
    assert c.call("ZLEXCOUNT", "z", "(a", "[c") == 2
    assert c.call("ZLEXCOUNT", "z", "[b", "(b") == 0
    assert c.call("ZLEXCOUNT", "z", "a", "[c") == MINMAX_LEX
    assert c.call("ZLEXCOUNT", "nokey", "-", "+") == 0


def test_zrange_by_index(c):
    abcde(c)
    assert c.call("ZRANGE", "z", "0", "1") == [b"a", b"b"]
    assert c.call("ZRANGE", "z", "-2", "-1") == [b"d", b"e"]
    assert c.call("ZRANGE", "z", "-100", "100") == [b"a", b"b", b"c", b"d", b"e"]
    assert c.call("ZRANGE", "z", "3", "1") == []
    assert c.call("ZRANGE", "z", "0", "-1", "REV") == [b"e", b"d", b"c", b"b", b"a"]
    assert c.call("ZRANGE", "z", "0", "1", "REV", "WITHSCORES") == [b"e", b"5", b"d", b"4"]
    assert c.call("ZRANGE", "nokey", "0", "-1") == []
    assert c.call("ZRANGE", "z", "x", "1") == NOT_INT
    assert c.call("ZRANGE", "z", "0") == arity("zrange")
    assert c.call("ZREVRANGE", "z", "0", "1", "WITHSCORES") == [b"e", b"5", b"d", b"4"]
    assert c.call("ZREVRANGE", "z", "-1", "-1") == [b"a"]
    assert c.call("ZREVRANGE", "z", "0", "1", "BYSCORE") == SYNTAX


def test_zrange_byscore(c):
    abcde(c)
    assert c.call("ZRANGE", "z", "(1", "3", "BYSCORE") == [b"b", b"c"]
    assert c.call("ZRANGE", "z", "1", "(2", "BYSCORE") == [b"a"]
    assert c.call("ZRANGE", "z", "(1", "(1", "BYSCORE") == []
    assert c.call("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2") == [b"b", b"c"]
    assert c.call("ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "2",
                  "WITHSCORES") == [b"d", b"4", b"c", b"3"]
    # With REV, the first bound is the maximum.
    assert c.call("ZRANGE", "z", "1", "3", "BYSCORE", "REV") == []
    assert c.call("ZRANGE", "z", "0", "10", "BYSCORE", "LIMIT", "0", "-5") == [
        b"a", b"b", b"c", b"d", b"e"]                    # negative count: all
    assert c.call("ZRANGE", "z", "0", "10", "BYSCORE", "LIMIT", "-1", "2") == []
    assert c.call("ZRANGE", "z", "0", "10", "BYSCORE", "LIMIT", "10", "2") == []
    assert c.call("ZRANGE", "z", "x", "3", "BYSCORE") == MINMAX_FLOAT
    assert c.call("ZRANGE", "z", "(x", "3", "BYSCORE") == MINMAX_FLOAT
    assert c.call("ZRANGE", "z", "nan", "3", "BYSCORE") == MINMAX_FLOAT
    assert c.call("ZRANGE", "z", "0", "1", "BYSCORE", "LIMIT", "x", "1") == NOT_INT
    assert c.call("ZRANGEBYSCORE", "z", "1", "3", "WITHSCORES", "LIMIT", "1", "5") == [
        b"b", b"2", b"c", b"3"]
    assert c.call("ZRANGEBYSCORE", "z", "(4", "+inf") == [b"e"]
    assert c.call("ZREVRANGEBYSCORE", "z", "3", "1") == [b"c", b"b", b"a"]
    assert c.call("ZREVRANGEBYSCORE", "z", "1", "3") == []
    assert c.call("ZREVRANGEBYSCORE", "z", "+inf", "(2", "WITHSCORES", "LIMIT", "0", "1") == [
        b"e", b"5"]
    assert c.call("ZRANGEBYSCORE", "z", "1", "3", "BYLEX") == SYNTAX
    assert c.call("ZRANGEBYSCORE", "z", "1", "3", "REV") == SYNTAX
    assert c.call("ZRANGEBYSCORE", "z", "x", "3") == MINMAX_FLOAT


def test_zrange_bylex(c):
    fill(c, "z", ("a", 0), ("b", 0), ("c", 0), ("d", 0), ("e", 0))
    assert c.call("ZRANGE", "z", "[b", "(d", "BYLEX") == [b"b", b"c"]
    assert c.call("ZRANGE", "z", "-", "+", "BYLEX", "LIMIT", "1", "2") == [b"b", b"c"]
    assert c.call("ZRANGE", "z", "+", "-", "BYLEX", "REV") == [b"e", b"d", b"c", b"b", b"a"]
    assert c.call("ZRANGE", "z", "(d", "[b", "BYLEX", "REV") == [b"c", b"b"]
    assert c.call("ZRANGE", "z", "[b", "(d", "BYLEX", "REV") == []
    assert c.call("ZRANGE", "z", "[", "+", "BYLEX") == [b"a", b"b", b"c", b"d", b"e"]
    assert c.call("ZRANGE", "z", "(a", "[aa", "BYLEX") == []
    for bad in ("a", "", "-a"):
        assert c.call("ZRANGE", "z", bad, "+", "BYLEX") == MINMAX_LEX, bad
    assert c.call("ZRANGEBYLEX", "z", "-", "[c") == [b"a", b"b", b"c"]
    assert c.call("ZRANGEBYLEX", "z", "-", "[c", "LIMIT", "1", "1") == [b"b"]
    assert c.call("ZRANGEBYLEX", "z", "a", "c") == MINMAX_LEX
    assert c.call("ZREVRANGEBYLEX", "z", "[c", "-") == [b"c", b"b", b"a"]
    assert c.call("ZREVRANGEBYLEX", "z", "+", "(c", "LIMIT", "0", "1") == [b"e"]


def test_zrange_option_errors(c):
    abcde(c)
    assert c.call("ZRANGE", "z", "0", "1", "LIMIT", "0", "1") == Err(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
    with_lex = Err("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
    assert c.call("ZRANGE", "z", "[a", "[c", "BYLEX", "WITHSCORES") == with_lex
    assert c.call("ZRANGEBYLEX", "z", "-", "[c", "WITHSCORES") == with_lex
    assert c.call("ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX") == SYNTAX
    assert c.call("ZRANGE", "z", "0", "1", "FOO") == SYNTAX
    assert c.call("ZRANGE", "z", "0", "1", "BYSCORE", "LIMIT", "1") == SYNTAX
    assert c.call("ZRANGE", "z", "0", "1", "LIMIT", "1") == SYNTAX


def test_zrangestore(c):
    abcde(c)
    assert c.call("ZRANGESTORE", "dst", "z", "1", "2") == 2
    assert c.call("ZRANGE", "dst", "0", "-1", "WITHSCORES") == [b"b", b"2", b"c", b"3"]
    assert c.call("ZRANGESTORE", "dst", "z", "3", "(1", "BYSCORE", "REV") == 2
    assert c.call("ZRANGE", "dst", "0", "-1", "WITHSCORES") == [b"b", b"2", b"c", b"3"]
    assert c.call("ZRANGESTORE", "dst", "z", "[a", "[b", "BYLEX", "LIMIT", "1", "1") == 1
    assert c.call("ZRANGE", "dst", "0", "-1", "WITHSCORES") == [b"b", b"2"]
    assert c.call("ZRANGESTORE", "dst", "z", "0", "-1", "WITHSCORES") == SYNTAX
    # An empty result deletes the destination.
    assert c.call("ZRANGESTORE", "dst", "z", "10", "20") == 0
    assert c.call("EXISTS", "dst") == 0
    assert c.call("ZRANGESTORE", "dst", "nokey", "0", "-1") == 0
    # The destination is overwritten whatever its type.
    assert c.call("SET", "str", "x") == "OK"
    assert c.call("ZRANGESTORE", "str", "z", "0", "0") == 1
    assert c.call("TYPE", "str") == "zset"
    assert c.call("SET", "str2", "x") == "OK"
    assert c.call("ZRANGESTORE", "d", "str2", "0", "1") == WRONGTYPE
    # Source and destination may be the same key.
    assert c.call("ZRANGESTORE", "z", "z", "0", "1") == 2
    assert c.call("ZRANGE", "z", "0", "-1") == [b"a", b"b"]


def test_zremrange(c):
    abcde(c)
    assert c.call("ZREMRANGEBYRANK", "z", "0", "1") == 2
    assert c.call("ZREMRANGEBYRANK", "z", "-1", "-1") == 1
    assert c.call("ZRANGE", "z", "0", "-1") == [b"c", b"d"]
    assert c.call("ZREMRANGEBYRANK", "z", "5", "10") == 0
    assert c.call("ZREMRANGEBYRANK", "z", "x", "1") == NOT_INT
    assert c.call("ZREMRANGEBYSCORE", "z", "(3", "+inf") == 1
    assert c.call("ZREMRANGEBYSCORE", "z", "x", "+inf") == MINMAX_FLOAT
    assert c.call("ZREMRANGEBYLEX", "z", "a", "+") == MINMAX_LEX
    assert c.call("ZREMRANGEBYLEX", "z", "-", "+") == 1
    assert c.call("EXISTS", "z") == 0
    assert c.call("ZREMRANGEBYRANK", "nokey", "0", "-1") == 0
    assert c.call("ZREMRANGEBYSCORE", "nokey", "-inf", "+inf") == 0
    assert c.call("ZREMRANGEBYLEX", "nokey", "-", "+") == 0
    fill(c, "l", ("a", 0), ("b", 0), ("c", 0), ("d", 0))
    assert c.call("ZREMRANGEBYLEX", "l", "(a", "[c") == 2
    assert c.call("ZRANGE", "l", "0", "-1") == [b"a", b"d"]


# --------------------------------------------------------------------- pops


def test_zpopmin_zpopmax(c):
    abcde(c)
    assert c.call("ZPOPMIN", "z") == [b"a", b"1"]
    assert c.call("ZPOPMAX", "z", "2") == [b"e", b"5", b"d", b"4"]
    assert c.call("ZPOPMIN", "z", "0") == []
    assert c.call("ZPOPMIN", "z", "-1") == POSITIVE
    assert c.call("ZPOPMIN", "z", "x") == POSITIVE
    assert c.call("ZPOPMIN", "z", "1", "2") == SYNTAX
    assert c.call("ZPOPMAX", "z", "10") == [b"c", b"3", b"b", b"2"]
    assert c.call("EXISTS", "z") == 0
    assert c.call("ZPOPMIN", "nokey") == []
    assert c.call("ZPOPMAX", "nokey", "2") == []


def test_zpop_resp3_shapes(c):
    abcde(c)
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call_raw("ZPOPMIN", "z") == b"*2\r\n$1\r\na\r\n,1\r\n"           # flat pair
    assert c.call_raw("ZPOPMIN", "z", "1") == b"*1\r\n*2\r\n$1\r\nb\r\n,2\r\n"  # array of pairs
    assert c.call_raw("ZPOPMAX", "z", "2") == (b"*2\r\n*2\r\n$1\r\ne\r\n,5\r\n"
                                               b"*2\r\n$1\r\nd\r\n,4\r\n")
    assert c.call_raw("ZPOPMIN", "nokey") == b"*0\r\n"
    assert c.call_raw("ZPOPMIN", "nokey", "0") == b"*0\r\n"


def test_zmpop(c):
    fill(c, "z", ("a", 1), ("b", 2), ("c", 3))
    assert c.call("ZMPOP", "2", "nokey", "z", "MIN") == [b"z", [[b"a", b"1"]]]
    assert c.call("ZMPOP", "1", "z", "MAX", "COUNT", "10") == [b"z", [[b"c", b"3"],
                                                                      [b"b", b"2"]]]
    assert c.call("EXISTS", "z") == 0
    assert c.call("ZMPOP", "1", "z", "MAX") is None
    assert c.call_raw("ZMPOP", "1", "z", "MAX") == b"*-1\r\n"
    assert c.call("ZMPOP", "0", "z", "MAX") == NUMKEYS
    assert c.call("ZMPOP", "-1", "z", "MAX") == NUMKEYS
    assert c.call("ZMPOP", "x", "z", "MAX") == NUMKEYS
    assert c.call("ZMPOP", "1", "z", "FOO") == SYNTAX
    assert c.call("ZMPOP", "3", "z", "MIN") == SYNTAX
    count = Err("ERR count should be greater than 0")
    assert c.call("ZMPOP", "1", "z", "MIN", "COUNT", "0") == count
    assert c.call("ZMPOP", "1", "z", "MIN", "COUNT", "-1") == count
    assert c.call("ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "2") == SYNTAX
    fill(c, "z", ("a", 1), ("b", 2), ("c", 3))
    assert c.call_raw("ZMPOP", "1", "z", "MIN", "COUNT", "2") == (
        b"*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n")
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call_raw("ZMPOP", "1", "z", "MIN") == b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n,3\r\n"
    assert c.call_raw("ZMPOP", "1", "z", "MIN") == b"_\r\n"


# ----------------------------------------------------------- blocking pops


def test_bzpop_immediate(c):
    fill(c, "z", ("a", 1), ("b", 2), ("c", 3))
    assert c.call("BZPOPMIN", "nokey", "z", "0") == [b"z", b"a", b"1"]
    assert c.call_raw("BZPOPMAX", "z", "0") == b"*3\r\n$1\r\nz\r\n$1\r\nc\r\n$1\r\n3\r\n"
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call_raw("BZPOPMAX", "z", "0") == b"*3\r\n$1\r\nz\r\n$1\r\nb\r\n,2\r\n"
    assert c.call("EXISTS", "z") == 0


def test_bzpop_timeout(c):
    t0 = time.monotonic()
    assert c.call_raw("BZPOPMIN", "z", "0.1") == b"*-1\r\n"
    assert time.monotonic() - t0 >= 0.09
    assert c.call_raw("BZPOPMAX", "z", "nokey", "0.1") == b"*-1\r\n"
    assert c.call_raw("BZMPOP", "0.1", "1", "z", "MIN") == b"*-1\r\n"
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call_raw("BZPOPMIN", "z", "0.1") == b"_\r\n"
    assert c.call_raw("BZMPOP", "0.1", "1", "z", "MIN") == b"_\r\n"


def test_bzpop_errors(c):
    assert c.call("BZPOPMIN", "z", "-1") == Err("ERR timeout is negative")
    assert c.call("BZPOPMIN", "z", "x") == Err("ERR timeout is not a float or out of range")
    assert c.call("BZPOPMAX", "z") == arity("bzpopmax")
    assert c.call("BZMPOP", "0", "0", "z", "MAX") == NUMKEYS
    assert c.call("BZMPOP", "-1", "1", "z", "MAX") == Err("ERR timeout is negative")
    assert c.call("BZMPOP", "x", "1", "z", "MAX") == Err(
        "ERR timeout is not a float or out of range")
    assert c.call("BZMPOP", "0", "1", "z", "MAX", "COUNT", "0") == Err(
        "ERR count should be greater than 0")
    assert c.call("SET", "str", "v") == "OK"
    assert c.call("BZPOPMIN", "str", "0") == WRONGTYPE
    assert c.call("BZMPOP", "0", "1", "str", "MIN") == WRONGTYPE


def test_bzpop_in_multi_does_not_block(c):
    assert c.call("MULTI") == "OK"
    assert c.call("BZPOPMIN", "empty", "0") == "QUEUED"
    assert c.call("BZMPOP", "0", "1", "empty", "MIN") == "QUEUED"
    assert c.call("EXEC") == [None, None]


def test_bzpopmin_woken_by_zadd(c, conn_factory):
    waiter = conn_factory()
    waiter.send(b"*4\r\n$8\r\nBZPOPMIN\r\n$5\r\nother\r\n$1\r\nz\r\n$1\r\n5\r\n")
    wait_blocked(c, waiter)
    assert c.call("ZADD", "z", "2", "b", "1", "a") == 2
    assert waiter.read() == [b"z", b"a", b"1"]
    assert c.call("ZRANGE", "z", "0", "-1") == [b"b"]
    assert blocked_clients(c) == 0


def test_bzpopmax_woken_resp3(c, conn_factory):
    waiter = conn_factory()
    assert waiter.call("HELLO", "3")[b"proto"] == 3
    waiter.send(b"*3\r\n$8\r\nBZPOPMAX\r\n$1\r\nz\r\n$1\r\n5\r\n")
    wait_blocked(c, waiter)
    assert c.call("ZADD", "z", "2", "b", "1", "a") == 2
    assert waiter.read_raw() == b"*3\r\n$1\r\nz\r\n$1\r\nb\r\n,2\r\n"


def test_bzmpop_woken_by_zadd(c, conn_factory):
    waiter = conn_factory()
    waiter.send(b"*7\r\n$6\r\nBZMPOP\r\n$1\r\n5\r\n$1\r\n1\r\n$1\r\nz\r\n$3\r\nMAX\r\n"
                b"$5\r\nCOUNT\r\n$1\r\n2\r\n")
    wait_blocked(c, waiter)
    assert c.call("ZADD", "z", "1", "a", "2", "b", "3", "c") == 3
    assert waiter.read() == [b"z", [[b"c", b"3"], [b"b", b"2"]]]
    assert c.call("ZRANGE", "z", "0", "-1") == [b"a"]


def test_bzpop_served_in_blocking_order(c, conn_factory):
    first, second = conn_factory(), conn_factory()
    first.send(b"*3\r\n$8\r\nBZPOPMIN\r\n$1\r\nz\r\n$1\r\n5\r\n")
    wait_blocked(c, first, 1)
    second.send(b"*3\r\n$8\r\nBZPOPMIN\r\n$1\r\nz\r\n$1\r\n5\r\n")
    wait_blocked(c, second, 2)
    assert c.call("ZADD", "z", "1", "a") == 1
    assert first.read() == [b"z", b"a", b"1"]
    assert blocked_clients(c) == 1
    assert c.call("ZADD", "z", "2", "b") == 1
    assert second.read() == [b"z", b"b", b"2"]
    assert c.call("EXISTS", "z") == 0


# ------------------------------------------------------------- ZRANDMEMBER


def test_zrandmember(c):
    fill(c, "z", ("a", 1), ("b", 2), ("c", 3))
    assert c.call("ZRANDMEMBER", "z") in (b"a", b"b", b"c")
    assert sorted(c.call("ZRANDMEMBER", "z", "5")) == [b"a", b"b", b"c"]
    got = c.call("ZRANDMEMBER", "z", "2")
    assert len(got) == 2 and len(set(got)) == 2
    got = c.call("ZRANDMEMBER", "z", "-7")
    assert len(got) == 7 and set(got) <= {b"a", b"b", b"c"}
    assert c.call("ZRANDMEMBER", "z", "0") == []
    got = c.call("ZRANDMEMBER", "z", "-4", "WITHSCORES")
    assert len(got) == 8
    scores = {b"a": b"1", b"b": b"2", b"c": b"3"}
    assert all(scores[m] == s for m, s in zip(got[::2], got[1::2]))
    got = c.call("ZRANDMEMBER", "z", "3", "WITHSCORES")
    assert dict(zip(got[::2], got[1::2])) == scores
    assert c.call("ZRANDMEMBER", "nokey") is None
    assert c.call("ZRANDMEMBER", "nokey", "2") == []
    assert c.call("ZRANDMEMBER", "nokey", "2", "WITHSCORES") == []
    assert c.call("ZRANDMEMBER", "z", "2", "FOO") == SYNTAX
    assert c.call("ZRANDMEMBER", "z", "1", "WITHSCORES", "x") == SYNTAX
    assert c.call("ZRANDMEMBER", "z", "x") == NOT_INT
    assert c.call("ZRANDMEMBER", "z", "-9223372036854775808") == Err(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807")
    assert c.call("ZRANDMEMBER", "z", "-9223372036854775807", "WITHSCORES") == Err(
        "ERR value is out of range")


def test_zrandmember_resp3(c):
    fill(c, "z", ("a", 1))
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call_raw("ZRANDMEMBER", "z", "1", "WITHSCORES") == b"*1\r\n*2\r\n$1\r\na\r\n,1\r\n"
    assert c.call_raw("ZRANDMEMBER", "z", "-2", "WITHSCORES") == (
        b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\na\r\n,1\r\n")
    assert c.call_raw("ZRANDMEMBER", "z") == b"$1\r\na\r\n"
    assert c.call_raw("ZRANDMEMBER", "nokey") == b"_\r\n"


# -------------------------------------------------------------- set algebra


def algebra_keys(c):
    fill(c, "a", ("x", 1), ("y", 2), ("z", 3))
    fill(c, "b", ("y", 10), ("z", 20), ("w", 30))
    assert c.call("SADD", "s", "x", "w", "q") == 3


def test_zunion(c):
    algebra_keys(c)
    assert c.call("ZUNION", "2", "a", "b") == [b"x", b"y", b"z", b"w"]
    assert c.call("ZUNION", "2", "a", "b", "WITHSCORES") == [
        b"x", b"1", b"y", b"12", b"z", b"23", b"w", b"30"]
    assert c.call("ZUNION", "2", "a", "b", "WEIGHTS", "2", "0.5", "WITHSCORES") == [
        b"x", b"2", b"y", b"9", b"w", b"15", b"z", b"16"]
    assert c.call("ZUNION", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES") == [
        b"x", b"1", b"y", b"2", b"z", b"3", b"w", b"30"]
    assert c.call("ZUNION", "2", "a", "b", "aggregate", "max", "WITHSCORES") == [
        b"x", b"1", b"y", b"10", b"z", b"20", b"w", b"30"]
    # Plain sets count as score 1.
    assert c.call("ZUNION", "3", "a", "b", "s", "WITHSCORES") == [
        b"q", b"1", b"x", b"2", b"y", b"12", b"z", b"23", b"w", b"31"]
    assert c.call("ZUNION", "2", "a", "nokey", "WITHSCORES") == [
        b"x", b"1", b"y", b"2", b"z", b"3"]
    assert c.call("ZUNION", "1", "nokey") == []


def test_zinter_zdiff(c):
    algebra_keys(c)
    assert c.call("ZINTER", "2", "a", "b", "WITHSCORES") == [b"y", b"12", b"z", b"23"]
    assert c.call("ZINTER", "2", "a", "b", "AGGREGATE", "MAX") == [b"y", b"z"]
    assert c.call("ZINTER", "2", "a", "s", "WITHSCORES") == [b"x", b"2"]
    assert c.call("ZINTER", "2", "a", "s", "WEIGHTS", "1", "5", "WITHSCORES") == [b"x", b"6"]
    assert c.call("ZINTER", "1", "a", "WEIGHTS", "0", "WITHSCORES") == [
        b"x", b"0", b"y", b"0", b"z", b"0"]
    assert c.call("ZINTER", "2", "a", "nokey") == []
    assert c.call("ZDIFF", "2", "a", "b", "WITHSCORES") == [b"x", b"1"]
    assert c.call("ZDIFF", "2", "a", "s") == [b"y", b"z"]
    assert c.call("ZDIFF", "2", "s", "a", "WITHSCORES") == [b"q", b"1", b"w", b"1"]
    assert c.call("ZDIFF", "2", "nokey", "a") == []
    assert c.call("ZDIFF", "1", "a", "WEIGHTS", "1") == SYNTAX
    assert c.call("ZDIFF", "1", "a", "AGGREGATE", "MIN") == SYNTAX


def test_infinite_weights_and_scores(c):
    algebra_keys(c)
    assert c.call("ZUNION", "2", "a", "b", "WEIGHTS", "inf", "-inf", "WITHSCORES") == [
        b"w", b"-inf", b"y", b"0", b"z", b"0", b"x", b"inf"]
    fill(c, "i1", ("m", "inf"))
    fill(c, "i2", ("m", "-inf"))
    assert c.call("ZUNION", "2", "i1", "i2", "WITHSCORES") == [b"m", b"0"]   # inf + -inf -> 0
    assert c.call("ZINTER", "2", "i1", "i2", "AGGREGATE", "MAX", "WITHSCORES") == [b"m", b"inf"]


def test_store_variants(c):
    algebra_keys(c)
    assert c.call("ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2") == 4
    assert c.call("ZRANGE", "d", "0", "-1", "WITHSCORES") == [
        b"x", b"1", b"y", b"22", b"z", b"43", b"w", b"60"]
    assert c.call("ZINTERSTORE", "d", "2", "a", "b", "AGGREGATE", "MAX") == 2
    assert c.call("ZRANGE", "d", "0", "-1", "WITHSCORES") == [b"y", b"10", b"z", b"20"]
    assert c.call("ZDIFFSTORE", "d", "2", "a", "b") == 1
    assert c.call("ZRANGE", "d", "0", "-1", "WITHSCORES") == [b"x", b"1"]
    # Empty results delete the destination.
    assert c.call("ZINTERSTORE", "d", "2", "a", "nokey") == 0
    assert c.call("EXISTS", "d") == 0
    assert c.call("SET", "d", "v") == "OK"
    assert c.call("ZDIFFSTORE", "d", "2", "a", "a") == 0
    assert c.call("EXISTS", "d") == 0
    # The destination is overwritten whatever its type; it may be an input.
    assert c.call("ZUNIONSTORE", "s", "2", "s", "a") == 5
    assert c.call("TYPE", "s") == "zset"
    assert c.call("ZRANGE", "s", "0", "-1", "WITHSCORES") == [
        b"q", b"1", b"w", b"1", b"x", b"2", b"y", b"2", b"z", b"3"]
    assert c.call("ZUNIONSTORE", "d", "2", "a", "b", "WITHSCORES") == SYNTAX


def test_zintercard(c):
    algebra_keys(c)
    assert c.call("ZINTERCARD", "2", "a", "b") == 2
    assert c.call("ZINTERCARD", "2", "a", "b", "LIMIT", "1") == 1
    assert c.call("ZINTERCARD", "2", "a", "b", "LIMIT", "0") == 2
    assert c.call("ZINTERCARD", "2", "a", "s") == 1
    assert c.call("ZINTERCARD", "1", "nokey") == 0
    assert c.call("ZINTERCARD", "2", "a", "b", "LIMIT", "-1") == Err("ERR LIMIT can't be negative")
    assert c.call("ZINTERCARD", "3", "a", "b") == SYNTAX
    assert c.call("ZINTERCARD", "2", "a", "b", "FOO") == SYNTAX
    assert c.call("ZINTERCARD", "1") == arity("zintercard")


def test_algebra_errors(c):
    algebra_keys(c)
    assert c.call("ZUNION", "0", "a") == no_input("zunion")
    assert c.call("ZUNION", "-1", "a") == no_input("zunion")
    assert c.call("ZINTER", "0", "a") == no_input("zinter")
    assert c.call("ZDIFF", "0", "a") == no_input("zdiff")
    assert c.call("ZUNIONSTORE", "d", "0", "a") == no_input("zunionstore")
    assert c.call("ZINTERSTORE", "d", "0", "a") == no_input("zinterstore")
    assert c.call("ZDIFFSTORE", "d", "0", "a") == no_input("zdiffstore")
    assert c.call("ZINTERCARD", "0", "a") == no_input("zintercard")
    assert c.call("ZUNION", "x", "a") == NOT_INT
    assert c.call("ZUNIONSTORE", "d", "x", "a") == NOT_INT
    assert c.call("ZUNION", "3", "a", "b") == SYNTAX
    assert c.call("ZDIFF", "2", "a") == SYNTAX
    assert c.call("ZUNION", "2", "a", "b", "WEIGHTS", "1") == SYNTAX
    assert c.call("ZUNION", "2", "a", "b", "WEIGHTS", "1", "x") == Err(
        "ERR weight value is not a float")
    assert c.call("ZINTERSTORE", "d", "2", "a", "b", "WEIGHTS", "nan", "1") == Err(
        "ERR weight value is not a float")
    assert c.call("ZUNION", "2", "a", "b", "AGGREGATE", "AVG") == SYNTAX
    assert c.call("ZUNION", "2", "a", "b", "AGGREGATE") == SYNTAX
    assert c.call("ZUNION", "2", "a", "b", "FOO") == SYNTAX
    assert c.call("ZUNIONSTORE", "d") == arity("zunionstore")
    assert c.call("ZUNION", "1") == arity("zunion")
    assert c.call("EXISTS", "d") == 0


def test_algebra_resp3(c):
    algebra_keys(c)
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call_raw("ZUNION", "2", "a", "b", "WITHSCORES") == (
        b"*4\r\n*2\r\n$1\r\nx\r\n,1\r\n*2\r\n$1\r\ny\r\n,12\r\n"
        b"*2\r\n$1\r\nz\r\n,23\r\n*2\r\n$1\r\nw\r\n,30\r\n")
    assert c.call_raw("ZINTER", "2", "a", "b") == b"*2\r\n$1\r\ny\r\n$1\r\nz\r\n"
    assert c.call_raw("ZDIFF", "2", "a", "b", "WITHSCORES") == b"*1\r\n*2\r\n$1\r\nx\r\n,1\r\n"


# --------------------------------------------------------------------- ZSCAN


def test_zscan(c):
    fill(c, "z", ("b", 1), ("c", 1), ("d", 0))
    assert c.call("ZSCAN", "z", "0") == [b"0", [b"d", b"0", b"b", b"1", b"c", b"1"]]
    assert c.call("ZSCAN", "z", "0", "MATCH", "b*") == [b"0", [b"b", b"1"]]
    assert c.call("ZSCAN", "nokey", "0") == [b"0", []]
    assert c.call("ZSCAN", "z", "x") == Err("ERR invalid cursor")
    assert c.call("ZSCAN", "z", "0", "NOVALUES") == SYNTAX      # 7.4+ only
    assert c.call("HELLO", "3")[b"proto"] == 3
    # Scores stay bulk strings in RESP3 (a flat array).
    assert c.call_raw("ZSCAN", "z", "0", "MATCH", "d") == (
        b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\nd\r\n$1\r\n0\r\n")


def test_zscan_large(c):
    c.call("ZADD", "big", *[x for i in range(500) for x in (i, f"m{i}")])
    assert c.call("OBJECT", "ENCODING", "big") == b"skiplist"
    seen = {}
    cursor = b"0"
    while True:
        cursor, items = c.call("ZSCAN", "big", cursor, "COUNT", "50")
        seen.update(zip(items[::2], items[1::2]))
        if cursor == b"0":
            break
    assert seen == {f"m{i}".encode(): str(i).encode() for i in range(500)}


# ------------------------------------------------------------------ WRONGTYPE


def test_wrongtype(c):
    assert c.call("SET", "str", "v") == "OK"
    fill(c, "z", ("a", 1))
    for cmd in [("ZADD", "str", "1", "a"), ("ZINCRBY", "str", "1", "a"), ("ZREM", "str", "a"),
                ("ZCARD", "str"), ("ZSCORE", "str", "a"), ("ZMSCORE", "str", "a"),
                ("ZRANK", "str", "a"), ("ZREVRANK", "str", "a"), ("ZCOUNT", "str", "0", "1"),
                ("ZLEXCOUNT", "str", "-", "+"), ("ZRANGE", "str", "0", "1"),
                ("ZRANGE", "str", "0", "1", "BYSCORE"), ("ZRANGE", "str", "-", "+", "BYLEX"),
                ("ZREVRANGE", "str", "0", "1"), ("ZRANGEBYSCORE", "str", "0", "1"),
                ("ZREVRANGEBYSCORE", "str", "1", "0"), ("ZRANGEBYLEX", "str", "-", "+"),
                ("ZREVRANGEBYLEX", "str", "+", "-"), ("ZRANGESTORE", "d", "str", "0", "1"),
                ("ZREMRANGEBYRANK", "str", "0", "1"), ("ZREMRANGEBYSCORE", "str", "0", "1"),
                ("ZREMRANGEBYLEX", "str", "-", "+"), ("ZPOPMIN", "str"), ("ZPOPMAX", "str", "2"),
                ("ZMPOP", "1", "str", "MIN"), ("ZMPOP", "2", "nokey", "str", "MIN"),
                ("ZRANDMEMBER", "str"), ("ZRANDMEMBER", "str", "-1"), ("ZSCAN", "str", "0"),
                ("ZUNION", "2", "z", "str"), ("ZINTER", "2", "nokey", "str"),
                ("ZDIFF", "2", "str", "z"), ("ZDIFF", "2", "nokey", "str"),
                ("ZINTERCARD", "2", "z", "str"), ("ZUNIONSTORE", "d", "2", "z", "str"),
                ("ZINTERSTORE", "d", "1", "str"), ("ZDIFFSTORE", "d", "1", "str"),
                ("BZPOPMIN", "str", "0"), ("BZPOPMAX", "str", "0"),
                ("BZMPOP", "0", "1", "str", "MAX")]:
        assert c.call(*cmd) == WRONGTYPE, cmd
    assert c.call("GET", "str") == b"v"
    assert c.call("EXISTS", "d") == 0
    # Argument errors are reported before the type check.
    assert c.call("ZADD", "str", "x", "a") == NOT_FLOAT
    assert c.call("ZCOUNT", "str", "x", "1") == MINMAX_FLOAT
    assert c.call("ZRANGE", "str", "x", "1") == NOT_INT
    assert c.call("ZPOPMIN", "str", "-1") == POSITIVE


# ------------------------------------------------------------ score format


def test_score_format_resp2(c):
    fill(c, "f", ("e", "-inf"), ("c", "-0"), ("k", "1e-5"), ("a", "0.1"), ("g", "1.5"),
         ("h", "3"), ("l", "123456789012345678"), ("b", "1e20"), ("d", "inf"))
    assert c.call_raw("ZRANGE", "f", "0", "-1", "WITHSCORES") == (
        b"*18\r\n$1\r\ne\r\n$4\r\n-inf\r\n$1\r\nc\r\n$1\r\n0\r\n"
        b"$1\r\nk\r\n$22\r\n1.0000000000000001e-05\r\n$1\r\na\r\n$19\r\n0.10000000000000001\r\n"
        b"$1\r\ng\r\n$3\r\n1.5\r\n$1\r\nh\r\n$1\r\n3\r\n"
        b"$1\r\nl\r\n$22\r\n1.2345678901234568e+17\r\n$1\r\nb\r\n$5\r\n1e+20\r\n"
        b"$1\r\nd\r\n$3\r\ninf\r\n")
    assert c.call_raw("ZSCORE", "f", "g") == b"$3\r\n1.5\r\n"
    assert c.call_raw("ZSCORE", "f", "d") == b"$3\r\ninf\r\n"
    assert c.call_raw("ZSCORE", "f", "e") == b"$4\r\n-inf\r\n"
    assert c.call_raw("ZSCORE", "f", "nope") == b"$-1\r\n"
    assert c.call_raw("ZMSCORE", "f", "g", "nope", "d") == (
        b"*3\r\n$3\r\n1.5\r\n$-1\r\n$3\r\ninf\r\n")
    fill(c, "n", ("a", "1e15"), ("b", "1e17"), ("c", "9007199254740993"), ("d", "-1.5"))
    assert c.call("ZRANGE", "n", "0", "-1", "WITHSCORES") == [
        b"d", b"-1.5", b"a", b"1000000000000000", b"c", b"9007199254740992", b"b", b"1e+17"]


def test_score_accumulation(c):
    assert c.call_raw("ZINCRBY", "z", "0.1", "m") == b"$19\r\n0.10000000000000001\r\n"
    assert c.call_raw("ZINCRBY", "z", "0.2", "m") == b"$19\r\n0.30000000000000004\r\n"
    assert c.call_raw("ZSCORE", "z", "m") == b"$19\r\n0.30000000000000004\r\n"
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call_raw("ZINCRBY", "z", "0.1", "n") == b",0.10000000000000001\r\n"
    assert c.call_raw("ZINCRBY", "z", "0.2", "n") == b",0.30000000000000004\r\n"
    assert c.call_raw("ZSCORE", "z", "n") == b",0.30000000000000004\r\n"


def test_score_format_resp3(c):
    fill(c, "f", ("e", "-inf"), ("c", "0"), ("g", "1.5"), ("h", "3"), ("b", "1e20"),
         ("d", "inf"))
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call_raw("ZSCORE", "f", "g") == b",1.5\r\n"
    assert c.call_raw("ZSCORE", "f", "d") == b",inf\r\n"
    assert c.call_raw("ZSCORE", "f", "e") == b",-inf\r\n"
    assert c.call_raw("ZSCORE", "f", "b") == b",1e+20\r\n"
    assert c.call_raw("ZSCORE", "f", "h") == b",3\r\n"
    assert c.call_raw("ZSCORE", "f", "nope") == b"_\r\n"
    assert c.call_raw("ZRANK", "f", "nope") == b"_\r\n"
    assert c.call_raw("ZMSCORE", "f", "g", "nope", "d") == b"*3\r\n,1.5\r\n_\r\n,inf\r\n"
    # WITHSCORES replies become an array of [member, score] pairs.
    assert c.call_raw("ZRANGE", "f", "0", "-1", "WITHSCORES") == (
        b"*6\r\n*2\r\n$1\r\ne\r\n,-inf\r\n*2\r\n$1\r\nc\r\n,0\r\n*2\r\n$1\r\ng\r\n,1.5\r\n"
        b"*2\r\n$1\r\nh\r\n,3\r\n*2\r\n$1\r\nb\r\n,1e+20\r\n*2\r\n$1\r\nd\r\n,inf\r\n")
    assert c.call_raw("ZREVRANGE", "f", "0", "0", "WITHSCORES") == (
        b"*1\r\n*2\r\n$1\r\nd\r\n,inf\r\n")
    assert c.call_raw("ZRANGEBYSCORE", "f", "1", "2", "WITHSCORES") == (
        b"*1\r\n*2\r\n$1\r\ng\r\n,1.5\r\n")
    assert c.call_raw("ZREVRANGEBYSCORE", "f", "2", "1", "WITHSCORES") == (
        b"*1\r\n*2\r\n$1\r\ng\r\n,1.5\r\n")
    assert c.call_raw("ZRANGE", "f", "0", "0") == b"*1\r\n$1\r\ne\r\n"
    assert c.call_raw("ZRANGE", "nokey", "0", "-1", "WITHSCORES") == b"*0\r\n"


def test_negative_zero(c, config):
    # A computed -0 is replied as such ...
    assert c.call_raw("ZINCRBY", "n", "-0", "a") == b"$2\r\n-0\r\n"
    assert c.call_raw("ZADD", "n", "INCR", "-0.0", "b") == b"$2\r\n-0\r\n"
    # ... a listpack stores it as 0 ...
    assert c.call("ZADD", "n", "-0", "c") == 1
    assert c.call("ZRANGE", "n", "0", "-1", "WITHSCORES") == [b"a", b"0", b"b", b"0", b"c", b"0"]
    # ... and a skiplist keeps the sign.
    config.set("zset-max-listpack-entries", "0")
    assert c.call("ZADD", "s", "-0", "a") == 1
    assert c.call("OBJECT", "ENCODING", "s") == b"skiplist"
    assert c.call_raw("ZSCORE", "s", "a") == b"$2\r\n-0\r\n"
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call_raw("ZSCORE", "s", "a") == b",-0\r\n"


# ---------------------------------------------------------------- encodings


def test_encoding_by_entries(c, config):
    c.call("ZADD", "z", *[x for i in range(128) for x in (i, f"m{i}")])
    assert c.call("OBJECT", "ENCODING", "z") == b"listpack"
    assert c.call("ZADD", "z", "1", "new") == 1
    assert c.call("OBJECT", "ENCODING", "z") == b"skiplist"
    # No conversion back when it shrinks.
    assert c.call("ZREMRANGEBYRANK", "z", "0", "120") == 121
    assert c.call("OBJECT", "ENCODING", "z") == b"skiplist"
    c.call("ZADD", "big", *[x for i in range(129) for x in (i, f"m{i}")])
    assert c.call("OBJECT", "ENCODING", "big") == b"skiplist"
    config.set("zset-max-listpack-entries", "3")
    fill(c, "s", ("a", 1), ("b", 2), ("c", 3))
    assert c.call("OBJECT", "ENCODING", "s") == b"listpack"
    assert c.call("ZINCRBY", "s", "1", "d") == b"1"
    assert c.call("OBJECT", "ENCODING", "s") == b"skiplist"
    assert c.call("ZRANGE", "s", "0", "-1", "WITHSCORES") == [
        b"a", b"1", b"d", b"1", b"b", b"2", b"c", b"3"]


def test_encoding_by_value_size(c, config):
    assert c.call("ZADD", "z", "1", "x" * 64) == 1
    assert c.call("OBJECT", "ENCODING", "z") == b"listpack"
    assert c.call("ZADD", "z", "2", "y" * 65) == 1
    assert c.call("OBJECT", "ENCODING", "z") == b"skiplist"
    assert c.call("ZRANGE", "z", "0", "-1") == [b"x" * 64, b"y" * 65]
    config.set("zset-max-listpack-value", "4")
    assert c.call("ZADD", "w", "1", "abcd") == 1
    assert c.call("OBJECT", "ENCODING", "w") == b"listpack"
    assert c.call("ZADD", "w", "1", "abcde") == 1
    assert c.call("OBJECT", "ENCODING", "w") == b"skiplist"


def test_store_results_encoding(c):
    c.call("ZADD", "big", *[x for i in range(200) for x in (i, f"m{i}")])
    assert c.call("OBJECT", "ENCODING", "big") == b"skiplist"
    # Small results are stored compactly whatever the source encoding.
    assert c.call("ZRANGESTORE", "d1", "big", "0", "1") == 2
    assert c.call("OBJECT", "ENCODING", "d1") == b"listpack"
    assert c.call("ZUNIONSTORE", "d2", "1", "big") == 200
    assert c.call("OBJECT", "ENCODING", "d2") == b"skiplist"
    assert c.call("ZINTERSTORE", "d3", "2", "big", "d1") == 2
    assert c.call("OBJECT", "ENCODING", "d3") == b"listpack"


def test_skiplist_operations(c, config):
    """The same commands behave identically on the skiplist encoding."""
    config.set("zset-max-listpack-entries", "0")
    abcde(c)
    assert c.call("OBJECT", "ENCODING", "z") == b"skiplist"
    assert c.call("ZRANGE", "z", "(1", "4", "BYSCORE", "LIMIT", "1", "5", "WITHSCORES") == [
        b"c", b"3", b"d", b"4"]
    assert c.call("ZRANGE", "z", "[e", "(b", "BYLEX", "REV") == [b"e", b"d", b"c"]
    assert c.call("ZRANK", "z", "c") == 2 and c.call("ZREVRANK", "z", "c") == 2
    assert c.call("ZCOUNT", "z", "(2", "+inf") == 3
    assert c.call("ZPOPMAX", "z") == [b"e", b"5"]
    assert c.call("ZREMRANGEBYSCORE", "z", "-inf", "(2") == 1
    assert c.call("ZRANGE", "z", "0", "-1", "WITHSCORES") == [b"b", b"2", b"c", b"3", b"d", b"4"]
    assert c.call("ZREM", "z", "b", "c", "d") == 3
    assert c.call("EXISTS", "z") == 0
