"""SORT and SORT_RO on lists, sets and sorted sets: numeric and ALPHA ordering, ASC/DESC, LIMIT,
BY (key and hash-field patterns, nosort), GET (#, keys, hash fields), STORE."""

from ember_resp import Err

WRONGTYPE = Err("WRONGTYPE Operation against a key holding the wrong kind of value")
SYNTAX = Err("ERR syntax error")
NOT_INT = Err("ERR value is not an integer or out of range")
NOT_DOUBLE = Err("ERR One or more scores can't be converted into double")


def arity(cmd):
    return Err(f"ERR wrong number of arguments for '{cmd}' command")


def test_numeric_and_alpha(c):
    assert c.call("RPUSH", "l", "3", "1", "2", "10") == 4
    assert c.call("SORT", "l") == [b"1", b"2", b"3", b"10"]
    assert c.call("SORT", "l", "ASC") == [b"1", b"2", b"3", b"10"]
    assert c.call("SORT", "l", "DESC") == [b"10", b"3", b"2", b"1"]
    assert c.call("SORT", "l", "ALPHA") == [b"1", b"10", b"2", b"3"]
    assert c.call("SORT", "l", "alpha", "desc") == [b"3", b"2", b"10", b"1"]
    assert c.call("LRANGE", "l", "0", "-1") == [b"3", b"1", b"2", b"10"]   # source untouched
    assert c.call("RPUSH", "f", "1.5", "-2", "1e2", "inf", "-inf", "0") == 6
    assert c.call("SORT", "f") == [b"-inf", b"-2", b"0", b"1.5", b"1e2", b"inf"]


def test_equal_scores_break_ties_by_element(c):
    assert c.call("RPUSH", "l", "1.0", "1", "01", "0", "b", "a") == 6
    assert c.call("SORT", "l", "BY", "missing_*") == [b"0", b"01", b"1", b"1.0", b"a", b"b"]
    assert c.call("SORT", "l", "BY", "missing_*", "DESC") == [
        b"b", b"a", b"1.0", b"1", b"01", b"0"]
    assert c.call("LREM", "l", "0", "a") == 1 and c.call("LREM", "l", "0", "b") == 1
    assert c.call("SORT", "l") == [b"0", b"01", b"1", b"1.0"]


def test_non_numeric_errors(c):
    assert c.call("RPUSH", "w", "b", "a", "1") == 3
    assert c.call("SORT", "w") == NOT_DOUBLE
    assert c.call("SORT_RO", "w") == NOT_DOUBLE
    assert c.call("SORT", "w", "ALPHA") == [b"1", b"a", b"b"]
    for bad in ("3 ", "nan", "1x"):
        assert c.call("DEL", "x") in (0, 1)
        assert c.call("RPUSH", "x", "1", bad) == 2
        assert c.call("SORT", "x") == NOT_DOUBLE, bad
    assert c.call("SORT", "x", "STORE", "dst") == NOT_DOUBLE
    assert c.call("EXISTS", "dst") == 0


def test_limit(c):
    assert c.call("RPUSH", "l", "3", "1", "2", "10") == 4
    assert c.call("SORT", "l", "LIMIT", "1", "2") == [b"2", b"3"]
    assert c.call("SORT", "l", "LIMIT", "1", "2", "DESC") == [b"3", b"2"]
    assert c.call("SORT", "l", "LIMIT", "-1", "2") == [b"1", b"2"]        # offset clamped to 0
    assert c.call("SORT", "l", "LIMIT", "1", "-1") == [b"2", b"3", b"10"]  # negative count: all
    assert c.call("SORT", "l", "LIMIT", "2", "100") == [b"3", b"10"]
    assert c.call("SORT", "l", "LIMIT", "100", "2") == []
    assert c.call("SORT", "l", "LIMIT", "0", "0") == []
    assert c.call("SORT", "l", "LIMIT", "0", "9223372036854775807") == [b"1", b"2", b"3", b"10"]
    assert c.call("SORT", "l", "LIMIT", "9223372036854775807", "1") == []
    assert c.call("SORT", "l", "LIMIT", "-9223372036854775808", "2") == [b"1", b"2"]
    assert c.call("SORT", "l", "LIMIT", "0", "1", "LIMIT", "1", "1") == [b"2"]   # last one wins
    assert c.call("SORT", "l", "LIMIT", "x", "0") == NOT_INT
    assert c.call("SORT", "l", "LIMIT", "0", "x") == NOT_INT
    assert c.call("SORT", "l", "LIMIT", "1") == SYNTAX


def test_sets_and_zsets(c):
    assert c.call("SADD", "s", "5", "3", "9") == 3
    assert c.call("SORT", "s") == [b"3", b"5", b"9"]
    assert c.call("SORT", "s", "DESC", "LIMIT", "0", "2") == [b"9", b"5"]
    assert c.call("SADD", "t", "b", "c", "a") == 3
    assert c.call("SORT", "t", "ALPHA") == [b"a", b"b", b"c"]
    assert c.call("SORT", "t") == NOT_DOUBLE
    assert c.call("ZADD", "z", "1", "c", "2", "a", "3", "b") == 3
    assert c.call("SORT", "z", "ALPHA") == [b"a", b"b", b"c"]
    assert c.call("SORT", "z") == NOT_DOUBLE                  # members are sorted, not scores
    assert c.call("ZADD", "n", "3", "10", "2", "20", "1", "30") == 3
    assert c.call("SORT", "n") == [b"10", b"20", b"30"]


def test_missing_key_and_wrong_type(c):
    assert c.call("SORT", "nokey") == []
    assert c.call("SORT_RO", "nokey") == []
    assert c.call("SORT", "nokey", "ALPHA", "DESC", "LIMIT", "0", "5") == []
    assert c.call("SET", "str", "v") == "OK"
    assert c.call("HSET", "h", "a", "1") == 1
    for key in ("str", "h"):
        assert c.call("SORT", key) == WRONGTYPE
        assert c.call("SORT_RO", key) == WRONGTYPE
        assert c.call("SORT", key, "STORE", "dst") == WRONGTYPE
    assert c.call("EXISTS", "dst") == 0
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call_raw("SORT", "nokey") == b"*0\r\n"


def test_by_pattern(c):
    assert c.call("RPUSH", "l", "1", "2", "3") == 3
    assert c.call("MSET", "w_1", "30", "w_2", "10", "w_3", "20") == "OK"
    assert c.call("SORT", "l", "BY", "w_*") == [b"2", b"3", b"1"]
    assert c.call("SORT", "l", "BY", "w_*", "DESC") == [b"1", b"3", b"2"]
    assert c.call("SORT", "l", "BY", "w_*", "LIMIT", "0", "1") == [b"2"]
    # Missing weights count as 0 (ties broken by element).
    assert c.call("SORT", "l", "BY", "missing_*") == [b"1", b"2", b"3"]
    assert c.call("SORT", "l", "BY", "missing_*", "DESC") == [b"3", b"2", b"1"]
    assert c.call("MSET", "n_1", "one", "n_2", "two", "n_3", "three") == "OK"
    assert c.call("SORT", "l", "BY", "n_*") == NOT_DOUBLE
    assert c.call("SORT", "l", "BY", "n_*", "ALPHA") == [b"1", b"3", b"2"]
    assert c.call("SET", "w_3", "x") == "OK"
    assert c.call("SORT", "l", "BY", "w_*") == NOT_DOUBLE
    assert c.call("SORT", "l", "BY") == SYNTAX


def test_by_hash_field(c):
    assert c.call("RPUSH", "l", "1", "2", "3") == 3
    assert c.call("HSET", "h_1", "f", "9", "name", "A") == 2
    assert c.call("HSET", "h_2", "f", "7", "name", "B") == 2
    assert c.call("HSET", "h_3", "f", "8") == 1
    assert c.call("SORT", "l", "BY", "h_*->f") == [b"2", b"3", b"1"]
    assert c.call("SORT", "l", "BY", "h_*->f", "DESC") == [b"1", b"3", b"2"]
    assert c.call("SORT", "l", "BY", "h_*->name", "ALPHA") == [b"3", b"1", b"2"]   # missing first
    assert c.call("SORT", "l", "BY", "h_*->missing") == [b"1", b"2", b"3"]


def test_by_nosort(c):
    assert c.call("RPUSH", "l", "2", "3", "1", "5", "4") == 5
    assert c.call("SORT", "l", "BY", "nosort") == [b"2", b"3", b"1", b"5", b"4"]
    assert c.call("SORT", "l", "by", "NOSORT", "DESC") == [b"4", b"5", b"1", b"3", b"2"]
    assert c.call("SORT", "l", "BY", "nosort", "LIMIT", "1", "2") == [b"3", b"1"]
    assert c.call("SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2") == [b"5", b"1"]
    assert c.call("SORT", "l", "BY", "nosort", "LIMIT", "10", "2") == []
    # Any pattern without '*' means no sorting.
    assert c.call("SORT", "l", "BY", "constant") == [b"2", b"3", b"1", b"5", b"4"]
    assert c.call("RPUSH", "w", "b", "a", "1") == 3
    assert c.call("SORT", "w", "BY", "nosort") == [b"b", b"a", b"1"]   # no numeric check


def test_zset_nosort_keeps_zset_order(c, config):
    assert c.call("ZADD", "z", "1", "c", "2", "a", "3", "b", "4", "d") == 4
    assert c.call("SORT", "z", "BY", "nosort") == [b"c", b"a", b"b", b"d"]
    assert c.call("SORT", "z", "BY", "nosort", "DESC") == [b"d", b"b", b"a", b"c"]
    assert c.call("SORT", "z", "BY", "nosort", "LIMIT", "1", "2") == [b"a", b"b"]
    assert c.call("SORT", "z", "BY", "nosort", "LIMIT", "1", "-1") == [b"a", b"b", b"d"]
    assert c.call("SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2") == [b"b", b"a"]
    assert c.call("SORT", "z", "BY", "nosort", "DESC", "LIMIT", "3", "10") == [b"c"]
    assert c.call("SORT", "z", "BY", "nosort", "LIMIT", "-5", "2") == [b"c", b"a"]
    assert c.call("SORT", "z", "BY", "nosort", "STORE", "d") == 4
    assert c.call("LRANGE", "d", "0", "-1") == [b"c", b"a", b"b", b"d"]
    assert c.call("SORT", "z", "BY", "nosort", "GET", "#", "GET", "x_*") == [
        b"c", None, b"a", None, b"b", None, b"d", None]
    config.set("zset-max-listpack-entries", "0")
    assert c.call("ZADD", "s", "1", "c", "2", "a", "3", "b", "4", "d") == 4
    assert c.call("OBJECT", "ENCODING", "s") == b"skiplist"
    assert c.call("SORT", "s", "BY", "nosort") == [b"c", b"a", b"b", b"d"]
    assert c.call("SORT", "s", "BY", "nosort", "DESC", "LIMIT", "1", "2") == [b"b", b"a"]
    assert c.call("SORT", "s", "BY", "nosort", "LIMIT", "1", "-1") == [b"a", b"b", b"d"]


def test_set_nosort_with_store_sorts_alpha(c):
    assert c.call("SADD", "s", "b", "c", "a", "10") == 4
    assert sorted(c.call("SORT", "s", "BY", "nosort")) == [b"10", b"a", b"b", b"c"]
    # Stored results must be deterministic: the set is sorted lexicographically.
    assert c.call("SORT", "s", "BY", "nosort", "STORE", "d") == 4
    assert c.call("LRANGE", "d", "0", "-1") == [b"10", b"a", b"b", b"c"]
    assert c.call("SORT", "s", "BY", "nosort", "DESC", "STORE", "d") == 4
    assert c.call("LRANGE", "d", "0", "-1") == [b"c", b"b", b"a", b"10"]


def test_get_patterns(c):
    assert c.call("RPUSH", "l", "1", "2", "3") == 3
    assert c.call("MSET", "w_1", "30", "w_2", "10", "w_3", "20") == "OK"
    assert c.call("MSET", "n_1", "one", "n_2", "two") == "OK"
    assert c.call("SORT", "l", "BY", "w_*", "GET", "n_*") == [b"two", None, b"one"]
    assert c.call("SORT", "l", "BY", "w_*", "GET", "#", "GET", "n_*", "GET", "w_*") == [
        b"2", b"two", b"10", b"3", None, b"20", b"1", b"one", b"30"]
    assert c.call("SORT", "l", "GET", "nostar") == [None, None, None]
    assert c.call("SORT", "l", "GET", "n_*", "LIMIT", "1", "1") == [b"two"]
    assert c.call("SORT", "l", "GET") == SYNTAX
    # GET of a non-string key gives nil.
    assert c.call("HSET", "h_1", "f", "9", "name", "A") == 2
    assert c.call("HSET", "h_2", "f", "7", "name", "B") == 2
    assert c.call("SORT", "l", "GET", "h_*") == [None, None, None]
    assert c.call("SORT", "l", "GET", "h_*->f") == [b"9", b"7", None]
    assert c.call("SORT", "l", "BY", "h_*->f", "GET", "h_*->name", "GET", "#") == [
        None, b"3", b"B", b"2", b"A", b"1"]
    assert c.call("SORT", "l", "GET", "h_*->missing") == [None, None, None]
    assert c.call("SORT", "l", "GET", "w_*->f") == [None, None, None]   # field of a string
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call_raw("SORT", "l", "GET", "n_*") == b"*3\r\n$3\r\none\r\n$3\r\ntwo\r\n_\r\n"


def test_get_with_alpha_and_sets(c):
    assert c.call("SADD", "s", "a", "b", "c") == 3
    assert c.call("MSET", "k_a", "x", "k_c", "z") == "OK"
    assert c.call("SORT", "s", "ALPHA", "GET", "k_*") == [b"x", None, b"z"]
    assert c.call("SORT", "s", "ALPHA", "DESC", "GET", "#", "GET", "k_*") == [
        b"c", b"z", b"b", None, b"a", b"x"]


def test_store(c):
    assert c.call("RPUSH", "l", "3", "1", "2") == 3
    assert c.call("SORT", "l", "STORE", "dst") == 3
    assert c.call("TYPE", "dst") == "list"
    assert c.call("LRANGE", "dst", "0", "-1") == [b"1", b"2", b"3"]
    # Overwrites whatever the destination holds.
    assert c.call("SET", "str", "x") == "OK"
    assert c.call("SORT", "l", "DESC", "STORE", "str") == 3
    assert c.call("LRANGE", "str", "0", "-1") == [b"3", b"2", b"1"]
    # GET results are stored; missing ones as empty strings.
    assert c.call("MSET", "n_1", "one", "n_2", "two") == "OK"
    assert c.call("SORT", "l", "GET", "n_*", "STORE", "dst") == 3
    assert c.call("LRANGE", "dst", "0", "-1") == [b"one", b"two", b""]
    assert c.call("SORT", "l", "GET", "#", "GET", "n_*", "STORE", "dst") == 6
    assert c.call("LRANGE", "dst", "0", "-1") == [b"1", b"one", b"2", b"two", b"3", b""]
    # An empty result deletes the destination.
    assert c.call("SORT", "l", "LIMIT", "5", "5", "STORE", "dst") == 0
    assert c.call("EXISTS", "dst") == 0
    assert c.call("SET", "dst", "x") == "OK"
    assert c.call("SORT", "nokey", "STORE", "dst") == 0
    assert c.call("EXISTS", "dst") == 0
    # The source may be the destination.
    assert c.call("SORT", "l", "STORE", "l") == 3
    assert c.call("LRANGE", "l", "0", "-1") == [b"1", b"2", b"3"]
    assert c.call("SORT", "l", "STORE") == SYNTAX
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call_raw("SORT", "l", "STORE", "dst") == b":3\r\n"


def test_store_from_set_and_zset(c):
    assert c.call("SADD", "s", "3", "1", "2") == 3
    assert c.call("SORT", "s", "STORE", "d") == 3
    assert c.call("LRANGE", "d", "0", "-1") == [b"1", b"2", b"3"]
    assert c.call("ZADD", "z", "1", "b", "2", "a") == 2
    assert c.call("SORT", "z", "ALPHA", "STORE", "d") == 2
    assert c.call("LRANGE", "d", "0", "-1") == [b"a", b"b"]


def test_sort_ro(c):
    assert c.call("RPUSH", "l", "1", "2", "3") == 3
    assert c.call("MSET", "w_1", "30", "w_2", "10", "w_3", "20", "n_1", "one", "n_2", "two") == "OK"
    assert c.call("SORT_RO", "l", "DESC", "LIMIT", "0", "1") == [b"3"]
    assert c.call("SORT_RO", "l", "BY", "w_*", "GET", "#", "GET", "n_*") == [
        b"2", b"two", b"3", None, b"1", b"one"]
    assert c.call("SORT_RO", "l", "ALPHA") == [b"1", b"2", b"3"]
    assert c.call("SORT_RO", "l", "BY", "nosort", "DESC") == [b"3", b"2", b"1"]
    assert c.call("SORT_RO", "l", "STORE", "dst") == SYNTAX
    assert c.call("EXISTS", "dst") == 0
    assert c.call("SORT_RO") == arity("sort_ro")
    assert c.call("SORT") == arity("sort")


def test_syntax_errors(c):
    assert c.call("RPUSH", "l", "1", "2") == 2
    assert c.call("SORT", "l", "FOO") == SYNTAX
    assert c.call("SORT", "l", "LIMIT") == SYNTAX
    assert c.call("SORT_RO", "l", "FOO") == SYNTAX
    assert c.call("SORT", "nokey", "FOO") == SYNTAX
    # Repeated or conflicting flags: the last one wins.
    assert c.call("SORT", "l", "DESC", "ASC") == [b"1", b"2"]
    assert c.call("SORT", "l", "ALPHA", "ALPHA") == [b"1", b"2"]
