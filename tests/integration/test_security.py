"""Authentication (requirepass), protected mode, debug-command protection.

All tests here run against extra, separately configured servers."""

import socket

import pytest
import redis

from ember_harness import make_redis
from ember_resp import Err, RawConn, encode_command

NOAUTH = Err("NOAUTH Authentication required.")
WRONGPASS = Err("WRONGPASS invalid username-password pair or user is disabled.")
HELLO_NOAUTH = Err(
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
    "HELLO AUTH <user> <pass> option can be used to authenticate the client and select the "
    "RESP protocol version at the same time")
DEBUG_NOT_ALLOWED = Err(
    "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
    "you can run it from a local connection, otherwise you need to set this option in the "
    "configuration file, and then restart the server.")
DENIED_PREFIX = (b"-DENIED Redis is running in protected mode because protected mode is enabled "
                 b"and no password is set for the default user. In this mode connections are "
                 b"only accepted from the loopback interface.")


@pytest.fixture
def authsrv(server_factory):
    return server_factory.start(args=["--requirepass", "secret"])


def test_noauth_before_auth(authsrv):
    with authsrv.raw() as c:
        assert c.call("PING") == NOAUTH
        assert c.call("GET", "k") == NOAUTH
        assert c.call("SET", "k", "v") == NOAUTH
        assert c.call("CLIENT", "ID") == NOAUTH
        assert c.call("SELECT", "1") == NOAUTH
        assert c.call("COMMAND", "COUNT") == NOAUTH
        assert c.call("CONFIG", "GET", "port") == NOAUTH
        assert c.call_raw("PING") == b"-NOAUTH Authentication required.\r\n"
        # Unknown commands and arity errors are reported before NOAUTH.
        assert c.call("NOSUCH") == Err("ERR unknown command 'NOSUCH', with args beginning with: ")
        assert c.call("ECHO") == Err("ERR wrong number of arguments for 'echo' command")
        # Still not authenticated.
        assert c.call("PING") == NOAUTH


def test_auth_wrong_and_right(authsrv):
    with authsrv.raw() as c:
        assert c.call("AUTH", "wrong") == WRONGPASS
        assert c.call("AUTH", "default", "wrong") == WRONGPASS
        assert c.call("AUTH", "nosuchuser", "secret") == WRONGPASS
        assert c.call("PING") == NOAUTH
        assert c.call("AUTH", "a", "b", "c") == Err("ERR syntax error")
        assert c.call("AUTH") == Err("ERR wrong number of arguments for 'auth' command")
        assert c.call("AUTH", "secret") == "OK"
        assert c.call("PING") == "PONG"
        assert c.call("SET", "k", "v") == "OK"
        # A failed re-AUTH does not de-authenticate the connection.
        assert c.call("AUTH", "wrong") == WRONGPASS
        assert c.call("GET", "k") == b"v"
    with authsrv.raw() as c:
        assert c.call("AUTH", "default", "secret") == "OK"
        assert c.call("GET", "k") == b"v"


def test_hello_requires_auth(authsrv):
    with authsrv.raw() as c:
        assert c.call("HELLO") == HELLO_NOAUTH
        assert c.call("HELLO", "3") == HELLO_NOAUTH
        assert c.call("HELLO", "4") == Err("NOPROTO unsupported protocol version")
        assert c.call("HELLO", "3", "AUTH", "default", "wrong") == WRONGPASS
        assert c.call_raw("GET", "k") == b"-NOAUTH Authentication required.\r\n"
        reply = c.call("HELLO", "3", "AUTH", "default", "secret", "SETNAME", "authed")
        assert reply[b"proto"] == 3
        assert c.call("CLIENT", "GETNAME") == b"authed"
        assert c.call_raw("GET", "k") == b"_\r\n"


def test_quit_and_reset_without_auth(authsrv):
    with authsrv.raw() as c:
        c.send(b"QUIT\r\n")
        assert c.read_until_close() == b"+OK\r\n"
    with authsrv.raw() as c:
        assert c.call("RESET") == "RESET"
        assert c.call("AUTH", "secret") == "OK"
        assert c.call("PING") == "PONG"
        # RESET de-authenticates when a password is required.
        assert c.call("RESET") == "RESET"
        assert c.call("PING") == NOAUTH


def test_unauthenticated_protocol_limits(authsrv):
    with authsrv.raw() as c:
        c.send(b"*11\r\n")
        assert c.read_until_close() == b"-ERR Protocol error: unauthenticated multibulk length\r\n"
    with authsrv.raw() as c:
        c.send(b"*2\r\n$4\r\nAUTH\r\n$16385\r\n")
        assert c.read_until_close() == b"-ERR Protocol error: unauthenticated bulk length\r\n"
    with authsrv.raw() as c:
        # The limits are inclusive: 10 elements and 16384-byte bulks are allowed.
        c.send(encode_command("ECHO", "x" * 16384, *(["y"] * 8)))
        assert c.read() == Err("ERR wrong number of arguments for 'echo' command")
        assert c.call("AUTH", "secret") == "OK"
        assert c.call("ECHO", "z" * 20000) == b"z" * 20000


def test_redis_py_password(authsrv):
    client = make_redis(authsrv.port, password="secret")
    try:
        assert client.ping() is True
        assert client.set("k", "v") is True
    finally:
        client.close()
    client3 = make_redis(authsrv.port, password="secret", protocol=3)
    try:
        assert client3.get("k") == b"v"
    finally:
        client3.close()
    bad = make_redis(authsrv.port, password="wrong")
    try:
        with pytest.raises(redis.AuthenticationError):
            bad.ping()
    finally:
        bad.close()
    none = make_redis(authsrv.port)
    try:
        with pytest.raises(redis.AuthenticationError):
            none.ping()
    finally:
        none.close()


def test_requirepass_change_at_runtime(authsrv):
    admin = authsrv.raw()
    other = authsrv.raw()
    try:
        assert admin.call("AUTH", "secret") == "OK"
        assert other.call("AUTH", "secret") == "OK"
        assert admin.call("CONFIG", "SET", "requirepass", "newpw") == "OK"
        assert admin.call("CONFIG", "GET", "requirepass") == [b"requirepass", b"newpw"]
        # Already authenticated connections stay authenticated.
        assert other.call("PING") == "PONG"
        with authsrv.raw() as c:
            assert c.call("PING") == NOAUTH
            assert c.call("AUTH", "secret") == WRONGPASS
            assert c.call("AUTH", "newpw") == "OK"
        assert admin.call("CONFIG", "SET", "requirepass", "") == "OK"
        with authsrv.raw() as c:
            assert c.call("PING") == "PONG"
            assert c.call("AUTH", "x") == Err(
                "ERR AUTH <password> called without any password configured for the default "
                "user. Are you sure your configuration is correct?")
    finally:
        admin.close()
        other.close()


def test_debug_command_disabled_by_default(authsrv):
    with authsrv.raw() as c:
        # The DEBUG protection check comes before authentication.
        assert c.call("DEBUG", "SLEEP", "0") == DEBUG_NOT_ALLOWED
        assert c.call("AUTH", "secret") == "OK"
        assert c.call("DEBUG", "SLEEP", "0") == DEBUG_NOT_ALLOWED
        assert c.call("CONFIG", "GET", "enable-debug-command") == [b"enable-debug-command", b"no"]


def test_config_file_requirepass(server_factory):
    srv = server_factory.start(config=(
        "# Ember test configuration\n"
        "\n"
        "port {port}\n"
        "bind 127.0.0.1\n"
        "requirepass \"s3cret pass\"\n"))
    with srv.raw() as c:
        assert c.call("PING") == NOAUTH
        assert c.call("AUTH", "s3cret pass") == "OK"
        assert c.call("CONFIG", "GET", "requirepass") == [b"requirepass", b"s3cret pass"]


# ------------------------------------------------------------ protected mode


def non_loopback_ipv4():
    candidates = []
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))        # no packet is sent for UDP connect
        candidates.append(s.getsockname()[0])
    except OSError:
        pass
    finally:
        s.close()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            candidates.append(info[4][0])
    except OSError:
        pass
    for ip in candidates:
        if ip.startswith("127.") or ip == "0.0.0.0":
            continue
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            probe.bind((ip, 0))
            return ip
        except OSError:
            continue
        finally:
            probe.close()
    return None


@pytest.fixture
def external_ip():
    ip = non_loopback_ipv4()
    if ip is None:
        pytest.skip("no non-loopback IPv4 address on this host")
    return ip


def read_all(host, port):
    conn = RawConn(host, port, timeout=3)
    try:
        return conn.read_until_close(timeout=3)
    finally:
        conn.close()


def test_protected_mode_denies_non_loopback(server_factory, external_ip):
    srv = server_factory.start(config=(
        "port {port}\n"
        f"bind 127.0.0.1 {external_ip}\n"
        "protected-mode yes\n"))
    data = read_all(external_ip, srv.port)
    assert data.startswith(DENIED_PREFIX)
    assert data.endswith(b"\r\n") and data.count(b"\r\n") == 1
    # Loopback connections are fine.
    with srv.raw() as c:
        assert c.call("PING") == "PONG"
        assert c.call("CONFIG", "GET", "protected-mode") == [b"protected-mode", b"yes"]
        # Turning it off at runtime lets external clients in.
        assert c.call("CONFIG", "SET", "protected-mode", "no") == "OK"
    with RawConn(external_ip, srv.port) as ext:
        assert ext.call("PING") == "PONG"


def test_protected_mode_inactive_with_password(server_factory, external_ip):
    srv = server_factory.start(config=(
        "port {port}\n"
        f"bind 127.0.0.1 {external_ip}\n"
        "protected-mode yes\n"
        "requirepass pw\n"))
    with RawConn(external_ip, srv.port) as ext:
        assert ext.call("PING") == NOAUTH
        assert ext.call("AUTH", "pw") == "OK"
        assert ext.call("PING") == "PONG"


def test_protected_mode_off(server_factory, external_ip):
    srv = server_factory.start(config=(
        "port {port}\n"
        f"bind 127.0.0.1 {external_ip}\n"
        "protected-mode no\n"))
    with RawConn(external_ip, srv.port) as ext:
        assert ext.call("PING") == "PONG"
        info = ext.call("CLIENT", "INFO").decode()
        assert f"laddr={external_ip}:{srv.port}" in info
