"""Integration test harness for Ember.

Target selection
----------------
EMBER_TEST_TARGET=redis  -> run against the system ``redis-server`` (the oracle)
EMBER_TEST_TARGET=ember  -> run against ``$EMBER_BIN``
                            (default: <repo>/.build/debug/ember-server)

Every test starts with FLUSHALL issued on a fresh connection.
"""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from ember_harness import HOST, Cli, make_redis
from ember_resp import Err, RawConn

REPO = Path(__file__).resolve().parents[2]
TARGET = os.environ.get("EMBER_TEST_TARGET", "ember").strip().lower()
if TARGET not in ("redis", "ember"):
    raise RuntimeError(f"EMBER_TEST_TARGET must be 'redis' or 'ember', not {TARGET!r}")
EMBER = TARGET == "ember"

EMBER_BIN = os.environ.get("EMBER_BIN", str(REPO / ".build" / "debug" / "ember-server"))
REDIS_BIN = os.environ.get("REDIS_SERVER_BIN", "redis-server")
PORT_RANGE = range(17000, 17100)
READY_TIMEOUT = 20.0

_handed_out_ports = set()


def pick_port():
    """Return a free TCP port in 17000-17099 (checked by binding to it)."""
    for port in PORT_RANGE:
        if port in _handed_out_ports:
            continue
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("0.0.0.0", port))
        except OSError:
            continue
        finally:
            s.close()
        _handed_out_ports.add(port)
        return port
    raise RuntimeError("no free port in 17000-17099")


def server_binary():
    if TARGET == "redis":
        path = shutil.which(REDIS_BIN)
        if not path:
            pytest.exit(f"{REDIS_BIN} not found", returncode=2)
        return path
    if not os.path.exists(EMBER_BIN):
        pytest.exit(f"ember binary not found at {EMBER_BIN} (build it or set EMBER_BIN)",
                    returncode=2)
    return EMBER_BIN


def target_specific_args():
    """Flags passed to every server we start, beyond port/bind."""
    # No save points: a test's server neither writes dump.rdb on shutdown nor finds one.
    if TARGET == "redis":
        return ["--save", "", "--appendonly", "no", "--daemonize", "no"]
    return ["--save", ""]


class Server:
    def __init__(self, argv, port, workdir, host=HOST):
        self.argv = [str(a) for a in argv]
        self.port = port
        self.host = host
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.starts = 0
        self.logpath = None
        self.proc = None

    def start(self):
        self.starts += 1
        suffix = "" if self.starts == 1 else f"-restart{self.starts - 1}"
        self.logpath = self.workdir / f"server-{self.port}{suffix}.log"
        self._log = open(self.logpath, "wb")
        self.proc = subprocess.Popen(self.argv, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.workdir)
        self.wait_ready()
        return self

    def log_tail(self, head=12, tail=30):
        """The start (where crash reasons usually are) and end of the log."""
        try:
            lines = self.logpath.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        if len(lines) <= head + tail:
            return "\n".join(lines)
        return "\n".join(lines[:head] + [f"... ({len(lines) - head - tail} lines) ..."]
                         + lines[-tail:])

    def wait_ready(self, timeout=READY_TIMEOUT):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.proc.returncode} during startup: {self.argv}\n"
                    f"{self.log_tail()}")
            try:
                with RawConn(self.host, self.port, timeout=1.0) as c:
                    reply = c.call("PING")
                # PONG, or NOAUTH when requirepass is configured: both mean "up".
                if reply == "PONG" or isinstance(reply, Err):
                    return
                last = reply
            except (OSError, ConnectionError) as e:
                last = e
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not answer PING within {timeout}s ({last!r}): "
                           f"{self.argv}\n{self.log_tail()}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        try:
            self._log.close()
        except Exception:
            pass

    def raw(self, timeout=5.0):
        return RawConn(self.host, self.port, timeout=timeout)

    def client(self, **kw):
        return make_redis(self.port, host=self.host, **kw)


# --------------------------------------------------------------------------
# session server


@pytest.fixture(scope="session")
def target():
    return TARGET


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    binary = server_binary()
    port = pick_port()
    workdir = tmp_path_factory.mktemp("main-server")
    argv = [binary, "--port", port, "--bind", HOST]
    argv += target_specific_args()
    argv += ["--enable-debug-command", "yes"]
    srv = Server(argv, port, workdir)
    srv.start()
    yield srv
    srv.stop()


class ServerFactory:
    """Start extra, separately configured servers.

    ``start(args=[...])`` starts ``<binary> --port P --bind 127.0.0.1 <args>``.
    ``start(config="...")`` writes `config` (redis.conf syntax, ``{port}`` is
    substituted) to a file and starts ``<binary> /path/to/file.conf``; the
    config text is responsible for the port (use ``port {port}``).
    """

    def __init__(self, tmp_path_factory):
        self.tmp_path_factory = tmp_path_factory
        self.servers = []

    def start(self, args=(), config=None, host=HOST):
        binary = server_binary()
        port = pick_port()
        workdir = self.tmp_path_factory.mktemp(f"extra-{port}")
        if config is not None:
            conf = workdir / "ember.conf"
            conf.write_text(config.format(port=port))
            argv = [binary, str(conf)] + target_specific_args() + list(args)
        else:
            argv = [binary, "--port", port, "--bind", HOST] + target_specific_args() + list(args)
        srv = Server(argv, port, workdir, host=host)
        if config is not None:
            srv.config_path = conf
        self.servers.append(srv)
        srv.start()
        return srv

    def stop_all(self):
        for s in self.servers:
            s.stop()


@pytest.fixture
def server_factory(tmp_path_factory):
    f = ServerFactory(tmp_path_factory)
    yield f
    f.stop_all()


# --------------------------------------------------------------------------
# per-test state


@pytest.fixture(autouse=True)
def _flushall(request):
    if "server" not in request.fixturenames:
        # Tests that only use their own servers.
        yield
        return
    srv = request.getfixturevalue("server")
    if not srv.alive():
        # It crashed in an earlier test (which was failed at teardown);
        # start a fresh one so one crash does not take the whole run down.
        srv.stop()
        srv.start()
    with srv.raw() as c:
        assert c.call("FLUSHALL") == "OK"
    yield
    if not srv.alive():
        pytest.fail(f"the main server died during this test (exit code {srv.proc.returncode});"
                    f" log {srv.logpath}:\n{srv.log_tail()}", pytrace=False)


@pytest.fixture
def r(server):
    client = make_redis(server.port, protocol=2)
    yield client
    client.close()


@pytest.fixture
def r3(server):
    client = make_redis(server.port, protocol=3)
    yield client
    client.close()


@pytest.fixture
def rd(server):
    client = make_redis(server.port, protocol=2, decode_responses=True)
    yield client
    client.close()


@pytest.fixture
def c(server):
    """Raw RESP2 connection for exact reply assertions."""
    conn = server.raw()
    yield conn
    conn.close()


@pytest.fixture
def conn_factory(server):
    conns = []

    def make(timeout=5.0):
        conn = server.raw(timeout=timeout)
        # A round trip, so the server has registered the connection before a test looks for
        # it from another one (accepting and reading another socket are not ordered).
        assert conn.call("PING") == "PONG"
        conns.append(conn)
        return conn

    yield make
    for conn in conns:
        conn.close()


@pytest.fixture
def cli(server):
    return Cli(server.port)


class ConfigGuard:
    """CONFIG SET that restores the previous value at teardown."""

    def __init__(self, server):
        self.server = server
        self.saved = {}

    def set(self, name, value):
        with self.server.raw() as c:
            if name not in self.saved:
                old = c.call("CONFIG", "GET", name)
                assert isinstance(old, list) and len(old) == 2, old
                self.saved[name] = old[1]
            reply = c.call("CONFIG", "SET", name, value)
        assert reply == "OK", reply

    def restore(self):
        with self.server.raw() as c:
            for name, value in self.saved.items():
                assert c.call("CONFIG", "SET", name, value) == "OK"


@pytest.fixture
def config(server):
    g = ConfigGuard(server)
    yield g
    if server.alive():
        g.restore()


@pytest.fixture
def make_list(server, target):
    """Create a list-typed key (for WRONGTYPE tests).

    Against ember, skips the test if RPUSH is not implemented yet."""

    def make(key, *items):
        items = items or (b"x",)
        with server.raw() as conn:
            reply = conn.call("RPUSH", key, *items)
        if isinstance(reply, Err) and reply.msg.startswith("ERR unknown command"):
            if target == "ember":
                pytest.skip("RPUSH not implemented by ember yet")
        assert reply == len(items), reply
        return key

    return make


def pytest_report_header(config):
    return [f"ember integration target: {TARGET}"
            + (f" ({EMBER_BIN})" if TARGET == "ember" else "")]


# Known gaps of ember-server (tests/integration/known_gaps.txt) run as expected failures, so
# the rest of the suite guards against regressions while they are being closed.
def pytest_collection_modifyitems(config, items):
    if os.environ.get("EMBER_TEST_TARGET", "ember") != "ember":
        return
    path = os.path.join(os.path.dirname(__file__), "known_gaps.txt")
    with open(path) as f:
        gaps = {line.strip() for line in f if line.strip() and not line.startswith("#")}
    for item in items:
        if item.nodeid in gaps:
            item.add_marker(pytest.mark.xfail(reason="known gap, see known_gaps.txt", strict=False))
