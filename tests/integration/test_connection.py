"""Connection commands: PING ECHO HELLO AUTH QUIT RESET SELECT CLIENT."""

import re

import pytest
import redis

from ember_harness import HOST, make_redis
from ember_resp import Err, Map, RawConn, Verbatim, encode_command

from conftest import EMBER
from ember_extensions import CLIENT_LIB_FIELDS, hello3_wire_suffix, strip_hello_extension

SYNTAX = Err("ERR syntax error")
NOT_INT = Err("ERR value is not an integer or out of range")
BAD_NAME = Err("ERR Client names cannot contain spaces, newlines or special characters.")

CLIENT_FIELDS = ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub",
                 "psub", "ssub", "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs",
                 "rbp", "obl", "oll", "omem", "tot-mem", "events", "cmd", "user", "redir",
                 "resp"] + CLIENT_LIB_FIELDS


def arity(cmd):
    return Err(f"ERR wrong number of arguments for '{cmd}' command")


def parse_client_line(line):
    if isinstance(line, bytes):
        line = line.decode()
    pairs = [kv.split("=", 1) for kv in line.split(" ")]
    return [k for k, _ in pairs], dict(pairs)


def client_info(conn):
    reply = conn.call("CLIENT", "INFO")
    assert isinstance(reply, bytes) and reply.endswith(b"\n") and reply.count(b"\n") == 1
    return parse_client_line(reply[:-1])[1]


# ----------------------------------------------------------------- PING ECHO


def test_ping(c):
    assert c.call_raw("PING") == b"+PONG\r\n"
    assert c.call_raw("ping") == b"+PONG\r\n"
    assert c.call_raw("PING", "hello") == b"$5\r\nhello\r\n"
    assert c.call_raw("PING", "") == b"$0\r\n\r\n"
    assert c.call("PING", "a", "b") == arity("ping")


def test_echo(c):
    assert c.call_raw("ECHO", "hi") == b"$2\r\nhi\r\n"
    assert c.call("ECHO", "") == b""
    assert c.call("ECHO", b"\x00\r\n\xff") == b"\x00\r\n\xff"
    assert c.call("ECHO") == arity("echo")
    assert c.call("ECHO", "a", "b") == arity("echo")


def test_ping_echo_redis_py(r, r3):
    assert r.ping() is True
    assert r.echo("hello") == b"hello"
    assert r3.ping() is True
    assert r3.echo("x") == b"x"


# --------------------------------------------------------------------- HELLO


def hello_map(proto, client_id):
    return {b"server": b"redis", b"version": b"7.0.15", b"proto": proto, b"id": client_id,
            b"mode": b"standalone", b"role": b"master", b"modules": []}


def test_hello_default_is_resp2(c):
    cid = c.call("CLIENT", "ID")
    reply = strip_hello_extension(c.call("HELLO"))
    assert reply == [b"server", b"redis", b"version", b"7.0.15", b"proto", 2, b"id", cid,
                     b"mode", b"standalone", b"role", b"master", b"modules", []]


def test_hello_3_wire_format(c):
    cid = c.call("CLIENT", "ID")
    raw = c.call_raw("HELLO", "3")
    version = raw.rsplit(b"\r\n", 2)[-2] if EMBER else b""
    suffix, length = hello3_wire_suffix(version)
    assert raw == (b"%%%d\r\n$6\r\nserver" % length + b"\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
                   b"$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:" + str(cid).encode() + b"\r\n"
                   b"$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
                   b"$7\r\nmodules\r\n*0\r\n" + suffix)
    # Now in RESP3: nulls are "_", HELLO without args still answers a map.
    assert c.call_raw("GET", "missing") == b"_\r\n"
    assert c.call_raw("MGET", "missing") == b"*1\r\n_\r\n"
    assert c.call_raw("CLIENT", "GETNAME") == b"_\r\n"
    assert isinstance(c.call("HELLO"), Map)
    # Back to RESP2.
    assert strip_hello_extension(c.call("HELLO", "2")) == [b"server", b"redis", b"version", b"7.0.15", b"proto", 2,
                                     b"id", cid, b"mode", b"standalone", b"role", b"master",
                                     b"modules", []]
    assert c.call_raw("GET", "missing") == b"$-1\r\n"


def test_hello_setname_and_auth(c):
    cid = c.call("CLIENT", "ID")
    assert strip_hello_extension(c.call("HELLO", "3", "SETNAME", "conn1")) == hello_map(3, cid)
    assert c.call("CLIENT", "GETNAME") == b"conn1"
    # Without requirepass the default user is "nopass": any password works.
    assert strip_hello_extension(c.call("HELLO", "2", "AUTH", "default", "whatever")) == [
        b"server", b"redis", b"version", b"7.0.15", b"proto", 2, b"id", cid, b"mode",
        b"standalone", b"role", b"master", b"modules", []]
    assert strip_hello_extension(c.call("HELLO", "3", "auth", "default", "pw", "setname", "conn2")) == hello_map(3, cid)
    assert c.call("CLIENT", "GETNAME") == b"conn2"
    assert c.call("HELLO", "3", "AUTH", "nosuchuser", "pw") == Err(
        "WRONGPASS invalid username-password pair or user is disabled.")


@pytest.mark.parametrize("version", ["4", "1", "0", "-1", "100"])
def test_hello_noproto(c, version):
    assert c.call("HELLO", version) == Err("NOPROTO unsupported protocol version")
    assert c.call_raw("GET", "missing") == b"$-1\r\n"   # still RESP2


def test_hello_errors(c):
    bad_version = Err("ERR Protocol version is not an integer or out of range")
    assert c.call("HELLO", "abc") == bad_version
    assert c.call("HELLO", "2.0") == bad_version
    assert c.call("HELLO", "03") == bad_version
    assert c.call("HELLO", "3", "foo") == Err("ERR Syntax error in HELLO option 'foo'")
    assert c.call("HELLO", "3", "AUTH", "default") == Err(
        "ERR Syntax error in HELLO option 'AUTH'")
    assert c.call("HELLO", "3", "SETNAME") == Err("ERR Syntax error in HELLO option 'SETNAME'")
    assert c.call("HELLO", "3", "SETNAME", "a b") == BAD_NAME
    # A failed HELLO does not switch protocol.
    assert c.call_raw("GET", "missing") == b"$-1\r\n"


def test_hello_redis_py(r3):
    info = r3.execute_command("HELLO", "3")
    assert info[b"proto"] == 3
    assert info[b"server"] == b"redis"
    assert info[b"version"] == b"7.0.15"


def test_default_redis_py_client_handshake(server):
    """redis-py 8 defaults to RESP3 and sends CLIENT SETINFO and
    CLIENT MAINT_NOTIFICATIONS on connect; the server must answer those with
    errors (7.0 has neither) without breaking the connection."""
    for proto in (None, 2, 3):
        kw = {} if proto is None else {"protocol": proto}
        client = redis.Redis(host=HOST, port=server.port, **kw)
        try:
            assert client.ping() is True
            assert client.set("hs", "1") is True
            assert client.get("hs") == b"1"
        finally:
            client.close()


# ---------------------------------------------------------------------- AUTH


def test_auth_without_password_configured(c):
    assert c.call("AUTH", "x") == Err(
        "ERR AUTH <password> called without any password configured for the default user. "
        "Are you sure your configuration is correct?")
    # Two-argument AUTH against the nopass default user succeeds.
    assert c.call("AUTH", "default", "anything") == "OK"
    assert c.call("AUTH", "someone", "x") == Err(
        "WRONGPASS invalid username-password pair or user is disabled.")
    assert c.call("AUTH", "a", "b", "c") == SYNTAX
    assert c.call("AUTH") == arity("auth")
    assert c.call("PING") == "PONG"


# ---------------------------------------------------------------- QUIT RESET


def test_quit(c):
    assert c.call("SET", "k", "v") == "OK"
    c.send(b"*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n")
    assert c.read_until_close() == b"+OK\r\n"


def test_quit_with_args_and_inline(conn_factory):
    conn = conn_factory()
    conn.send(b"QUIT now\r\nPING\r\n")
    assert conn.read_until_close() == b"+OK\r\n"


def test_reset(c):
    assert c.call("HELLO", "3")[b"proto"] == 3
    assert c.call("CLIENT", "SETNAME", "named") == "OK"
    assert c.call("SELECT", "2") == "OK"
    assert c.call("SET", "indb2", "v") == "OK"
    assert c.call("CLIENT", "NO-EVICT", "ON") == "OK"
    # CLIENT REPLY OFF has no reply; RESET is answered anyway and turns replies back on.
    c.send(b"CLIENT REPLY OFF\r\nPING\r\n*1\r\n$5\r\nRESET\r\n")
    assert c.read_raw() == b"+RESET\r\n"
    info = client_info(c)
    assert info["name"] == ""
    assert info["db"] == "0"
    assert info["resp"] == "2"
    # Redis 7.0 RESET does not clear the no-evict flag.
    assert info["flags"] == "e"
    assert c.call("GET", "indb2") is None
    assert c.call("SELECT", "2") == "OK"
    assert c.call("GET", "indb2") == b"v"
    assert c.call("RESET", "x") == arity("reset")


# -------------------------------------------------------------------- SELECT


def test_select(c):
    assert c.call("SET", "k", "db0") == "OK"
    for db in range(16):
        assert c.call("SELECT", str(db)) == "OK"
    assert c.call("SET", "k", "db15") == "OK"
    assert c.call("GET", "k") == b"db15"
    assert c.call("SELECT", "0") == "OK"
    assert c.call("GET", "k") == b"db0"


def test_select_errors(c):
    out_of_range = Err("ERR DB index is out of range")
    assert c.call("SELECT", "16") == out_of_range
    assert c.call("SELECT", "-1") == out_of_range
    assert c.call("SELECT", "2147483647") == out_of_range
    # Outside int range: getIntFromObjectOrReply's own message (sic).
    not_int32 = Err("ERR value is out of range, value must between -2147483648 and 2147483647")
    assert c.call("SELECT", "2147483648") == not_int32
    assert c.call("SELECT", "-2147483649") == not_int32
    assert c.call("SELECT", "99999999999999999999") == NOT_INT
    assert c.call("SELECT", "abc") == NOT_INT
    assert c.call("SELECT", "1.5") == NOT_INT
    assert c.call("SELECT", "") == NOT_INT
    assert c.call("SELECT", "01") == NOT_INT
    assert c.call("SELECT") == arity("select")
    assert c.call("SELECT", "1", "2") == arity("select")


def test_select_via_redis_py_db_param(server):
    client = make_redis(server.port, db=7)
    try:
        client.set("k", "in7")
        assert client.get("k") == b"in7"
        assert client.client_info()["db"] == 7
    finally:
        client.close()
    r0 = make_redis(server.port)
    try:
        assert r0.get("k") is None
    finally:
        r0.close()


# -------------------------------------------------------------------- CLIENT


def test_client_id(c, conn_factory):
    a = c.call("CLIENT", "ID")
    assert isinstance(a, int) and a > 0
    assert c.call("CLIENT", "ID") == a
    b = conn_factory().call("CLIENT", "ID")
    assert b > a
    assert c.call("CLIENT", "ID", "x") == arity("client|id")


def test_client_setname_getname(c):
    assert c.call_raw("CLIENT", "GETNAME") == b"$-1\r\n"
    assert c.call("CLIENT", "SETNAME", "myconn") == "OK"
    assert c.call("CLIENT", "GETNAME") == b"myconn"
    assert client_info(c)["name"] == "myconn"
    assert c.call("CLIENT", "SETNAME", "!weird~name\"'") == "OK"
    assert c.call("CLIENT", "GETNAME") == b"!weird~name\"'"
    # The empty name clears it.
    assert c.call("CLIENT", "SETNAME", "") == "OK"
    assert c.call("CLIENT", "GETNAME") is None
    for bad in ["a b", "a\nb", "\xe9", "tab\there", "\x7f"]:
        assert c.call("CLIENT", "SETNAME", bad) == BAD_NAME, bad
    assert c.call("CLIENT", "GETNAME") is None
    assert c.call("CLIENT", "SETNAME") == arity("client|setname")
    assert c.call("CLIENT", "SETNAME", "a", "b") == arity("client|setname")
    assert c.call("CLIENT", "GETNAME", "x") == arity("client|getname")


def test_client_info_format(c):
    cid = c.call("CLIENT", "ID")
    reply = c.call("CLIENT", "INFO")
    assert reply.endswith(b"\n")
    fields, info = parse_client_line(reply[:-1])
    assert fields == CLIENT_FIELDS
    local = "%s:%d" % c.sock.getsockname()[:2]
    assert info["id"] == str(cid)
    assert info["addr"] == local
    assert info["laddr"] == f"{HOST}:{c.port}"
    assert info["name"] == ""
    assert info["flags"] == "N"
    assert info["db"] == "0"
    assert info["sub"] == "0"
    assert info["psub"] == "0"
    assert info["ssub"] == "0"
    assert info["multi"] == "-1"
    assert info["cmd"] == "client|info"
    assert info["user"] == "default"
    assert info["redir"] == "-1"
    assert info["resp"] == "2"
    assert info["events"] == "r"
    for k in ["fd", "age", "idle", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp",
              "obl", "oll", "omem", "tot-mem"]:
        assert re.fullmatch(r"\d+", info[k]), (k, info[k])
    assert c.call("CLIENT", "INFO", "x") == arity("client|info")


def test_client_info_resp3_is_verbatim(c):
    assert isinstance(c.call("HELLO", "3"), Map)
    reply = c.call("CLIENT", "INFO")
    assert isinstance(reply, Verbatim)
    assert reply.fmt == b"txt"
    info = parse_client_line(bytes(reply)[:-1])[1]
    assert info["resp"] == "3"


def test_client_list(c, conn_factory):
    other = conn_factory()
    other_id = other.call("CLIENT", "ID")
    assert other.call("CLIENT", "SETNAME", "other") == "OK"
    assert other.call("SELECT", "4") == "OK"
    assert other.call("SET", "x", "1") == "OK"
    my_id = c.call("CLIENT", "ID")
    reply = c.call("CLIENT", "LIST")
    assert isinstance(reply, bytes) and reply.endswith(b"\n")
    lines = reply[:-1].split(b"\n")
    by_id = {}
    for line in lines:
        fields, info = parse_client_line(line)
        assert fields == CLIENT_FIELDS
        by_id[int(info["id"])] = info
    assert {my_id, other_id} <= set(by_id)
    assert by_id[other_id]["name"] == "other"
    assert by_id[other_id]["db"] == "4"
    assert by_id[other_id]["cmd"] == "set"
    assert by_id[my_id]["cmd"] == "client|list"
    assert by_id[other_id]["addr"] == "%s:%d" % other.sock.getsockname()[:2]


def test_client_list_filters(c, conn_factory):
    other = conn_factory()
    other_id = other.call("CLIENT", "ID")
    my_id = c.call("CLIENT", "ID")
    reply = c.call("CLIENT", "LIST", "ID", str(other_id), str(my_id))
    ids = [int(parse_client_line(l)[1]["id"]) for l in reply[:-1].split(b"\n")]
    assert sorted(ids) == sorted([other_id, my_id])
    reply = c.call("CLIENT", "LIST", "ID", str(other_id))
    assert parse_client_line(reply[:-1])[1]["id"] == str(other_id)
    assert c.call_raw("CLIENT", "LIST", "ID", "999999999") == b"$0\r\n\r\n"
    assert c.call("CLIENT", "LIST", "ID", "0") == b""
    normal = c.call("CLIENT", "LIST", "TYPE", "normal")
    assert str(my_id).encode() in normal
    assert c.call("CLIENT", "LIST", "TYPE", "NORMAL") != b""
    for t in ["pubsub", "master", "replica", "slave"]:
        assert c.call("CLIENT", "LIST", "TYPE", t) == b"", t
    assert c.call("CLIENT", "LIST", "TYPE", "foo") == Err("ERR Unknown client type 'foo'")
    assert c.call("CLIENT", "LIST", "ID", "abc") == Err("ERR Invalid client ID")
    assert c.call("CLIENT", "LIST", "ID", str(my_id), "abc") == Err("ERR Invalid client ID")
    assert c.call("CLIENT", "LIST", "ID") == SYNTAX
    assert c.call("CLIENT", "LIST", "TYPE") == SYNTAX
    assert c.call("CLIENT", "LIST", "FOO") == SYNTAX


def test_client_kill_by_id(c, conn_factory):
    victim = conn_factory()
    vid = victim.call("CLIENT", "ID")
    assert c.call("CLIENT", "KILL", "ID", str(vid)) == 1
    assert victim.read_until_close() == b""
    assert c.call("CLIENT", "KILL", "ID", str(vid)) == 0
    assert c.call("CLIENT", "KILL", "ID", "999999999") == 0


def test_client_kill_by_addr_new_style(c, conn_factory):
    victim = conn_factory()
    addr = "%s:%d" % victim.sock.getsockname()[:2]
    assert c.call("CLIENT", "KILL", "ADDR", addr) == 1
    assert victim.read_until_close() == b""
    assert c.call("CLIENT", "KILL", "ADDR", addr) == 0
    assert c.call("CLIENT", "KILL", "ADDR", "1.2.3.4:5") == 0
    assert c.call("CLIENT", "KILL", "LADDR", "1.2.3.4:5") == 0


def test_client_kill_old_style(c, conn_factory):
    victim = conn_factory()
    assert victim.call("PING") == "PONG"
    addr = "%s:%d" % victim.sock.getsockname()[:2]
    assert c.call("CLIENT", "KILL", addr) == "OK"
    assert victim.read_until_close() == b""
    assert c.call("CLIENT", "KILL", addr) == Err("ERR No such client")
    assert c.call("CLIENT", "KILL", "1.2.3.4:5") == Err("ERR No such client")


def test_client_kill_skipme(c, conn_factory):
    my_id = c.call("CLIENT", "ID")
    # SKIPME defaults to yes.
    assert c.call("CLIENT", "KILL", "ID", str(my_id)) == 0
    assert c.call("CLIENT", "KILL", "ID", str(my_id), "SKIPME", "yes") == 0
    assert c.call("PING") == "PONG"
    other = conn_factory()
    other_id = other.call("CLIENT", "ID")
    assert c.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes") >= 1
    assert other.read_until_close() == b""
    assert c.call("PING") == "PONG"
    assert c.call("CLIENT", "LIST", "ID", str(other_id)) == b""
    # Killing yourself: the reply is delivered, then the connection closes.
    c.send(encode_command("CLIENT", "KILL", "ID", my_id, "SKIPME", "no"))
    assert c.read_until_close() == b":1\r\n"


def test_client_kill_self_old_style(c):
    addr = "%s:%d" % c.sock.getsockname()[:2]
    c.send(encode_command("CLIENT", "KILL", addr))
    assert c.read_until_close() == b"+OK\r\n"


def test_client_kill_errors(c):
    assert c.call("CLIENT", "KILL") == arity("client|kill")
    assert c.call("CLIENT", "KILL", "ID", "abc") == Err("ERR client-id should be greater than 0")
    assert c.call("CLIENT", "KILL", "ID", "0") == Err("ERR client-id should be greater than 0")
    assert c.call("CLIENT", "KILL", "ID", "-5") == Err("ERR client-id should be greater than 0")
    assert c.call("CLIENT", "KILL", "TYPE", "foo") == Err("ERR Unknown client type 'foo'")
    assert c.call("CLIENT", "KILL", "SKIPME", "maybe") == SYNTAX
    assert c.call("CLIENT", "KILL", "FOO", "bar") == SYNTAX
    assert c.call("CLIENT", "KILL", "ID", "1", "SKIPME") == SYNTAX
    assert c.call("CLIENT", "KILL", "USER", "nobody") == Err("ERR No such user 'nobody'")
    assert c.call("CLIENT", "KILL", "ADDR") == Err("ERR No such client")


def test_client_setinfo(c):
    if EMBER:
        # Ember serves Redis 7.2's CLIENT SETINFO (its issue asks for it; clients send it on connect).
        assert c.call("CLIENT", "SETINFO", "lib-name", "redis-py") == "OK"
        assert c.call("CLIENT", "setinfo", "LIB-VER", "1.0") == "OK"
        info = client_info(c)
        assert (info["lib-name"], info["lib-ver"]) == ("redis-py", "1.0")
        assert c.call("CLIENT", "SETINFO", "lib-name", "a b") == Err(
            "ERR lib-name cannot contain spaces, newlines or special characters.")
        assert c.call("CLIENT", "SETINFO", "color", "red") == Err("ERR Unrecognized option 'color'")
        assert c.call("CLIENT", "SETINFO", "lib-name") == arity("client|setinfo")
        return
    # CLIENT SETINFO was added in Redis 7.2; 7.0 answers unknown subcommand.
    assert c.call("CLIENT", "SETINFO", "lib-name", "redis-py") == Err(
        "ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.")
    assert c.call("CLIENT", "setinfo", "lib-ver", "1.0") == Err(
        "ERR unknown subcommand 'setinfo'. Try CLIENT HELP.")
    assert c.call("PING") == "PONG"


def test_client_no_evict(c):
    assert c.call("CLIENT", "NO-EVICT", "ON") == "OK"
    assert client_info(c)["flags"] == "e"
    assert c.call("CLIENT", "NO-EVICT", "off") == "OK"
    assert client_info(c)["flags"] == "N"
    assert c.call("CLIENT", "NO-EVICT", "yes") == SYNTAX
    assert c.call("CLIENT", "NO-EVICT") == arity("client|no-evict")


def test_client_reply_off_on(c):
    c.send(b"CLIENT REPLY OFF\r\nPING\r\nSET rk 1\r\nFOO\r\nCLIENT REPLY ON\r\nGET rk\r\n")
    assert c.read_raw() == b"+OK\r\n"       # the reply to CLIENT REPLY ON
    assert c.read_raw() == b"$1\r\n1\r\n"
    assert c.read_available(0.1) == b""


def test_client_reply_skip(c):
    c.send(b"CLIENT REPLY SKIP\r\nPING\r\nECHO a\r\n")
    assert c.read_raw() == b"$1\r\na\r\n"
    # SKIP twice in a row: the second SKIP is itself skipped and then skips
    # the next command, so only "y" is answered.
    c.send(b"CLIENT REPLY SKIP\r\nCLIENT REPLY SKIP\r\nECHO x\r\nECHO y\r\n")
    assert c.read_raw() == b"$1\r\ny\r\n"
    # SKIP while OFF: still OFF.
    c.send(b"CLIENT REPLY OFF\r\nCLIENT REPLY SKIP\r\nECHO a\r\nECHO b\r\n")
    assert c.read_available(0.3) == b""
    c.send(b"CLIENT REPLY ON\r\nECHO c\r\n")
    assert c.read_raw() == b"+OK\r\n"
    assert c.read_raw() == b"$1\r\nc\r\n"


def test_client_reply_errors(c):
    assert c.call("CLIENT", "REPLY", "foo") == SYNTAX
    assert c.call("CLIENT", "REPLY") == arity("client|reply")
    assert c.call("CLIENT", "REPLY", "ON") == "OK"


def test_client_unknown_subcommand_and_arity(c):
    assert c.call("CLIENT", "FOO") == Err("ERR unknown subcommand 'FOO'. Try CLIENT HELP.")
    assert c.call("client", "foo", "bar") == Err("ERR unknown subcommand 'foo'. Try CLIENT HELP.")
    assert c.call("CLIENT") == arity("client")


def test_client_help(c):
    lines = c.call("CLIENT", "HELP")
    assert isinstance(lines, list) and len(lines) == 48
    assert all(isinstance(line, str) for line in lines)   # status replies
    assert lines[0] == "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert lines[-2:] == ["HELP", "    Prints this help."]
    assert "SETNAME <name>" in lines and "NO-EVICT (ON|OFF)" in lines


def test_client_redis_py(rd):
    assert rd.client_setname("pyclient") is True
    assert rd.client_getname() == "pyclient"
    cid = rd.client_id()
    info = rd.client_info()
    assert info["id"] == cid
    assert info["name"] == "pyclient"
    listing = rd.client_list()
    assert any(entry["name"] == "pyclient" for entry in listing)


def test_client_connections_are_independent(server):
    a = RawConn(HOST, server.port)
    b = RawConn(HOST, server.port)
    try:
        assert a.call("SELECT", "1") == "OK"
        assert a.call("SET", "k", "a") == "OK"
        assert b.call("GET", "k") is None
        assert b.call("CLIENT", "SETNAME", "bee") == "OK"
        assert a.call("CLIENT", "GETNAME") is None
    finally:
        a.close()
        b.close()
