"""Every configuration parameter, parsed side by side with redis-server 7.0 (the oracle).

For each parameter CONFIG GET * reports on the oracle (plus the hidden ones the Redis test
suite sets), a battery of values (valid, units, negative, overflow, junk, yes/no case) is sent
with CONFIG SET to both servers; the replies and the CONFIG GET values afterwards must match.
Also: atomic multi-pair CONFIG SET, CONFIG GET with several patterns and aliases, and the
config-file / --flag forms of the same parser.

Needs `redis-server` on PATH; started here on a free port with the same flags as the target."""

import os
import shutil
import subprocess
import time

import pytest

from conftest import Server, pick_port, server_binary
from ember_resp import Err, Map

REDIS = shutil.which(os.environ.get("REDIS_SERVER_BIN", "redis-server"))
pytestmark = pytest.mark.skipif(REDIS is None, reason="redis-server not installed")

# Values whose outcome differs by design or by environment: the port and paths of each server,
# the listening addresses, and Ember's refusal to daemonize.
SKIP = {"port", "bind", "dir", "logfile", "pidfile", "daemonize", "io-threads", "unixsocket", "maxclients"}
HIDDEN = ["rdb-key-save-delay", "key-load-delay", "loading-process-events-interval-bytes",
          "use-exit-on-panic"]

VALUES = ["yes", "no", "YES", "No", "", "0", "1", "-1", "-0", "01", "+1", " 1", "1 ", "10",
          "1000", "65535", "65536", "2147483647", "2147483648", "-2147483648", "-2147483649",
          "4294967295", "4294967296", "9223372036854775807", "9223372036854775808",
          "-9223372036854775808", "18446744073709551615", "18446744073709551616",
          "99999999999999999999", "1k", "1kb", "1KB", "5mb", "1gb", "1G", "1tb", "1.5", "1e3",
          "0x10", "junk", "10%", "100%", "101%", "-5%", "1 2", "900 1", "900 1 300 10", "0 0",
          "notice", "warning", "everysec", "always", "allkeys-lru", "clients", "KEA", "x"]

UNSAFE = {"requirepass"}  # the oracle would start asking for a password


def call(conn, *args):
    try:
        return conn.call(*args)
    except Exception as exc:  # pragma: no cover - a dropped connection is a failure
        return f"EXC {exc!r}"


def as_dict(reply):
    if isinstance(reply, Map):
        reply = list(reply)
    if isinstance(reply, dict):
        return reply
    return {reply[i]: reply[i + 1] for i in range(0, len(reply), 2)}


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    servers = []
    for binary in (REDIS, server_binary()):
        port = pick_port()
        workdir = tmp_path_factory.mktemp(f"config-{port}")
        argv = [binary, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        servers.append(Server(argv, port, workdir).start())
    yield servers
    for srv in servers:
        srv.stop()


def parameter_names(oracle):
    with oracle.raw() as c:
        names = sorted(as_dict(c.call("CONFIG", "GET", "*")))
    return [n.decode() for n in names] + HIDDEN


def snapshot(conn, name):
    reply = as_dict(conn.call("CONFIG", "GET", name))
    return reply.get(name.encode())


def test_every_parameter_is_known_to_ember(pair):
    oracle, ember = pair
    with oracle.raw() as o, ember.raw() as e:
        names = set(as_dict(o.call("CONFIG", "GET", "*")))
        ours = set(as_dict(e.call("CONFIG", "GET", "*")))
    assert names - ours == set()


def test_every_parameter_parses_like_redis(pair):
    oracle, ember = pair
    differences = []
    with oracle.raw() as o, ember.raw() as e:
        for name in parameter_names(oracle):
            if name in SKIP or name in UNSAFE or name.startswith("tls-"):
                continue
            original = (snapshot(o, name), snapshot(e, name))
            if name not in HIDDEN and original[0] != original[1] and name not in ("client-output-buffer-limit",):
                differences.append((name, "default", original))
            for value in VALUES:
                got = (call(o, "CONFIG", "SET", name, value), call(e, "CONFIG", "SET", name, value))
                after = (snapshot(o, name), snapshot(e, name))
                if got[0] != got[1] or after[0] != after[1]:
                    differences.append((name, value, got, after))
                for conn, before in zip((o, e), original):
                    if before is not None:
                        call(conn, "CONFIG", "SET", name, before.decode())
    assert differences == []


def test_requirepass_parses_like_redis(pair):
    for srv in pair:
        with srv.raw() as c:
            assert c.call("CONFIG", "SET", "requirepass", "") == "OK"
            assert c.call("CONFIG", "GET", "requirepass") in ([b"requirepass", b""], Map([(b"requirepass", b"")]))


@pytest.mark.parametrize("args", [
    ["maxmemory", "junk", "port", "0", "daemonize", "yes"],
    ["HASH-MAX-ZIPLIST-VALUE", "junk"],
    ["maxmemory", "1", "maxmemory", "2"],
    ["maxmemory", "10", "nosuch", "1"],
    ["maxmemory", "10", "hz", "junk"],
    ["hash-max-ziplist-value", "1", "hash-max-listpack-value", "2"],
    ["maxmemory", "1 2"],
    ["maxmemory", "1", "hz"],
    ["dir", "/"],
    ["dbfilename", "x.rdb"],
    ["save", "900 1 300"],
    ["save", ""],
    ["client-output-buffer-limit", "normal 1mb 2mb 60 replica 1 2 3"],
    ["client-output-buffer-limit", "master 1 2 3"],
    ["notify-keyspace-events", "KEA"],
    ["maxmemory", "9223372036854775808"],
    ["maxmemory", "-0"],
    ["hash-max-listpack-value", "5mb"],
    ["zset-max-ziplist-value", "1gb"],
    ["hz", "1000"],
    ["loglevel", "WARNING"],
    ["enable-debug-command", "yes"],
])
def test_config_set_like_redis(pair, args):
    replies = []
    for srv in pair:
        with srv.raw() as c:
            reply = c.call("CONFIG", "SET", *args)
            names = [args[i] for i in range(0, len(args), 2) if args[i].lower() not in SKIP]
            values = [as_dict(c.call("CONFIG", "GET", n)) for n in names]
            replies.append((reply, values))
    assert replies[0] == replies[1]
    # Leave both as they were for the next case.
    for srv in pair:
        with srv.raw() as c:
            c.call("CONFIG", "SET", "maxmemory", "0", "hash-max-listpack-value", "64", "zset-max-listpack-value", "64",
                   "hz", "10", "loglevel", "notice", "save", "", "notify-keyspace-events", "",
                   "client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60")


@pytest.mark.parametrize("patterns", [
    ["maxmemory"], ["MAXMEMORY"], ["hz", "HZ"], ["maxmem*", "hz", "lfu-*"], ["hash-max-*"],
    ["*ziplist*"], ["slave-*"], ["nosuch"], ["rdb-key-save-delay"], ["*key-save*"],
    ["lua-time-limit"], ["save", "appendfsync"], ["[ab]*"],
])
def test_config_get_like_redis(pair, patterns):
    replies = []
    for srv in pair:
        with srv.raw() as c:
            replies.append(as_dict(c.call("CONFIG", "GET", *patterns)))
    assert replies[0] == replies[1]


@pytest.mark.parametrize("flags,message", [
    (["--maxmemory", "junk"], "argument must be a memory value"),
    (["--maxmemory", "1", "2"], "wrong number of arguments"),
    (["--nosuch", "bar"], "Bad directive or wrong number of arguments"),
    (["--dir", "/nonexistent-ember-dir"], "No such file or directory"),
    (["--appendfsync", "sometimes"], "argument(s) must be one of the following: everysec, always, no"),
    (["--save", "900"], "Invalid save parameters"),
])
def test_bad_flags_fail_like_redis(tmp_path, flags, message):
    for binary in (REDIS, server_binary()):
        proc = subprocess.run([binary, "--port", str(pick_port())] + flags, capture_output=True, timeout=10, cwd=tmp_path)
        assert proc.returncode == 1
        output = (proc.stdout + proc.stderr).decode()
        assert "FATAL CONFIG FILE ERROR" in output
        assert message in output, output


def start_with_config(tmp_path, text):
    """The target with only a config file (the factory adds `--save ""`)."""
    port = pick_port()
    conf = tmp_path / "server.conf"
    conf.write_text(text.format(port=port))
    return Server([server_binary(), conf], port, tmp_path).start()


def test_config_file_and_flags_share_the_table(tmp_path):
    (tmp_path / "data").mkdir()
    srv = start_with_config(tmp_path, "port {port}\nbind 127.0.0.1\n"
                               "hash-max-ziplist-value 5mb\nzset-max-listpack-value 1gb\n"
                               "save 900 1\nsave 300 10\nappendfsync always\n"
                               f"dir {tmp_path / 'data'}\nslave-serve-stale-data yes\n"
                               "notify-keyspace-events KEA\n")
    try:
        with srv.raw() as c:
            got = as_dict(c.call("CONFIG", "GET", "hash-max-listpack-value", "zset-max-listpack-value", "save", "appendfsync", "dir",
                                 "notify-keyspace-events"))
    finally:
        srv.stop()
    assert got[b"hash-max-listpack-value"] == b"5242880"
    assert got[b"zset-max-listpack-value"] == b"1073741824"
    assert got[b"save"] == b"900 1 300 10"
    assert got[b"appendfsync"] == b"always"
    assert got[b"dir"] == str(tmp_path / "data").encode()
    assert got[b"notify-keyspace-events"] == b"AKE"


def test_redis_test_suite_default_conf_is_accepted(tmp_path):
    path = "/work/shared/redis-7.0.15-tests/tests/assets/default.conf"
    if not os.path.exists(path):
        pytest.skip("no Redis test suite")
    text = open(path).read()
    lines = [l for l in text.splitlines() if l.strip() and not l.startswith("#")
             and l.split()[0] not in ("port", "bind", "dir", "pidfile", "daemonize")]
    srv = start_with_config(tmp_path, "port {port}\nbind 127.0.0.1\n" + "\n".join(lines).replace("{", "{{").replace("}", "}}") + "\n")
    try:
        with srv.raw() as c:
            got = as_dict(c.call("CONFIG", "GET", "notify-keyspace-events", "loglevel", "save", "enable-debug-command",
                                 "propagation-error-behavior", "slave-serve-stale-data", "latency-monitor-threshold"))
    finally:
        srv.stop()
    assert got[b"notify-keyspace-events"] == b"AKE"
    assert got[b"loglevel"] == b"verbose"
    assert got[b"save"] == b"900 1"
    assert got[b"enable-debug-command"] == b"yes"
    assert got[b"propagation-error-behavior"] == b"panic"


def test_dir_changes_the_working_directory(server_factory, tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    srv = server_factory.start(args=["--enable-protected-configs", "yes"])
    with srv.raw() as c:
        assert c.call("CONFIG", "SET", "dir", str(target)) == "OK"
        assert as_dict(c.call("CONFIG", "GET", "dir"))[b"dir"] == str(target).encode()
        assert c.call("CONFIG", "SET", "dir", str(tmp_path / "missing")) == \
            Err("ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory")
        assert as_dict(c.call("CONFIG", "GET", "dir"))[b"dir"] == str(target).encode()
    cwd = os.readlink(f"/proc/{srv.proc.pid}/cwd")
    assert cwd == str(target)
