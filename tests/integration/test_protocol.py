"""Wire protocol: inline commands, pipelining, partial reads, protocol errors."""

import time

import pytest

from ember_resp import encode_command


def proto_error(msg):
    return b"-ERR Protocol error: " + msg + b"\r\n"


# -------------------------------------------------------------------- inline


def test_inline_ping(c):
    c.send(b"PING\r\n")
    assert c.read_raw() == b"+PONG\r\n"
    c.send(b"ping\n")                      # bare LF is accepted too
    assert c.read_raw() == b"+PONG\r\n"


def test_inline_set_get(c):
    c.send(b"SET a b\r\n")
    assert c.read_raw() == b"+OK\r\n"
    c.send(b"GET a\r\n")
    assert c.read_raw() == b"$1\r\nb\r\n"
    c.send(b"  GET   a  \r\n")             # extra whitespace is ignored
    assert c.read_raw() == b"$1\r\nb\r\n"
    c.send(b"ECHO a\tb\r\n")               # tab separates arguments
    assert c.read_raw() == b"-ERR wrong number of arguments for 'echo' command\r\n"


def test_inline_empty_lines_are_ignored(c):
    c.send(b"\r\n\r\n\n   \r\nPING\r\n")
    assert c.read_raw() == b"+PONG\r\n"
    assert c.read_available(0.1) == b""


def test_inline_quoting(c):
    c.send(b'SET k "hello world"\r\n')
    assert c.read_raw() == b"+OK\r\n"
    assert c.call("GET", "k") == b"hello world"
    c.send(b"ECHO 'a b'\r\n")
    assert c.read_raw() == b"$3\r\na b\r\n"
    c.send(b'ECHO ""\r\n')
    assert c.read_raw() == b"$0\r\n\r\n"
    c.send(b'"PING"\r\n')
    assert c.read_raw() == b"+PONG\r\n"


def test_inline_escapes(c):
    c.send(b'ECHO "a\\x41b"\r\n')
    assert c.read_raw() == b"$3\r\naAb\r\n"
    c.send(b'ECHO "\\a\\b\\r\\t\\n"\r\n')
    assert c.read_raw() == b"$5\r\n\x07\x08\r\t\n\r\n"
    c.send(b'ECHO "q\\"q\\\\"\r\n')
    assert c.read_raw() == b'$4\r\nq"q\\\r\n'
    c.send(b'ECHO "\\xzz"\r\n')             # invalid hex escape: backslash dropped
    assert c.read_raw() == b"$3\r\nxzz\r\n"
    c.send(b"ECHO 'it\\'s'\r\n")            # single quotes only unescape \'
    assert c.read_raw() == b"$4\r\nit's\r\n"
    c.send(b"ECHO 'a\\nb'\r\n")
    assert c.read_raw() == b"$4\r\na\\nb\r\n"


@pytest.mark.parametrize("line", [b'SET a "b\r\n', b"SET a 'b\r\n", b'ECHO "ab"c\r\n',
                                  b"ECHO 'ab'c\r\n", b'ECHO "\\"\r\n'])
def test_inline_unbalanced_quotes(c, line):
    c.send(b"PING\r\n" + line + b"PING\r\n")
    assert c.read_until_close() == b"+PONG\r\n" + proto_error(b"unbalanced quotes in request")


def test_inline_too_big(c):
    # Slightly more than the 64 KiB inline limit, so the server has consumed
    # all we sent when it closes (avoids a TCP reset eating the reply).
    c.send(b"a" * (64 * 1024 + 500))
    assert c.read_until_close() == proto_error(b"too big inline request")


def test_inline_unknown_command(c):
    c.send(b"$3\r\nabc\r\n")
    assert c.read_raw() == b"-ERR unknown command '$3', with args beginning with: \r\n"
    assert c.read_raw() == b"-ERR unknown command 'abc', with args beginning with: \r\n"


# ---------------------------------------------------------------- multibulk


def test_multibulk_binary_safe(c):
    key = b"k\x00\r\n\xff"
    val = bytes(range(256)) * 4
    assert c.call("SET", key, val) == "OK"
    assert c.call("GET", key) == val


def test_multibulk_case_insensitive_command(c):
    assert c.call("pInG") == "PONG"
    assert c.call("sEt", "k", "v") == "OK"
    assert c.call("GeT", "k") == b"v"


def test_empty_and_negative_multibulk_are_ignored(c):
    c.send(b"*0\r\n*-1\r\n*-5\r\n*1\r\n$4\r\nPING\r\n")
    assert c.read_raw() == b"+PONG\r\n"
    assert c.read_available(0.1) == b""


def test_empty_command_name(c):
    c.send(b"*1\r\n$0\r\n\r\n")
    assert c.read_raw() == b"-ERR unknown command '', with args beginning with: \r\n"


def test_partial_command_byte_by_byte(c):
    data = encode_command("SET", "partial", "value") + encode_command("GET", "partial")
    for i in range(len(data)):
        c.send(data[i:i + 1])
        if i % 7 == 0:
            time.sleep(0.001)
    assert c.read_raw() == b"+OK\r\n"
    assert c.read_raw() == b"$5\r\nvalue\r\n"


def test_incomplete_command_gets_no_reply(c):
    c.send(b"*2\r\n$4\r\nECHO\r\n$5\r\nhel")
    assert c.read_available(0.2) == b""
    c.send(b"lo\r\n")
    assert c.read_raw() == b"$5\r\nhello\r\n"


def test_large_bulk_argument(c):
    value = b"0123456789abcdef" * (1 << 16)   # 1 MiB
    c.send(encode_command("SET", "big", value))
    assert c.read_raw() == b"+OK\r\n"
    assert c.call("STRLEN", "big") == len(value)
    assert c.call("GET", "big") == value


# --------------------------------------------------------------- pipelining


def test_pipelining_in_order(c):
    n = 1000
    payload = b"".join(encode_command("INCR", "counter") for _ in range(n))
    payload += b"".join(encode_command("ECHO", str(i)) for i in range(n))
    c.send(payload)
    for i in range(1, n + 1):
        assert c.read() == i
    for i in range(n):
        assert c.read() == str(i).encode()
    assert c.call("GET", "counter") == str(n).encode()


def test_pipelining_mixed_inline_and_multibulk(c):
    c.send(b"SET a 1\r\n" + encode_command("INCR", "a") + b"GET a\r\nPING\r\n"
           + encode_command("GET", "missing") + b"NOSUCH x\r\n" + encode_command("DEL", "a"))
    assert c.read_raw() == b"+OK\r\n"
    assert c.read_raw() == b":2\r\n"
    assert c.read_raw() == b"$1\r\n2\r\n"
    assert c.read_raw() == b"+PONG\r\n"
    assert c.read_raw() == b"$-1\r\n"
    assert c.read_raw() == b"-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n"
    assert c.read_raw() == b":1\r\n"


def test_pipelining_redis_py(r):
    with r.pipeline(transaction=False) as p:
        for i in range(500):
            p.set(f"k{i}", i)
        for i in range(500):
            p.get(f"k{i}")
        res = p.execute()
    assert res[:500] == [True] * 500
    assert res[500:] == [str(i).encode() for i in range(500)]


def test_pipeline_big_write(c):
    # ~4 MB of pipelined commands in a single sendall.
    value = b"v" * 1000
    n = 4000
    c.send(b"".join(encode_command("SET", f"key:{i}", value) for i in range(n)))
    for _ in range(n):
        assert c.read_raw() == b"+OK\r\n"
    assert c.call("DBSIZE") == n


# ----------------------------------------------------------- protocol errors


@pytest.mark.parametrize("data,error", [
    (b"*1\r\n$x\r\n", b"invalid bulk length"),
    (b"*1\r\n$-1\r\n", b"invalid bulk length"),
    (b"*1\r\n$-2\r\n", b"invalid bulk length"),
    (b"*1\r\n$\r\n", b"invalid bulk length"),
    (b"*1\r\n$+4\r\nPING\r\n", b"invalid bulk length"),
    (b"*1\r\n$04\r\nPING\r\n", b"invalid bulk length"),
    (b"*1\r\n$2147483648\r\n", b"invalid bulk length"),
    (b"*2\r\n$4\r\nECHO\r\n$536870913\r\n", b"invalid bulk length"),
    (b"*x\r\n", b"invalid multibulk length"),
    (b"*\r\n", b"invalid multibulk length"),
    (b"*+1\r\n$4\r\nPING\r\n", b"invalid multibulk length"),
    (b"*01\r\n$4\r\nPING\r\n", b"invalid multibulk length"),
    (b"*1 \r\n$4\r\nPING\r\n", b"invalid multibulk length"),
    (b"*2147483648\r\n", b"invalid multibulk length"),
    (b"*99999999999999999999\r\n", b"invalid multibulk length"),
    (b"*1\r\nx\r\n", b"expected '$', got 'x'"),
    (b"*2\r\n$4\r\nECHO\r\n:1\r\n", b"expected '$', got ':'"),
    (b"*" + b"1" * (64 * 1024 + 500), b"too big mbulk count string"),
    (b"*1\r\n$" + b"1" * (64 * 1024 + 500), b"too big bulk count string"),
])
def test_protocol_errors_close_connection(c, data, error):
    c.send(data)
    assert c.read_until_close() == proto_error(error)


def test_protocol_error_after_valid_commands(c):
    c.send(encode_command("SET", "k", "v") + b"*1\r\n$4\r\nPING\r\n*1\r\n$x\r\n"
           + encode_command("SET", "k", "after"))
    assert c.read_until_close() == b"+OK\r\n+PONG\r\n" + proto_error(b"invalid bulk length")
    assert c.closed


def test_protocol_error_does_not_affect_others(server, c, conn_factory):
    bad = conn_factory()
    bad.send(b"*1\r\n$x\r\n")
    assert bad.read_until_close() == proto_error(b"invalid bulk length")
    assert c.call("PING") == "PONG"
    assert c.call("SET", "k", "v") == "OK"


def test_proto_max_bulk_len(c, conn_factory, config):
    config.set("proto-max-bulk-len", "1048576")   # the minimum allowed value
    over = conn_factory()
    over.send(b"*2\r\n$4\r\nECHO\r\n$1048577\r\n")
    assert over.read_until_close() == proto_error(b"invalid bulk length")
    over = conn_factory()
    over.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n")
    assert over.read_until_close() == proto_error(b"invalid bulk length")
    # Exactly the limit is fine.
    value = b"x" * 1048576
    assert c.call("ECHO", value) == value


def test_large_multibulk_count_is_accepted_when_authenticated(c):
    # Without requirepass the client is authenticated, so a huge (but valid)
    # element count just waits for more data.
    c.send(b"*1048577\r\n")
    assert c.read_available(0.2) == b""
    assert not c.closed


# --------------------------------------------------------------------- RESP3


def test_resp3_reply_types(c):
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call_raw("SET", "k", "v") == b"+OK\r\n"
    assert c.call_raw("GET", "k") == b"$1\r\nv\r\n"
    assert c.call_raw("GET", "missing") == b"_\r\n"
    assert c.call_raw("SET", "k", "w", "NX") == b"_\r\n"
    assert c.call_raw("SET", "k", "w", "GET") == b"$1\r\nv\r\n"
    assert c.call_raw("GETEX", "missing") == b"_\r\n"
    assert c.call_raw("MGET", "k", "missing") == b"*2\r\n$1\r\nw\r\n_\r\n"
    assert c.call_raw("INCR", "n") == b":1\r\n"
    # 7.0 INCRBYFLOAT answers a bulk string, not a RESP3 double.
    assert c.call_raw("INCRBYFLOAT", "f", "1.5") == b"$3\r\n1.5\r\n"
    assert c.call_raw("TTL", "k") == b":-1\r\n"
    assert c.call_raw("TYPE", "k") == b"+string\r\n"
    assert c.call_raw("KEYS", "k") == b"*1\r\n$1\r\nk\r\n"
    assert c.call_raw("SCAN", "0", "MATCH", "k") == b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n"
    assert c.call_raw("OBJECT", "ENCODING", "missing") == b"_\r\n"
    assert c.call_raw("CONFIG", "GET", "maxmemory") == b"%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n"
    assert c.call_raw("CONFIG", "GET", "nonexistent") == b"%0\r\n"
    assert c.call_raw("MSET", "a", "ab", "b", "ab") == b"+OK\r\n"
    assert c.call_raw("LCS", "a", "b", "IDX", "WITHMATCHLEN") == (
        b"%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:0\r\n:1\r\n*2\r\n:0\r\n:1\r\n:2\r\n"
        b"$3\r\nlen\r\n:2\r\n")
    assert c.call_raw("NOSUCH") == b"-ERR unknown command 'NOSUCH', with args beginning with: \r\n"


def test_resp3_redis_py(r3):
    assert r3.set("k", "v") is True
    assert r3.get("k") == b"v"
    assert r3.get("missing") is None
    assert r3.mget("k", "missing") == [b"v", None]
    assert r3.incrbyfloat("f", 2.5) == 2.5
    assert r3.config_get("maxmemory") == {"maxmemory": "0"}   # redis-py decodes CONFIG GET
    assert r3.ttl("k") == -1
