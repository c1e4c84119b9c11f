#!/usr/bin/env python3
"""difftest.py - differential tester: reference redis-server 7.0 vs. Ember.

Sends identical command sequences to a reference server and a candidate
server over raw sockets, parses every reply with a self-contained RESP2/RESP3
parser and fails on any difference in reply type or value (with a few
documented tolerances).  Python 3.11 standard library only.

Usage:
  difftest.py --ref-port 6379 --cand-port 7379 [--seed N] [--random-ops 20000]
              [--resp 2|3|both] [--keep-going]
  difftest.py --spawn --cand-bin .build/debug/ember-server [...]

See tests/diff/README.md.  WARNING: both servers are FLUSHALLed repeatedly.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque

# ---------------------------------------------------------------------------
# RESP parser
# ---------------------------------------------------------------------------


class ProtocolError(Exception):
    pass


class Reply:
    """One parsed reply.

    kind / val:
      simple    bytes            +OK
      error     bytes            -ERR ...
      bloberror bytes            !<len> (RESP3 blob error)
      int       int              :1
      bulk      bytes            $3 abc
      nullbulk  None             $-1
      array     [Reply]          *2
      nullarray None             *-1
      null      None             _            (RESP3)
      double    bytes (raw text) ,1.5         (RESP3)
      bool      bool             #t           (RESP3)
      map       [(Reply,Reply)]  %1           (RESP3)
      set       [Reply]          ~2           (RESP3)
      push      [Reply]          >2           (RESP3)
      verbatim  (fmt, bytes)     =15 txt:...  (RESP3)
      bignum    int              (123...      (RESP3)
      io        str              synthetic: transport failure / timeout
    attrs: None or [(Reply,Reply)] from a preceding RESP3 attribute '|'.
    pushes: None or [Reply] out-of-band push messages that preceded the reply.
    """

    __slots__ = ("kind", "val", "attrs", "pushes")

    def __init__(self, kind, val=None, attrs=None):
        self.kind = kind
        self.val = val
        self.attrs = attrs
        self.pushes = None   # out-of-band RESP3 push messages received before this reply

    def __repr__(self):
        return fmt_reply(self)

    @property
    def is_error(self):
        return self.kind in ("error", "bloberror", "io")


class Reader:
    """Buffered reader over a recv(n) callable."""

    def __init__(self, recv):
        self._recv = recv
        self.buf = bytearray()
        self.pos = 0

    def _more(self):
        chunk = self._recv(1 << 16)
        if not chunk:
            raise EOFError("connection closed by peer")
        if self.pos and self.pos >= len(self.buf) // 2:
            del self.buf[: self.pos]
            self.pos = 0
        self.buf += chunk

    def line(self):
        scanned = 0          # bytes after pos already known to hold no CRLF
        while True:
            i = self.buf.find(b"\r\n", self.pos + scanned)
            if i >= 0:
                out = bytes(self.buf[self.pos:i])
                self.pos = i + 2
                return out
            scanned = max(0, len(self.buf) - self.pos - 1)
            self._more()     # may compact buf (pos -> 0); `scanned` is relative to pos

    def exact(self, n):
        while len(self.buf) - self.pos < n:
            self._more()
        out = bytes(self.buf[self.pos:self.pos + n])
        self.pos += n
        return out

    def pending(self):
        return len(self.buf) - self.pos


_INT_RE = re.compile(rb"-?[0-9]+\Z")
_DOUBLE_RE = re.compile(rb"(?:[-+]?(?:inf|nan)|-?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)\Z",
                        re.IGNORECASE)


def _pint(b, what):
    if not _INT_RE.match(b):
        raise ProtocolError(f"bad {what}: {b!r}")
    return int(b)


def _crlf(rd):
    if rd.exact(2) != b"\r\n":
        raise ProtocolError("missing CRLF after bulk payload")


def read_reply(rd):
    """Parse one complete reply (attributes attached to the following reply)."""
    return _parse_line(rd, rd.line())


def _parse_line(rd, line):
    if not line:
        raise ProtocolError("empty type line")
    t, rest = line[:1], line[1:]
    if t == b"+":
        return Reply("simple", rest)
    if t == b"-":
        return Reply("error", rest)
    if t == b":":
        return Reply("int", _pint(rest, "integer"))
    if t == b"$":
        if rest == b"?":
            return Reply("bulk", _streamed_string(rd))
        n = _pint(rest, "bulk length")
        if n == -1:
            return Reply("nullbulk")
        if n < 0:
            raise ProtocolError(f"negative bulk length {n}")
        data = rd.exact(n)
        _crlf(rd)
        return Reply("bulk", data)
    if t in (b"*", b">", b"~"):
        kind = {b"*": "array", b">": "push", b"~": "set"}[t]
        if rest == b"?":
            return Reply(kind, _streamed_items(rd))
        n = _pint(rest, "aggregate length")
        if n == -1 and t == b"*":
            return Reply("nullarray")
        if n < 0:
            raise ProtocolError(f"negative aggregate length {n}")
        return Reply(kind, [read_reply(rd) for _ in range(n)])
    if t in (b"%", b"|"):
        if rest == b"?":
            pairs = _streamed_pairs(rd)
        else:
            n = _pint(rest, "map length")
            if n < 0:
                raise ProtocolError(f"negative map length {n}")
            pairs = [(read_reply(rd), read_reply(rd)) for _ in range(n)]
        if t == b"%":
            return Reply("map", pairs)
        inner = read_reply(rd)          # attribute: the real reply follows
        inner.attrs = (inner.attrs or []) + pairs
        return inner
    if t == b"_":
        if rest:
            raise ProtocolError(f"garbage after null: {rest!r}")
        return Reply("null")
    if t == b",":
        if not _DOUBLE_RE.match(rest):
            raise ProtocolError(f"bad double: {rest!r}")
        return Reply("double", rest)
    if t == b"#":
        if rest not in (b"t", b"f"):
            raise ProtocolError(f"bad boolean: {rest!r}")
        return Reply("bool", rest == b"t")
    if t == b"(":
        if not re.match(rb"[-+]?[0-9]+\Z", rest):
            raise ProtocolError(f"bad big number: {rest!r}")
        return Reply("bignum", int(rest))
    if t in (b"=", b"!"):
        n = _pint(rest, "blob length")
        if n < 0:
            raise ProtocolError(f"negative blob length {n}")
        data = rd.exact(n)
        _crlf(rd)
        if t == b"!":
            return Reply("bloberror", data)
        if len(data) < 4 or data[3:4] != b":":
            raise ProtocolError(f"bad verbatim string: {data[:10]!r}")
        return Reply("verbatim", (data[:3], data[4:]))
    raise ProtocolError(f"unknown reply type byte {t!r} (line {line[:60]!r})")


def _streamed_string(rd):
    parts = []
    while True:
        line = rd.line()
        if line[:1] != b";":
            raise ProtocolError(f"bad streamed string chunk: {line!r}")
        n = _pint(line[1:], "chunk length")
        if n == 0:
            return b"".join(parts)
        parts.append(rd.exact(n))
        _crlf(rd)


def _streamed_items(rd):
    items = []
    while True:
        line = rd.line()
        if line == b".":
            return items
        items.append(_parse_line(rd, line))


def _streamed_pairs(rd):
    pairs = []
    while True:
        line = rd.line()
        if line == b".":
            return pairs
        pairs.append((_parse_line(rd, line), read_reply(rd)))


def encode_command(argv):
    out = [b"*%d\r\n" % len(argv)]
    for a in argv:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def to_bytes(x):
    if isinstance(x, bytes):
        return x
    if isinstance(x, int):
        return str(x).encode()
    return str(x).encode("utf-8")


# ---------------------------------------------------------------------------
# formatting
# ---------------------------------------------------------------------------

_PLAIN_ARG = re.compile(rb"[A-Za-z0-9_.:|*?+\-]+\Z")


def qbytes(b, limit=200):
    if len(b) > limit:
        return qbytes(b[:limit], limit) + f"...(+{len(b) - limit} bytes)"
    out = []
    for c in b:
        if c == 0x22:
            out.append('\\"')
        elif c == 0x5C:
            out.append("\\\\")
        elif c == 0x0D:
            out.append("\\r")
        elif c == 0x0A:
            out.append("\\n")
        elif c == 0x09:
            out.append("\\t")
        elif 0x20 <= c < 0x7F:
            out.append(chr(c))
        else:
            out.append("\\x%02x" % c)
    return '"' + "".join(out) + '"'


def fmt_cmd(argv):
    parts = []
    for a in argv:
        a = to_bytes(a)
        parts.append(a.decode() if _PLAIN_ARG.match(a) else qbytes(a, 120))
    return " ".join(parts)


def fmt_reply(r, limit=3000):
    s = _fmt(r)
    return s if len(s) <= limit else s[:limit] + f"...(+{len(s) - limit} chars)"


def _fmt(r):
    k, v = r.kind, r.val
    if k == "simple":
        s = "+" + qbytes(v)
    elif k in ("error", "bloberror"):
        s = ("(error) " if k == "error" else "(blob error) ") + qbytes(v)
    elif k == "int":
        s = f"(integer) {v}"
    elif k == "bulk":
        s = qbytes(v)
    elif k == "nullbulk":
        s = "(nil bulk $-1)"
    elif k == "nullarray":
        s = "(nil array *-1)"
    elif k == "null":
        s = "(null _)"
    elif k == "double":
        s = f"(double) {v.decode()}"
    elif k == "bool":
        s = "(true)" if v else "(false)"
    elif k == "bignum":
        s = f"(bignum) {v}"
    elif k == "verbatim":
        s = f"(verbatim {v[0].decode('latin-1')}) {qbytes(v[1])}"
    elif k in ("array", "set", "push"):
        s = f"({k} {len(v)}) [" + ", ".join(_fmt(x) for x in v) + "]"
    elif k == "map":
        s = f"(map {len(v)}) {{" + ", ".join(f"{_fmt(a)}: {_fmt(b)}" for a, b in v) + "}"
    elif k == "io":
        s = f"<<connection error: {v}>>"
    else:
        s = f"<{k} {v!r}>"
    if r.attrs is not None:
        s = "|attrs {" + ", ".join(f"{_fmt(a)}: {_fmt(b)}" for a, b in r.attrs) + "}| " + s
    if r.pushes:
        s = "".join(f"<push {_fmt(p)}> " for p in r.pushes) + s
    return s


# ---------------------------------------------------------------------------
# comparison
# ---------------------------------------------------------------------------

def _canon_double(raw):
    try:
        f = float(raw)
    except ValueError:
        return raw
    return repr(f)


def canon(r, loose_err=False):
    """Hashable canonical form.  Sets and maps are order-insensitive."""
    k, v = r.kind, r.val
    if k in ("array", "push"):
        v = tuple(canon(x, loose_err) for x in v)
    elif k == "set":
        v = tuple(sorted((canon(x, loose_err) for x in v), key=repr))
    elif k == "map":
        v = tuple(sorted(((canon(a, loose_err), canon(b, loose_err)) for a, b in v), key=repr))
    elif k == "double":
        v = _canon_double(v)
    elif k in ("error", "bloberror") and loose_err:
        v = v.split(b" ", 1)[0]
    out = (k, v)
    if r.attrs is not None:
        out += (("attrs", tuple(sorted(((canon(a), canon(b)) for a, b in r.attrs), key=repr))),)
    if r.pushes:
        out += (("pushes", tuple(canon(p) for p in r.pushes)),)
    return out


def _hello_sig(r):
    if r.kind == "map":
        pairs = r.val
    elif r.kind == "array" and len(r.val) % 2 == 0:
        pairs = list(zip(r.val[0::2], r.val[1::2]))
    else:
        return ("shape", canon(r))
    d = {}
    for a, b in pairs:
        if a.kind in ("bulk", "simple"):
            d[a.val.decode("latin-1").lower()] = b
    sig = [r.kind]
    for f in ("proto", "mode", "role"):
        sig.append((f, canon(d[f]) if f in d else None))
    for f in ("server", "version", "id", "modules"):
        sig.append((f, d[f].kind if f in d else None))
    return tuple(sig)


def _scanpairs_sig(r):
    """A finished HSCAN/ZSCAN reply: the cursor, and the field-value pairs in any order (hash
    tables iterate in an order of their own)."""
    if r.kind != "array" or len(r.val) != 2 or r.val[1].kind != "array" or len(r.val[1].val) % 2:
        return canon(r)
    items = r.val[1].val
    pairs = sorted(((canon(items[i]), canon(items[i + 1])) for i in range(0, len(items), 2)), key=repr)
    return ("scan", canon(r.val[0]), tuple(pairs))


def _pairs_sig(r):
    """HGETALL-style field-value pairs (a flat array, a map, or an array of pairs) in any order."""
    if r.kind == "map":
        return ("pairs", tuple(sorted(((canon(k), canon(v)) for k, v in r.val), key=repr)))
    if r.kind == "array" and all(e.kind == "array" and len(e.val) == 2 for e in r.val) and r.val:
        return ("pairs", tuple(sorted(((canon(e.val[0]), canon(e.val[1])) for e in r.val), key=repr)))
    if r.kind == "array" and len(r.val) % 2 == 0:
        items = r.val
        return ("pairs", tuple(sorted(((canon(items[i]), canon(items[i + 1])) for i in range(0, len(items), 2)), key=repr)))
    return canon(r)


def _keyspec_without_notes(spec):
    """A key spec without its `notes` field: that is prose, which Ember does not carry."""
    if spec.kind == "map":
        pairs = spec.val
    elif spec.kind == "array" and len(spec.val) % 2 == 0:
        pairs = list(zip(spec.val[0::2], spec.val[1::2]))
    else:
        return canon(spec)
    return tuple((canon(k), canon(v)) for k, v in pairs if not (k.kind in ("bulk", "simple") and k.val == b"notes"))


def _cmdinfo_entry(e):
    if e.kind != "array" or len(e.val) < 7:
        return canon(e)
    items = [canon(x) for x in e.val]
    for idx in (2, 6):  # flags, ACL categories: unordered
        x = e.val[idx]
        if x.kind in ("array", "set"):
            items[idx] = ("unordered", tuple(sorted((canon(y) for y in x.val), key=repr)))
    if len(e.val) >= 9 and e.val[8].kind in ("array", "set"):  # key specs, minus their prose notes
        items[8] = ("keyspecs", tuple(_keyspec_without_notes(k) for k in e.val[8].val))
    if len(e.val) >= 10 and e.val[9].kind in ("array", "set"):  # subcommands: dict order
        items[9] = ("subcommands", tuple(sorted((_cmdinfo_entry(y) for y in e.val[9].val), key=repr)))
    return ("cmdinfo", tuple(items))


def _cmdinfo_sig(r):
    if r.kind != "array":
        return canon(r)
    return ("array", tuple(_cmdinfo_entry(e) for e in r.val))


def compare(a, b, mode, loose_err=False):
    """Return True if replies a (ref) and b (cand) agree under `mode`."""
    if a.kind == "io" or b.kind == "io":
        return False
    if a.is_error or b.is_error or mode == "exact":
        return canon(a, loose_err) == canon(b, loose_err)
    if isinstance(mode, tuple) and mode[0] == "tol":
        if a.kind == b.kind == "int" and a.val >= 0 and b.val >= 0:
            return abs(a.val - b.val) <= mode[1]
        return canon(a) == canon(b)
    if mode == "sorted":
        if a.kind == b.kind and a.kind in ("array", "set"):
            return sorted((canon(x) for x in a.val), key=repr) == sorted((canon(x) for x in b.val), key=repr)
        return canon(a) == canon(b)
    if mode == "type":
        return a.kind == b.kind
    if mode == "scanpairs":
        return _scanpairs_sig(a) == _scanpairs_sig(b)
    if mode == "pairs":
        return _pairs_sig(a) == _pairs_sig(b)
    if mode == "sorted_scan":
        if a.kind == b.kind == "array" and len(a.val) == len(b.val) == 2:
            return canon(a.val[0]) == canon(b.val[0]) and compare(a.val[1], b.val[1], "sorted")
        return canon(a) == canon(b)
    if mode == "hello":
        return _hello_sig(a) == _hello_sig(b)
    if mode == "cmdinfo":
        return _cmdinfo_sig(a) == _cmdinfo_sig(b)
    raise ValueError(f"unknown compare mode {mode!r}")


_TOL = {"TTL": 2, "EXPIRETIME": 2, "PTTL": 2000, "PEXPIRETIME": 2000}
_TYPE_ONLY = {"TIME", "INFO", "LASTSAVE", "RANDOMKEY", "MEMORY", "LATENCY", "SLOWLOG"}


def default_mode(argv):
    name = to_bytes(argv[0]).decode("latin-1").upper() if argv else ""
    sub = to_bytes(argv[1]).decode("latin-1").upper() if len(argv) > 1 else ""
    if name in _TOL:
        return ("tol", _TOL[name])
    if name == "OBJECT" and sub == "IDLETIME":
        return ("tol", 2)
    # Hashes past the listpack thresholds iterate in their table's order, Redis's and Ember's alike.
    # One random member: only its type can be compared.
    if name in ("SPOP", "SRANDMEMBER", "HRANDFIELD") and len(argv) == 2:
        return "type"
    if name in ("KEYS", "HKEYS", "HVALS", "SMEMBERS", "SINTER", "SUNION", "SDIFF", "SPOP", "SRANDMEMBER") \
            or (name == "HRANDFIELD" and len(argv) == 3):
        return "sorted"
    if name == "HGETALL" or (name == "HRANDFIELD" and len(argv) == 4):
        return "pairs"
    if name == "HSCAN":
        return "scanpairs"
    if name == "SSCAN":
        return "sorted_scan"
    if name in _TYPE_ONLY:
        return "type"
    if name == "CLIENT" and sub in ("ID", "LIST", "INFO"):
        return "type"
    if name == "COMMAND":
        if sub in ("", "DOCS", "COUNT", "LIST"):
            return "type"
        if sub == "INFO":
            return "cmdinfo"
    if name == "HELLO":
        return "hello"
    return "exact"


def mode_name(mode):
    return f"tolerance +-{mode[1]}" if isinstance(mode, tuple) else mode


# ---------------------------------------------------------------------------
# connections
# ---------------------------------------------------------------------------


class Conn:
    def __init__(self, host, port, timeout):
        self.addr = (host, port)
        self.sock = socket.create_connection(self.addr, timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rd = Reader(self.sock.recv)
        self.dead = None

    def send_raw(self, data):
        if self.dead:
            return
        try:
            self.sock.sendall(data)
        except OSError as e:
            self.dead = f"send failed: {e}"

    def read(self):
        if self.dead:
            return Reply("io", self.dead)
        try:
            pushes = []
            while True:
                r = read_reply(self.rd)
                if r.kind != "push":
                    if pushes:
                        r.pushes = pushes
                    return r
                pushes.append(r)     # out-of-band; the actual reply follows
        except socket.timeout:
            self.dead = "timeout waiting for reply"
        except (OSError, EOFError) as e:
            self.dead = str(e) or type(e).__name__
        except ProtocolError as e:
            self.dead = f"RESP protocol error: {e}"
        return Reply("io", self.dead)

    def call(self, argv):
        self.send_raw(encode_command([to_bytes(a) for a in argv]))
        return self.read()

    def closed_by_peer(self, wait=1.0):
        """True if the peer closes the connection within `wait` seconds."""
        if self.dead:
            return True
        if self.rd.pending():
            return False
        self.sock.settimeout(wait)
        try:
            return self.sock.recv(1) == b""
        except socket.timeout:
            return False
        except OSError:
            return True

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ---------------------------------------------------------------------------
# harness
# ---------------------------------------------------------------------------


class SkipCase(Exception):
    pass


class StopRun(Exception):
    """First failure without --keep-going."""


class ConnBroken(Exception):
    """A connection died; the current case / random run cannot continue."""


class InfraError(Exception):
    """Setup problem (spawn/connect/reference failure): exit status 2."""


class Harness:
    def __init__(self, args):
        self.args = args
        self.ref_addr = (args.ref_host, args.ref_port)
        self.cand_addr = (args.cand_host, args.cand_port)
        self.passed = 0
        self.failed = 0
        self.compared = 0
        self.skipped = []
        self.notes = []
        self.cand_flushall = True
        self.resp3_broken = False

    # -- reporting -------------------------------------------------------
    def record(self, sess, argv, mode, r_ref, r_cand, injected=None):
        ok = compare(r_ref, r_cand, mode, self.args.loose_errors)
        self.compared += 1
        sess.hist.append((sess.index, argv))
        if self.args.verbose:
            print(f"  [{sess.label()} #{sess.index}] {fmt_cmd(argv)} -> {fmt_reply(r_ref, 200)}"
                  + ("" if ok else f"  !=  {fmt_reply(r_cand, 200)}"))
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.report(sess, argv, mode, r_ref, r_cand, injected)
        sess.index += 1
        if not ok:
            if r_ref.kind == "io" or r_cand.kind == "io":
                if not self.args.keep_going:
                    raise StopRun()
                raise ConnBroken()
            if not self.args.keep_going:
                raise StopRun()
        return ok

    def report(self, sess, argv, mode, r_ref, r_cand, injected):
        out = sys.stdout
        print("=" * 78, file=out)
        print(f"difftest: MISMATCH in {sess.label()} (seed={self.args.seed}, "
              f"resp={sess.resp}, index={sess.index}, compared command #{self.compared})", file=out)
        print(f"  command : {fmt_cmd(argv)}", file=out)
        if injected is not None:
            print(f"  (selftest: candidate was sent {fmt_cmd(injected)} instead)", file=out)
        print(f"  compare : {mode_name(mode)}", file=out)
        print(f"  ref     : {fmt_reply(r_ref)}", file=out)
        print(f"  cand    : {fmt_reply(r_cand)}", file=out)
        hist = list(sess.hist)[-40:]
        print(f"  sequence (last {len(hist)} commands on this connection, index first):", file=out)
        for idx, a in hist:
            print(f"    {idx:6d}  {fmt_cmd(a)}", file=out)
        if sess.repro:
            op = sess.op if sess.op is not None else sess.index
            print(f"  reproduce: {sess.repro.format(ops=op + 1)}", file=out)
        print("=" * 78, file=out)
        out.flush()

    def inject(self, argv):
        n = self.args.selftest_inject
        if n and self.compared + 1 == n:
            return [b"ECHO", b"difftest-selftest-injected"]
        return None

    # -- sessions --------------------------------------------------------
    def session(self, name, resp, repro=None):
        return Session(self, name, resp, repro)


class Session:
    """A connection pair (ref, cand) used by one case or one random run."""

    def __init__(self, h, name, resp, repro):
        self.h = h
        self.name = name
        self.resp = resp
        self.repro = repro
        self.index = 0
        self.op = None          # random run: number of the current generated op
        self.phase = ""
        self.hist = deque(maxlen=200)
        self.ref = self.cand = None

    def label(self):
        return f"{self.name}{self.phase} [RESP{self.resp}]"

    def open(self):
        h = self.h
        t = h.args.timeout
        try:
            self.ref = Conn(*h.ref_addr, t)
        except OSError as e:
            raise InfraError(f"cannot connect to reference {h.ref_addr}: {e}")
        try:
            self.cand = Conn(*h.cand_addr, t)
        except OSError as e:
            try:
                self.c_io("<connect>", f"cannot connect to candidate {h.cand_addr}: {e}")
            except ConnBroken:
                pass
            raise StopRun()          # nothing sensible left to do
        if self.resp == 3:
            try:
                r_ref, r_cand = self.c("HELLO", "3")
            except ConnBroken:
                h.resp3_broken = True
                raise
            if r_cand.is_error or r_cand.kind != r_ref.kind:
                h.resp3_broken = True    # only reached with --keep-going
                raise ConnBroken()
        self.reset()
        return self

    def c_io(self, what, msg):
        self.h.record(self, [what], "exact", Reply("simple", b"OK"), Reply("io", msg))

    def reset(self):
        """FLUSHALL both servers (not counted as a compared command)."""
        r = self.ref.call(["FLUSHALL"])
        if r.is_error:
            raise InfraError(f"FLUSHALL failed on reference: {fmt_reply(r)}")
        if self.h.cand_flushall:
            r = self.cand.call(["FLUSHALL"])
            if r.kind == "io":
                self.c_io("FLUSHALL", r.val)
            if r.is_error:
                self.h.cand_flushall = False
                self.h.notes.append(f"candidate FLUSHALL failed ({fmt_reply(r, 120)}); "
                                    "using SELECT+FLUSHDB on 16 DBs")
        if not self.h.cand_flushall:
            for db in range(16):
                for cmd in (["SELECT", str(db)], ["FLUSHDB"]):
                    r = self.cand.call(cmd)
                    if r.kind == "io":
                        self.c_io(fmt_cmd(cmd), r.val)
            self.cand.call(["SELECT", "0"])

    def close(self):
        for c in (self.ref, self.cand):
            if c:
                c.close()

    # -- steps -------------------------------------------------------------
    def c(self, *argv, mode=None, optional=False):
        """Send argv to both, compare.  Returns (ref_reply, cand_reply).

        optional=True: if the candidate answers "unknown command" (or an
        unknown/disabled subcommand) while the reference succeeds, the case is
        skipped instead of failed.
        """
        argv = [to_bytes(a) for a in argv]
        if mode is None:
            mode = default_mode(argv)
        r_ref = self.ref.call(argv)
        injected = self.h.inject(argv)
        r_cand = self.cand.call(injected if injected else argv)
        if (optional and r_cand.kind == "error" and not r_ref.is_error
                and _UNSUPPORTED_RE.search(r_cand.val)):
            raise SkipCase(f"candidate does not support {fmt_cmd(argv[:2])}: {fmt_reply(r_cand, 120)}")
        self.h.record(self, argv, mode, r_ref, r_cand, injected)
        return r_ref, r_cand

    def opt(self, *argv, mode=None):
        return self.c(*argv, mode=mode, optional=True)

    def raw(self, data, nreplies, expect_close=False, label=None):
        """Send raw bytes to both; compare `nreplies` replies (and closing)."""
        label = label or f"<raw {qbytes(data, 60)}>"
        self.ref.send_raw(data)
        self.cand.send_raw(data)
        for i in range(nreplies):
            self.h.record(self, [f"{label} reply {i + 1}/{nreplies}"], "exact",
                          self.ref.read(), self.cand.read())
        if expect_close:
            a, b = self.ref.closed_by_peer(), self.cand.closed_by_peer()
            self.h.record(self, [f"{label} connection closed?"], "exact",
                          Reply("bool", a), Reply("bool", b))

    def scan(self, *tail):
        """Full SCAN iteration on each side; compares the sorted key set."""
        tail = [to_bytes(a) for a in tail]
        argv = [b"SCAN", b"0"] + tail
        r_ref = scan_all(self.ref, tail)
        r_cand = scan_all(self.cand, tail)
        self.h.record(self, argv + [b"(full iteration, aggregated)"], "exact", r_ref, r_cand)
        return r_ref, r_cand

    def sleep(self, sec):
        time.sleep(sec)


_UNSUPPORTED_RE = re.compile(rb"(?i)^ERR (unknown (sub)?command|.*not (allowed|supported|implemented))")


def scan_all(conn, tail, max_pages=200000):
    cursor = b"0"
    keys = set()
    for _ in range(max_pages):
        r = conn.call([b"SCAN", cursor] + tail)
        if (r.kind != "array" or len(r.val) != 2 or r.val[0].kind != "bulk"
                or r.val[1].kind not in ("array", "set")):
            return r
        cursor = r.val[0].val
        for e in r.val[1].val:
            if e.kind != "bulk":
                return Reply("io", f"SCAN returned non-bulk element {fmt_reply(e)}")
            keys.add(e.val)
        if cursor == b"0":
            return Reply("array", [Reply("bulk", k) for k in sorted(keys)])
    return Reply("io", f"SCAN did not terminate after {max_pages} pages")


# ---------------------------------------------------------------------------
# hand-written cases
# ---------------------------------------------------------------------------

CASES = []


def case(fn):
    CASES.append((fn.__name__[5:].replace("_", "-"), fn))
    return fn


I64MAX = "9223372036854775807"
I64MIN = "-9223372036854775808"


def _now():
    return int(time.time())


@case
def case_connection(s):
    s.c("PING")
    s.c("PING", "hello world")
    s.c("PING", b"bin\x00\r\n")
    s.c("PING", "a", "b")
    s.c("ping")
    s.c("PiNg", "x")
    s.c("ECHO", "hi")
    s.c("ECHO", "")
    s.c("ECHO", b"\r\n\x00\xff")
    s.c("ECHO")
    s.c("ECHO", "a", "b")
    for db in ("1", "15", "0", "16", "-1", "abc", "1.5", I64MAX, "", " 1"):
        s.c("SELECT", db)
    s.c("SELECT")
    s.c("SELECT", "0", "1")
    s.c("SET", "k", "db0")
    s.c("SELECT", "3")
    s.c("GET", "k")
    s.c("SELECT", "0")
    s.c("GET", "k")


@case
def case_unknown_and_arity(s):
    s.c("NOSUCHCOMMAND")
    s.c("NOSUCHCOMMAND", "a", "b c", b"\r\n")
    s.c("nosuchcommand", "x" * 300)
    s.c("")
    s.c("GETT", "k")
    s.c("OBJECT", "NOSUCHSUB", "k")
    s.c("OBJECT")
    s.c("OBJECT", "ENCODING")
    s.c("COMMAND", "NOSUCHSUB")
    s.c("COMMAND", "GETKEYS")
    arity = [
        ["GET"], ["GET", "a", "b"], ["SET"], ["SET", "a"], ["SETNX", "a"], ["SETNX", "a", "b", "c"],
        ["SETEX", "a", "10"], ["PSETEX", "a", "10"], ["GETEX"], ["GETDEL"], ["GETDEL", "a", "b"],
        ["GETSET", "a"], ["MGET"], ["MSET"], ["MSET", "a"], ["MSET", "a", "1", "b"], ["MSETNX", "a"],
        ["MSETNX", "a", "1", "b"], ["INCR"], ["INCR", "a", "b"], ["DECR"], ["INCRBY", "a"],
        ["INCRBY", "a", "1", "2"], ["DECRBY", "a"], ["INCRBYFLOAT", "a"], ["APPEND", "a"],
        ["STRLEN"], ["STRLEN", "a", "b"], ["GETRANGE", "a", "0"], ["SETRANGE", "a", "0"],
        ["SUBSTR", "a", "0"], ["LCS", "a"], ["DEL"], ["UNLINK"], ["EXISTS"], ["TYPE"],
        ["TYPE", "a", "b"], ["EXPIRE", "a"], ["PEXPIRE", "a"], ["EXPIREAT", "a"], ["PEXPIREAT", "a"],
        ["EXPIRETIME"], ["PEXPIRETIME"], ["TTL"], ["TTL", "a", "b"], ["PTTL"], ["PERSIST"],
        ["KEYS"], ["KEYS", "a", "b"], ["SCAN"], ["RENAME", "a"], ["RENAMENX", "a"], ["DBSIZE", "x"],
        ["MOVE", "a"], ["COPY", "a"], ["SWAPDB", "0"], ["TOUCH"], ["RANDOMKEY", "x"],
        ["OBJECT", "ENCODING", "a", "b"], ["OBJECT", "IDLETIME"],
    ]
    for argv in arity:
        s.c(*argv)


@case
def case_set_options(s):
    s.c("SET", "k", "v")
    s.c("GET", "k")
    s.c("SET", "k", "v2", "NX")
    s.c("SET", "k", "v3", "XX")
    s.c("GET", "k")
    s.c("SET", "n", "v", "XX")
    s.c("GET", "n")
    s.c("SET", "n", "v", "NX")
    s.c("set", "n", "w", "nx")
    s.c("SET", "n", "w", "xx", "get")
    s.c("SET", "n2", "w", "GET")
    s.c("SET", "n", "z", "NX", "GET")
    s.c("SET", "n3", "z", "NX", "GET")
    s.c("SET", "n3", "q", "XX", "GET")
    # invalid combos / syntax
    for opts in (["NX", "XX"], ["XX", "NX"], ["EX", "10", "PX", "10000"], ["EX", "10", "KEEPTTL"],
                 ["KEEPTTL", "PX", "100"], ["EXAT", "99999999999", "PXAT", "99999999999000"],
                 ["EX"], ["PX"], ["EXAT"], ["PXAT"], ["FOO"], ["EX", "10", "EX", "10"],
                 ["NX", "NX"], ["GET", "GET"], ["KEEPTTL", "KEEPTTL"], ["EX", "10", "BAR"],
                 ["EX", "abc"], ["EX", "1.5"], ["EX", "0"], ["EX", "-1"], ["PX", "0"], ["PX", "-5"],
                 ["EX", I64MAX], ["PX", I64MAX], ["EX", "9223372036854775"], ["EXAT", "0"],
                 ["PXAT", "-1"], ["EXAT", I64MAX], ["EX", " 10"], ["EX", "10 "], ["EX", "1e3"],
                 ["EX", ""], ["EX", "+10"], ["EX", "99999999999999999999"]):
        s.c("SET", "bad", "v", *opts)
    s.c("EXISTS", "bad")
    s.c("SET", "k")
    s.c("SET", "k", "v", "EX", "100", "NX", "GET")
    s.c("SET", "k", "v", "px", "100000", "xx", "GET")
    s.c("TTL", "k")
    s.c("SET", "", "empty-key")
    s.c("GET", "")
    s.c("SET", "e", "")
    s.c("GET", "e")
    s.c("STRLEN", "e")
    s.c("DBSIZE")


@case
def case_set_expire(s):
    now = _now()
    s.c("SET", "a", "1", "EX", "1000")
    s.c("TTL", "a")
    s.c("PTTL", "a")
    s.c("SET", "a", "2")
    s.c("TTL", "a")
    s.c("SET", "b", "1", "PX", "1500000")
    s.c("PTTL", "b")
    s.c("TTL", "b")
    s.c("SET", "b", "2", "KEEPTTL")
    s.c("TTL", "b")
    s.c("GET", "b")
    s.c("SET", "b", "3", "XX", "KEEPTTL", "GET")
    s.c("TTL", "b")
    s.c("SET", "c", "1", "EXAT", str(now + 5000))
    s.c("EXPIRETIME", "c")
    s.c("PEXPIRETIME", "c")
    s.c("TTL", "c")
    s.c("SET", "d", "1", "PXAT", str((now + 7000) * 1000 + 123))
    s.c("PEXPIRETIME", "d")
    s.c("EXPIRETIME", "d")
    s.c("SET", "past", "1", "EXAT", str(now - 100))
    s.c("GET", "past")
    s.c("EXISTS", "past")
    s.c("SET", "past2", "1", "PXAT", "1")
    s.c("TTL", "past2")
    s.c("SET", "f", "1", "ex", "100", "nx")
    s.c("SET", "f", "2", "ex", "200", "nx")
    s.c("TTL", "f")
    s.c("SET", "f", "3", "PX", "300000", "XX")
    s.c("TTL", "f")
    s.c("SET", "g", "1", "KEEPTTL")
    s.c("TTL", "g")
    s.c("SET", "h", "1", "EX", "9223372036854")
    s.c("TTL", "h")
    s.c("SET", "i", "1", "PXAT", I64MAX)
    s.c("EXPIRETIME", "i")


@case
def case_setnx_setex_psetex(s):
    s.c("SETNX", "k", "1")
    s.c("SETNX", "k", "2")
    s.c("GET", "k")
    s.c("SETEX", "k", "100", "v")
    s.c("TTL", "k")
    s.c("GET", "k")
    s.c("SETNX", "k", "3")
    for secs in ("0", "-1", "abc", "1.5", I64MAX, "9223372036854775", " 5", "", "1e2"):
        s.c("SETEX", "x", secs, "v")
        s.c("PSETEX", "x", secs, "v")
    s.c("EXISTS", "x")
    s.c("PSETEX", "p", "100000", "v")
    s.c("PTTL", "p")
    s.c("TTL", "p")
    s.c("SETEX", "p", "200", "w")
    s.c("TTL", "p")
    s.c("SETEX", "p")
    s.c("SETEX", "p", "10", "v", "extra")


@case
def case_getex_getdel_getset(s):
    now = _now()
    s.c("GETEX", "missing")
    s.c("GETEX", "missing", "EX", "100")
    s.c("SET", "k", "v")
    s.c("GETEX", "k")
    s.c("TTL", "k")
    s.c("GETEX", "k", "EX", "100")
    s.c("TTL", "k")
    s.c("GETEX", "k", "PX", "200000")
    s.c("PTTL", "k")
    s.c("GETEX", "k", "EXAT", str(now + 3000))
    s.c("EXPIRETIME", "k")
    s.c("GETEX", "k", "PXAT", str((now + 4000) * 1000))
    s.c("PEXPIRETIME", "k")
    s.c("GETEX", "k", "PERSIST")
    s.c("TTL", "k")
    for opts in (["EX"], ["EX", "0"], ["EX", "-1"], ["EX", "abc"], ["PX", "0"], ["EXAT", "0"],
                 ["EX", "10", "PX", "10"], ["PERSIST", "EX", "10"], ["EX", "10", "PERSIST"],
                 ["FOO"], ["KEEPTTL"], ["NX"], ["EX", I64MAX], ["PX", I64MAX], ["PERSIST", "PERSIST"],
                 ["EX", "10", "EX", "20"], ["ex", "1.5"]):
        s.c("GETEX", "k", *opts)
    s.c("TTL", "k")
    s.c("GETEX", "k", "EXAT", str(now - 10))
    s.c("EXISTS", "k")
    s.c("SET", "k", "v")
    s.c("GETEX", "k", "PXAT", "1")
    s.c("GET", "k")
    s.c("SET", "d", "val")
    s.c("GETDEL", "d")
    s.c("GETDEL", "d")
    s.c("EXISTS", "d")
    s.c("SET", "d", "v", "EX", "100")
    s.c("GETDEL", "d")
    s.c("TTL", "d")
    s.c("GETSET", "g", "1")
    s.c("GETSET", "g", "2")
    s.c("GET", "g")
    s.c("SET", "g", "x", "EX", "100")
    s.c("GETSET", "g", "y")
    s.c("TTL", "g")
    s.c("GETSET", "g", "z", "extra")


@case
def case_mget_mset(s):
    s.c("MSET", "a", "1", "b", "2", "c", "3")
    s.c("MGET", "a", "b", "c", "d")
    s.c("MGET", "d")
    s.c("MGET", "a", "a", "a")
    s.c("MSET", "a", "x", "a", "y")
    s.c("GET", "a")
    s.c("MSET", "a", "1", "b")
    s.c("MSETNX", "a", "1", "z", "2")
    s.c("EXISTS", "z")
    s.c("MSETNX", "y", "1", "z", "2")
    s.c("MGET", "y", "z")
    s.c("MSETNX", "q", "1", "q", "2")
    s.c("GET", "q")
    s.c("SET", "t", "v", "EX", "100")
    s.c("MSET", "t", "w")
    s.c("TTL", "t")
    args = []
    for i in range(500):
        args += [f"key:{i}", f"value:{i}"]
    s.c("MSET", *args)
    s.c("MGET", *[f"key:{i}" for i in range(0, 600, 3)])
    s.c("DBSIZE")
    s.c("MSET", "", "", b"\x00", b"\r\n")
    s.c("MGET", "", b"\x00")


@case
def case_incr_decr(s):
    s.c("INCR", "n")
    s.c("INCR", "n")
    s.c("DECR", "n")
    s.c("DECR", "m")
    s.c("INCRBY", "n", "10")
    s.c("INCRBY", "n", "-100")
    s.c("DECRBY", "n", "5")
    s.c("DECRBY", "n", "-5")
    s.c("GET", "n")
    s.c("OBJECT", "ENCODING", "n")
    for by in ("abc", "1.5", "", " 1", "1 ", "+1", "0x10", "1e3", "99999999999999999999", "-0", "007"):
        s.c("INCRBY", "n", by)
        s.c("DECRBY", "n", by)
    s.c("DECRBY", "n", I64MIN)
    s.c("INCRBY", "n", I64MIN)
    s.c("GET", "n")
    for val in ("abc", "1.5", "", " 1", "1 ", "+1", "0x10", "007", "-0", "12345678901234567890",
                I64MAX, I64MIN, "-9223372036854775809", "0", "-1", b"1\x00"):
        s.c("SET", "v", val)
        s.c("INCR", "v")
        s.c("GET", "v")
        s.c("SET", "v", val)
        s.c("DECR", "v")
        s.c("GET", "v")
    s.c("SET", "t", "10", "EX", "100")
    s.c("INCR", "t")
    s.c("TTL", "t")


@case
def case_overflow(s):
    s.c("SET", "max", I64MAX)
    s.c("INCR", "max")
    s.c("INCRBY", "max", "1")
    s.c("INCRBY", "max", "0")
    s.c("INCRBY", "max", "-1")
    s.c("GET", "max")
    s.c("SET", "min", I64MIN)
    s.c("DECR", "min")
    s.c("DECRBY", "min", "1")
    s.c("INCRBY", "min", "-1")
    s.c("INCRBY", "min", I64MAX)
    s.c("GET", "min")
    s.c("SET", "x", "1")
    s.c("INCRBY", "x", I64MAX)
    s.c("DECRBY", "x", I64MAX)
    s.c("DECRBY", "x", I64MAX)
    s.c("DECRBY", "x", I64MAX)
    s.c("GET", "x")
    s.c("SET", "y", "-2")
    s.c("DECRBY", "y", I64MAX)
    s.c("INCRBY", "y", I64MIN)
    s.c("INCRBYFLOAT", "max", "1")
    s.c("GET", "max")
    s.c("SET", "f", "1.7976931348623157e308")
    s.c("INCRBYFLOAT", "f", "1.7976931348623157e308")
    s.c("INCRBYFLOAT", "f", "1")
    s.c("GETRANGE", "max", "0", I64MAX)
    s.c("GETRANGE", "max", I64MIN, I64MAX)


@case
def case_incrbyfloat(s):
    s.c("INCRBYFLOAT", "f", "0.1")
    s.c("INCRBYFLOAT", "f", "0.2")
    s.c("GET", "f")
    s.c("OBJECT", "ENCODING", "f")
    for by in ("1e5", "3.0e3", "-1.5", "5.0e-3", "10", "-10", "0", "-0", "1.0", ".5", "5.",
               "100000000000000000000000", "0.000000000000000001", "1e-20", "0x10", "1E2",
               "inf", "-inf", "+inf", "nan", "-nan", " 1", "1 ", "", "abc", "1,5", "1e400", "1.5.1"):
        s.c("INCRBYFLOAT", "f", by)
        s.c("GET", "f")
    for val in ("10.50", "5.0e3", "abc", "1e400", "inf", " 1", "3", I64MAX, "0x10", "", "-0", "1.5 "):
        s.c("SET", "g", val)
        s.c("INCRBYFLOAT", "g", "0.5")
        s.c("GET", "g")
    s.c("SET", "h", "1", "EX", "100")
    s.c("INCRBYFLOAT", "h", "1.5")
    s.c("TTL", "h")
    s.c("SET", "i", "3.0")
    s.c("INCRBYFLOAT", "i", "2.0")
    s.c("INCRBYFLOAT", "i", "1.5e308")
    s.c("INCRBYFLOAT", "i", "1.5e308")
    s.c("GET", "i")


@case
def case_append_strlen(s):
    s.c("APPEND", "a", "hello")
    s.c("APPEND", "a", " world")
    s.c("GET", "a")
    s.c("STRLEN", "a")
    s.c("STRLEN", "none")
    s.c("APPEND", "a", "")
    s.c("APPEND", "b", "")
    s.c("EXISTS", "b")
    s.c("GET", "b")
    s.c("SET", "n", "123")
    s.c("OBJECT", "ENCODING", "n")
    s.c("STRLEN", "n")
    s.c("APPEND", "n", "4")
    s.c("GET", "n")
    s.c("OBJECT", "ENCODING", "n")
    s.c("INCR", "n")
    s.c("APPEND", "bin", b"\x00\r\n")
    s.c("APPEND", "bin", b"\xff")
    s.c("GET", "bin")
    s.c("STRLEN", "bin")
    s.c("SET", "t", "x", "EX", "100")
    s.c("APPEND", "t", "y")
    s.c("TTL", "t")
    s.c("SET", "i", I64MIN)
    s.c("STRLEN", "i")


@case
def case_getrange_substr(s):
    s.c("SET", "s", "Hello, World!")
    ranges = [("0", "4"), ("-6", "-1"), ("0", "-1"), ("5", "2"), ("-100", "100"), ("100", "200"),
              ("-1", "-1"), ("0", "0"), ("-3", "-5"), (I64MIN, I64MAX), ("0", I64MIN), (I64MAX, "0"),
              ("abc", "1"), ("0", "1.5"), ("", "1"), ("4294967296", "4294967297"), ("-0", "3"),
              ("12", "12"), ("13", "13"), ("-14", "-13")]
    for a, b in ranges:
        s.c("GETRANGE", "s", a, b)
        s.c("SUBSTR", "s", a, b)
    s.c("GETRANGE", "missing", "0", "-1")
    s.c("SUBSTR", "missing", "0", "-1")
    s.c("SET", "e", "")
    s.c("GETRANGE", "e", "0", "-1")
    s.c("GETRANGE", "e", "-1", "0")
    s.c("SET", "n", "1234567")
    s.c("GETRANGE", "n", "1", "3")
    s.c("GETRANGE", "n", "-2", "-1")
    s.c("SET", "bin", b"a\x00b\r\nc")
    s.c("GETRANGE", "bin", "1", "4")
    s.c("GETRANGE", "s", "0", "1", "2")


@case
def case_setrange(s):
    s.c("SETRANGE", "k", "0", "Hello")
    s.c("GET", "k")
    s.c("SETRANGE", "k", "6", "World")
    s.c("GET", "k")
    s.c("STRLEN", "k")
    s.c("SETRANGE", "k", "1", "E")
    s.c("GET", "k")
    s.c("SETRANGE", "new", "10", "x")
    s.c("GET", "new")
    s.c("SETRANGE", "empty", "5", "")
    s.c("EXISTS", "empty")
    s.c("SETRANGE", "k", "100", "")
    s.c("STRLEN", "k")
    s.c("SETRANGE", "k", "-1", "x")
    s.c("SETRANGE", "k", "abc", "x")
    s.c("SETRANGE", "k", "1.5", "x")
    s.c("SETRANGE", "k", "536870912", "x")
    s.c("SETRANGE", "k", "536870912", "")
    s.c("SETRANGE", "k", "536870911", "xx")
    s.c("SETRANGE", "k", I64MAX, "x")
    s.c("SETRANGE", "k", I64MAX, "")
    s.c("SETRANGE", "missing", "536870912", "x")
    s.c("SETRANGE", "missing", "-1", "")
    s.c("SET", "n", "12345")
    s.c("SETRANGE", "n", "1", "9")
    s.c("GET", "n")
    s.c("OBJECT", "ENCODING", "n")
    s.c("INCR", "n")
    s.c("SETRANGE", "bin", "3", b"\x00\r\n")
    s.c("GET", "bin")
    s.c("SET", "t", "abc", "EX", "100")
    s.c("SETRANGE", "t", "1", "X")
    s.c("TTL", "t")


@case
def case_lcs(s):
    s.c("MSET", "a", "ohmytext", "b", "mynewtext")
    s.c("LCS", "a", "b")
    s.c("LCS", "a", "b", "LEN")
    s.c("LCS", "a", "b", "IDX")
    s.c("LCS", "a", "b", "IDX", "MINMATCHLEN", "4")
    s.c("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN")
    s.c("LCS", "a", "b", "IDX", "WITHMATCHLEN")
    s.c("LCS", "a", "b", "idx", "withmatchlen", "minmatchlen", "0")
    s.c("LCS", "a", "b", "IDX", "MINMATCHLEN", "-5")
    s.c("LCS", "a", "b", "IDX", "MINMATCHLEN", "abc")
    s.c("LCS", "a", "b", "IDX", "MINMATCHLEN")
    s.c("LCS", "a", "b", "LEN", "IDX")
    s.c("LCS", "a", "b", "FOO")
    s.c("LCS", "a", "b", "LEN", "WITHMATCHLEN")
    s.c("LCS", "a", "b", "MINMATCHLEN", "2")
    s.c("LCS", "a", "missing")
    s.c("LCS", "missing", "missing2", "IDX")
    s.c("LCS", "missing", "missing2", "LEN")
    s.c("LCS", "a", "a")
    s.c("LCS", "a", "a", "IDX", "WITHMATCHLEN")
    s.c("MSET", "c", "ABCBDAB", "d", "BDCABA")
    s.c("LCS", "c", "d")
    s.c("LCS", "c", "d", "IDX", "WITHMATCHLEN")
    s.c("MSET", "e", b"a\x00b\r\nc", "f", b"\x00\r\n")
    s.c("LCS", "e", "f")
    s.c("LCS", "e", "f", "IDX")
    s.c("SET", "g", "")
    s.c("LCS", "g", "a", "IDX")
    s.c("SET", "n", "12345")
    s.c("LCS", "n", "c")


@case
def case_binary_and_empty(s):
    vals = [b"", b"\x00", b"\r\n", b"a\r\nb", b"\x00\x01\x02\xff", b"$3\r\nfoo\r\n", b"*1\r\n",
            b"-ERR fake", b"+OK", b":1", b"\xc3\x28", b"x" * 44, b"x" * 45, b"y" * 100000]
    for i, v in enumerate(vals):
        s.c("SET", b"bin\x00key\r\n" + str(i).encode(), v)
        s.c("GET", b"bin\x00key\r\n" + str(i).encode())
        s.c("STRLEN", b"bin\x00key\r\n" + str(i).encode())
    s.c("SET", "", "")
    s.c("GET", "")
    s.c("EXISTS", "")
    s.c("TYPE", "")
    s.c("APPEND", "", "x")
    s.c("RENAME", "", "nonempty")
    s.c("GET", "nonempty")
    s.c("RENAME", "nonempty", "")
    s.c("KEYS", "*")
    s.c("KEYS", "bin\x00*")
    s.c("DBSIZE")
    s.c("DEL", "", b"bin\x00key\r\n0")
    s.c("DBSIZE")


@case
def case_big_values(s):
    big = random.Random(7).randbytes(1 << 20)
    s.c("SET", "big", big)
    s.c("STRLEN", "big")
    s.c("GET", "big")
    s.c("APPEND", "big", big[:1000])
    s.c("GETRANGE", "big", "524288", "524400")
    s.c("GETRANGE", "big", "-100", "-1")
    s.c("SETRANGE", "big", "1048570", b"\r\n\x00" * 10)
    s.c("GET", "big")
    s.c("OBJECT", "ENCODING", "big")
    s.c("SET", "k", "v")
    s.c("LCS", "k", "k")


@case
def case_del_exists_type_touch(s):
    s.c("MSET", "a", "1", "b", "2", "c", "3")
    s.c("EXISTS", "a")
    s.c("EXISTS", "a", "b", "x")
    s.c("EXISTS", "a", "a", "a")
    s.c("TYPE", "a")
    s.c("TYPE", "x")
    s.c("TOUCH", "a", "b", "x", "a")
    s.c("DEL", "a", "x")
    s.c("DEL", "a")
    s.c("UNLINK", "b", "b", "c")
    s.c("UNLINK", "b")
    s.c("EXISTS", "a", "b", "c")
    s.c("DBSIZE")
    s.c("MSET", "a", "1", "b", "2")
    s.c("DEL", "a", "b", "a")
    s.c("TOUCH", "nothing")
    s.c("RANDOMKEY")
    s.c("SET", "only", "1")
    s.c("RANDOMKEY", mode="exact")


@case
def case_expire_family(s):
    now = _now()
    s.c("SET", "k", "v")
    s.c("TTL", "k")
    s.c("PTTL", "k")
    s.c("EXPIRETIME", "k")
    s.c("PEXPIRETIME", "k")
    s.c("TTL", "missing")
    s.c("PTTL", "missing")
    s.c("EXPIRETIME", "missing")
    s.c("PEXPIRETIME", "missing")
    s.c("EXPIRE", "missing", "100")
    s.c("EXPIRE", "k", "100")
    s.c("TTL", "k")
    s.c("EXPIRE", "k", "200", "NX")
    s.c("EXPIRE", "k", "200", "XX")
    s.c("TTL", "k")
    s.c("EXPIRE", "k", "100", "GT")
    s.c("EXPIRE", "k", "300", "GT")
    s.c("TTL", "k")
    s.c("EXPIRE", "k", "400", "LT")
    s.c("EXPIRE", "k", "150", "LT")
    s.c("TTL", "k")
    s.c("PERSIST", "k")
    s.c("PERSIST", "k")
    s.c("PERSIST", "missing")
    s.c("TTL", "k")
    s.c("EXPIRE", "k", "100", "XX")
    s.c("EXPIRE", "k", "100", "GT")
    s.c("EXPIRE", "k", "100", "LT")
    s.c("TTL", "k")
    s.c("EXPIRE", "k", "100", "NX")
    s.c("EXPIRE", "k", "50", "xx", "gt")
    s.c("EXPIRE", "k", "50", "LT", "XX")
    s.c("TTL", "k")
    # every expiry below is >= 1000 s away from any other one, so GT/LT outcomes never
    # depend on the microseconds between the ref and the cand execution
    for i, opts in enumerate((["NX", "XX"], ["GT", "LT"], ["NX", "GT"], ["NX", "LT"], ["FOO"],
                              ["NX", "NX"], ["GT", "GT"], ["LT", "LT"], ["XX", "XX"], ["XX", "FOO"],
                              ["1"], ["gt"], ["lt"])):
        t = 10000 * (i + 1)
        s.c("EXPIRE", "k", str(t + 1000), *opts)
        s.c("PEXPIRE", "k", str((t + 3000) * 1000), *opts)
        s.c("EXPIREAT", "k", str(now + t + 5000), *opts)
        s.c("PEXPIREAT", "k", str((now + t + 7000) * 1000), *opts)
        s.c("EXPIRE", "k", str(t + 2000), *opts)
        s.c("TTL", "k")
    for bad in ("abc", "1.5", "", " 1", "1e3", "99999999999999999999", I64MAX, I64MIN,
                "9223372036854775", "-9223372036854775"):
        s.c("EXPIRE", "k", bad)
        s.c("PEXPIRE", "k", bad)
        s.c("EXPIREAT", "k", bad)
        s.c("PEXPIREAT", "k", bad)
    s.c("TTL", "k")
    s.c("SET", "k", "v")
    s.c("PEXPIRE", "k", "500000")
    s.c("PTTL", "k")
    s.c("EXPIREAT", "k", str(now + 1000))
    s.c("EXPIRETIME", "k")
    s.c("PEXPIREAT", "k", str((now + 2000) * 1000 + 456))
    s.c("PEXPIRETIME", "k")
    s.c("EXPIRETIME", "k")
    s.c("EXPIREAT", "k", str(now + 3000), "GT")
    s.c("EXPIREAT", "k", str(now + 100), "GT")
    s.c("PEXPIREAT", "k", str((now + 100) * 1000), "LT")
    s.c("EXPIRETIME", "k")
    # deleting via expire in the past / zero / negative
    for cmd, val in (("EXPIRE", "0"), ("EXPIRE", "-1"), ("PEXPIRE", "0"), ("PEXPIRE", "-100"),
                     ("EXPIREAT", "1"), ("EXPIREAT", str(now - 10)), ("PEXPIREAT", "0"),
                     ("PEXPIREAT", str((now - 10) * 1000))):
        s.c("SET", "d", "v")
        s.c(cmd, "d", val)
        s.c("EXISTS", "d")
    s.c("SET", "d", "v")
    s.c("EXPIRE", "d", "0", "NX")
    s.c("EXISTS", "d")
    s.c("SET", "d", "v", "EX", "100")
    s.c("EXPIRE", "d", "-1", "NX")
    s.c("EXISTS", "d")
    s.c("EXPIRE", "d", "-1", "GT")
    s.c("EXISTS", "d")
    s.c("EXPIRE", "d", "-1", "LT")
    s.c("EXISTS", "d")
    s.c("DBSIZE")
    s.c("SET", "h", "v")
    s.c("EXPIRE", "h", "9223372036854")
    s.c("TTL", "h")
    s.c("PEXPIRE", "h", "9223372036854775")
    s.c("PEXPIREAT", "h", I64MAX)
    s.c("EXPIREAT", "h", "9223372036854775")
    s.c("PEXPIRETIME", "h")


@case
def case_expire_real(s):
    s.c("SET", "a", "1", "PX", "100")
    s.c("SET", "b", "1")
    s.c("PEXPIRE", "b", "150")
    s.c("SET", "c", "1")
    s.c("PSETEX", "d", "120", "v")
    s.c("SET", "e", "v", "EX", "100")
    s.c("GETEX", "c", "PX", "100")
    s.sleep(0.4)
    s.c("GET", "a")
    s.c("EXISTS", "b")
    s.c("TTL", "c")
    s.c("GET", "d")
    s.c("MGET", "a", "b", "c", "d", "e")
    s.c("KEYS", "*")
    s.c("DBSIZE")
    s.c("SET", "f", "v", "PX", "100")
    s.c("SET", "g", "v", "PX", "100")
    s.sleep(0.4)
    s.c("KEYS", "*")
    s.scan()
    s.c("GET", "f")
    s.c("GET", "g")
    s.c("DBSIZE")


@case
def case_keys_scan(s):
    names = ["k1", "k2", "k10", "key", "kx", "a", "b", "hello", "hallo", "hxllo", "heeeello",
             "e*x", "e?x", "[a]", "\\", "", "bin\x00\r\n", "Kk", "x:1", "x:2"]
    for i, n in enumerate(names):
        s.c("SET", n, str(i))
    s.c("SET", "ttl1", "v", "EX", "100")
    for pat in ("*", "k*", "k?", "k??", "*1*", "h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo",
                "e\\*x", "e\\?x", "\\[a\\]", "[[]a]", "*\\\\*", "K*", "k[0-9]", "k[0-9]*", "",
                "nomatch*", "*\x00*", "bin*", "x:*", "[", "k1\\", "*[", "h[]llo", "h[a-]llo",
                "[z-a]*", "?", "??", "**", "t*"):
        s.c("KEYS", pat)
    s.scan()
    s.scan("MATCH", "k*")
    s.scan("MATCH", "h[ae]llo", "COUNT", "1")
    s.scan("COUNT", "2")
    s.scan("COUNT", "1000")
    s.scan("TYPE", "string")
    s.scan("TYPE", "list")
    s.scan("type", "STRING", "match", "x*", "count", "3")
    s.scan("MATCH", "*", "MATCH", "k*")
    s.c("SCAN", "0", "COUNT", "0")
    s.c("SCAN", "0", "COUNT", "-1")
    s.c("SCAN", "0", "COUNT", "abc")
    s.c("SCAN", "0", "COUNT")
    s.c("SCAN", "0", "MATCH")
    s.c("SCAN", "0", "TYPE")
    s.c("SCAN", "0", "FOO", "bar")
    s.c("SCAN", "abc")
    s.c("SCAN", "1.5")
    s.c("SCAN", "99999999999999999999999")
    s.c("SCAN", "-")
    s.scan("COUNT", I64MAX)
    s.c("SELECT", "2")
    s.c("KEYS", "*")
    s.scan()
    s.c("SCAN", "0")


@case
def case_rename(s):
    s.c("SET", "a", "1")
    s.c("RENAME", "a", "b")
    s.c("GET", "a")
    s.c("GET", "b")
    s.c("RENAME", "a", "c")
    s.c("RENAME", "b", "b")
    s.c("RENAMENX", "b", "b")
    s.c("RENAME", "missing", "missing")
    s.c("RENAMENX", "missing", "x")
    s.c("SET", "c", "3")
    s.c("RENAMENX", "b", "c")
    s.c("RENAMENX", "b", "d")
    s.c("MGET", "b", "c", "d")
    s.c("SET", "t", "v", "EX", "100")
    s.c("RENAME", "t", "u")
    s.c("TTL", "u")
    s.c("SET", "w", "v")
    s.c("RENAME", "w", "u")
    s.c("TTL", "u")
    s.c("SET", "x", "1", "EX", "500")
    s.c("RENAME", "u", "x")
    s.c("TTL", "x")
    s.c("RENAMENX", "x", "y")
    s.c("TTL", "y")
    s.c("RENAME", "y", b"\x00\r\n")
    s.c("GET", b"\x00\r\n")
    s.c("DBSIZE")


@case
def case_dbsize_flushdb(s):
    s.c("DBSIZE")
    s.c("MSET", "a", "1", "b", "2")
    s.c("DBSIZE")
    s.c("SELECT", "1")
    s.c("DBSIZE")
    s.c("SET", "c", "3")
    s.c("FLUSHDB")
    s.c("DBSIZE")
    s.c("SELECT", "0")
    s.c("DBSIZE")
    s.c("FLUSHDB", "ASYNC")
    s.c("DBSIZE")
    s.c("SET", "a", "1")
    s.c("FLUSHDB", "SYNC")
    s.c("DBSIZE")
    s.c("FLUSHDB", "FOO")
    s.c("FLUSHDB", "sync")
    s.c("FLUSHDB", "ASYNC", "SYNC")


@case
def case_move_copy_swapdb(s):
    s.c("SET", "a", "1")
    s.c("MOVE", "a", "1")
    s.c("EXISTS", "a")
    s.c("SELECT", "1")
    s.c("GET", "a")
    s.c("MOVE", "a", "1")
    s.c("SET", "b", "1")
    s.c("SELECT", "0")
    s.c("SET", "b", "0")
    s.c("MOVE", "b", "1")
    s.c("MOVE", "missing", "1")
    for db in ("16", "-1", "abc", "1.5", "", I64MAX):
        s.c("MOVE", "b", db)
    s.c("SET", "t", "v", "EX", "100")
    s.c("MOVE", "t", "2")
    s.c("SELECT", "2")
    s.c("TTL", "t")
    s.c("SELECT", "0")
    # COPY
    s.c("SET", "src", "hello")
    s.c("COPY", "src", "dst")
    s.c("GET", "dst")
    s.c("COPY", "src", "dst")
    s.c("COPY", "src", "dst", "REPLACE")
    s.c("COPY", "src", "src")
    s.c("COPY", "src", "src", "DB", "0")
    s.c("COPY", "src", "src", "DB", "1")
    s.c("COPY", "missing", "x")
    s.c("COPY", "src", "x", "DB", "3")
    s.c("SELECT", "3")
    s.c("GET", "x")
    s.c("SELECT", "0")
    for opts in (["DB"], ["DB", "16"], ["DB", "-1"], ["DB", "abc"], ["FOO"], ["REPLACE", "REPLACE"],
                 ["DB", "1", "DB", "2"], ["replace", "db", "2"]):
        s.c("COPY", "src", "y", *opts)
    s.c("SET", "ts", "v", "PX", "600000")
    s.c("COPY", "ts", "td")
    s.c("PTTL", "td")
    s.c("SET", "n", "42")
    s.c("COPY", "n", "m")
    s.c("OBJECT", "ENCODING", "m")
    s.c("INCR", "m")
    s.c("GET", "n")
    # SWAPDB
    s.c("FLUSHALL")
    s.c("SET", "k", "db0")
    s.c("SELECT", "1")
    s.c("SET", "k", "db1")
    s.c("SET", "only1", "x", "EX", "100")
    s.c("SWAPDB", "0", "1")
    s.c("GET", "k")
    s.c("TTL", "only1")
    s.c("SELECT", "0")
    s.c("GET", "k")
    s.c("TTL", "only1")
    s.c("SWAPDB", "0", "0")
    s.c("SWAPDB", "0", "5")
    s.c("DBSIZE")
    s.c("SELECT", "5")
    s.c("DBSIZE")
    for a, b in (("0", "16"), ("-1", "0"), ("abc", "0"), ("0", "1.5"), ("", "0")):
        s.c("SWAPDB", a, b)
    s.c("SWAPDB", "0", "1", "2")


@case
def case_object(s):
    cases = [("int", "12345"), ("neg", "-42"), ("zero", "0"), ("big", "12345678901234567890"),
             ("i64", I64MAX), ("lead0", "0123"), ("plus", "+1"), ("space", " 1"), ("short", "hello"),
             ("e44", "x" * 44), ("r45", "x" * 45), ("empty", ""), ("float", "1.5"), ("shared", "9999"),
             ("notshared", "10000"), ("min", I64MIN), ("twenty", "12345678901234567890"[:19])]
    for k, v in cases:
        s.c("SET", k, v)
        s.c("OBJECT", "ENCODING", k)
    s.c("OBJECT", "ENCODING", "missing")
    s.c("OBJECT", "encoding", "int")
    s.c("APPEND", "int", "6")
    s.c("OBJECT", "ENCODING", "int")
    s.c("INCR", "short2")
    s.c("OBJECT", "ENCODING", "short2")
    s.c("SETRANGE", "short", "0", "J")
    s.c("OBJECT", "ENCODING", "short")
    s.c("INCRBYFLOAT", "fl", "1.5")
    s.c("OBJECT", "ENCODING", "fl")
    s.c("GETSET", "gs", "77")
    s.c("OBJECT", "ENCODING", "gs")
    s.c("SET", "ex", "100", "EX", "100")
    s.c("OBJECT", "ENCODING", "ex")
    s.c("MSET", "m1", "5", "m2", "abc")
    s.c("OBJECT", "ENCODING", "m1")
    s.c("OBJECT", "ENCODING", "m2")
    s.c("OBJECT", "IDLETIME", "int")
    s.c("OBJECT", "IDLETIME", "missing")
    s.c("OBJECT", "FREQ", "int")
    s.c("OBJECT", "FREQ", "missing")
    s.c("OBJECT", "ENCODING", "int", "extra")
    s.c("OBJECT", "FOO", "int")


STRING_KEY_COMMANDS = [
    "get", "set", "setnx", "setex", "psetex", "getex", "getdel", "getset", "mget", "mset", "msetnx",
    "incr", "decr", "incrby", "decrby", "incrbyfloat", "append", "strlen", "getrange", "setrange",
    "substr", "lcs", "del", "unlink", "exists", "type", "expire", "pexpire", "expireat", "pexpireat",
    "expiretime", "pexpiretime", "ttl", "pttl", "persist", "keys", "scan", "rename", "renamenx",
    "dbsize", "flushdb", "move", "copy", "swapdb", "touch", "object|encoding", "object|idletime",
    "object|freq",
]


@case
def case_command_info(s):
    s.c("COMMAND", "COUNT")           # type-only (Ember may implement fewer commands)
    for name in STRING_KEY_COMMANDS:
        s.c("COMMAND", "INFO", name)
    s.c("COMMAND", "INFO", "GET", "Set", "nosuchcommand")
    s.c("COMMAND", "INFO", "nosuchcommand")
    s.c("COMMAND", "INFO", "get|foo")
    getkeys = [
        ["SET", "a", "b"], ["SET", "a", "b", "EX", "10"], ["GET", "a"], ["MSET", "a", "1", "b", "2"],
        ["MGET", "a", "b", "c"], ["MSETNX", "x", "1"], ["DEL", "a", "b", "c"], ["EXISTS", "a", "a"],
        ["RENAME", "a", "b"], ["COPY", "a", "b", "DB", "1"], ["LCS", "a", "b", "LEN"],
        ["EXPIRE", "k", "10"], ["OBJECT", "ENCODING", "k"], ["TOUCH", "a", "b"], ["MOVE", "k", "1"],
        ["GETEX", "k", "PERSIST"], ["SETRANGE", "k", "0", "v"], ["GETDEL", "k"], ["incr", "k"],
        ["PING"], ["DBSIZE"], ["KEYS", "*"], ["SCAN", "0"], ["SWAPDB", "0", "1"],
        ["GET"], ["SET", "a"], ["MSET", "a", "1", "b"], ["NOSUCHCOMMAND", "a"], ["OBJECT", "FOO", "k"],
        ["", "a"],
    ]
    for argv in getkeys:
        s.c("COMMAND", "GETKEYS", *argv)


@case
def case_hello(s):
    s.c("HELLO")
    s.c("HELLO", "2")
    s.c("GET", "missing")
    for bad in (["4"], ["0"], ["1"], ["-1"], ["abc"], ["3", "FOO"], ["3", "SETNAME"],
                ["3", "AUTH"], ["3", "AUTH", "default"], ["2", "SETNAME", "bad name"],
                ["2", "SETNAME", "bad\nname"]):
        s.c("HELLO", *bad)
    s.c("HELLO", "3")
    s.c("GET", "missing")
    s.c("MGET", "a", "missing")
    s.c("SET", "a", "1")
    s.c("SET", "a", "2", "GET")
    s.c("TTL", "a")
    s.c("OBJECT", "ENCODING", "missing")
    s.c("HELLO", "3", "SETNAME", "difftest")
    s.c("HELLO", "2", "setname", "difftest2")
    s.c("GET", "missing")
    s.c("MGET", "a", "missing")
    s.c("HELLO")


@case
def case_hash(s):
    s.opt("HSET", "h", "f1", "v1")  # skip the whole case if the candidate lacks hashes
    for argv in (
        ["HSET", "h", "f2", "v2", "f3", "3"], ["HSET", "h", "f1", "new"], ["HSET", "h", "f1"],
        ["HSET", "h"], ["HMSET", "h", "a", "1", "b"], ["HMSET", "h", "a", "1"], ["HGET", "h", "f1"],
        ["HGET", "h", "nope"], ["HGET", "nokey", "f"], ["HMGET", "h", "f1", "nope", "f3"],
        ["HMGET", "nokey", "a", "b"], ["HLEN", "h"], ["HLEN", "nokey"], ["HSTRLEN", "h", "f1"],
        ["HSTRLEN", "h", "nope"], ["HEXISTS", "h", "f2"], ["HEXISTS", "h", "nope"],
        ["HSETNX", "h", "f1", "x"], ["HSETNX", "h", "fresh", "x"], ["HSETNX", "nokey2", "f", "v"],
        ["HINCRBY", "h", "f3", "10"], ["HINCRBY", "h", "f3", "-20"], ["HINCRBY", "h", "f1", "1"],
        ["HINCRBY", "h", "n", "x"], ["HINCRBY", "h", "big", "9223372036854775807"],
        ["HINCRBY", "h", "big", "1"], ["HINCRBY", "newh", "n", "5"], ["HINCRBYFLOAT", "h", "fl", "1.5"],
        ["HINCRBYFLOAT", "h", "fl", "0.1"], ["HINCRBYFLOAT", "h", "fl", "abc"],
        ["HINCRBYFLOAT", "h", "f1", "1"], ["HINCRBYFLOAT", "h", "fl", "inf"],
        ["HINCRBYFLOAT", "h", "fl", "1e4000"], ["HINCRBYFLOAT", "h", "f3", "-1.25e2"],
        ["HDEL", "h", "nope"], ["HDEL", "h", "a", "b", "a"], ["HDEL", "nokey", "x"],
        ["HLEN", "h"], ["OBJECT", "ENCODING", "h"], ["TYPE", "h"],
        ["HRANDFIELD", "nokey"], ["HRANDFIELD", "nokey", "3"], ["HRANDFIELD", "h", "0"],
        ["HRANDFIELD", "h", "x"], ["HRANDFIELD", "h", "1", "foo"], ["HRANDFIELD", "h", "1", "withvalues", "x"],
        ["HRANDFIELD", "h", "-9223372036854775808"], ["HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"],
        ["HSCAN", "h", "x"], ["HSCAN", "h", "0", "TYPE", "string"], ["HSCAN", "h", "0", "COUNT", "0"],
        ["HSCAN", "nokey", "0"], ["HSCAN", "nokey", "x"],
    ):
        s.c(*argv)
    s.c("HSCAN", "h", "0", "MATCH", "f*", mode="scanpairs")
    s.c("HGETALL", "h", mode="sorted")
    s.c("HKEYS", "h", mode="sorted")
    s.c("HVALS", "h", mode="sorted")
    s.c("HRANDFIELD", "h", "100", mode="sorted")
    s.c("HRANDFIELD", "h", "100", "WITHVALUES", mode="type")
    s.c("HRANDFIELD", "h", "-5", mode="type")
    s.c("HRANDFIELD", "h", "2", mode="type")
    # Past the listpack thresholds the encoding changes, as Redis's does.
    s.c("HSET", "long", "f", "x" * 65)
    s.c("OBJECT", "ENCODING", "long")
    for i in range(600):
        s.c("HSET", "many", f"field:{i}", str(i))
    s.c("OBJECT", "ENCODING", "many")
    s.c("HLEN", "many")
    s.c("HGET", "many", "field:599")
    s.c("HSCAN", "many", "0", "COUNT", "1000", "MATCH", "field:59?", mode="scanpairs")
    # Emptying a hash removes its key; wrong types are refused both ways.
    s.c("HDEL", "newh", "n")
    s.c("EXISTS", "newh")
    s.c("SET", "str", "v")
    for argv in (["HGET", "str", "f"], ["HSET", "str", "f", "v"], ["HGETALL", "str"], ["HINCRBY", "str", "f", "1"],
                 ["HSCAN", "str", "0"], ["HRANDFIELD", "str"], ["GET", "h"], ["INCR", "h"], ["APPEND", "h", "x"]):
        s.c(*argv)
    s.c("COPY", "h", "hcopy")
    s.c("HSET", "hcopy", "f1", "changed")
    s.c("HGET", "h", "f1")
    s.c("DEL", "h", "hcopy", "long", "many", "str", "nokey2")


@case
def case_set(s):
    s.opt("SADD", "s", "1")  # skip the whole case if the candidate lacks sets
    for argv in (
        ["SADD", "s", "3", "2", "2", "10", "-5"], ["SMEMBERS", "s"], ["OBJECT", "ENCODING", "s"],
        ["SADD", "s", "01"], ["OBJECT", "ENCODING", "s"], ["SCARD", "s"], ["SCARD", "nokey"],
        ["SISMEMBER", "s", "2"], ["SISMEMBER", "s", "02"], ["SISMEMBER", "nokey", "x"],
        ["SMISMEMBER", "s", "1", "x", "01"], ["SMISMEMBER", "nokey", "a", "b"], ["SREM", "s", "x", "3", "3"],
        ["SREM", "nokey", "a"], ["SADD", "i", "5", "1", "3"], ["SMEMBERS", "i"], ["OBJECT", "ENCODING", "i"],
        ["SMEMBERS", "nokey"], ["SPOP", "nokey"], ["SPOP", "nokey", "3"], ["SPOP", "i", "0"],
        ["SPOP", "i", "-1"], ["SPOP", "i", "x"], ["SPOP", "i", "1", "2"], ["SRANDMEMBER", "nokey"],
        ["SRANDMEMBER", "nokey", "5"], ["SRANDMEMBER", "i", "0"], ["SRANDMEMBER", "i", "x"],
        ["SRANDMEMBER", "i", "1", "2"], ["SRANDMEMBER", "i", "-9223372036854775808"], ["SRANDMEMBER", "i", "100"],
        ["SINTERCARD", "0", "i"], ["SINTERCARD", "x", "i"], ["SINTERCARD", "3", "i"],
        ["SINTERCARD", "1", "i", "LIMIT", "-1"], ["SINTERCARD", "1", "i", "LIMIT", "x"],
        ["SINTERCARD", "1", "i", "LIMIT", "2"], ["SINTERCARD", "1", "i", "FOO", "2"], ["SINTERCARD", "2", "i", "s"],
        ["SINTERCARD", "2", "i", "nokey"], ["SMOVE", "nokey", "i", "1"], ["SMOVE", "i", "i", "1"],
        ["SMOVE", "i", "s", "1"], ["SMOVE", "i", "s", "404"], ["SMOVE", "i", "new", "5"], ["SMEMBERS", "new"],
        ["SSCAN", "nokey", "x"], ["SSCAN", "i", "x"], ["SSCAN", "i", "0", "TYPE", "set"], ["SSCAN", "i", "0"],
        ["SSCAN", "i", "0", "MATCH", "3*"],
    ):
        s.c(*argv)
    s.c("SADD", "a", "x", "y", "z", "1", "2")
    s.c("SADD", "b", "y", "z", "w", "2")
    for name in ("SINTER", "SUNION", "SDIFF"):
        s.c(name, "a", "b", mode="sorted")
        s.c(name, "a", "nokey", mode="sorted")
        s.c(name, "nokey", "a", mode="sorted")
        s.c(name + "STORE", "dst", "a", "b")
        s.c("SMEMBERS", "dst", mode="sorted")
        s.c("OBJECT", "ENCODING", "dst")
        s.c(name + "STORE", "dst", "nokey", "nokey2")
        s.c("EXISTS", "dst")
    s.c("SADD", "nums", "1", "2", "3")
    s.c("SADD", "nums2", "2", "3", "4")
    s.c("SINTERSTORE", "dst", "nums", "nums2")
    s.c("OBJECT", "ENCODING", "dst")
    s.c("SMEMBERS", "dst")
    s.c("SET", "str", "v")
    s.c("SUNIONSTORE", "str", "nums", "nums2")
    s.c("TYPE", "str")
    s.c("SADD", "str", "x")
    s.c("SUNION", "str", mode="sorted")
    for argv in (["SINTER", "nums", "str"], ["SMOVE", "nums", "str", "1"],
                 ["SMOVE", "str", "nums", "1"], ["SET", "x", "v"], ["SINTERCARD", "1", "x"], ["SSCAN", "x", "0"]):
        s.c(*argv)
    for i in range(600):
        s.c("SADD", "big", str(i))
    s.c("OBJECT", "ENCODING", "big")
    s.c("SCARD", "big")
    s.c("SSCAN", "big", "0", "COUNT", "1000", "MATCH", "59?", mode="sorted_scan")
    s.c("SPOP", "i", "100", mode="sorted")
    s.c("EXISTS", "i")
    s.c("DEL", "s", "a", "b", "dst", "nums", "nums2", "str", "x", "big", "new")


@case
def case_wrongtype(s):
    s.opt("RPUSH", "list", "a", "b", "c")  # skip the whole case if the candidate lacks RPUSH
    s.c("SET", "str", "v")
    cmds = [
        ["GET", "list"], ["SET", "list", "x", "GET"], ["GETEX", "list"], ["GETDEL", "list"],
        ["GETSET", "list", "x"], ["MGET", "list", "str"], ["INCR", "list"], ["DECR", "list"],
        ["INCRBY", "list", "5"], ["DECRBY", "list", "5"], ["INCRBYFLOAT", "list", "1.5"],
        ["APPEND", "list", "x"], ["STRLEN", "list"], ["GETRANGE", "list", "0", "1"],
        ["SUBSTR", "list", "0", "1"], ["SETRANGE", "list", "0", "x"], ["SETRANGE", "list", "0", ""],
        ["LCS", "list", "str"], ["LCS", "str", "list"], ["SETNX", "list", "x"], ["MSETNX", "list", "x"],
        ["TYPE", "list"], ["EXISTS", "list"], ["OBJECT", "ENCODING", "list"], ["TTL", "list"],
        ["EXPIRE", "list", "100"], ["TTL", "list"], ["PERSIST", "list"], ["TOUCH", "list"],
        ["KEYS", "*"], ["COPY", "list", "list2"], ["TYPE", "list2"], ["RENAME", "list2", "list3"],
        ["TYPE", "list3"], ["RENAMENX", "str", "list3"],
    ]
    for argv in cmds:
        s.c(*argv)
    s.scan("TYPE", "list")
    s.scan("TYPE", "string")
    s.c("SET", "list", "now-a-string")
    s.c("TYPE", "list")
    s.c("GET", "list")
    s.c("RPUSH", "str", "x")
    s.c("MSET", "list3", "1")
    s.c("TYPE", "list3")
    s.c("DEL", "list", "list2", "list3")


@case
def case_pipeline(s):
    cmds = [["SET", "p", "1"], ["INCR", "p"], ["GET", "p"], ["NOSUCH"], ["GET"], ["MGET", "p", "q"],
            ["APPEND", "p", b"\r\n"], ["GET", "p"], ["PING"], ["ECHO", b"\x00"]]
    data = b"".join(encode_command([to_bytes(a) for a in c]) for c in cmds)
    s.raw(data, len(cmds), label="<pipeline of 10>")
    # byte-by-byte is covered by TCP segmentation of a large pipeline
    data = b"".join(encode_command([b"INCR", b"cnt"]) for _ in range(2000))
    s.raw(data, 2000, label="<pipeline 2000 x INCR>")
    s.c("GET", "cnt")


@case
def case_inline(s):
    s.raw(b"PING\r\n", 1, label="<inline PING>")
    s.raw(b"SET inl value\r\n", 1, label="<inline SET>")
    s.raw(b"GET inl\r\n", 1, label="<inline GET>")
    s.raw(b"  ECHO   spaced  \r\n", 1, label="<inline ECHO spaces>")
    s.raw(b"SET q \"a b\\r\\n\"\r\nGET q\r\n", 2, label="<inline quoted>")
    s.raw(b"PING\n", 1, label="<inline LF only>")
    s.raw(b"\r\nPING\r\n", 1, label="<inline empty line>")
    s.raw(b"NOSUCH a b\r\n", 1, label="<inline unknown>")


@case
def case_protocol_errors(s):
    s.raw(b"*1\r\n$abc\r\n", 1, expect_close=True, label="<bad bulk length>")


@case
def case_protocol_errors2(s):
    s.raw(b"*abc\r\n", 1, expect_close=True, label="<bad multibulk length>")


@case
def case_protocol_errors3(s):
    s.raw(b"SET a \"unbalanced\r\n", 1, expect_close=True, label="<unbalanced quotes>")


@case
def case_debug_protocol(s):
    # RESP3 type coverage through DEBUG PROTOCOL (skipped if the candidate lacks it)
    s.opt("DEBUG", "PROTOCOL", "string")
    for t in ("integer", "double", "bignum", "null", "array", "set", "map", "attrib", "verbatim",
              "true", "false", "push", "nosuchtype"):
        s.c("DEBUG", "PROTOCOL", t)


# ---------------------------------------------------------------------------
# random generator
# ---------------------------------------------------------------------------

INTS = ["0", "1", "-1", "2", "3", "10", "42", "-42", "100", "9999", "10000", "65536", "123456789",
        "2147483647", "2147483648", "-2147483649", "4294967296", I64MAX, "9223372036854775806",
        I64MIN, "-9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "18446744073709551615", "99999999999999999999", "007", "-0", "+1", "00", "1.0", "abc", ""]
FLOATS = ["1.5", "-0.5", "0.1", "0.2", "1e5", "3.0e3", "5.0e-3", "inf", "-inf", "+inf", "nan", "-nan",
          " 1", "1 ", "0x10", "1e400", "-1e400", "1.7976931348623157e308", ".5", "5.", "1,5", "1E2",
          "-1.25", "100.75"]
STRS = [b"hello", b"world", b"a", b"b", b"", b"foo bar", b"abc\r\ndef", b"\x00", b"a\x00b", b"\r\n",
        b"\xff\xfe", b"x" * 44, b"y" * 45, b"z" * 120, b"*1\r\n$3\r\nfoo\r\n", b"-ERR not an error",
        b"+OK", b":1", b"ohmytext", b"mynewtext", b"ABCBDAB", b"BDCABA"]
PATTERNS = [b"*", b"k*", b"k1*", b"*1", b"k?", b"e*", b"[ke]1", b"[^k]*", b"[a-f]*", b"k[0-9]",
            b"*\\**", b"\\k1", b"", b"nomatch*", b"*\x00*", b"k1[", b"k1\\", b"?", b"l*", b"*[", b"b*"]
BAD_EXP = ["0", "-1", "-100", "abc", "1.5", "1e5", " 1", "1 ", "", I64MAX, I64MIN, "9223372036854775",
           "18446744073709551616", "+5", "99999999999999999999"]
OFFSETS = ["-1", "-2", "-5", "-100", "0", "1", "2", "3", "5", "10", "50", "100", I64MIN, I64MAX,
           "4294967296", "abc", "1.0", "", "-0"]
SETRANGE_OFF = ["0", "1", "2", "3", "5", "10", "50", "100", "-1", "536870912", I64MAX, "abc", "", "1.5"]
DBS = ["0", "1", "2", "3"]
BAD_DBS = ["16", "-1", "abc", "99999999999999999999", "", "1.5"]
OPTWORDS = ["NX", "XX", "GT", "LT", "GET", "KEEPTTL", "EX", "PX", "EXAT", "PXAT", "PERSIST", "REPLACE",
            "DB", "LEN", "IDX", "MINMATCHLEN", "WITHMATCHLEN", "MATCH", "COUNT", "TYPE", "ASYNC", "FOO"]


class Gen:
    """Seeded command generator; output depends only on the seed (never on replies)."""

    def __init__(self, rng, lists, base_time, hashes=False, sets=False):
        self.r = rng
        self.lists = lists
        self.base = base_time
        self.keys = ([f"k{i}".encode() for i in range(15)] + [f"e{i}".encode() for i in range(5)]
                     + [b"", b"bin\x00\r\n"])
        self.used_rel = set()
        table = [
            (8, self.g_get), (10, self.g_set), (2, self.g_setnx), (2, self.g_setex), (2, self.g_psetex),
            (3, self.g_getex), (2, self.g_getdel), (2, self.g_getset), (3, self.g_mget), (3, self.g_mset),
            (2, self.g_msetnx), (3, self.g_incr), (2, self.g_decr), (3, self.g_incrby),
            (2, self.g_decrby), (3, self.g_incrbyfloat), (3, self.g_append), (2, self.g_strlen),
            (3, self.g_getrange), (1, self.g_substr), (3, self.g_setrange), (2, self.g_lcs),
            (3, self.g_del), (1, self.g_unlink), (3, self.g_exists), (2, self.g_type),
            (3, self.g_expire), (2, self.g_pexpire), (2, self.g_expireat), (2, self.g_pexpireat),
            (2, self.g_expiretime), (1, self.g_pexpiretime), (3, self.g_ttl), (2, self.g_pttl),
            (2, self.g_persist), (1, self.g_keys), (1, self.g_scan), (2, self.g_rename),
            (2, self.g_renamenx), (1, self.g_dbsize), (0.05, self.g_flushdb), (1, self.g_move),
            (2, self.g_copy), (0.3, self.g_swapdb), (1, self.g_touch), (2, self.g_object),
            (1, self.g_ping), (1, self.g_echo), (3, self.g_select), (1, self.g_unknown),
            (1, self.g_getkeys), (0.5, self.g_randomkey),
        ]
        if lists:
            table.append((1, self.g_rpush))
        if hashes:
            table += [
                (4, self.g_hset), (1, self.g_hsetnx), (3, self.g_hget), (1, self.g_hmget), (2, self.g_hdel),
                (1, self.g_hlen), (1, self.g_hstrlen), (1, self.g_hexists), (2, self.g_hincrby),
                (1, self.g_hincrbyfloat), (1, self.g_hgetall), (1, self.g_hkeys), (1, self.g_hvals),
                (1, self.g_hrandfield), (1, self.g_hscan),
            ]
        if sets:
            table += [
                (4, self.g_sadd), (2, self.g_srem), (1, self.g_smembers), (2, self.g_sismember),
                (1, self.g_smismember), (1, self.g_scard), (1, self.g_spop), (1, self.g_srandmember),
                (1, self.g_smove), (1, self.g_salgebra), (1, self.g_salgebrastore), (1, self.g_sintercard),
                (1, self.g_sscan),
            ]
        self.funcs = [f for _, f in table]
        self.cum = []
        acc = 0.0
        for w, _ in table:
            acc += w
            self.cum.append(acc)

    # -- value choosers ------------------------------------------------------
    def key(self):
        x = self.r.random()
        if x < 0.05 and self.lists:
            return b"l%d" % self.r.randrange(2)
        if x < 0.07:
            return b"nokey"
        return self.r.choice(self.keys)

    def keys_n(self, lo, hi):
        return [self.key() for _ in range(self.r.randint(lo, hi))]

    def val(self):
        x = self.r.random()
        if x < 0.35:
            return to_bytes(self.r.choice(INTS))
        if x < 0.5:
            return to_bytes(self.r.choice(FLOATS))
        if x < 0.85:
            return self.r.choice(STRS)
        return bytes(self.r.choice(b"ab\r\n\x00\xff xyz019") for _ in range(self.r.randint(0, 12)))

    def num(self):
        return to_bytes(self.r.choice(INTS) if self.r.random() < 0.85 else self.r.choice(FLOATS))

    def flt(self):
        return to_bytes(self.r.choice(FLOATS) if self.r.random() < 0.7 else self.r.choice(INTS))

    def rel(self):
        # unique, widely spaced relative TTLs (seconds) so GT/LT/NX decisions never
        # depend on the few microseconds between the ref and cand executions
        while True:
            k = self.r.randint(1, 900000)
            if k not in self.used_rel:
                self.used_rel.add(k)
                return k * 10000

    def exp_s(self, bad=0.2):
        if self.r.random() < bad:
            return to_bytes(self.r.choice(BAD_EXP))
        return to_bytes(self.rel())

    def exp_ms(self, bad=0.2):
        if self.r.random() < bad:
            return to_bytes(self.r.choice(BAD_EXP))
        return to_bytes(self.rel() * 1000 + self.r.randrange(1000))

    def abs_s(self, past_ok, bad=0.15):
        x = self.r.random()
        if x < bad:
            return to_bytes(self.r.choice(BAD_EXP if past_ok else
                                          ["0", "-1", "abc", "1.5", "", I64MAX, "1e5", " 1"]))
        j = self.r.randint(1, 900000)
        if past_ok and x < bad + 0.2:
            return to_bytes(max(1, self.base - j * 100))
        return to_bytes(self.base + j * 10000 + 5000)

    def abs_ms(self, past_ok, bad=0.15):
        v = self.abs_s(past_ok, bad)
        if _INT_RE.match(v) and int(v) > 0:
            return to_bytes(int(v) * 1000 + self.r.randrange(1000))
        return v

    def c(self, word):
        """Randomize the case of a keyword sometimes."""
        x = self.r.random()
        if x < 0.1:
            return word.lower()
        if x < 0.15:
            return "".join(ch.lower() if self.r.random() < 0.5 else ch for ch in word)
        return word

    # -- generators ------------------------------------------------------------
    def g_get(self):
        return ["GET", self.key()]

    def g_set(self):
        r = self.r
        groups = []
        x = r.random()
        if x < 0.15:
            groups.append([self.c("EX"), self.exp_s()])
        elif x < 0.25:
            groups.append([self.c("PX"), self.exp_ms()])
        elif x < 0.32:
            groups.append([self.c("EXAT"), self.abs_s(False)])
        elif x < 0.38:
            groups.append([self.c("PXAT"), self.abs_ms(False)])
        elif x < 0.45:
            groups.append([self.c("KEEPTTL")])
        x = r.random()
        if x < 0.15:
            groups.append([self.c("NX")])
        elif x < 0.3:
            groups.append([self.c("XX")])
        if r.random() < 0.2:
            groups.append([self.c("GET")])
        if r.random() < 0.04:
            w = r.choice(["EX", "PX", "NX", "XX", "KEEPTTL", "EXAT", "PXAT", "FOO", "GET"])
            groups.append([w] + ([self.exp_s()] if w in ("EX", "PX") else []))
        r.shuffle(groups)
        return ["SET", self.key(), self.val()] + [a for g in groups for a in g]

    def g_setnx(self):
        return ["SETNX", self.key(), self.val()]

    def g_setex(self):
        return ["SETEX", self.key(), self.exp_s(), self.val()]

    def g_psetex(self):
        return ["PSETEX", self.key(), self.exp_ms(), self.val()]

    def g_getex(self):
        r = self.r
        x = r.random()
        opts = []
        if x < 0.2:
            opts = [self.c("EX"), self.exp_s()]
        elif x < 0.35:
            opts = [self.c("PX"), self.exp_ms()]
        elif x < 0.45:
            opts = [self.c("EXAT"), self.abs_s(True)]
        elif x < 0.55:
            opts = [self.c("PXAT"), self.abs_ms(True)]
        elif x < 0.7:
            opts = [self.c("PERSIST")]
        elif x < 0.75:
            opts = [r.choice(["PERSIST", "EX", "KEEPTTL", "FOO", "NX"]), r.choice(["PERSIST", "PX", "1"])]
        return ["GETEX", self.key()] + opts

    def g_getdel(self):
        return ["GETDEL", self.key()]

    def g_getset(self):
        return ["GETSET", self.key(), self.val()]

    def g_mget(self):
        return ["MGET"] + self.keys_n(1, 6)

    def g_mset(self):
        out = ["MSET"]
        for _ in range(self.r.randint(1, 4)):
            out += [self.key(), self.val()]
        return out

    def g_msetnx(self):
        out = ["MSETNX"]
        for _ in range(self.r.randint(1, 3)):
            out += [self.key(), self.val()]
        return out

    def g_incr(self):
        return ["INCR", self.key()]

    def g_decr(self):
        return ["DECR", self.key()]

    def g_incrby(self):
        return ["INCRBY", self.key(), self.num()]

    def g_decrby(self):
        return ["DECRBY", self.key(), self.num()]

    def g_incrbyfloat(self):
        return ["INCRBYFLOAT", self.key(), self.flt()]

    def g_append(self):
        v = self.val()
        return ["APPEND", self.key(), v[:20]]

    def g_strlen(self):
        return ["STRLEN", self.key()]

    def g_getrange(self):
        return ["GETRANGE", self.key(), self.r.choice(OFFSETS), self.r.choice(OFFSETS)]

    def g_substr(self):
        return ["SUBSTR", self.key(), self.r.choice(OFFSETS), self.r.choice(OFFSETS)]

    def g_setrange(self):
        v = self.val()[:20] if self.r.random() < 0.85 else b""
        return ["SETRANGE", self.key(), self.r.choice(SETRANGE_OFF), v]

    def g_lcs(self):
        r = self.r
        opts = []
        x = r.random()
        if x < 0.3:
            opts.append(self.c("LEN"))
        elif x < 0.7:
            opts.append(self.c("IDX"))
            if r.random() < 0.4:
                opts += [self.c("MINMATCHLEN"), r.choice(["0", "1", "2", "3", "-1", "abc", I64MAX])]
            if r.random() < 0.4:
                opts.append(self.c("WITHMATCHLEN"))
        if r.random() < 0.05:
            opts.append(r.choice(["LEN", "IDX", "FOO", "MINMATCHLEN"]))
        return ["LCS", self.key(), self.key()] + opts

    def g_del(self):
        return ["DEL"] + self.keys_n(1, 4)

    def g_unlink(self):
        return ["UNLINK"] + self.keys_n(1, 3)

    def g_exists(self):
        return ["EXISTS"] + self.keys_n(1, 4)

    def g_type(self):
        return ["TYPE", self.key()]

    def _exp_opts(self):
        r = self.r
        x = r.random()
        if x < 0.5:
            return []
        if x < 0.9:
            return [self.c(r.choice(["NX", "XX", "GT", "LT"]))]
        return [r.choice(["NX", "XX", "GT", "LT", "FOO"]), r.choice(["NX", "XX", "GT", "LT"])]

    def g_expire(self):
        return ["EXPIRE", self.key(), self.exp_s(0.25)] + self._exp_opts()

    def g_pexpire(self):
        return ["PEXPIRE", self.key(), self.exp_ms(0.25)] + self._exp_opts()

    def g_expireat(self):
        return ["EXPIREAT", self.key(), self.abs_s(True)] + self._exp_opts()

    def g_pexpireat(self):
        return ["PEXPIREAT", self.key(), self.abs_ms(True)] + self._exp_opts()

    def g_expiretime(self):
        return ["EXPIRETIME", self.key()]

    def g_pexpiretime(self):
        return ["PEXPIRETIME", self.key()]

    def g_ttl(self):
        return ["TTL", self.key()]

    def g_pttl(self):
        return ["PTTL", self.key()]

    def g_persist(self):
        return ["PERSIST", self.key()]

    def g_keys(self):
        return ["KEYS", self.r.choice(PATTERNS)]

    def g_scan(self):
        r = self.r
        if r.random() < 0.08:
            return ["SCAN", r.choice(["abc", "-", "1.5", " 1", "99999999999999999999999"])]
        tail = []
        if r.random() < 0.4:
            tail += [self.c("MATCH"), r.choice(PATTERNS)]
        if r.random() < 0.4:
            tail += [self.c("COUNT"), r.choice(["1", "2", "5", "10", "100", "0", "-1", "abc"])]
        if r.random() < 0.2:
            tail += [self.c("TYPE"), r.choice(["string", "list", "none", "STRING"])]
        return ["__SCAN__"] + tail

    def g_rename(self):
        return ["RENAME", self.key(), self.key()]

    def g_renamenx(self):
        return ["RENAMENX", self.key(), self.key()]

    def g_dbsize(self):
        return ["DBSIZE"]

    def g_flushdb(self):
        return ["FLUSHDB"] + ([self.r.choice(["ASYNC", "SYNC", "FOO"])] if self.r.random() < 0.5 else [])

    def _db(self):
        return self.r.choice(DBS) if self.r.random() < 0.9 else self.r.choice(BAD_DBS)

    def g_move(self):
        return ["MOVE", self.key(), self._db()]

    def g_copy(self):
        r = self.r
        opts = []
        if r.random() < 0.4:
            opts += [self.c("DB"), self._db()]
        if r.random() < 0.4:
            opts.append(self.c("REPLACE"))
        if r.random() < 0.05:
            opts.append(r.choice(["DB", "FOO", "REPLACE"]))
        r.shuffle(opts) if r.random() < 0.1 else None
        return ["COPY", self.key(), self.key()] + opts

    def g_swapdb(self):
        return ["SWAPDB", self._db(), self._db()]

    def g_touch(self):
        return ["TOUCH"] + self.keys_n(1, 3)

    def g_object(self):
        sub = self.r.choice(["ENCODING", "ENCODING", "ENCODING", "IDLETIME", "FREQ", "NOPE"])
        return ["OBJECT", self.c(sub), self.key()]

    def g_ping(self):
        return ["PING"] + ([self.val()] if self.r.random() < 0.5 else [])

    def g_echo(self):
        return ["ECHO", self.val()]

    def g_select(self):
        return ["SELECT", self._db()]

    def g_unknown(self):
        # Not "GET\x00": Redis finds its command table entry only when, by its random hash
        # seed, that name lands in GET's bucket (the compare stops at the NUL). "GE\x00T" never does.
        name = self.r.choice(["FOO", "GETT", "SETX", "EXPIREX", "XYZZY", "", "GE\x00T", "get set"])
        return [name] + [self.val() for _ in range(self.r.randint(0, 3))]

    def g_getkeys(self):
        inner = self._pick()()
        if inner[0] == "__SCAN__":
            inner = ["SCAN", "0"] + inner[1:]
        return ["COMMAND", "GETKEYS"] + inner

    def g_randomkey(self):
        return ["RANDOMKEY"]

    def g_rpush(self):
        return ["RPUSH", self.key()] + [self.val() for _ in range(self.r.randint(1, 3))]

    # -- hashes (small field pool, so hashes stay listpack-encoded and ordered alike) ----------
    def field(self):
        x = self.r.random()
        if x < 0.9:
            return b"f%d" % self.r.randrange(6)
        return self.r.choice([b"", b"F0", b"f\x00\r\n", b"field-with-a-long-name"])

    def g_hset(self):
        return ["HSET", self.key()] + [a for _ in range(self.r.randint(1, 3)) for a in (self.field(), self.val())]

    def g_hsetnx(self):
        return ["HSETNX", self.key(), self.field(), self.val()]

    def g_hget(self):
        return ["HGET", self.key(), self.field()]

    def g_hmget(self):
        return ["HMGET", self.key()] + [self.field() for _ in range(self.r.randint(1, 4))]

    def g_hdel(self):
        return ["HDEL", self.key()] + [self.field() for _ in range(self.r.randint(1, 3))]

    def g_hlen(self):
        return ["HLEN", self.key()]

    def g_hstrlen(self):
        return ["HSTRLEN", self.key(), self.field()]

    def g_hexists(self):
        return ["HEXISTS", self.key(), self.field()]

    def g_hincrby(self):
        return ["HINCRBY", self.key(), self.field(), self.num()]

    def g_hincrbyfloat(self):
        return ["HINCRBYFLOAT", self.key(), self.field(), self.flt()]

    def g_hgetall(self):
        return ["HGETALL", self.key()]

    def g_hkeys(self):
        return ["HKEYS", self.key()]

    def g_hvals(self):
        return ["HVALS", self.key()]

    def g_hrandfield(self):
        # Only the deterministic forms: no key, a count covering the whole hash, or errors.
        return ["HRANDFIELD", self.key()] + self.r.choice(
            [["100"], ["100", "WITHVALUES"], ["0"], ["x"], ["5", "foo"]])

    # -- sets (integers and short words, so both encodings appear) -------------------------
    def member(self):
        x = self.r.random()
        if x < 0.5:
            return b"%d" % self.r.randrange(-3, 12)
        if x < 0.9:
            return b"m%d" % self.r.randrange(6)
        return self.r.choice([b"", b"01", b"-0", b"9223372036854775808", b"a\x00b"])

    def g_sadd(self):
        return ["SADD", self.key()] + [self.member() for _ in range(self.r.randint(1, 4))]

    def g_srem(self):
        return ["SREM", self.key()] + [self.member() for _ in range(self.r.randint(1, 3))]

    def g_smembers(self):
        return ["SMEMBERS", self.key()]

    def g_sismember(self):
        return ["SISMEMBER", self.key(), self.member()]

    def g_smismember(self):
        return ["SMISMEMBER", self.key()] + [self.member() for _ in range(self.r.randint(1, 3))]

    def g_scard(self):
        return ["SCARD", self.key()]

    def g_spop(self):
        # Deterministic forms only: the whole set, nothing, or errors.
        return ["SPOP", self.key()] + self.r.choice([["100"], ["0"], ["-1"], ["x"]])

    def g_srandmember(self):
        return ["SRANDMEMBER", self.key()] + self.r.choice([["100"], ["0"], ["x"], ["1", "2"]])

    def g_smove(self):
        return ["SMOVE", self.key(), self.key(), self.member()]

    def g_salgebra(self):
        return [self.r.choice(["SINTER", "SUNION", "SDIFF"])] + self.keys_n(1, 3)

    def g_salgebrastore(self):
        return [self.r.choice(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), self.key()] + self.keys_n(1, 3)

    def g_sintercard(self):
        keys = self.keys_n(1, 3)
        return ["SINTERCARD", str(len(keys))] + keys + self.r.choice([[], ["LIMIT", "1"], ["LIMIT", "-1"]])

    def g_sscan(self):
        # Always a complete scan: a partial one depends on the table's layout.
        return ["SSCAN", self.key(), "0"] + self.r.choice([[], ["MATCH", "m*"], ["COUNT", "1000"]])

    def g_hscan(self):
        return ["HSCAN", self.key(), "0"] + self.r.choice([[], ["MATCH", "f*"], ["COUNT", "1000"], ["TYPE", "hash"]])

    # -- driver -----------------------------------------------------------------
    def _pick(self):
        x = self.r.random() * self.cum[-1]
        lo, hi = 0, len(self.cum) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.cum[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return self.funcs[lo]

    def next(self):
        argv = self._pick()()
        r = self.r
        if argv[0] != "__SCAN__":
            x = r.random()
            if x < 0.03 and len(argv) > 1:
                argv = argv[:-1]                              # arity / syntax errors
            elif x < 0.06:
                argv = argv + [r.choice(OPTWORDS) if r.random() < 0.5 else self.val()]
            if r.random() < 0.12 and isinstance(argv[0], str):
                argv[0] = self.c(argv[0]) if r.random() < 0.5 else argv[0].lower()
        return [to_bytes(a) for a in argv]


def check_keyspace(s, restore_db, dbs=range(16)):
    """Compare the whole keyspace of every DB: KEYS, DBSIZE, SCAN, TYPE/value/TTL."""
    s.phase = f" (keyspace check after op {s.index})"
    for db in dbs:
        s.c("SELECT", str(db))
        r_ref, r_cand = s.c("KEYS", "*")
        s.c("DBSIZE")
        keys = set()
        for r in (r_ref, r_cand):
            if r.kind in ("array", "set"):
                keys.update(e.val for e in r.val if e.kind == "bulk")
        if len(keys) < 200:
            s.scan()
        for k in sorted(keys):
            tr, _ = s.c("TYPE", k)
            if tr.kind == "simple" and tr.val == b"string":
                s.c("GET", k)
            elif tr.kind == "simple" and tr.val == b"hash":
                s.c("HGETALL", k)
            elif tr.kind == "simple" and tr.val == b"set":
                s.c("SMEMBERS", k)
            s.c("TTL", k)
    s.c("SELECT", str(restore_db))
    s.phase = ""


def run_random(h, resp, nops):
    seed = h.args.seed
    repro = (f"difftest.py ... --seed {seed} --resp {resp} --no-cases --random-ops {{ops}}  "
             f"(the op sequence depends only on seed and RESP version)")
    s = h.session("random", resp, repro)
    try:
        s.open()
        lists = True
        r_ref = s.ref.call(["RPUSH", "__probe__", "x"])
        r_cand = s.cand.call(["RPUSH", "__probe__", "x"])
        if r_cand.kind == "error" and not r_ref.is_error and _UNSUPPORTED_RE.search(r_cand.val):
            lists = False
            h.skipped.append(f"random [RESP{resp}]: RPUSH unsupported by candidate "
                             f"({fmt_reply(r_cand, 100)}); wrong-type ops disabled")
        s.ref.call(["DEL", "__probe__"])
        s.cand.call(["DEL", "__probe__"])
        r_cand = s.cand.call(["HSET", "__probe__", "f", "v"])
        hashes = not (r_cand.kind == "error" and _UNSUPPORTED_RE.search(r_cand.val))
        if not hashes:
            h.skipped.append(f"random [RESP{resp}]: HSET unsupported by candidate; hash ops disabled")
        s.ref.call(["DEL", "__probe__"])
        s.cand.call(["DEL", "__probe__"])
        r_cand = s.cand.call(["SADD", "__probe__", "m"])
        sets = not (r_cand.kind == "error" and _UNSUPPORTED_RE.search(r_cand.val))
        if not sets:
            h.skipped.append(f"random [RESP{resp}]: SADD unsupported by candidate; set ops disabled")
        s.ref.call(["DEL", "__probe__"])
        s.cand.call(["DEL", "__probe__"])
        rng = random.Random(f"{seed}:{resp}")
        gen = Gen(rng, lists, _now(), hashes, sets)
        db = 0
        every = h.args.check_every
        for i in range(nops):
            argv = gen.next()
            s.index = s.op = i
            if argv[0] == b"__SCAN__":
                s.scan(*argv[1:])
                continue
            r_ref, _ = s.c(*argv)
            if argv[0].upper() == b"SELECT" and r_ref.kind == "simple":
                db = int(argv[1])
            if every and (i + 1) % every == 0 and i + 1 < nops:
                check_keyspace(s, db)
        check_keyspace(s, db)
    finally:
        s.close()


# ---------------------------------------------------------------------------
# spawning servers
# ---------------------------------------------------------------------------


class Spawned:
    def __init__(self):
        self.procs = []
        self.locks = []
        self.tmp = tempfile.mkdtemp(prefix="difftest-")

    def free_ports(self, n):
        """Pick n free ports in 17100-17199.

        Concurrent difftest runs coordinate through flock()ed lock files (held
        until stop()), so two runs never pick the same port; other processes
        are detected by a bind test and a connect test.
        """
        lockdir = os.path.join(tempfile.gettempdir(), "difftest-ports")
        os.makedirs(lockdir, exist_ok=True)
        ports = []
        cands = list(range(17100, 17200))
        random.Random(os.getpid() ^ time.time_ns()).shuffle(cands)
        for p in cands:
            fd = os.open(os.path.join(lockdir, f"{p}.lock"), os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            if not self._port_free(p):
                os.close(fd)
                continue
            self.locks.append(fd)
            ports.append(p)
            if len(ports) == n:
                return ports
        raise InfraError("no free ports in 17100-17199")

    @staticmethod
    def _port_free(p):
        sock = socket.socket()
        try:
            sock.bind(("127.0.0.1", p))
        except OSError:
            return False
        finally:
            sock.close()
        try:
            socket.create_connection(("127.0.0.1", p), timeout=0.2).close()
            return False          # something is listening (e.g. on a wildcard address)
        except OSError:
            return True

    def start(self, name, argv, port, timeout=20.0):
        wd = os.path.join(self.tmp, name)
        os.makedirs(wd, exist_ok=True)
        log = open(os.path.join(wd, "server.log"), "wb")
        try:
            p = subprocess.Popen(argv, cwd=wd, stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
        except OSError as e:
            raise InfraError(f"cannot start {name} ({argv[0]}): {e}")
        self.procs.append((name, p, log))
        deadline = time.time() + timeout
        while time.time() < deadline:
            if p.poll() is not None:
                raise InfraError(f"{name} exited with {p.returncode} during startup:\n"
                                 + self.log_tail(name))
            try:
                c = Conn("127.0.0.1", port, 2.0)
                r = c.call(["PING"])
                c.close()
                if r.kind in ("simple", "bulk"):
                    # make sure it is *our* process answering (not one that grabbed the
                    # port first while ours failed to bind)
                    time.sleep(0.2)
                    if p.poll() is not None:
                        raise InfraError(f"{name} exited with {p.returncode} right after startup "
                                         f"(port {port} taken?):\n" + self.log_tail(name))
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise InfraError(f"{name} did not answer PING on port {port} within {timeout}s:\n"
                         + self.log_tail(name))

    def log_tail(self, name, n=30):
        try:
            with open(os.path.join(self.tmp, name, "server.log"), "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join("    " + ln for ln in lines[-n:])
        except OSError:
            return "    (no log)"

    @staticmethod
    def _signal(p, sig):
        # each server was started in its own session: signal that process group
        # (covers wrapper scripts), falling back to the process itself
        try:
            os.killpg(p.pid, sig)
        except OSError:
            try:
                p.send_signal(sig)
            except OSError:
                pass

    def stop(self):
        for name, p, log in self.procs:
            self._signal(p, signal.SIGTERM)
        for name, p, log in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._signal(p, signal.SIGKILL)
                p.wait()
            log.close()
        self.procs = []
        for fd in self.locks:
            os.close(fd)
        self.locks = []
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------------------
# parser self test (offline)
# ---------------------------------------------------------------------------


def parser_selftest():
    def parse_all(data, chunk=1):
        pos = [0]

        def recv(n):
            out = data[pos[0]:pos[0] + min(n, chunk)]
            pos[0] += len(out)
            return out

        rd = Reader(recv)
        out = []
        while pos[0] < len(data) or rd.pending():
            out.append(read_reply(rd))
        return out

    tests = [
        (b"+OK\r\n", "+\"OK\""),
        (b"-ERR x y\r\n", '(error) "ERR x y"'),
        (b":-42\r\n", "(integer) -42"),
        (b"$5\r\na\r\n\x00b\r\n", '"a\\r\\n\\x00b"'),
        (b"$0\r\n\r\n", '""'),
        (b"$-1\r\n", "(nil bulk $-1)"),
        (b"*-1\r\n", "(nil array *-1)"),
        (b"*0\r\n", "(array 0) []"),
        (b"*2\r\n:1\r\n*1\r\n$1\r\nx\r\n", '(array 2) [(integer) 1, (array 1) ["x"]]'),
        (b"_\r\n", "(null _)"),
        (b",1.5\r\n", "(double) 1.5"),
        (b",-inf\r\n", "(double) -inf"),
        (b",nan\r\n", "(double) nan"),
        (b"#t\r\n", "(true)"),
        (b"#f\r\n", "(false)"),
        (b"%1\r\n+a\r\n:1\r\n", '(map 1) {+"a": (integer) 1}'),
        (b"~2\r\n:1\r\n:2\r\n", "(set 2) [(integer) 1, (integer) 2]"),
        (b">2\r\n+message\r\n$1\r\nx\r\n", '(push 2) [+"message", "x"]'),
        (b"=7\r\ntxt:a\r\n\r\n", '(verbatim txt) "a\\r\\n"'),
        (b"(12345678901234567890123\r\n", "(bignum) 12345678901234567890123"),
        (b"!5\r\nERR x\r\n", '(blob error) "ERR x"'),
        (b"|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n", '|attrs {+"ttl": (integer) 3}| "v"'),
        (b"$?\r\n;2\r\nab\r\n;1\r\nc\r\n;0\r\n", '"abc"'),
        (b"*?\r\n:1\r\n+x\r\n.\r\n", '(array 2) [(integer) 1, +"x"]'),
        (b"%?\r\n+a\r\n:1\r\n.\r\n", '(map 1) {+"a": (integer) 1}'),
        (b"~?\r\n.\r\n", "(set 0) []"),
    ]
    bad = [b":abc\r\n", b"$3\r\nabcd\r\n", b"#x\r\n", b",1.2.3\r\n", b"@1\r\n", b"=3\r\nabc\r\n",
           b"_x\r\n", b"$-2\r\n", b"\r\n"]
    fails = 0
    for data, want in tests:
        for chunk in (1, 3, 1 << 16):
            got = parse_all(data, chunk)
            if len(got) != 1 or fmt_reply(got[0]) != want:
                print(f"parser selftest FAIL: {data!r} chunk={chunk}: {got!r} != {want}")
                fails += 1
    for data in bad:
        try:
            parse_all(data)
            print(f"parser selftest FAIL: {data!r} should raise ProtocolError")
            fails += 1
        except ProtocolError:
            pass
    multi = parse_all(b"".join(t for t, _ in tests), 7)
    if [fmt_reply(r) for r in multi] != [w for _, w in tests]:
        print("parser selftest FAIL: concatenated stream")
        fails += 1
    # comparison semantics
    A = lambda *v: Reply("array", list(v))
    B = lambda x: Reply("bulk", x)
    chk = [
        (compare(Reply("int", 100), Reply("int", 101), ("tol", 2)), True),
        (compare(Reply("int", 100), Reply("int", 103), ("tol", 2)), False),
        (compare(Reply("int", -1), Reply("int", 0), ("tol", 2)), False),
        (compare(A(B(b"a"), B(b"b")), A(B(b"b"), B(b"a")), "sorted"), True),
        (compare(A(B(b"a"), B(b"b")), A(B(b"b"), B(b"a")), "exact"), False),
        (compare(Reply("set", [B(b"a"), B(b"b")]), Reply("set", [B(b"b"), B(b"a")]), "exact"), True),
        (compare(Reply("nullbulk"), Reply("null"), "exact"), False),
        (compare(Reply("nullbulk"), Reply("nullarray"), "exact"), False),
        (compare(Reply("simple", b"OK"), Reply("bulk", b"OK"), "exact"), False),
        (compare(Reply("double", b"1.50"), Reply("double", b"1.5"), "exact"), True),
        (compare(Reply("bulk", b"x"), Reply("bulk", b"y"), "type"), True),
        (compare(Reply("error", b"ERR a"), Reply("error", b"ERR b"), "exact"), False),
        (compare(Reply("error", b"ERR a"), Reply("error", b"ERR b"), "exact", True), True),
        (compare(Reply("error", b"ERR a"), Reply("bulk", b"x"), "type"), False),
    ]
    for i, (got, want) in enumerate(chk):
        if got != want:
            print(f"compare selftest FAIL #{i}: got {got}, want {want}")
            fails += 1
    print(f"parser/compare selftest: {'OK' if not fails else f'{fails} FAILED'}")
    return 0 if not fails else 1


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------


def main(argv=None):
    ap = argparse.ArgumentParser(description="Differential test: redis-server (ref) vs ember-server (cand)")
    ap.add_argument("--ref-host", default="127.0.0.1")
    ap.add_argument("--ref-port", type=int)
    ap.add_argument("--cand-host", default="127.0.0.1")
    ap.add_argument("--cand-port", type=int)
    ap.add_argument("--spawn", action="store_true", help="start both servers on free ports 17100-17199")
    ap.add_argument("--cand-bin", help="candidate binary for --spawn (e.g. .build/debug/ember-server)")
    ap.add_argument("--ref-bin", default="redis-server", help="reference binary for --spawn")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: time based, printed)")
    ap.add_argument("--random-ops", type=int, default=20000, help="random ops per RESP version")
    ap.add_argument("--resp", choices=["2", "3", "both"], default="both")
    ap.add_argument("--keep-going", action="store_true", help="do not stop at the first difference")
    ap.add_argument("--cases", default="", help="comma-separated case names to run (default: all)")
    ap.add_argument("--skip-cases", default="", help="comma-separated case names to leave out (reported as skipped)")
    ap.add_argument("--no-cases", action="store_true", help="skip the hand-written cases")
    ap.add_argument("--no-random", action="store_true", help="skip the random generator")
    ap.add_argument("--list-cases", action="store_true")
    ap.add_argument("--check-every", type=int, default=5000,
                    help="compare the whole keyspace every N random ops (0: only at the end)")
    ap.add_argument("--loose-errors", action="store_true",
                    help="compare error replies by their first word (ERR/WRONGTYPE/...) only")
    ap.add_argument("--timeout", type=float, default=10.0, help="socket timeout per reply (s)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every command")
    ap.add_argument("--selftest-inject", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--selftest-parser", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.selftest_parser:
        return parser_selftest()
    if args.list_cases:
        for name, _ in CASES:
            print(name)
        return 0
    if args.seed is None:
        args.seed = int.from_bytes(os.urandom(4), "big") % 1000000
    wanted = [c.strip() for c in args.cases.split(",") if c.strip()]
    known = {n for n, _ in CASES}
    skipped_cases = [c.strip() for c in args.skip_cases.split(",") if c.strip()]
    for w in wanted + skipped_cases:
        if w not in known:
            ap.error(f"unknown case {w!r} (see --list-cases)")
    if skipped_cases:
        print(f"difftest: skipped cases (--skip-cases): {', '.join(skipped_cases)}")

    spawned = None
    if args.spawn:
        if not args.cand_bin:
            ap.error("--spawn requires --cand-bin")
        ref_bin = shutil.which(args.ref_bin) or args.ref_bin
        cand_bin = shutil.which(args.cand_bin) or args.cand_bin
        spawned = Spawned()
        try:
            rp, cp = spawned.free_ports(2)
        except InfraError as e:
            spawned.stop()
            print(f"difftest: ERROR: {e}")
            return 2
        args.ref_host = args.cand_host = "127.0.0.1"
        args.ref_port, args.cand_port = rp, cp
    elif args.ref_port is None or args.cand_port is None:
        ap.error("need --ref-port and --cand-port, or --spawn --cand-bin PATH")

    h = Harness(args)
    t0 = time.time()
    rc = 0
    try:
        if spawned:
            print(f"difftest: spawning ref ({ref_bin}) on :{rp} and cand ({cand_bin}) on :{cp}; "
                  f"workdir {spawned.tmp}")
            spawned.start("ref", [ref_bin, "--port", str(rp), "--save", "", "--appendonly", "no",
                                  "--enable-debug-command", "yes", "--bind", "127.0.0.1"], rp)
            spawned.start("cand", [cand_bin, "--port", str(cp), "--bind", "127.0.0.1",
                                   "--enable-debug-command", "yes"], cp)
        print(f"difftest: ref={args.ref_host}:{args.ref_port} cand={args.cand_host}:{args.cand_port} "
              f"seed={args.seed} resp={args.resp} random-ops={0 if args.no_random else args.random_ops}")
        sys.stdout.flush()
        resps = [2, 3] if args.resp == "both" else [int(args.resp)]
        for resp in resps:
            if not args.no_cases:
                for name, fn in CASES:
                    if (wanted and name not in wanted) or name in skipped_cases:
                        continue
                    if resp == 3 and h.resp3_broken:
                        h.skipped.append("remaining RESP3 cases: candidate failed HELLO 3")
                        break
                    s = h.session(name, resp, f"difftest.py ... --cases {name} --resp {resp}")
                    try:
                        s.open()
                        fn(s)
                    except SkipCase as e:
                        h.skipped.append(f"case {name} [RESP{resp}]: {e}")
                    except ConnBroken:
                        pass
                    finally:
                        s.close()
            if not args.no_random and args.random_ops > 0 and not wanted:
                if resp == 3 and h.resp3_broken:
                    h.skipped.append("random [RESP3]: candidate failed HELLO 3")
                else:
                    try:
                        run_random(h, resp, args.random_ops)
                    except SkipCase as e:
                        h.skipped.append(f"random [RESP{resp}]: {e}")
                    except ConnBroken:
                        pass
    except StopRun:
        pass
    except InfraError as e:
        print(f"difftest: ERROR: {e}")
        rc = 2
    except KeyboardInterrupt:
        print("difftest: interrupted")
        rc = 2
    finally:
        if spawned:
            for name, p, _ in spawned.procs:
                if rc != 2 and p.poll() is not None:
                    print(f"difftest: WARNING: {name} server died (exit status {p.returncode}); "
                          "log tail:\n" + spawned.log_tail(name))
            spawned.stop()
    for n in h.notes:
        print(f"difftest: note: {n}")
    for sk in h.skipped:
        print(f"difftest: skipped: {sk}")
    print(f"difftest: elapsed {time.time() - t0:.1f}s, seed={args.seed}")
    print(f"difftest: {h.passed} passed, {h.failed} failed")
    if rc:
        return rc
    return 1 if h.failed else 0


if __name__ == "__main__":
    sys.exit(main())
