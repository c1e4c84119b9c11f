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


def _shape(r):
    """The reply's structure without its values: kinds, and the lengths of aggregates, nested
    (ZRANDMEMBER with a count returns random members, but always as many and in the same form)."""
    if r.kind in ("array", "set", "push"):
        return (r.kind, tuple(_shape(x) for x in r.val))
    if r.kind == "map":
        return (r.kind, tuple((_shape(a), _shape(b)) for a, b in r.val))
    return r.kind


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
    if mode == "shape":
        return _shape(a) == _shape(b)
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
    if name in ("SPOP", "SRANDMEMBER", "HRANDFIELD", "ZRANDMEMBER") and len(argv) == 2:
        return "type"
    # Random members with a count: only the shape (how many, in which form) is deterministic.
    if name == "ZRANDMEMBER":
        return "shape"
    if name in ("KEYS", "HKEYS", "HVALS", "SMEMBERS", "SINTER", "SUNION", "SDIFF", "SPOP", "SRANDMEMBER") \
            or (name == "HRANDFIELD" and len(argv) == 3):
        return "sorted"
    if name == "HGETALL" or (name == "HRANDFIELD" and len(argv) == 4):
        return "pairs"
    if name in ("HSCAN", "ZSCAN"):
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

    def open(self, reset=True):
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
        if reset:
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
    def reset_errno(self):
        """Redis's SORT reads C's errno after strtod without clearing it first, so an earlier
        out-of-range parse (SORT of "1e400", ZADD 1e400, a ZRANGEBYSCORE bound) makes a later
        SORT of any non-integer number fail with "One or more scores can't be converted into
        double". That history-dependent quirk is not reproduced by Ember; before every SORT
        both servers get a no-op that leaves errno at 0 in Redis (getDoubleFromObject clears
        it), so SORT is compared on its own merits."""
        for conn in (self.ref, self.cand):
            conn.call([b"ZADD", b"__errno_reset__", b"XX", b"0", b"m"])

    def c(self, *argv, mode=None, optional=False):
        """Send argv to both, compare.  Returns (ref_reply, cand_reply).

        optional=True: if the candidate answers "unknown command" (or an
        unknown/disabled subcommand) while the reference succeeds, the case is
        skipped instead of failed.
        """
        argv = [to_bytes(a) for a in argv]
        if argv and argv[0].upper() in (b"SORT", b"SORT_RO"):
            self.reset_errno()
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


@case
def case_list_push_pop(s):
    s.opt("RPUSH", "l", "a")  # skip the whole case if the candidate lacks lists
    for argv in (
        ["LPUSH", "l", "b", "c"], ["RPUSH", "l", "d", "e"], ["LRANGE", "l", "0", "-1"], ["LLEN", "l"],
        ["LLEN", "nokey"], ["TYPE", "l"], ["OBJECT", "ENCODING", "l"],
        ["LPUSHX", "nokey", "x"], ["RPUSHX", "nokey", "x", "y"], ["EXISTS", "nokey"],
        ["LPUSHX", "l", "x", "y"], ["RPUSHX", "l", "z"], ["LRANGE", "l", "0", "-1"],
        ["LPUSH", "l"], ["RPUSH", "l"], ["LPUSHX", "l"], ["RPUSHX"], ["LLEN"], ["LLEN", "l", "x"],
        ["lpush", "l", "lower"], ["LRANGE", "l", "0", "0"],
        ["LPUSH", "", "empty-key"], ["LRANGE", "", "0", "-1"], ["TYPE", ""],
        ["RPUSH", "bin", b"\x00\r\n", b"", b"\xff", "x" * 100, b"*1\r\n$1\r\nx\r\n"], ["LRANGE", "bin", "0", "-1"],
        ["LPUSH", "dup", "a", "a", "a"], ["LRANGE", "dup", "0", "-1"],
        ["RPUSH", "ints", "12", "-12", I64MAX, I64MIN, "007", "+1", "-0", "9223372036854775808", "1.0", "", " 1",
         "0", "1e3", "-9223372036854775809", "4294967296"],
        ["LRANGE", "ints", "0", "-1"], ["LINDEX", "ints", "2"], ["LPOP", "ints", "4"], ["RPOP", "ints", "3"],
        ["LPOP", "nokey"], ["RPOP", "nokey"], ["LPOP", "nokey", "0"], ["LPOP", "nokey", "3"], ["RPOP", "nokey", "2"],
        ["LPOP", "nokey", "-1"], ["LPOP", "nokey", "x"], ["RPOP", "nokey", I64MAX],
        ["LPOP", "l"], ["RPOP", "l"], ["LPOP", "l", "0"], ["RPOP", "l", "0"], ["LPOP", "l", "1"], ["RPOP", "l", "2"],
        ["LPOP", "l", "-1"], ["RPOP", "l", "-5"], ["LPOP", "l", "x"], ["LPOP", "l", "1.5"], ["LPOP", "l", ""],
        ["LPOP", "l", " 1"], ["LPOP", "l", "+1"], ["LPOP", "l", "9223372036854775808"], ["LPOP", "l", I64MIN],
        ["RPOP", "l", I64MIN], ["LPOP", "l", "1", "2"], ["RPOP"], ["LPOP"],
        ["LRANGE", "l", "0", "-1"], ["LPOP", "l", I64MAX], ["EXISTS", "l"], ["LPOP", "l", I64MAX], ["LPOP", "l"],
        ["LPOP", "l", "0"],
        ["RPUSH", "r", "1", "2", "3"], ["RPOP", "r", "9223372036854775806"], ["EXISTS", "r"],
        ["RPUSH", "r", "1"], ["RPOP", "r"], ["EXISTS", "r"], ["RPOP", "r"], ["RPOP", "r", "0"],
        ["LPUSHX", "r", "x"], ["EXISTS", "r"],
    ):
        s.c(*argv)
    # A long list with big elements (several quicklist nodes).
    s.c("RPUSH", "big", *[str(i) for i in range(300)])
    s.c("RPUSH", "big", *[f"{i}-" + "v" * (i % 200) for i in range(300)])
    s.c("LPUSH", "big", *["w" * 5000 for _ in range(5)])
    s.c("LLEN", "big")
    s.c("OBJECT", "ENCODING", "big")
    s.c("LRANGE", "big", "295", "310")
    s.c("LINDEX", "big", "450")
    s.c("LINDEX", "big", "-300")
    s.c("LPOP", "big", "10")
    s.c("RPOP", "big", "250")
    s.c("LRANGE", "big", "0", "-1")
    s.c("LPOP", "big", "1000")
    s.c("EXISTS", "big")
    s.c("DEL", "dup", "bin", "ints", "", "big")


@case
def case_list_range_index(s):
    s.opt("RPUSH", "l", "a", "b", "c", "d", "e", "f")
    for a, b in (("0", "-1"), ("0", "0"), ("-1", "-1"), ("-100", "100"), ("5", "2"), ("2", "5"), ("-3", "-1"),
                 ("-1", "-3"), ("6", "10"), ("5", "5"), ("-7", "0"), ("-6", "-6"), (I64MIN, I64MAX),
                 (I64MAX, I64MIN), ("0", I64MAX), (I64MIN, "-1"), (I64MAX, I64MAX), ("a", "1"), ("1", "b"),
                 ("1.5", "2"), ("", "1"), (" 1", "2"), ("9223372036854775808", "1"), ("0", "-9223372036854775809"),
                 ("+1", "2"), ("-0", "0")):
        s.c("LRANGE", "l", a, b)
        s.c("LRANGE", "nokey", a, b)
    for argv in (["LRANGE", "l", "0"], ["LRANGE", "l"], ["LRANGE", "l", "0", "1", "2"]):
        s.c(*argv)
    for i in ("0", "1", "5", "6", "-1", "-6", "-7", "100", I64MAX, I64MIN, "x", "1.0", "", "+2", "-0"):
        s.c("LINDEX", "l", i)
        s.c("LINDEX", "nokey", i)
    for argv in (
        ["LINDEX", "l"], ["LINDEX", "l", "0", "1"],
        ["LSET", "l", "0", "A"], ["LSET", "l", "-1", "F"], ["LSET", "l", "2", ""], ["LSET", "l", "6", "x"],
        ["LSET", "l", "-7", "x"], ["LSET", "l", I64MAX, "x"], ["LSET", "l", "x", "y"], ["LSET", "l", "1.5", "y"],
        ["LSET", "nokey", "0", "v"], ["LSET", "nokey", "x", "v"], ["LSET", "l", "1", "x" * 10000],
        ["LSET", "l", "1", "short"], ["LSET", "l", "0"], ["LSET", "l", "0", "a", "b"],
        ["LRANGE", "l", "0", "-1"], ["EXISTS", "nokey"],
        # LINSERT
        ["LINSERT", "l", "BEFORE", "A", "before-first"], ["LINSERT", "l", "AFTER", "F", "after-last"],
        ["LINSERT", "l", "after", "c", "mid"], ["LINSERT", "l", "bEfOrE", "", "x"],
        ["LINSERT", "l", "BEFORE", "nope", "x"],
        ["LINSERT", "nokey", "BEFORE", "a", "x"], ["EXISTS", "nokey"], ["LINSERT", "l", "MIDDLE", "A", "x"],
        ["LINSERT", "nokey", "MIDDLE", "A", "x"], ["LINSERT", "l", "BEFORE", "A"],
        ["LINSERT", "l", "BEFORE", "A", "x", "y"],
        ["LRANGE", "l", "0", "-1"], ["LLEN", "l"],
        # LREM
        ["RPUSH", "r", "a", "b", "a", "c", "a", "b", "a"], ["LREM", "r", "2", "a"], ["LRANGE", "r", "0", "-1"],
        ["LREM", "r", "-1", "b"], ["LRANGE", "r", "0", "-1"], ["LREM", "r", "0", "a"], ["LRANGE", "r", "0", "-1"],
        ["LREM", "r", "0", "nope"], ["LREM", "r", "x", "a"], ["LREM", "r", "1.5", "a"], ["LREM", "r", I64MIN, "b"],
        ["LREM", "nokey", "0", "a"], ["LREM", "r", I64MAX, "c"], ["EXISTS", "r"], ["LREM", "r", "0"],
        ["RPUSH", "r", "x", "x", "y", "x"], ["LREM", "r", "-2", "x"], ["LRANGE", "r", "0", "-1"],
        ["LREM", "r", "0", "x"], ["LREM", "r", "0", "y"], ["EXISTS", "r"],
    ):
        s.c(*argv)
    # LTRIM
    for a, b in (("0", "-1"), ("1", "-2"), ("-100", "100"), ("0", I64MAX), (I64MIN, "-1"), ("1", "3"),
                 ("x", "1"), ("1", "1.5"), ("0", "0")):
        s.c("LTRIM", "l", a, b)
        s.c("LRANGE", "l", "0", "-1")
    for argv in (["LTRIM", "l", "5", "1"], ["EXISTS", "l"], ["LTRIM", "nokey", "0", "1"], ["EXISTS", "nokey"],
                 ["RPUSH", "t", "1", "2", "3"], ["LTRIM", "t", "3", "10"], ["EXISTS", "t"],
                 ["RPUSH", "t", "1", "2", "3"], ["LTRIM", "t", "-1", "-2"], ["EXISTS", "t"],
                 ["RPUSH", "t", "1", "2", "3"], ["LTRIM", "t", I64MAX, I64MIN], ["EXISTS", "t"], ["LTRIM", "t", "0"]):
        s.c(*argv)


@case
def case_list_lpos(s):
    s.opt("RPUSH", "lp", "a", "b", "c", "1", "2", "3", "c", "c", "a", "", "c")
    s.c("LPOS", "lp", "c")
    for opts in ([], ["RANK", "1"], ["RANK", "2"], ["RANK", "4"], ["RANK", "5"], ["RANK", "-1"], ["RANK", "-2"],
                 ["RANK", "-4"], ["RANK", "-5"], ["RANK", "0"], ["RANK", I64MIN], ["RANK", "-9223372036854775807"],
                 ["RANK", I64MAX], ["RANK", "x"], ["RANK", "1.5"], ["RANK"],
                 ["COUNT", "0"], ["COUNT", "1"], ["COUNT", "2"], ["COUNT", "100"], ["COUNT", "-1"], ["COUNT", "x"],
                 ["COUNT", I64MAX], ["COUNT"], ["MAXLEN", "0"], ["MAXLEN", "1"], ["MAXLEN", "3"], ["MAXLEN", "7"],
                 ["MAXLEN", "-1"], ["MAXLEN", "x"], ["MAXLEN", I64MAX], ["MAXLEN"],
                 ["RANK", "2", "COUNT", "2"], ["RANK", "-1", "COUNT", "0"], ["RANK", "-2", "COUNT", "2"],
                 ["COUNT", "0", "MAXLEN", "7"], ["COUNT", "0", "MAXLEN", "8"], ["RANK", "-1", "MAXLEN", "2"],
                 ["RANK", "-1", "COUNT", "0", "MAXLEN", "5"], ["COUNT", "2", "RANK", "2"], ["rank", "1", "count", "1"],
                 ["RANK", "1", "RANK", "2"], ["COUNT", "1", "COUNT", "0"], ["FOO", "1"], ["RANK", "1", "FOO"],
                 ["COUNT", "0", "RANK", "0"]):
        s.c("LPOS", "lp", "c", *opts)
        s.c("LPOS", "lp", "nope", *opts)
    for argv in (["LPOS", "lp", "a"], ["LPOS", "lp", ""], ["LPOS", "lp", "1"], ["LPOS", "lp", "3", "COUNT", "0"],
                 ["LPOS", "nokey", "a"], ["LPOS", "nokey", "a", "COUNT", "0"], ["LPOS", "nokey", "a", "COUNT", "1"],
                 ["LPOS", "nokey", "a", "RANK", "0"], ["LPOS", "nokey", "a", "COUNT", "-1"], ["LPOS", "lp"], ["LPOS"]):
        s.c(*argv)
    s.c("RPUSH", "lbig", *[str(i % 50) for i in range(1000)])
    for opts in ([], ["COUNT", "0"], ["RANK", "-3", "COUNT", "5"], ["RANK", "10", "COUNT", "0"],
                 ["RANK", "-1", "MAXLEN", "100"], ["COUNT", "0", "MAXLEN", "500"]):
        s.c("LPOS", "lbig", "7", *opts)
    s.c("DEL", "lp", "lbig")


@case
def case_list_move(s):
    s.opt("RPUSH", "src", "a", "b", "c", "d", "e")
    s.c("RPUSH", "dst", "x")
    for w1 in ("LEFT", "RIGHT"):
        for w2 in ("LEFT", "RIGHT"):
            s.c("LMOVE", "src", "dst", w1, w2)
            s.c("LRANGE", "dst", "0", "-1")
    for argv in (
        ["LRANGE", "src", "0", "-1"], ["LMOVE", "src", "src", "LEFT", "RIGHT"], ["LRANGE", "src", "0", "-1"],
        ["LMOVE", "src", "src", "RIGHT", "LEFT"], ["LMOVE", "src", "src", "LEFT", "LEFT"], ["LRANGE", "src", "0", "-1"],
        ["LMOVE", "src", "new", "left", "right"], ["LRANGE", "new", "0", "-1"],
        ["LMOVE", "nokey", "dst", "LEFT", "LEFT"],
        ["EXISTS", "nokey"], ["LMOVE", "src", "dst", "UP", "LEFT"], ["LMOVE", "src", "dst", "LEFT", "DOWN"],
        ["LMOVE", "src", "dst", "LEFT"], ["LMOVE", "src", "dst", "LEFT", "RIGHT", "x"],
        ["SET", "str", "v"], ["LMOVE", "src", "str", "LEFT", "LEFT"], ["LMOVE", "str", "dst", "LEFT", "LEFT"],
        ["LMOVE", "nokey", "str", "LEFT", "LEFT"], ["LMOVE", "str", "str", "LEFT", "LEFT"],
        ["LRANGE", "src", "0", "-1"],
        ["RPOPLPUSH", "src", "dst"], ["RPOPLPUSH", "src", "src"], ["RPOPLPUSH", "nokey", "dst"],
        ["RPOPLPUSH", "src", "str"],
        ["RPOPLPUSH", "str", "dst"], ["RPOPLPUSH", "nokey", "str"], ["RPOPLPUSH", "src"],
        ["RPOPLPUSH", "src", "dst", "x"],
        ["LRANGE", "src", "0", "-1"], ["LRANGE", "dst", "0", "-1"],
        # moving the last element deletes the source
        ["RPUSH", "one", "only"], ["LMOVE", "one", "two", "RIGHT", "LEFT"], ["EXISTS", "one"],
        ["LRANGE", "two", "0", "-1"],
        ["RPOPLPUSH", "two", "one"], ["EXISTS", "two"], ["LRANGE", "one", "0", "-1"],
        # LMPOP
        ["RPUSH", "m1", "1", "2", "3"], ["RPUSH", "m2", "a", "b", "c", "d"],
        ["LMPOP", "1", "m1", "LEFT"], ["LMPOP", "1", "m1", "RIGHT"], ["LMPOP", "2", "nokey", "m2", "LEFT"],
        ["LMPOP", "2", "nokey", "m2", "RIGHT", "COUNT", "2"], ["LMPOP", "2", "m1", "m2", "left", "count", "100"],
        ["EXISTS", "m1"], ["LMPOP", "2", "m1", "m2", "LEFT", "COUNT", I64MAX], ["EXISTS", "m2"],
        ["LMPOP", "2", "m1", "m2", "LEFT"], ["LMPOP", "1", "nokey", "LEFT", "COUNT", "3"],
        ["RPUSH", "m1", "1", "2", "3"],
        ["LMPOP", "0", "m1", "LEFT"], ["LMPOP", "-1", "m1", "LEFT"], ["LMPOP", "x", "m1", "LEFT"],
        ["LMPOP", "3", "m1", "LEFT"], ["LMPOP", "2", "m1", "LEFT"], ["LMPOP", "1", "m1"], ["LMPOP", "1", "m1", "UP"],
        ["LMPOP", "1", "m1", "LEFT", "COUNT", "0"], ["LMPOP", "1", "m1", "LEFT", "COUNT", "-1"],
        ["LMPOP", "1", "m1", "LEFT", "COUNT", "x"], ["LMPOP", "1", "m1", "LEFT", "COUNT"],
        ["LMPOP", "1", "m1", "LEFT", "COUNT", "1", "COUNT", "2"], ["LMPOP", "1", "m1", "LEFT", "FOO"],
        ["LMPOP", "1", "m1", "LEFT", "COUNT", "1", "x"], ["LMPOP", I64MAX, "m1", "LEFT"],
        ["LMPOP", "2147483648", "m1", "LEFT"], ["LMPOP", "1"], ["LMPOP"],
        ["LMPOP", "2", "str", "m1", "LEFT"], ["LMPOP", "2", "m1", "str", "LEFT"],
        ["LMPOP", "2", "nokey", "str", "LEFT"],
        ["LRANGE", "m1", "0", "-1"],
    ):
        s.c(*argv)


@case
def case_list_blocking_nonblocking(s):
    # Blocking list commands on non-empty keys reply at once; bad arguments fail before any wait.
    # Nothing here may block: every key a command could wait on holds elements, and the few
    # calls that reach an empty key carry a 10 ms timeout as a safety net.
    s.opt("RPUSH", "b1", *[f"e{i}" for i in range(40)])
    s.c("RPUSH", "b2", *[str(i) for i in range(40)])
    s.c("SET", "str", "v")
    for argv in (
        ["BLPOP", "b1", "0"], ["BRPOP", "b1", "0"], ["BLPOP", "nokey", "b2", "0"], ["BRPOP", "nokey", "b2", "1.5"],
        ["BLPOP", "b1", "b2", "0.01"], ["blpop", "b1", "100"], ["BRPOP", "b2", "nokey", "0"],
        ["BLPOP", "b1", "-0"], ["BLPOP", "b1", "0.0"], ["BLPOP", "b1", "9223372036854775"],
        ["BLPOP", "b1", "abc"], ["BLPOP", "b1", "-1"], ["BLPOP", "b1", "-0.5"], ["BLPOP", "nokey", "nan"],
        ["BLPOP", "nokey", "inf"], ["BLPOP", "nokey", "-inf"], ["BLPOP", "nokey", "1e400"], ["BLPOP", "nokey", I64MAX],
        ["BLPOP", "nokey", ""], ["BLPOP", "nokey", " 1"], ["BLPOP", "nokey", "1x"], ["BRPOP", "nokey", "-1"],
        ["BRPOP", "nokey", "abc"], ["BLPOP", "b1"], ["BLPOP"], ["BRPOP", "b1"],
        ["BLPOP", "str", "0.01"], ["BLPOP", "nokey", "str", "0.01"], ["BLPOP", "b1", "str", "0"],
        ["BRPOP", "str", "b1", "0.01"],
        # BLMOVE / BRPOPLPUSH
        ["BLMOVE", "b1", "d1", "LEFT", "RIGHT", "0"], ["BLMOVE", "b1", "d1", "RIGHT", "LEFT", "0.5"],
        ["BLMOVE", "b1", "b1", "LEFT", "RIGHT", "0"], ["LRANGE", "d1", "0", "-1"],
        ["BLMOVE", "b1", "d1", "LEFT", "RIGHT", "abc"], ["BLMOVE", "b1", "d1", "LEFT", "RIGHT", "-1"],
        ["BLMOVE", "nokey", "d1", "LEFT", "RIGHT", "-1"], ["BLMOVE", "nokey", "d1", "LEFT", "RIGHT", "nan"],
        ["BLMOVE", "b1", "d1", "UP", "RIGHT", "0"], ["BLMOVE", "nokey", "d1", "UP", "RIGHT", "0"],
        ["BLMOVE", "b1", "d1", "LEFT", "RIGHT"], ["BLMOVE", "b1", "str", "LEFT", "RIGHT", "0"],
        ["BLMOVE", "str", "d1", "LEFT", "RIGHT", "0.01"],
        ["BRPOPLPUSH", "b1", "d1", "0"], ["BRPOPLPUSH", "b1", "b1", "0"], ["BRPOPLPUSH", "b1", "d1", "abc"],
        ["BRPOPLPUSH", "nokey", "d1", "-1"], ["BRPOPLPUSH", "b1", "str", "0"], ["BRPOPLPUSH", "str", "d1", "0.01"],
        ["BRPOPLPUSH", "b1", "d1"], ["LRANGE", "d1", "0", "-1"], ["LRANGE", "b1", "0", "-1"],
        # BLMPOP
        ["BLMPOP", "0", "1", "b2", "LEFT"], ["BLMPOP", "0", "2", "nokey", "b2", "RIGHT", "COUNT", "2"],
        ["BLMPOP", "1.5", "2", "b2", "nokey", "LEFT", "COUNT", "3"], ["RPUSH", "b3", "x", "y"],
        ["BLMPOP", "0", "2", "b3", "b2", "LEFT", "COUNT", "100"], ["EXISTS", "b3"], ["LLEN", "b2"],
        ["BLMPOP", "abc", "1", "b2", "LEFT"], ["BLMPOP", "-1", "1", "b2", "LEFT"],
        ["BLMPOP", "-1", "1", "nokey", "LEFT"],
        ["BLMPOP", "nan", "1", "nokey", "LEFT"], ["BLMPOP", "0", "0", "b2", "LEFT"],
        ["BLMPOP", "0", "-1", "b2", "LEFT"],
        ["BLMPOP", "0", "x", "b2", "LEFT"], ["BLMPOP", "0", "3", "b2", "LEFT"], ["BLMPOP", "0", "1", "b2", "UP"],
        ["BLMPOP", "0", "1", "nokey", "UP"], ["BLMPOP", "0", "1", "b2", "LEFT", "COUNT", "0"],
        ["BLMPOP", "0", "1", "nokey", "LEFT", "COUNT", "-1"], ["BLMPOP", "0", "1", "b2", "LEFT", "COUNT"],
        ["BLMPOP", "0", "1", "b2", "LEFT", "FOO"], ["BLMPOP", "0", "1", "b2"], ["BLMPOP", "0", "1"], ["BLMPOP", "0"],
        ["BLMPOP", "0.01", "1", "str", "LEFT"], ["BLMPOP", "0", "2", "b2", "str", "LEFT"],
        ["LRANGE", "b2", "0", "-1"],
    ):
        s.c(*argv)


@case
def case_list_wrongtype(s):
    s.opt("RPUSH", "list", "a", "b", "c")
    s.c("SET", "str", "v")
    s.c("HSET", "hash", "f", "v")
    s.c("SADD", "set", "m")
    for k in ("str", "hash", "set"):
        for argv in (["LPUSH", k, "x"], ["RPUSH", k, "x"], ["LPUSHX", k, "x"], ["RPUSHX", k, "x"], ["LPOP", k],
                     ["RPOP", k, "2"], ["LLEN", k], ["LRANGE", k, "0", "-1"], ["LINDEX", k, "0"], ["LSET", k, "0", "x"],
                     ["LINSERT", k, "BEFORE", "a", "x"], ["LREM", k, "0", "a"], ["LTRIM", k, "0", "1"],
                     ["LPOS", k, "a"], ["LMOVE", k, "list", "LEFT", "LEFT"], ["LMOVE", "list", k, "LEFT", "LEFT"],
                     ["RPOPLPUSH", k, "list"], ["LMPOP", "1", k, "LEFT"], ["BLPOP", k, "0.01"],
                     ["BRPOP", k, "0.01"], ["SORT", k], ["SORT_RO", k]):
            s.c(*argv)
        s.c("TYPE", k)
    for argv in (["GET", "list"], ["HGET", "list", "f"], ["SADD", "list", "x"], ["SMEMBERS", "list"],
                 ["HSET", "list", "f", "v"], ["INCR", "list"], ["LRANGE", "list", "0", "-1"], ["TYPE", "list"],
                 ["OBJECT", "ENCODING", "list"]):
        s.c(*argv)
    # Error precedence: syntax and argument errors before the type check, and the other way round.
    for argv in (["LPOS", "str", "a", "RANK", "0"], ["LPOP", "str", "-1"], ["LPOP", "str", "x"],
                 ["LRANGE", "str", "a", "b"], ["LINDEX", "str", "x"], ["LSET", "str", "x", "v"],
                 ["LINSERT", "str", "MIDDLE", "a", "x"], ["LREM", "str", "x", "a"],
                 ["LMOVE", "str", "list", "UP", "LEFT"],
                 ["LMPOP", "0", "str", "LEFT"], ["LMPOP", "1", "str", "UP"], ["BLPOP", "str", "abc"],
                 ["LSET", "list", "99", "x"], ["LTRIM", "str", "x", "1"]):
        s.c(*argv)


LIST_COMMANDS = ["lpush", "rpush", "lpushx", "rpushx", "lpop", "rpop", "llen", "lrange", "lindex", "lset",
                 "linsert", "lrem", "ltrim", "lpos", "lmove", "rpoplpush", "lmpop", "blpop", "brpop", "blmove",
                 "brpoplpush", "blmpop"]
ZSET_COMMANDS = ["zadd", "zincrby", "zrem", "zcard", "zscore", "zmscore", "zrank", "zrevrank", "zcount",
                 "zlexcount", "zrange", "zrangestore", "zrevrange", "zrangebyscore", "zrevrangebyscore",
                 "zrangebylex", "zrevrangebylex", "zremrangebyrank", "zremrangebyscore", "zremrangebylex",
                 "zpopmin", "zpopmax", "zmpop", "zrandmember", "zunion", "zinter", "zdiff", "zunionstore",
                 "zinterstore", "zdiffstore", "zintercard", "zscan", "bzpopmin", "bzpopmax", "bzmpop"]


@case
def case_list_command_info(s):
    s.opt("RPUSH", "l", "a")
    for name in LIST_COMMANDS:
        s.c("COMMAND", "INFO", name)
    for argv in (["LPUSH", "a", "1"], ["LMOVE", "a", "b", "LEFT", "RIGHT"], ["RPOPLPUSH", "a", "b"],
                 ["LMPOP", "2", "a", "b", "LEFT"], ["LMPOP", "1", "a", "RIGHT", "COUNT", "2"], ["BLPOP", "a", "b", "0"],
                 ["BRPOP", "a", "1"], ["BLMOVE", "a", "b", "LEFT", "LEFT", "0"], ["BRPOPLPUSH", "a", "b", "0"],
                 ["BLMPOP", "0", "3", "a", "b", "c", "LEFT"], ["LPOS", "a", "x", "RANK", "1"],
                 ["LRANGE", "a", "0", "1"],
                 ["LMPOP", "0", "a", "LEFT"], ["LMPOP", "5", "a", "LEFT"], ["BLMPOP", "0", "x", "a"], ["LPUSH", "a"]):
        s.c("COMMAND", "GETKEYS", *argv)


ZSCORES = ["inf", "-inf", "+inf", "nan", "-nan", "1e308", "-1e308", "1e309", "1e400", "-0", "0x10", " 1", "1 ",
            "1.5", "(1", "((1", "[1", "", "0.1", "3.0", "1e-320", "123456789012345678", "-2.5e3", "1,5", "abc",
            "Infinity", "-INF", "5.", ".5", "00", "+1.0", "1e+2"]


@case
def case_zadd(s):
    s.opt("ZADD", "z", "1", "a")  # skip the whole case if the candidate lacks sorted sets
    for argv in (
        ["ZADD", "z", "2", "b", "3", "c"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"], ["ZCARD", "z"], ["TYPE", "z"],
        ["OBJECT", "ENCODING", "z"], ["ZADD", "z", "1", "a"], ["ZADD", "z", "5", "a"], ["ZADD", "z", "CH", "5", "a"],
        ["ZADD", "z", "CH", "6", "a", "7", "new", "3", "c"], ["ZADD", "z", "NX", "10", "a", "4", "d"],
        ["ZADD", "z", "XX", "10", "a", "5", "e"], ["ZADD", "z", "XX", "CH", "11", "a", "5", "e"],
        ["ZADD", "z", "NX", "CH", "1", "a", "8", "f"], ["ZADD", "z", "GT", "1", "a"],
        ["ZADD", "z", "GT", "CH", "20", "a"],
        ["ZADD", "z", "LT", "CH", "30", "a"], ["ZADD", "z", "LT", "CH", "2", "a", "9", "g"],
        ["ZADD", "z", "GT", "CH", "100", "a", "-1", "b", "5", "h"],
        ["ZADD", "z", "XX", "GT", "CH", "200", "a", "1", "i"],
        ["ZADD", "z", "XX", "LT", "CH", "0", "a"], ["ZADD", "z", "gt", "xx", "ch", "50", "a"],
        ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        # INCR
        ["ZADD", "z", "INCR", "5", "a"], ["ZADD", "z", "INCR", "-2.5", "a"], ["ZADD", "z", "INCR", "1", "newinc"],
        ["ZADD", "z", "NX", "INCR", "1", "a"], ["ZADD", "z", "NX", "INCR", "1", "nx-new"],
        ["ZADD", "z", "XX", "INCR", "1", "nope"],
        ["ZADD", "z", "XX", "INCR", "1", "a"], ["ZADD", "z", "GT", "INCR", "-1", "a"],
        ["ZADD", "z", "GT", "INCR", "1", "a"],
        ["ZADD", "z", "LT", "INCR", "1", "a"], ["ZADD", "z", "LT", "INCR", "-1", "a"],
        ["ZADD", "z", "INCR", "CH", "1", "a"],
        ["ZADD", "z", "INCR", "0", "a"], ["ZADD", "z", "GT", "INCR", "0", "a"],
        ["ZADD", "z", "INCR", "1", "a", "2", "b"],
        ["ZADD", "z", "INCR", "x", "a"], ["ZADD", "z", "INCR"], ["ZADD", "z", "INCR", "1"],
        ["ZADD", "z", "INCR", "inf", "a"], ["ZADD", "z", "INCR", "-inf", "a"], ["ZADD", "z", "INCR", "inf", "a"],
        ["ZADD", "z", "INCR", "1", "a"], ["ZSCORE", "z", "a"], ["ZADD", "z", "10", "a"],
        # bad combinations and syntax
        ["ZADD", "z", "NX", "XX", "1", "a"], ["ZADD", "z", "GT", "LT", "1", "a"], ["ZADD", "z", "NX", "GT", "1", "a"],
        ["ZADD", "z", "NX", "LT", "1", "a"], ["ZADD", "z", "NX", "GT", "LT", "1", "a"],
        ["ZADD", "z", "XX", "NX", "GT", "1", "a"],
        ["ZADD", "z", "GT", "GT", "1", "a"], ["ZADD", "z", "NX", "NX", "1", "a"], ["ZADD", "z", "CH", "CH", "1", "a"],
        ["ZADD", "z", "1", "a", "2"], ["ZADD", "z", "1"], ["ZADD", "z"], ["ZADD"], ["ZADD", "z", "NX"],
        ["ZADD", "z", "CH"], ["ZADD", "z", "NX", "1"], ["ZADD", "z", "FOO", "1", "a"],
        ["ZADD", "z", "1", "a", "FOO", "b"],
        ["ZADD", "z", "1", "a", "NX", "b"], ["ZADD", "z", "1", "a", "x", "b"], ["ZADD", "z", "x", "a", "1", "b"],
        ["ZADD", "z", "1", "a", "2", "a", "3", "a"], ["ZSCORE", "z", "a"], ["ZADD", "z", "CH", "1", "dup", "1", "dup"],
        ["ZADD", "nokey", "XX", "1", "a"], ["EXISTS", "nokey"], ["ZADD", "nokey", "XX", "INCR", "1", "a"],
        ["EXISTS", "nokey"], ["ZADD", "nokey", "GT", "1", "a"], ["EXISTS", "nokey"], ["DEL", "nokey"],
        ["ZADD", "", "1", ""], ["ZRANGE", "", "0", "-1", "WITHSCORES"],
        ["ZADD", "bin", "1", b"\x00", "2", b"a\x00b", "3", b"\r\n", "4", b"\xff"],
        ["ZRANGE", "bin", "0", "-1", "WITHSCORES"],
        ["ZRANGE", "z", "0", "-1", "WITHSCORES"], ["ZCARD", "z"], ["ZCARD", "nokey"], ["ZCARD"], ["ZCARD", "z", "x"],
        # ZINCRBY
        ["ZINCRBY", "z", "1.5", "a"], ["ZINCRBY", "z", "-100", "a"], ["ZINCRBY", "z", "1", "brand-new"],
        ["ZINCRBY", "zi", "5", "m"], ["ZRANGE", "zi", "0", "-1", "WITHSCORES"], ["ZINCRBY", "z", "x", "a"],
        ["ZINCRBY", "z", "nan", "a"], ["ZINCRBY", "z", "", "a"], ["ZINCRBY", "z", " 1", "a"],
        ["ZINCRBY", "z", "inf", "a"],
        ["ZINCRBY", "z", "-inf", "a"], ["ZINCRBY", "z", "inf", "a"], ["ZINCRBY", "z", "1", "a"],
        ["ZINCRBY", "z", "-inf", "b"],
        ["ZINCRBY", "z", "1e308", "c"], ["ZINCRBY", "z", "1e308", "c"], ["ZINCRBY", "z", "1"],
        ["ZINCRBY", "z", "1", "a", "b"],
        ["ZINCRBY", "z", "0x10", "d"],
        # ZREM
        ["ZREM", "z", "nope"], ["ZREM", "z", "b", "c", "b", "nope"], ["ZREM", "nokey", "a"], ["ZREM", "z"],
        ["ZREM", "zi", "m"], ["EXISTS", "zi"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        # ZSCORE / ZMSCORE
        ["ZSCORE", "z", "a"], ["ZSCORE", "z", "nope"], ["ZSCORE", "nokey", "a"], ["ZSCORE", "z"],
        ["ZSCORE", "z", "a", "b"],
        ["ZMSCORE", "z", "a", "nope", "d", "a"], ["ZMSCORE", "z", "nope"], ["ZMSCORE", "nokey", "a", "b"],
        ["ZMSCORE", "z"],
        ["ZMSCORE", "nokey"],
    ):
        s.c(*argv)


@case
def case_zset_scores(s):
    s.opt("ZADD", "z", "0", "zero")
    for i, sc in enumerate(ZSCORES):
        s.c("ZADD", "z", sc, f"m{i}")
        s.c("ZSCORE", "z", f"m{i}")
        s.c("ZINCRBY", "zi", sc, f"m{i}")
        s.c("ZADD", "zx", "INCR", sc, "acc")
    s.c("ZRANGE", "z", "0", "-1", "WITHSCORES")
    s.c("ZRANGE", "zi", "0", "-1", "WITHSCORES")
    s.c("ZMSCORE", "z", *[f"m{i}" for i in range(len(ZSCORES))])
    s.c("ZSCORE", "zx", "acc")
    # Score formatting: %.17g, integers without a fraction, -0, tiny and huge values.
    vals = ["0.1", "0.2", "0.3", "1", "-1", "1.25", "100", "1e15", "1e16", "1e17", "123456789.123456789",
            "3.141592653589793", "2.5e-5", "1e-300", "-0.0", "4.9e-324", "1.7976931348623157e308", "9007199254740993",
            "-123.456", "0.30000000000000004"]
    for i, v in enumerate(vals):
        s.c("ZADD", "f", v, f"v{i}")
    s.c("ZRANGE", "f", "0", "-1", "WITHSCORES")
    s.c("ZMSCORE", "f", *[f"v{i}" for i in range(len(vals))])
    for m in ("v0", "v5", "v14", "v16"):
        s.c("ZSCORE", "f", m)
    s.c("ZINCRBY", "f", "0.1", "v0")
    s.c("ZADD", "f", "INCR", "0.2", "v1")
    s.c("ZPOPMIN", "f", "3")
    s.c("ZPOPMAX", "f")


@case
def case_zset_rank_count(s):
    s.opt("ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "-inf", "ninf", "inf", "pinf", "2.5", "e")
    for m in ("a", "b", "c", "ninf", "pinf", "e", "nope"):
        s.c("ZRANK", "z", m)
        s.c("ZREVRANK", "z", m)
    for argv in (["ZRANK", "nokey", "a"], ["ZREVRANK", "nokey", "a"], ["ZRANK", "z"], ["ZRANK", "z", "a", "WITHSCORE"],
                 ["ZREVRANK", "z", "a", "b"]):
        s.c(*argv)
    bounds = ["-inf", "+inf", "inf", "-INF", "(1", "1", "(2", "2", "2.5", "(2.5", "(inf", "(-inf", "((1", "[1", "abc",
              "", " 1", "1 ", "nan", "(nan", "0x2", "(", "3", "(3", "-1", "100", "1e400"]
    for lo in bounds:
        for hi in ("+inf", "(3", "2"):
            s.c("ZCOUNT", "z", lo, hi)
    for hi in bounds:
        s.c("ZCOUNT", "z", "-inf", hi)
    s.c("ZCOUNT", "nokey", "-inf", "+inf")
    s.c("ZCOUNT", "nokey", "x", "+inf")
    s.c("ZCOUNT", "z", "3", "1")
    s.c("ZCOUNT", "z", "-inf")
    s.c("ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "", "0", "aa", "0", b"a\x00", "0", "B")
    lexb = ["-", "+", "[a", "(a", "[b", "(b", "[e", "(e", "[", "(", "[aa", "(aa", "[z", "(z", "a", "", "[-", "[+",
            "-a", "+z", b"[a\x00", "[A", "(B"]
    for lo in lexb:
        for hi in ("+", "[c", "(e"):
            s.c("ZLEXCOUNT", "lex", lo, hi)
    for hi in lexb:
        s.c("ZLEXCOUNT", "lex", "-", hi)
    for argv in (["ZLEXCOUNT", "lex", "+", "-"], ["ZLEXCOUNT", "lex", "(c", "[b"], ["ZLEXCOUNT", "nokey", "-", "+"],
                 ["ZLEXCOUNT", "nokey", "a", "+"], ["ZLEXCOUNT", "lex", "-"], ["ZLEXCOUNT", "lex", "-", "+", "x"]):
        s.c(*argv)


@case
def case_zset_range(s):
    s.opt("ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "4", "e", "5", "f", "-inf", "ninf", "inf", "pinf")
    s.c("ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "f", "0", "g", "0", "")
    idx = [("0", "-1"), ("0", "0"), ("-1", "-1"), ("2", "4"), ("4", "2"), ("-3", "-1"), ("-100", "100"), ("7", "100"),
           ("8", "100"), (I64MIN, I64MAX), (I64MAX, I64MIN), ("x", "1"), ("1", "1.5"), ("", "1"), ("-0", "+1")]
    for a, b in idx:
        s.c("ZRANGE", "z", a, b)
        s.c("ZRANGE", "z", a, b, "WITHSCORES")
        s.c("ZRANGE", "z", a, b, "REV")
        s.c("ZREVRANGE", "z", a, b, "WITHSCORES")
        s.c("ZRANGE", "nokey", a, b)
    sc = [("-inf", "+inf"), ("(1", "3"), ("1", "(3"), ("(1", "(2"), ("2", "2"), ("(2", "(2"), ("3", "1"),
          ("-inf", "-inf"),
          ("+inf", "+inf"), ("(-inf", "(+inf"), ("(inf", "+inf"), ("2.5", "10"), ("x", "1"), ("1", "((2"), ("[1", "2"),
          ("nan", "1"), ("1e400", "+inf"), ("-1e400", "1"), ("0x1", "2")]
    for a, b in sc:
        s.c("ZRANGE", "z", a, b, "BYSCORE")
        s.c("ZRANGE", "z", b, a, "BYSCORE", "REV", "WITHSCORES")
        s.c("ZRANGEBYSCORE", "z", a, b, "WITHSCORES")
        s.c("ZREVRANGEBYSCORE", "z", b, a)
        s.c("ZRANGEBYSCORE", "nokey", a, b)
    for lim in (("0", "2"), ("1", "-1"), ("2", "0"), ("-1", "2"), ("0", "-5"), ("100", "1"), ("1", I64MAX),
                (I64MAX, "1"), ("x", "1"), ("1", "x"), ("1",), ()):
        s.c("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", *lim)
        s.c("ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", *lim, "WITHSCORES")
        s.c("ZRANGEBYSCORE", "z", "(1", "+inf", "LIMIT", *lim)
        s.c("ZREVRANGEBYSCORE", "z", "+inf", "(1", "WITHSCORES", "LIMIT", *lim)
        s.c("ZRANGE", "lex", "-", "+", "BYLEX", "LIMIT", *lim)
        s.c("ZRANGEBYLEX", "lex", "[b", "+", "LIMIT", *lim)
        s.c("ZREVRANGEBYLEX", "lex", "+", "[b", "LIMIT", *lim)
    lx = [("-", "+"), ("[b", "[d"), ("(b", "(d"), ("[b", "(b"), ("+", "-"), ("[d", "[b"), ("-", "-"), ("+", "+"),
          ("[", "(c"), ("(", "+"), ("b", "d"), ("[b", "d"), ("", "+"), ("[z", "+"), ("-", "[")]
    for a, b in lx:
        s.c("ZRANGE", "lex", a, b, "BYLEX")
        s.c("ZRANGE", "lex", b, a, "BYLEX", "REV")
        s.c("ZRANGEBYLEX", "lex", a, b)
        s.c("ZREVRANGEBYLEX", "lex", b, a)
        s.c("ZRANGEBYLEX", "nokey", a, b)
    for argv in (
        ["ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"], ["ZRANGE", "z", "0", "-1", "REV", "LIMIT", "0", "1"],
        ["ZRANGE", "lex", "-", "+", "BYLEX", "WITHSCORES"], ["ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"],
        ["ZRANGE", "z", "0", "-1", "FOO"], ["ZRANGE", "z", "0"], ["ZRANGE", "z"],
        ["ZRANGE", "z", "0", "-1", "withscores", "rev"],
        ["ZRANGE", "z", "(1", "3"], ["ZRANGE", "z", "1", "3", "BYSCORE", "BYSCORE"],
        ["ZRANGE", "z", "0", "-1", "REV", "REV"],
        ["ZRANGE", "z", "0", "-1", "WITHSCORES", "WITHSCORES"],
        ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "1", "LIMIT", "1", "1"],
        ["ZREVRANGE", "z", "0", "-1", "REV"], ["ZREVRANGE", "z", "0", "-1", "LIMIT", "0", "1"], ["ZREVRANGE", "z", "0"],
        ["ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES", "WITHSCORES"],
        ["ZRANGEBYSCORE", "z", "-inf", "+inf", "REV"],
        ["ZRANGEBYSCORE", "z", "-inf", "+inf", "BYLEX"], ["ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "0"],
        ["ZRANGEBYSCORE", "z", "-inf"], ["ZRANGEBYLEX", "lex", "-", "+", "WITHSCORES"], ["ZRANGEBYLEX", "lex", "-"],
        ["ZREVRANGEBYLEX", "lex", "+", "-", "LIMIT", "1", "2", "x"],
        ["ZREVRANGEBYSCORE", "z", "+inf", "-inf", "withscores", "limit", "1", "1"],
        ["ZRANGE", "z", "0", "-1", "BYLEX"], ["ZRANGE", "lex", "0", "-1", "BYSCORE"],
    ):
        s.c(*argv)
    # ZRANGESTORE
    for argv in (
        ["ZRANGESTORE", "dst", "z", "0", "-1"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
        ["OBJECT", "ENCODING", "dst"],
        ["ZRANGESTORE", "dst", "z", "1", "3", "BYSCORE", "LIMIT", "1", "1"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
        ["ZRANGESTORE", "dst", "z", "+inf", "(2", "BYSCORE", "REV"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
        ["ZRANGESTORE", "dst", "lex", "[b", "(e", "BYLEX"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
        ["ZRANGESTORE", "dst", "lex", "+", "-", "BYLEX", "REV", "LIMIT", "0", "2"],
        ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
        ["ZRANGESTORE", "dst", "z", "5", "1"], ["EXISTS", "dst"], ["ZRANGESTORE", "dst", "z", "0", "0"],
        ["ZRANGESTORE", "dst", "nokey", "0", "-1"], ["EXISTS", "dst"],
        ["ZRANGESTORE", "dst", "z", "0", "-1", "WITHSCORES"],
        ["ZRANGESTORE", "dst", "z", "0", "-1", "FOO"], ["ZRANGESTORE", "dst", "z", "0"],
        ["ZRANGESTORE", "dst", "z", "x", "1"],
        ["ZRANGESTORE", "z", "z", "1", "2"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        ["SET", "str", "v"], ["ZRANGESTORE", "str", "lex", "0", "1"], ["TYPE", "str"], ["ZRANGE", "str", "0", "-1"],
        ["SET", "str", "v"], ["ZRANGESTORE", "dst", "str", "0", "-1"], ["ZRANGE", "str", "0", "-1"],
        ["ZRANGEBYSCORE", "str", "0", "1"], ["ZRANGEBYLEX", "str", "-", "+"], ["ZREVRANGE", "str", "0", "1"],
        ["ZRANGE", "str", "x", "1"], ["ZRANGEBYSCORE", "str", "x", "1"], ["ZRANGEBYLEX", "str", "x", "+"],
    ):
        s.c(*argv)


@case
def case_zset_remrange(s):
    s.opt("ZADD", "z", "1", "a")
    members = ["0", "a", "0", "b", "1", "c", "2", "d", "2", "e", "3", "f", "-inf", "g", "inf", "h"]
    ranks = [("0", "0"), ("-1", "-1"), ("1", "2"), ("5", "1"), ("-100", "100"), ("100", "200"), ("x", "1"),
             (I64MIN, "0"), ("0", I64MAX)]
    for a, b in ranks:
        s.c("ZADD", "z", *members)
        s.c("ZREMRANGEBYRANK", "z", a, b)
        s.c("ZRANGE", "z", "0", "-1", "WITHSCORES")
        s.c("EXISTS", "z")
    scores = [("-inf", "+inf"), ("(0", "2"), ("0", "(2"), ("2", "1"), ("(-inf", "0"), ("inf", "inf"), ("x", "1"),
              ("((1", "2"), ("nan", "1")]
    for a, b in scores:
        s.c("ZADD", "z", *members)
        s.c("ZREMRANGEBYSCORE", "z", a, b)
        s.c("ZRANGE", "z", "0", "-1", "WITHSCORES")
    s.c("DEL", "z")
    lex = [("-", "+"), ("[b", "(d"), ("(a", "[c"), ("+", "-"), ("a", "b"), ("[z", "+"), ("-", "(c")]
    for a, b in lex:
        s.c("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e")
        s.c("ZREMRANGEBYLEX", "l", a, b)
        s.c("ZRANGE", "l", "0", "-1")
        s.c("EXISTS", "l")
    s.c("SET", "str", "v")
    for argv in (["ZREMRANGEBYRANK", "nokey", "0", "-1"], ["ZREMRANGEBYSCORE", "nokey", "-inf", "+inf"],
                 ["ZREMRANGEBYLEX", "nokey", "-", "+"], ["ZREMRANGEBYRANK", "str", "0", "-1"],
                 ["ZREMRANGEBYSCORE", "str", "-inf", "+inf"], ["ZREMRANGEBYLEX", "str", "-", "+"],
                 ["ZREMRANGEBYRANK", "z", "0"], ["ZREMRANGEBYSCORE", "z", "0"], ["ZREMRANGEBYLEX", "z", "-"],
                 ["ZREMRANGEBYRANK", "str", "x", "1"], ["ZREMRANGEBYSCORE", "str", "x", "1"],
                 ["ZREMRANGEBYLEX", "str", "x", "+"], ["ZREMRANGEBYLEX", "nokey", "x", "+"]):
        s.c(*argv)


@case
def case_zset_pop(s):
    s.opt("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f", "7", "g", "8", "h")
    for argv in (
        ["ZPOPMIN", "z"], ["ZPOPMAX", "z"], ["ZPOPMIN", "z", "2"], ["ZPOPMAX", "z", "1"], ["ZPOPMIN", "z", "0"],
        ["ZPOPMAX", "z", "0"], ["ZPOPMIN", "z", "-1"], ["ZPOPMAX", "z", "x"], ["ZPOPMIN", "z", "1.5"],
        ["ZPOPMIN", "z", I64MIN], ["ZPOPMIN", "z", "1", "2"], ["ZPOPMIN"],
        ["ZPOPMIN", "nokey"], ["ZPOPMAX", "nokey"], ["ZPOPMIN", "nokey", "3"], ["ZPOPMAX", "nokey", "0"],
        ["ZPOPMIN", "nokey", "-1"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"], ["ZPOPMAX", "z", I64MAX], ["EXISTS", "z"],
        ["ZADD", "z", "1", "a", "2", "b"], ["ZPOPMIN", "z", "2"], ["EXISTS", "z"],
        # ZMPOP
        ["ZADD", "z1", "1", "a", "2", "b", "3", "c"], ["ZADD", "z2", "10", "x", "20", "y", "30", "z", "40", "w"],
        ["ZMPOP", "1", "z1", "MIN"], ["ZMPOP", "1", "z1", "MAX"], ["ZMPOP", "2", "nokey", "z2", "MIN", "COUNT", "2"],
        ["ZMPOP", "2", "z1", "z2", "max", "count", "10"], ["EXISTS", "z1"],
        ["ZMPOP", "2", "z1", "z2", "MAX", "COUNT", I64MAX],
        ["EXISTS", "z2"], ["ZMPOP", "2", "z1", "z2", "MIN"], ["ZMPOP", "1", "nokey", "MIN", "COUNT", "3"],
        ["ZADD", "z1", "1", "a", "2", "b", "3", "c"], ["SET", "str", "v"],
        ["ZMPOP", "0", "z1", "MIN"], ["ZMPOP", "-1", "z1", "MIN"], ["ZMPOP", "x", "z1", "MIN"],
        ["ZMPOP", "3", "z1", "MIN"],
        ["ZMPOP", "2", "z1", "MIN"], ["ZMPOP", "1", "z1"], ["ZMPOP", "1", "z1", "LEFT"],
        ["ZMPOP", "1", "z1", "MIN", "COUNT", "0"],
        ["ZMPOP", "1", "z1", "MIN", "COUNT", "-1"], ["ZMPOP", "1", "z1", "MIN", "COUNT", "x"],
        ["ZMPOP", "1", "z1", "MIN", "COUNT"],
        ["ZMPOP", "1", "z1", "MIN", "COUNT", "1", "COUNT", "2"], ["ZMPOP", "1", "z1", "MIN", "FOO"],
        ["ZMPOP", I64MAX, "z1", "MIN"],
        ["ZMPOP", "1"], ["ZMPOP"], ["ZMPOP", "2", "str", "z1", "MIN"], ["ZMPOP", "2", "z1", "str", "MIN"],
        ["ZMPOP", "2", "nokey", "str", "MIN"], ["ZPOPMIN", "str"], ["ZPOPMAX", "str", "2"],
        ["ZRANGE", "z1", "0", "-1", "WITHSCORES"],
        # the blocking forms reply at once on non-empty keys (and fail on bad arguments before any wait)
        ["ZADD", "bz", *[a for i in range(30) for a in (str(i), f"m{i}")]],
        ["BZPOPMIN", "bz", "0"], ["BZPOPMAX", "bz", "0"], ["BZPOPMIN", "nokey", "bz", "1.5"],
        ["BZPOPMAX", "nokey", "bz", "0.01"],
        ["bzpopmin", "bz", "100"], ["BZPOPMIN", "bz", "abc"], ["BZPOPMIN", "bz", "-1"], ["BZPOPMAX", "nokey", "-1"],
        ["BZPOPMAX", "nokey", "nan"], ["BZPOPMIN", "nokey", "inf"], ["BZPOPMIN", "bz"], ["BZPOPMIN"],
        ["BZPOPMIN", "str", "0.01"], ["BZPOPMAX", "nokey", "str", "0.01"], ["BZPOPMIN", "bz", "str", "0"],
        ["BZMPOP", "0", "1", "bz", "MIN"], ["BZMPOP", "0", "2", "nokey", "bz", "MAX", "COUNT", "3"],
        ["BZMPOP", "0.5", "1", "bz", "MIN", "COUNT", "2"], ["BZMPOP", "abc", "1", "bz", "MIN"],
        ["BZMPOP", "-1", "1", "nokey", "MIN"], ["BZMPOP", "nan", "1", "nokey", "MIN"],
        ["BZMPOP", "0", "0", "bz", "MIN"],
        ["BZMPOP", "0", "x", "bz", "MIN"], ["BZMPOP", "0", "3", "bz", "MIN"], ["BZMPOP", "0", "1", "nokey", "LEFT"],
        ["BZMPOP", "0", "1", "bz", "MIN", "COUNT", "0"], ["BZMPOP", "0", "1", "nokey", "MIN", "COUNT", "-1"],
        ["BZMPOP", "0", "1", "bz", "MIN", "FOO"], ["BZMPOP", "0", "1", "bz"], ["BZMPOP", "0"],
        ["BZMPOP", "0.01", "1", "str", "MIN"], ["BZMPOP", "0", "2", "bz", "str", "MAX"],
        ["ZRANGE", "bz", "0", "-1", "WITHSCORES"],
    ):
        s.c(*argv)


@case
def case_zset_randmember(s):
    s.opt("ZADD", "z", "1", "a", "2", "b", "3", "c", "1.5", "d", "-inf", "e")
    for argv, mode in (
        (["ZRANDMEMBER", "nokey"], None), (["ZRANDMEMBER", "nokey", "5"], None),
        (["ZRANDMEMBER", "nokey", "-5", "WITHSCORES"], None),
        (["ZRANDMEMBER", "z"], "type"), (["ZRANDMEMBER", "z", "0"], None),
        (["ZRANDMEMBER", "z", "0", "WITHSCORES"], None),
        (["ZRANDMEMBER", "z", "100"], "sorted"), (["ZRANDMEMBER", "z", "5"], "sorted"),
        (["ZRANDMEMBER", "z", "100", "WITHSCORES"], "pairs"), (["ZRANDMEMBER", "z", "5", "withscores"], "pairs"),
        (["ZRANDMEMBER", "z", I64MAX], "sorted"),
        (["ZRANDMEMBER", "z", "-5"], "shape"), (["ZRANDMEMBER", "z", "-20", "WITHSCORES"], "shape"),
        (["ZRANDMEMBER", "z", "2"], "shape"), (["ZRANDMEMBER", "z", "4", "WITHSCORES"], "shape"),
        (["ZRANDMEMBER", "z", "-1"], "shape"),
        (["ZRANDMEMBER", "z", "x"], None), (["ZRANDMEMBER", "z", "1.5"], None), (["ZRANDMEMBER", "z", "1", "2"], None),
        (["ZRANDMEMBER", "z", "1", "WITHSCORES", "x"], None), (["ZRANDMEMBER", "z", "1", "FOO"], None),
        (["ZRANDMEMBER", "z", I64MIN], None), (["ZRANDMEMBER", "z", "-9223372036854775807", "WITHSCORES"], None),
        (["ZRANDMEMBER", "z", "-4611686018427387904", "WITHSCORES"], None), (["ZRANDMEMBER"], None),
        (["ZRANDMEMBER", "nokey", "x"], None),
    ):
        s.c(*argv, mode=mode)
    s.c("SET", "str", "v")
    s.c("ZRANDMEMBER", "str")
    s.c("ZRANDMEMBER", "str", "3")
    # a skiplist-encoded set: whole-set replies come in hash-table order
    s.c("ZADD", "big", *[a for i in range(200) for a in (str(i % 7), f"m{i}")])
    s.c("OBJECT", "ENCODING", "big")
    s.c("ZRANDMEMBER", "big", "500", mode="sorted")
    s.c("ZRANDMEMBER", "big", "300", "WITHSCORES", mode="pairs")
    s.c("ZRANDMEMBER", "big", "150", mode="shape")
    s.c("ZRANDMEMBER", "big", "-300", "WITHSCORES", mode="shape")
    s.c("ZRANDMEMBER", "big", mode="type")


@case
def case_zset_algebra(s):
    s.opt("ZADD", "za", "1", "a", "2", "b", "3", "c")
    s.c("ZADD", "zb", "10", "b", "20", "c", "30", "d")
    s.c("ZADD", "zinf", "inf", "a", "-inf", "b", "inf", "c")
    s.c("SADD", "sset", "a", "d", "e")
    s.c("SET", "str", "v")
    combos = [["2", "za", "zb"], ["1", "za"], ["3", "za", "zb", "sset"], ["2", "za", "nokey"], ["2", "nokey", "za"],
              ["2", "za", "za"], ["2", "za", "zinf"], ["2", "zinf", "zinf"], ["1", "sset"], ["1", "nokey"]]
    opts = [[], ["WITHSCORES"], ["AGGREGATE", "MIN", "WITHSCORES"], ["AGGREGATE", "MAX", "WITHSCORES"],
            ["AGGREGATE", "SUM", "WITHSCORES"], ["aggregate", "max"]]
    for keys in combos:
        n = int(keys[0])
        wopts = [["WEIGHTS"] + ["2", "3", "4"][:n] + ["WITHSCORES"],
                 ["WEIGHTS"] + ["-1", "0", "1.5"][:n] + ["WITHSCORES"],
                 ["WEIGHTS"] + ["inf", "0", "-inf"][:n] + ["AGGREGATE", "MIN", "WITHSCORES"],
                 ["WEIGHTS"] + ["-inf", "inf", "1"][:n] + ["AGGREGATE", "SUM", "WITHSCORES"]]
        for o in opts + wopts:
            s.c("ZUNION", *keys, *o)
            s.c("ZINTER", *keys, *o)
            s.c("ZUNIONSTORE", "dst", *keys, *[x for x in o if x.upper() != "WITHSCORES"])
            s.c("ZRANGE", "dst", "0", "-1", "WITHSCORES")
            s.c("ZINTERSTORE", "dst", *keys, *[x for x in o if x.upper() != "WITHSCORES"])
            s.c("ZRANGE", "dst", "0", "-1", "WITHSCORES")
        s.c("ZDIFF", *keys)
        s.c("ZDIFF", *keys, "WITHSCORES")
        s.c("ZDIFFSTORE", "dst", *keys)
        s.c("ZRANGE", "dst", "0", "-1", "WITHSCORES")
        s.c("EXISTS", "dst")
        s.c("ZINTERCARD", *keys)
        s.c("ZINTERCARD", *keys, "LIMIT", "1")
        s.c("ZINTERCARD", *keys, "LIMIT", "0")
    for argv in (
        ["ZUNION", "0", "za"], ["ZINTER", "0"], ["ZDIFF", "0", "za"], ["ZUNIONSTORE", "dst", "0", "za"],
        ["ZINTERSTORE", "dst", "0"], ["ZDIFFSTORE", "dst", "0", "za"], ["ZUNION", "-1", "za"], ["ZUNION", "x", "za"],
        ["ZUNION", "3", "za", "zb"], ["ZUNION", "1", "za", "zb"], ["ZUNION", "2", "za", "zb", "WEIGHTS", "1"],
        ["ZUNION", "2", "za", "zb", "WEIGHTS", "1", "2", "3"], ["ZUNION", "2", "za", "zb", "WEIGHTS", "1", "x"],
        ["ZUNION", "2", "za", "zb", "WEIGHTS", "1", "nan"], ["ZUNION", "2", "za", "zb", "AGGREGATE", "FOO"],
        ["ZUNION", "2", "za", "zb", "AGGREGATE"], ["ZUNION", "2", "za", "zb", "FOO"],
        ["ZUNIONSTORE", "dst", "2", "za", "zb", "WITHSCORES"],
        ["ZINTERSTORE", "dst", "2", "za", "zb", "WITHSCORES"], ["ZDIFF", "2", "za", "zb", "WEIGHTS", "1", "2"],
        ["ZDIFF", "2", "za", "zb", "AGGREGATE", "MIN"], ["ZDIFFSTORE", "dst", "2", "za", "zb", "WEIGHTS", "1", "2"],
        ["ZDIFFSTORE", "dst", "2", "za", "zb", "WITHSCORES"],
        ["ZUNION", "2", "za", "zb", "WEIGHTS", "1", "2", "WEIGHTS", "3", "4"],
        ["ZUNION", "2", "za", "zb", "AGGREGATE", "MIN", "AGGREGATE", "MAX", "WITHSCORES"], ["ZUNION", I64MAX, "za"],
        ["ZUNION", "2", "za", "str"], ["ZINTER", "2", "str", "za"], ["ZINTER", "2", "nokey", "str"],
        ["ZDIFF", "2", "za", "str"],
        ["ZDIFF", "2", "str", "za"], ["ZUNIONSTORE", "dst", "2", "za", "str"], ["ZINTERCARD", "2", "za", "str"],
        ["ZUNION", "1"], ["ZUNION"], ["ZUNIONSTORE", "dst"], ["ZUNIONSTORE", "dst", "1"],
        ["ZINTERCARD", "0", "za"], ["ZINTERCARD", "-1", "za"], ["ZINTERCARD", "x", "za"], ["ZINTERCARD", "3", "za"],
        ["ZINTERCARD", "1", "za", "LIMIT", "-1"], ["ZINTERCARD", "1", "za", "LIMIT", "x"],
        ["ZINTERCARD", "1", "za", "LIMIT"],
        ["ZINTERCARD", "1", "za", "FOO", "1"], ["ZINTERCARD", "1", "za", "LIMIT", I64MAX], ["ZINTERCARD", "1"],
        # STORE into an existing key of another type replaces it; an empty result deletes the destination
        ["ZUNIONSTORE", "str", "2", "za", "zb"], ["TYPE", "str"], ["ZRANGE", "str", "0", "-1", "WITHSCORES"],
        ["SET", "str", "v"], ["ZINTERSTORE", "str", "2", "za", "nokey"], ["EXISTS", "str"], ["SET", "str", "v"],
        ["ZDIFFSTORE", "str", "2", "za", "za"], ["EXISTS", "str"], ["ZUNIONSTORE", "za", "2", "za", "zb"],
        ["ZRANGE", "za", "0", "-1", "WITHSCORES"], ["ZINTERSTORE", "zb", "2", "za", "zb", "WEIGHTS", "1", "0"],
        ["ZRANGE", "zb", "0", "-1", "WITHSCORES"], ["ZDIFFSTORE", "za", "1", "za"],
        ["ZRANGE", "za", "0", "-1", "WITHSCORES"],
        ["ZUNIONSTORE", "sset2", "1", "sset"], ["OBJECT", "ENCODING", "sset2"],
        ["ZRANGE", "sset2", "0", "-1", "WITHSCORES"],
    ):
        s.c(*argv)
    # a big (skiplist) input and result
    s.c("ZADD", "zbig", *[a for i in range(300) for a in (str(i * 1.5), f"m{i}")])
    s.c("ZADD", "zbig2", *[a for i in range(0, 300, 3) for a in (str(-i), f"m{i}")])
    for cmd in (["ZUNIONSTORE", "dst", "2", "zbig", "zbig2"],
                ["ZINTERSTORE", "dst", "2", "zbig", "zbig2", "AGGREGATE", "MAX"],
                ["ZDIFFSTORE", "dst", "2", "zbig", "zbig2"], ["ZINTERSTORE", "dst", "2", "zbig", "za"]):
        s.c(*cmd)
        s.c("OBJECT", "ENCODING", "dst")
        s.c("ZRANGE", "dst", "0", "-1", "WITHSCORES")
    s.c("ZINTERCARD", "2", "zbig", "zbig2")
    s.c("ZINTERCARD", "2", "zbig", "zbig2", "LIMIT", "10")
    s.c("ZDIFF", "2", "zbig", "zbig2", "WITHSCORES")
    s.c("ZINTER", "2", "zbig2", "zbig", "WEIGHTS", "2", "0.5", "WITHSCORES")


@case
def case_zset_scan(s):
    s.opt("ZADD", "z", "1", "a", "2", "b", "3", "c", "1.5", "ab", "-inf", "x")
    for argv in (["ZSCAN", "z", "0"], ["ZSCAN", "z", "0", "MATCH", "a*"], ["ZSCAN", "z", "0", "COUNT", "1"],
                 ["ZSCAN", "z", "0", "COUNT", "0"], ["ZSCAN", "z", "0", "COUNT", "-1"],
                 ["ZSCAN", "z", "0", "COUNT", "x"],
                 ["ZSCAN", "z", "0", "TYPE", "zset"], ["ZSCAN", "z", "0", "NOVALUES"], ["ZSCAN", "z", "x"],
                 ["ZSCAN", "z", "-1"], ["ZSCAN", "z", "0", "MATCH"], ["ZSCAN", "z", "0", "FOO", "1"],
                 ["ZSCAN", "nokey", "0"],
                 ["ZSCAN", "nokey", "x"], ["ZSCAN", "z"], ["ZSCAN", "z", "18446744073709551616"]):
        s.c(*argv)
    s.c("ZADD", "big", *[a for i in range(500) for a in (str(i % 11), f"m{i}")])
    s.c("ZSCAN", "big", "0", "COUNT", "1000")
    s.c("ZSCAN", "big", "0", "COUNT", "1000", "MATCH", "m4?")
    s.c("SET", "str", "v")
    s.c("ZSCAN", "str", "0")


@case
def case_zset_encoding(s):
    s.opt("ZADD", "z", "1", "a")
    s.c("OBJECT", "ENCODING", "z")
    s.c("TYPE", "z")
    s.c("ZADD", "z", *[a for i in range(127) for a in (str(i), f"m{i}")])
    s.c("ZCARD", "z")
    s.c("OBJECT", "ENCODING", "z")                     # 128 entries: still listpack
    s.c("ZADD", "z", "1000", "one-more")
    s.c("OBJECT", "ENCODING", "z")                     # 129: skiplist
    s.c("ZREM", "z", "one-more", "a", "m1")
    s.c("OBJECT", "ENCODING", "z")                     # never converted back
    s.c("ZRANGE", "z", "0", "5", "WITHSCORES")
    s.c("ZRANGESTORE", "small", "z", "0", "9")
    s.c("OBJECT", "ENCODING", "small")
    s.c("ZRANGESTORE", "allz", "z", "0", "-1")
    s.c("OBJECT", "ENCODING", "allz")
    s.c("COPY", "z", "zcopy")
    s.c("OBJECT", "ENCODING", "zcopy")
    for n, name in ((64, "v64"), (65, "v65")):
        s.c("ZADD", name, "1", "x" * n)
        s.c("OBJECT", "ENCODING", name)
    s.c("ZADD", "grow", "1", "short")
    s.c("OBJECT", "ENCODING", "grow")
    s.c("ZADD", "grow", "2", "y" * 65)
    s.c("OBJECT", "ENCODING", "grow")
    s.c("ZRANGE", "grow", "0", "-1", "WITHSCORES")
    s.c("ZINCRBY", "incr", "1", "z" * 100)
    s.c("OBJECT", "ENCODING", "incr")
    s.c("ZADD", "lp", "1", "a", "2", "b")
    s.c("ZUNIONSTORE", "u", "2", "lp", "v65")
    s.c("OBJECT", "ENCODING", "u")
    s.c("ZUNIONSTORE", "u", "1", "lp")
    s.c("OBJECT", "ENCODING", "u")
    s.c("ZINTERSTORE", "u", "2", "z", "allz")
    s.c("OBJECT", "ENCODING", "u")



@case
def case_zset_wrongtype(s):
    s.opt("ZADD", "zset", "1", "a", "2", "b")
    s.c("SET", "str", "v")
    s.c("HSET", "hash", "f", "v")
    s.c("SADD", "set", "a", "c")
    for k in ("str", "hash", "set"):
        for argv in (["ZADD", k, "1", "a"], ["ZINCRBY", k, "1", "a"], ["ZREM", k, "a"], ["ZCARD", k],
                     ["ZSCORE", k, "a"],
                     ["ZMSCORE", k, "a"], ["ZRANK", k, "a"], ["ZREVRANK", k, "a"], ["ZCOUNT", k, "-inf", "+inf"],
                     ["ZLEXCOUNT", k, "-", "+"], ["ZRANGE", k, "0", "-1"], ["ZRANGESTORE", "dst", k, "0", "-1"],
                     ["ZREVRANGE", k, "0", "-1"], ["ZRANGEBYSCORE", k, "-inf", "+inf"],
                     ["ZREVRANGEBYSCORE", k, "+inf", "-inf"],
                     ["ZRANGEBYLEX", k, "-", "+"], ["ZREVRANGEBYLEX", k, "+", "-"], ["ZREMRANGEBYRANK", k, "0", "-1"],
                     ["ZREMRANGEBYSCORE", k, "-inf", "+inf"], ["ZREMRANGEBYLEX", k, "-", "+"], ["ZPOPMIN", k],
                     ["ZPOPMAX", k, "2"], ["ZMPOP", "1", k, "MIN"], ["ZRANDMEMBER", k], ["ZRANDMEMBER", k, "2"],
                     ["ZUNION", "2", "zset", k], ["ZINTER", "2", k, "zset"], ["ZDIFF", "2", "zset", k],
                     ["ZUNIONSTORE", "dst", "2", k, "zset"], ["ZINTERSTORE", "dst", "2", "zset", k],
                     ["ZDIFFSTORE", "dst", "2", k, "zset"], ["ZINTERCARD", "2", "zset", k], ["ZSCAN", k, "0"],
                     ["BZPOPMIN", k, "0.01"], ["BZPOPMAX", k, "0.01"], ["BZMPOP", "0.01", "1", k, "MAX"]):
            s.c(*argv)
        s.c("TYPE", k)
    for argv in (["GET", "zset"], ["HGET", "zset", "f"], ["SADD", "zset", "x"], ["SMEMBERS", "zset"],
                 ["SINTER", "zset", "set"],
                 ["HSET", "zset", "f", "v"], ["INCR", "zset"], ["APPEND", "zset", "x"],
                 ["ZRANGE", "zset", "0", "-1", "WITHSCORES"],
                 ["TYPE", "zset"], ["OBJECT", "ENCODING", "zset"], ["EXISTS", "dst"]):
        s.c(*argv)
    # Error precedence: argument errors before the type check, and the other way round.
    for argv in (["ZADD", "str", "NX", "XX", "1", "a"], ["ZADD", "str", "x", "a"], ["ZADD", "str", "1"],
                 ["ZINCRBY", "str", "x", "a"], ["ZRANGE", "str", "0", "-1", "FOO"], ["ZRANGE", "str", "a", "b"],
                 ["ZRANGEBYSCORE", "str", "x", "1"], ["ZCOUNT", "str", "x", "1"], ["ZLEXCOUNT", "str", "x", "+"],
                 ["ZPOPMIN", "str", "-1"], ["ZPOPMIN", "str", "x"], ["ZRANDMEMBER", "str", "x"],
                 ["ZMPOP", "1", "str", "LEFT"],
                 ["ZUNION", "2", "zset", "str", "WEIGHTS", "1", "x"], ["ZUNIONSTORE", "dst", "2", "str", "zset", "FOO"],
                 ["ZINTERCARD", "2", "str", "zset", "LIMIT", "-1"], ["ZSCAN", "str", "x"], ["BZPOPMIN", "str", "abc"]):
        s.c(*argv)


@case
def case_zset_command_info(s):
    s.opt("ZADD", "z", "1", "a")
    for name in ZSET_COMMANDS:
        s.c("COMMAND", "INFO", name)
    for argv in (["ZADD", "a", "1", "m"], ["ZRANGESTORE", "d", "s", "0", "-1"], ["ZUNIONSTORE", "d", "2", "a", "b"],
                 ["ZINTERSTORE", "d", "3", "a", "b", "c", "WEIGHTS", "1", "2", "3"], ["ZDIFFSTORE", "d", "1", "a"],
                 ["ZUNION", "2", "a", "b", "WITHSCORES"], ["ZINTER", "1", "a"], ["ZDIFF", "2", "a", "b"],
                 ["ZINTERCARD", "2", "a", "b", "LIMIT", "1"], ["ZMPOP", "2", "a", "b", "MIN"],
                 ["BZMPOP", "0", "1", "a", "MAX"],
                 ["BZPOPMIN", "a", "b", "0"], ["BZPOPMAX", "a", "0"], ["ZRANGE", "a", "0", "1"], ["ZSCAN", "a", "0"],
                 ["ZUNIONSTORE", "d", "0", "a"], ["ZUNIONSTORE", "d", "5", "a"], ["ZINTERCARD", "x", "a"],
                 ["ZMPOP", "0", "a", "MIN"]):
        s.c("COMMAND", "GETKEYS", *argv)


@case
def case_sort(s):
    s.opt("RPUSH", "nums", "3", "1", "2", "10", "-5", "1.5", "1e2", "0", "-0", "007", "1.0", "+1")
    s.opt("SORT", "nums")  # skip the whole case if the candidate lacks SORT
    limits = [[], ["LIMIT", "0", "3"], ["LIMIT", "2", "3"], ["LIMIT", "-1", "3"], ["LIMIT", "5", "-1"],
              ["LIMIT", "0", "0"], ["LIMIT", "100", "5"], ["LIMIT", "11", "5"], ["LIMIT", "12", "1"],
              ["LIMIT", I64MAX, I64MAX], ["LIMIT", I64MIN, "2"], ["LIMIT", "1", I64MIN], ["LIMIT", "x", "1"],
              ["LIMIT", "1", "1.5"], ["LIMIT", "0"], ["LIMIT", "1", "2", "LIMIT", "3", "4"]]
    for lim in limits:
        s.c("SORT", "nums", *lim)
        s.c("SORT", "nums", "DESC", *lim)
        s.c("SORT_RO", "nums", *lim, "ALPHA")
        s.c("SORT", "nums", "BY", "nosort", *lim)
        s.c("SORT", "nums", "BY", "nosort", "DESC", *lim)
    for argv in (["SORT", "nums", "ASC"], ["SORT", "nums", "DESC", "ASC"], ["SORT", "nums", "ALPHA", "DESC"],
                 ["sort", "nums", "alpha", "desc", "limit", "0", "4"], ["SORT", "nums", "ALPHA", "ALPHA"]):
        s.c(*argv)
    # element conversion: what parses as a double, and what does not
    s.c("RPUSH", "odd", " 1", "0x10", "inf", "-inf", "", "1e308", "+5", "5.", ".5", "-1e-300", "\t2")
    s.c("SORT", "odd")
    s.c("SORT", "odd", "DESC", "LIMIT", "1", "3")
    s.c("SORT", "odd", "ALPHA")
    for bad in ("nan", "1e400", "1 ", "abc", "1,5", "-nan", "1e-400"):
        s.c("RPUSH", "odd2", "1", bad)
        s.c("SORT", "odd2")
        s.c("SORT", "odd2", "ALPHA")
        s.c("DEL", "odd2")
    s.c("RPUSH", "words", "banana", "apple", "cherry", "", "Apple", "10", "9", "apple pie", "b")
    for argv in (["SORT", "words"], ["SORT", "words", "ALPHA"], ["SORT", "words", "ALPHA", "DESC"],
                 ["SORT", "words", "ALPHA", "LIMIT", "2", "3"], ["SORT", "words", "LIMIT", "0", "1"],
                 ["SORT", "words", "BY", "nosort"], ["SORT", "words", "BY", "nosort", "DESC", "LIMIT", "1", "2"]):
        s.c(*argv)
    # BY patterns: string keys, hash fields, missing weights (0; ties broken by the element), constants
    s.c("MSET", "w_3", "30", "w_1", "10", "w_2", "-2", "w_10", "5", "w_-5", "0.5", "w_1.5", "inf", "w_1e2", "7",
        "w_0", "-inf", "w_-0", "1", "w_007", "2", "w_1.0", "3", "w_+1", "4")
    s.c("MSET", "a_3", "c", "a_1", "a", "a_2", "x", "a_10", "b", "a_-5", "aa", "a_1.5", "ab", "a_1e2", "y",
        "a_0", "z", "a_-0", "Z", "a_007", "A", "a_1.0", "B", "a_+1", "C")
    for i, v in (("3", "3"), ("1", "1"), ("2", "2"), ("10", "-1"), ("-5", "8")):
        s.c("HSET", f"h_{i}", "f", v, "g", f"val-{i}")
    s.c("SET", "bad_3", "notanumber")
    for argv in (
        ["SORT", "nums", "BY", "w_*"], ["SORT", "nums", "BY", "w_*", "DESC"],
        ["SORT", "nums", "BY", "w_*", "LIMIT", "2", "4"],
        ["SORT", "nums", "BY", "a_*", "ALPHA"], ["SORT", "nums", "BY", "a_*", "ALPHA", "DESC", "LIMIT", "0", "5"],
        ["SORT", "nums", "BY", "missing_*"], ["SORT", "nums", "BY", "missing_*", "DESC"],
        ["SORT", "nums", "BY", "h_*->f"], ["SORT", "nums", "BY", "h_*->f", "DESC"],
        ["SORT", "nums", "BY", "h_*->nofield"],
        ["SORT", "nums", "BY", "h_*->"], ["SORT", "nums", "BY", "w_*->f"], ["SORT", "nums", "BY", "bad_*"],
        ["SORT", "nums", "BY", "a_*"], ["SORT", "nums", "BY", "constant"], ["SORT", "nums", "BY", "constant", "DESC"],
        ["SORT", "nums", "BY", "w_*", "BY", "nosort"], ["SORT", "nums", "BY", "*"], ["SORT", "nums", "BY", "w_**"],
        ["SORT", "words", "BY", "missing_*"], ["SORT", "words", "BY", "nosort", "ALPHA"],
        # GET
        ["SORT", "nums", "GET", "#"], ["SORT", "nums", "GET", "w_*"],
        ["SORT", "nums", "GET", "#", "GET", "w_*", "GET", "h_*->g"],
        ["SORT", "nums", "GET", "missing_*"], ["SORT", "nums", "GET", "h_*->f", "DESC"],
        ["SORT", "nums", "GET", "h_*->nofield"],
        ["SORT", "nums", "GET", "w_*->f"], ["SORT", "nums", "GET", "h_*"], ["SORT", "nums", "GET", "constant"],
        ["SORT", "nums", "GET", "nums"], ["SORT", "nums", "BY", "nosort", "GET", "a_*", "LIMIT", "1", "3"],
        ["SORT", "nums", "BY", "w_*", "GET", "#", "GET", "a_*", "DESC", "LIMIT", "0", "4"],
        ["SORT", "nums", "BY", "a_*", "ALPHA", "GET", "#", "GET", "w_*"],
        ["SORT_RO", "nums", "GET", "#", "GET", "h_*->g"],
        ["SORT", "nums", "GET"], ["SORT", "nums", "BY"], ["SORT", "nums", "FOO"], ["SORT", "nums", "LIMIT"],
        ["SORT", "nums", "LIMIT", "1"], ["SORT", "nums", "STORE"], ["SORT"], ["SORT_RO"],
        # STORE
        ["SORT", "nums", "STORE", "dst"], ["LRANGE", "dst", "0", "-1"], ["TYPE", "dst"], ["OBJECT", "ENCODING", "dst"],
        ["SORT", "nums", "BY", "w_*", "GET", "a_*", "GET", "missing_*", "STORE", "dst"], ["LRANGE", "dst", "0", "-1"],
        ["SORT", "nums", "DESC", "LIMIT", "1", "3", "STORE", "dst"], ["LRANGE", "dst", "0", "-1"],
        ["SORT", "dst", "STORE", "dst"], ["LRANGE", "dst", "0", "-1"],
        ["SORT", "nums", "LIMIT", "0", "0", "STORE", "dst"],
        ["EXISTS", "dst"], ["SORT", "nokey", "STORE", "dst"], ["SET", "dst", "x"], ["SORT", "nokey", "STORE", "dst"],
        ["EXISTS", "dst"], ["SET", "str", "v"], ["SORT", "nums", "STORE", "str"], ["TYPE", "str"],
        ["LRANGE", "str", "0", "-1"],
        ["SORT", "words", "STORE", "dst"], ["EXISTS", "dst"], ["SORT", "nums", "STORE", "dst", "STORE", "dst2"],
        ["EXISTS", "dst", "dst2"], ["SORT", "nums", "ALPHA", "STORE", "dst"], ["LRANGE", "dst", "0", "-1"],
        ["SORT_RO", "nums", "STORE", "dst"], ["SORT_RO", "nums", "BY", "w_*", "STORE", "dst"],
        ["SORT_RO", "nums", "FOO"],
        ["SORT_RO", "nums", "DESC", "LIMIT", "0", "3"], ["SORT_RO", "nums", "BY", "nosort"],
        # missing keys and wrong types
        ["SORT", "nokey"], ["SORT", "nokey", "DESC", "LIMIT", "0", "5", "GET", "#"], ["SORT_RO", "nokey"],
        ["SORT", "nokey", "FOO"], ["SET", "str", "v"], ["SORT", "str"], ["SORT_RO", "str"], ["SORT", "str", "FOO"],
        ["SORT", "str", "LIMIT", "x", "1"], ["HSET", "hash", "f", "v"], ["SORT", "hash"],
        ["SORT", "str", "STORE", "dst"],
    ):
        s.c(*argv)
    # sets: sorted by value; BY nosort keeps the table's order (compared sorted), except with STORE
    s.c("SADD", "iset", "5", "3", "9", "1", "-2", "100")
    s.c("SADD", "wset", "b", "a", "c", "aa", "B", "")
    for argv in (["SORT", "iset"], ["SORT", "iset", "DESC", "LIMIT", "1", "3"], ["SORT", "iset", "ALPHA"],
                 ["SORT", "wset"], ["SORT", "wset", "ALPHA"], ["SORT", "wset", "ALPHA", "DESC", "LIMIT", "0", "2"],
                 ["SORT", "iset", "BY", "w_*"], ["SORT", "iset", "GET", "#", "GET", "missing_*"],
                 ["SORT", "iset", "BY", "nosort", "STORE", "dst"], ["LRANGE", "dst", "0", "-1"],
                 ["SORT", "wset", "BY", "nosort", "STORE", "dst"], ["LRANGE", "dst", "0", "-1"],
                 ["SORT", "wset", "BY", "constant", "LIMIT", "1", "2", "STORE", "dst"], ["LRANGE", "dst", "0", "-1"]):
        s.c(*argv)
    s.c("SORT", "wset", "BY", "nosort", mode="sorted")
    s.c("SORT_RO", "iset", "BY", "nosort", mode="sorted")
    s.c("SORT", "wset", "BY", "nosort", "GET", "#", mode="sorted")
    s.c("SADD", "bigset", *[f"m{i}" for i in range(300)])
    s.c("SORT", "bigset", "ALPHA", "LIMIT", "10", "20")
    s.c("SORT", "bigset", "ALPHA", "DESC", "LIMIT", "0", "5")
    s.c("SORT", "bigset", "BY", "nosort", "LIMIT", "0", "1000", mode="sorted")
    # a long list
    s.c("RPUSH", "long", *[str((i * 7919) % 1009 - 500) for i in range(1000)])
    for argv in (["SORT", "long", "LIMIT", "10", "20"], ["SORT", "long", "DESC", "LIMIT", "990", "20"],
                 ["SORT", "long", "ALPHA", "LIMIT", "500", "5"], ["SORT", "long", "STORE", "dst"],
                 ["LRANGE", "dst", "0", "9"],
                 ["LLEN", "dst"], ["SORT_RO", "long", "BY", "nosort", "LIMIT", "995", "10"]):
        s.c(*argv)


@case
def case_sort_zset(s):
    # Sorted sets: by value, or in the set's own order with BY nosort. SORT converts them to skiplist.
    s.opt("ZADD", "zs", "1", "c", "2", "a", "3", "b", "3", "d")
    s.opt("SORT", "zs")
    s.c("ZADD", "zn", "1", "10", "2", "5", "3", "7", "0", "-1")
    s.c("MSET", "w_10", "1", "w_5", "2", "w_7", "0", "w_-1", "-5")
    s.c("OBJECT", "ENCODING", "zn")
    for argv in (["SORT", "zs", "ALPHA"], ["SORT", "zs", "ALPHA", "DESC", "LIMIT", "1", "2"],
                 ["SORT", "zs", "BY", "nosort"], ["SORT", "zs", "BY", "nosort", "DESC"],
                 ["SORT", "zs", "BY", "nosort", "LIMIT", "1", "2"],
                 ["SORT", "zs", "BY", "nosort", "DESC", "LIMIT", "1", "2"],
                 ["SORT", "zs", "BY", "nosort", "LIMIT", "3", "10"], ["SORT", "zs", "BY", "nosort", "LIMIT", "10", "1"],
                 ["SORT", "zs", "BY", "nosort", "DESC", "LIMIT", "-5", "2"],
                 ["SORT", "zs", "BY", "nosort", "LIMIT", "0", "0"],
                 ["SORT", "zs", "BY", "nosort", "GET", "#", "GET", "missing_*"], ["SORT_RO", "zs", "BY", "constant"],
                 ["SORT", "zs", "BY", "nosort", "STORE", "dst"], ["LRANGE", "dst", "0", "-1"],
                 ["SORT", "zn"], ["SORT", "zn", "DESC", "GET", "#", "GET", "w_*"], ["SORT", "zn", "BY", "w_*"],
                 ["OBJECT", "ENCODING", "zn"], ["ZRANGE", "zn", "0", "-1", "WITHSCORES"], ["OBJECT", "ENCODING", "zs"],
                 ["ZSCAN", "zs", "0"], ["ZRANDMEMBER", "zs", "10"]):
        s.c(*argv)
    s.c("ZADD", "zbig", *[a for i in range(200) for a in (str(i % 13), f"m{i}")])
    s.c("SORT", "zbig", "BY", "nosort", "LIMIT", "100", "10")
    s.c("SORT", "zbig", "BY", "nosort", "DESC", "LIMIT", "5", "10", "GET", "#")
    s.c("SORT", "zbig", "ALPHA", "LIMIT", "0", "10")


@case
def case_sort_command_info(s):
    s.opt("SORT", "nokey")
    s.c("COMMAND", "INFO", "sort", "sort_ro")
    for argv in (["SORT", "a"], ["SORT", "a", "STORE", "b"], ["SORT", "a", "BY", "w_*", "GET", "#", "STORE", "b"],
                 ["SORT", "a", "STORE"], ["SORT_RO", "a", "GET", "x"], ["SORT", "a", "store", "b", "STORE", "c"]):
        s.c("COMMAND", "GETKEYS", *argv)


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
# lists, sorted sets and SORT
COUNTS = ["0", "1", "2", "3", "5", "100", "-1", "x", "1.5", I64MAX, I64MIN, ""]
LIDX = ["0", "1", "2", "3", "-1", "-2", "-3", "5", "10", "-10", "100", "-100"]
LIST_NUMS = [b"1.5", b"-0.5", b"1e3", b"inf", b"-inf", b" 2", b"007", b"-0", b"9223372036854775807", b"0x1f",
             b"1.0", b"+3"]
LIST_WORDS = [b"a", b"b", b"c", b"d", b"hello", b"", b"A", b"a b", b"zz"]
SORT_BY = ["k*", "e*", "k*->f0", "k*->f1", "nokey*", "*"]
SORT_GET = ["#", "k*", "k*->f0", "e*", "nokey*"]
ZMEMBERS_ODD = [b"", b"a\x00b", b"L" * 70, b"-", b"+", b"[m1", b"(", b"M0", b"m10"]
ZSCORE_GOOD = ["0", "1", "-1", "1.5", "-2.5", "inf", "-inf", "+inf", "-0", "1e308", "-1e308", "0.1", "100", "3.0",
               "1e-5", "0x10"]
ZSCORE_BAD = ["nan", "abc", "", "(1", " 1", "1e400", "1,5", "1 ", "--1", "-nan"]
ZBOUNDS = ["-inf", "+inf", "inf", "0", "1", "2", "5", "-1", "(0", "(1", "(2", "(5", "(-inf", "(+inf", "1.5", "(1.5",
           "-0", "3", "(3", "100", "(-1"]
ZBOUNDS_BAD = ["((1", "abc", "", "nan", "[1", "1e400", "(", " 1"]
ZLEX = ["-", "+", "[a", "(a", "[c", "(c", "[aa", "(aa", "[", "(", "[A", "[L", "(L", b"[a\x00", "a", "", "[z", "(h"]
XMEMBERS = [b"a", b"b", b"c", b"d", b"e", b"f", b"aa", b"", b"A", b"a\x00", b"L" * 70, b"[a", b"-"]
ZWEIGHTS = ["1", "1", "2", "-1", "0", "1.5", "inf", "-inf", "x", "nan"]

_RANDOM_IF_SHORTENED = {"SPOP", "SRANDMEMBER", "HRANDFIELD", "ZRANDMEMBER"}


class Gen:
    """Seeded command generator; output depends only on the seed (never on replies)."""

    def __init__(self, rng, lists, base_time, hashes=False, sets=False, zsets=False, sort=False):
        self.r = rng
        self.lists = lists
        self.zsets = zsets
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
            table += [
                (1, self.g_rpush), (8, self.g_lpush), (4, self.g_lpop), (1, self.g_llen), (3, self.g_lrange),
                (2, self.g_lindex), (1.5, self.g_lset), (1.5, self.g_linsert), (1.5, self.g_lrem), (1, self.g_ltrim),
                (2, self.g_lpos), (2, self.g_lmove), (1.5, self.g_lmpop), (1, self.g_ldel),
            ]
            if sort:
                table.append((3, self.g_sort))
        if zsets:
            table += [
                (7, self.g_zadd), (2, self.g_zincrby), (2, self.g_zrem), (1, self.g_zcard), (2, self.g_zscore),
                (2, self.g_zrank), (2, self.g_zcount), (5, self.g_zrange), (1.5, self.g_zrangestore),
                (1.5, self.g_zremrange), (2.5, self.g_zpop), (1, self.g_zrandmember), (3, self.g_zalgebra),
                (1, self.g_zscan), (2, self.g_zaddlex), (1, self.g_zremlex), (1, self.g_zdel),
            ]
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
        if x < 0.02 and self.lists:
            return b"l%d" % self.r.randrange(4)
        if 0.02 <= x < 0.04 and self.zsets:
            return b"z%d" % self.r.randrange(4)
        if 0.09 <= x < 0.11:
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

    # -- lists (l0/l1 mostly hold numbers, so numeric SORT succeeds on them; l2/l3 hold words) ----
    def lkey(self):
        return b"l%d" % self.r.randrange(4) if self.r.random() < 0.85 else self.key()

    def lval(self, key=b""):
        r = self.r
        x = r.random()
        if (key in (b"l0", b"l1") and x < 0.9) or x < 0.3:
            if r.random() < 0.85:
                return b"%d" % r.randrange(-3, 12)
            return r.choice(LIST_NUMS)
        if x < 0.85:
            return r.choice(LIST_WORDS)
        return self.val()

    def g_lpush(self):
        k = self.lkey()
        name = self.r.choice(["LPUSH", "RPUSH", "LPUSH", "RPUSH", "LPUSHX", "RPUSHX"])
        return [name, k] + [self.lval(k) for _ in range(self.r.randint(1, 4))]

    def g_ldel(self):
        # l and z keys turn into other types now and then (SET, RENAME, ...): this frees them again
        return ["DEL", b"l%d" % self.r.randrange(4)]

    def g_lpop(self):
        return [self.r.choice(["LPOP", "RPOP"]), self.lkey()] + self.r.choice([[], [], [self.r.choice(COUNTS)]])

    def g_llen(self):
        return ["LLEN", self.lkey()]

    def _lidx(self):
        return self.r.choice(LIDX) if self.r.random() < 0.8 else self.r.choice(OFFSETS)

    def g_lrange(self):
        return ["LRANGE", self.lkey(), self._lidx(), self._lidx()]

    def g_lindex(self):
        return ["LINDEX", self.lkey(), self._lidx()]

    def g_lset(self):
        k = self.lkey()
        i = self.r.choice(["0", "1", "-1", "2", "-2"]) if self.r.random() < 0.8 else self._lidx()
        return ["LSET", k, i, self.lval(k)]

    def g_linsert(self):
        k = self.lkey()
        where = (self.c(self.r.choice(["BEFORE", "AFTER"])) if self.r.random() < 0.95
                 else self.r.choice(["MIDDLE", "LEFT"]))
        return ["LINSERT", k, where, self.lval(k), self.lval(k)]

    def g_lrem(self):
        k = self.lkey()
        return ["LREM", k, self.r.choice(["0", "0", "1", "2", "-1", "-2", I64MAX, I64MIN, "x"]), self.lval(k)]

    def g_ltrim(self):
        r = self.r
        if r.random() < 0.8:
            return ["LTRIM", self.lkey(), r.choice(["0", "0", "1", "-5", "2"]), r.choice(["-1", "-1", "-2", "5", "10"])]
        return ["LTRIM", self.lkey(), r.choice(OFFSETS), r.choice(OFFSETS)]

    def g_lpos(self):
        r = self.r
        k = self.lkey()
        groups = []
        if r.random() < 0.4:
            groups.append([self.c("RANK"), r.choice(["1", "2", "-1", "-2", "3", "0", I64MIN, I64MAX, "x"])])
        if r.random() < 0.4:
            groups.append([self.c("COUNT"), r.choice(["0", "1", "2", "5", "-1", "x"])])
        if r.random() < 0.3:
            groups.append([self.c("MAXLEN"), r.choice(["0", "1", "3", "10", "-1", "x"])])
        if r.random() < 0.03:
            groups.append([r.choice(["RANK", "COUNT", "MAXLEN", "FOO"])])
        r.shuffle(groups)
        return ["LPOS", k, self.lval(k)] + [a for g in groups for a in g]

    def _where(self, words=("LEFT", "RIGHT")):
        return self.c(self.r.choice(words)) if self.r.random() < 0.97 else self.r.choice(["UP", "MIN", "FOO"])

    def g_lmove(self):
        if self.r.random() < 0.25:
            return ["RPOPLPUSH", self.lkey(), self.lkey()]
        return ["LMOVE", self.lkey(), self.lkey(), self._where(), self._where()]

    def g_lmpop(self):
        r = self.r
        keys = [self.lkey() for _ in range(r.randint(1, 3))]
        n = str(len(keys)) if r.random() < 0.93 else r.choice(["0", "-1", "x", "5"])
        tail = [self.c("COUNT"), r.choice(COUNTS)] if r.random() < 0.5 else []
        return ["LMPOP", n] + keys + [self._where()] + tail

    def g_sort(self):
        """SORT / SORT_RO, deterministic on every key type: no BY nosort without STORE (a set would come
        back in its table's order), and no ALPHA together with a BY pattern (ties keep the input order,
        which for a set is its table's order)."""
        r = self.r
        ro = r.random() < 0.3
        groups = []
        alpha = r.random() < 0.35
        store = not ro and r.random() < 0.3
        if r.random() < 0.3:
            if store and r.random() < 0.4:
                groups.append([self.c("BY"), "nosort"])
            elif not alpha:
                groups.append([self.c("BY"), r.choice(SORT_BY)])
        if alpha:
            groups.append([self.c("ALPHA")])
        if r.random() < 0.3:
            groups.append([self.c(r.choice(["DESC", "ASC"]))])
        if r.random() < 0.3:
            groups.append([self.c("LIMIT"), r.choice(["0", "1", "2", "-1", "5", I64MAX]),
                           r.choice(["1", "2", "3", "10", "0", "-1", I64MAX])])
        for _ in range(r.choice([0, 0, 1, 2])):
            groups.append([self.c("GET"), r.choice(SORT_GET)])
        if store:
            groups.append([self.c("STORE"), self.lkey()])
        elif ro and r.random() < 0.05:
            groups.append(["STORE", self.lkey()])
        r.shuffle(groups)
        return ["SORT_RO" if ro else "SORT", self.lkey()] + [a for g in groups for a in g]

    # -- sorted sets (small member pool; a long member turns a set into a skiplist) --------------
    def zkey(self):
        return b"z%d" % self.r.randrange(4) if self.r.random() < 0.85 else self.key()

    def zmember(self):
        r = self.r
        x = r.random()
        if x < 0.6:
            return b"m%d" % r.randrange(8)
        if x < 0.85:
            return b"%d" % r.randrange(-2, 6)
        return r.choice(ZMEMBERS_ODD)

    def zscore(self):
        r = self.r
        if r.random() < 0.94:
            return to_bytes(r.choice(ZSCORE_GOOD)) if r.random() < 0.4 else b"%d" % r.randrange(-3, 10)
        return to_bytes(r.choice(ZSCORE_BAD))

    def zbound(self):
        return self.r.choice(ZBOUNDS) if self.r.random() < 0.95 else self.r.choice(ZBOUNDS_BAD)

    def zmin_max(self):
        return self.zbound(), self.zbound()

    # Lexicographic ranges only on x0..x2, which only the lex ops below touch and which always hold
    # score 0: on a skiplist with mixed scores the result of a lex range depends on the random node
    # levels (Redis documents it as undefined).
    def xkey(self):
        return b"x%d" % self.r.randrange(3) if self.r.random() < 0.95 else b"x9"

    def xmember(self):
        return self.r.choice(XMEMBERS)

    def zlex(self):
        return self.r.choice(ZLEX), self.r.choice(ZLEX)

    def g_zaddlex(self):
        r = self.r
        flags = [self.c(f) for f in (r.choice([[], [], ["NX"], ["XX"]]) + (["CH"] if r.random() < 0.2 else []))]
        return ["ZADD", self.xkey()] + flags + [a for _ in range(r.randint(1, 4)) for a in ("0", self.xmember())]

    def g_zremlex(self):
        r = self.r
        x = r.random()
        if x < 0.4:
            return ["ZREM", self.xkey()] + [self.xmember() for _ in range(r.randint(1, 2))]
        if x < 0.7:
            return ["ZREMRANGEBYLEX", self.xkey(), *self.zlex()]
        return [r.choice(["ZPOPMIN", "ZPOPMAX"]), self.xkey()] + r.choice([[], ["2"]])

    def g_zadd(self):
        r = self.r
        flags = []
        x = r.random()
        if x < 0.15:
            flags.append("NX")
        elif x < 0.3:
            flags.append("XX")
        x = r.random()
        if x < 0.12:
            flags.append("GT")
        elif x < 0.24:
            flags.append("LT")
        if r.random() < 0.2:
            flags.append("CH")
        incr = r.random() < 0.12
        if incr:
            flags.append("INCR")
        if r.random() < 0.03:
            flags.append(r.choice(["NX", "XX", "GT", "LT", "FOO"]))
        if r.random() < 0.2:
            r.shuffle(flags)
        npairs = 1 if incr and r.random() < 0.95 else r.randint(1, 4)
        return ["ZADD", self.zkey()] + [self.c(f) for f in flags] + [
            a for _ in range(npairs) for a in (self.zscore(), self.zmember())]

    def g_zdel(self):
        return ["DEL", b"z%d" % self.r.randrange(4)]

    def g_zincrby(self):
        return ["ZINCRBY", self.zkey(), self.zscore(), self.zmember()]

    def g_zrem(self):
        return ["ZREM", self.zkey()] + [self.zmember() for _ in range(self.r.randint(1, 3))]

    def g_zcard(self):
        return ["ZCARD", self.zkey()]

    def g_zscore(self):
        if self.r.random() < 0.6:
            return ["ZSCORE", self.zkey(), self.zmember()]
        return ["ZMSCORE", self.zkey()] + [self.zmember() for _ in range(self.r.randint(1, 4))]

    def g_zrank(self):
        return [self.r.choice(["ZRANK", "ZREVRANK"]), self.zkey(), self.zmember()]

    def g_zcount(self):
        if self.r.random() < 0.6:
            return ["ZCOUNT", self.zkey(), *self.zmin_max()]
        return ["ZLEXCOUNT", self.xkey(), *self.zlex()]

    def _zlimit(self):
        return [self.c("LIMIT"), self.r.choice(["0", "1", "2", "-1", "5", I64MAX, "x"]),
                self.r.choice(["1", "2", "3", "0", "-1", "-5", I64MAX])]

    def _zrange_args(self, kind, store=False):
        r = self.r
        rev = r.random() < 0.3
        if kind == "INDEX":
            a, b = self._lidx(), self._lidx()
        elif kind == "BYSCORE":
            a, b = self.zmin_max()
        else:
            a, b = self.zlex()
        opts = [] if kind == "INDEX" else [self.c(kind)]
        if rev:
            opts.append(self.c("REV"))
        if r.random() < (0.4 if kind != "INDEX" else 0.05):
            opts += self._zlimit()
        if not store and r.random() < (0.4 if kind != "BYLEX" else 0.05):
            opts.append(self.c("WITHSCORES"))
        if r.random() < 0.1:
            r.shuffle(opts)
        return [a, b] + opts

    def g_zrange(self):
        r = self.r
        x = r.random()
        if x < 0.45:
            kind = r.choice(["INDEX", "BYSCORE", "BYLEX"])
            return ["ZRANGE", self.xkey() if kind == "BYLEX" else self.zkey()] + self._zrange_args(kind)
        if x < 0.55:
            return (["ZREVRANGE", self.zkey(), self._lidx(), self._lidx()]
                    + ([self.c("WITHSCORES")] if r.random() < 0.4 else []))
        if x < 0.8:
            name = r.choice(["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"])
            opts = ([self.c("WITHSCORES")] if r.random() < 0.4 else []) + (self._zlimit() if r.random() < 0.3 else [])
            return [name, self.zkey(), *self.zmin_max()] + opts
        name = r.choice(["ZRANGEBYLEX", "ZREVRANGEBYLEX"])
        return [name, self.xkey(), *self.zlex()] + (self._zlimit() if r.random() < 0.3 else [])

    def g_zrangestore(self):
        kind = self.r.choice(["INDEX", "BYSCORE", "BYLEX"])
        if kind == "BYLEX":     # x keys keep score 0: only they may receive what comes from one
            dst = self.xkey() if self.r.random() < 0.5 else self.zkey()
            return ["ZRANGESTORE", dst, self.xkey()] + self._zrange_args(kind, store=True)
        return ["ZRANGESTORE", self.zkey(), self.zkey()] + self._zrange_args(kind, store=True)

    def g_zremrange(self):
        r = self.r
        x = r.random()
        if x < 0.3:
            return ["ZREMRANGEBYRANK", self.zkey(), r.choice(["0", "1", "-1", "-2", "2", "5"]),
                    r.choice(["0", "1", "-1", "-3", "2"])]
        return ["ZREMRANGEBYSCORE", self.zkey(), *self.zmin_max()]

    def g_zpop(self):
        r = self.r
        if r.random() < 0.7:
            return [r.choice(["ZPOPMIN", "ZPOPMAX"]), self.zkey()] + r.choice([[], [], [r.choice(COUNTS)]])
        keys = [self.zkey() for _ in range(r.randint(1, 3))]
        n = str(len(keys)) if r.random() < 0.93 else r.choice(["0", "-1", "x", "5"])
        tail = [self.c("COUNT"), r.choice(COUNTS)] if r.random() < 0.5 else []
        return ["ZMPOP", n] + keys + [self._where(("MIN", "MAX"))] + tail

    def g_zrandmember(self):
        # Compared by shape only (see default_mode). No huge negative counts: Redis would build the reply.
        return ["ZRANDMEMBER", self.zkey()] + self.r.choice(
            [[], ["100"], ["100", "WITHSCORES"], ["0"], ["-3"], ["2", "WITHSCORES"], ["-5", "WITHSCORES"], ["x"],
             [I64MIN], ["1", "foo"]])

    def g_zalgebra(self):
        r = self.r
        name = r.choice(["ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZINTERCARD"])
        keys = [self.zkey() if r.random() < 0.85 else self.key() for _ in range(r.randint(1, 3))]
        n = str(len(keys)) if r.random() < 0.93 else r.choice(["0", "-1", "x", str(len(keys) + 1)])
        head = [name, self.zkey()] if name.endswith("STORE") else [name]
        opts = []
        if name == "ZINTERCARD":
            if r.random() < 0.4:
                opts = [self.c("LIMIT"), r.choice(["0", "1", "2", "-1", "x"])]
            return head + [n] + keys + opts
        weights_ok = name not in ("ZDIFF", "ZDIFFSTORE")
        if r.random() < (0.4 if weights_ok else 0.05):
            nw = len(keys) if r.random() < 0.93 else len(keys) + 1
            opts.append([self.c("WEIGHTS")] + [r.choice(ZWEIGHTS) for _ in range(nw)])
        if r.random() < (0.4 if weights_ok else 0.05):
            opts.append([self.c("AGGREGATE"), self.c(r.choice(["SUM", "MIN", "MAX"])) if r.random() < 0.95 else "FOO"])
        if r.random() < (0.5 if not name.endswith("STORE") else 0.03):
            opts.append([self.c("WITHSCORES")])
        if r.random() < 0.1:
            r.shuffle(opts)
        return head + [n] + keys + [a for g in opts for a in g]

    def g_zscan(self):
        # Always complete (COUNT 1000): a partial scan of a skiplist set depends on its table's layout.
        return ["ZSCAN", self.zkey(), "0"] + self.r.choice([[], ["MATCH", "m*"], ["MATCH", "*1*"]]) + ["COUNT", "1000"]

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
        # Always a complete scan (COUNT 1000): a partial one depends on the table's layout, which also
        # depends on timing (serverCron shrinks a table after deletions, at a moment of its own).
        return ["SSCAN", self.key(), "0"] + self.r.choice([[], ["MATCH", "m*"]]) + ["COUNT", "1000"]

    def g_hscan(self):
        return ["HSCAN", self.key(), "0"] + self.r.choice([[], ["MATCH", "f*"], ["TYPE", "hash"]]) + ["COUNT", "1000"]

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
                # arity / syntax errors; but "SPOP k" or "SRANDMEMBER k 1" (from "... 1 2") would pick at random
                if argv[0] not in _RANDOM_IF_SHORTENED:
                    argv = argv[:-1]
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
            elif tr.kind == "simple" and tr.val == b"list":
                s.c("LRANGE", k, "0", "-1")
            elif tr.kind == "simple" and tr.val == b"zset":
                s.c("ZRANGE", k, "0", "-1", "WITHSCORES")
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
                             f"({fmt_reply(r_cand, 100)}); list ops disabled")
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
        r_cand = s.cand.call(["ZADD", "__probe__", "1", "m"])
        zsets = not (r_cand.kind == "error" and _UNSUPPORTED_RE.search(r_cand.val))
        if not zsets:
            h.skipped.append(f"random [RESP{resp}]: ZADD unsupported by candidate; sorted-set ops disabled")
        s.ref.call(["DEL", "__probe__"])
        s.cand.call(["DEL", "__probe__"])
        r_cand = s.cand.call(["SORT", "__probe__"])
        sort = lists and not (r_cand.kind == "error" and _UNSUPPORTED_RE.search(r_cand.val))
        if lists and not sort:
            h.skipped.append(f"random [RESP{resp}]: SORT unsupported by candidate; SORT ops disabled")
        rng = random.Random(f"{seed}:{resp}")
        gen = Gen(rng, lists, _now(), hashes, sets, zsets, sort)
        # A second client for transactions: its commands between WATCH and EXEC may touch keys.
        other = h.session("random/other client", resp, repro).open(reset=False)
        db = 0
        every = h.args.check_every
        for i in range(nops):
            argv = gen.next()
            s.index = s.op = i
            if argv[0] == b"__SCAN__":
                s.scan(*argv[1:])
                continue
            if rng.random() < 0.02:
                random_transaction(s, other, gen, rng)
                continue
            r_ref, _ = s.c(*argv)
            if argv[0].upper() == b"SELECT" and r_ref.kind == "simple":
                db = int(argv[1])
            if every and (i + 1) % every == 0 and i + 1 < nops:
                check_keyspace(s, db)
        check_keyspace(s, db)
        other.close()
    finally:
        s.close()


def random_transaction(s, other, gen, rng):
    """MULTI, a few random commands (queued, or refused: EXECABORT), then EXEC or DISCARD;
    often after WATCH of some keys and a random command of another client that may touch them."""
    def op():
        while True:
            argv = gen.next()
            # SELECT would move the session's database under run_random; SCAN is not a command;
            # EXEC's reply is compared exactly, so only commands whose replies compare exactly.
            if argv[0] != b"__SCAN__" and argv[0].upper() != b"SELECT" and default_mode(argv) == "exact":
                return argv
    if rng.random() < 0.6:
        s.c("WATCH", *[gen.key() for _ in range(rng.randint(1, 3))])
        if rng.random() < 0.7:
            other.c(*op())
    s.c("MULTI")
    for _ in range(rng.randint(0, 4)):
        s.c(*op())
    s.c("EXEC" if rng.random() < 0.85 else "DISCARD")


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
            # LC_ALL=C: Redis sorts SORT ... ALPHA with strcoll(), so the locale would change its order
            p = subprocess.Popen(argv, cwd=wd, stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True,
                                 env=dict(os.environ, LC_ALL="C"))
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
        (compare(A(B(b"a"), B(b"b")), A(B(b"c"), B(b"a")), "shape"), True),
        (compare(A(B(b"a"), B(b"b")), A(B(b"a")), "shape"), False),
        (compare(A(A(B(b"a"), Reply("double", b"1"))), A(A(B(b"b"), Reply("double", b"2"))), "shape"), True),
        (compare(A(A(B(b"a"), Reply("double", b"1"))), A(A(B(b"b"), B(b"2"))), "shape"), False),
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
        # absolute paths: the servers run in a temporary working directory
        ref_bin, cand_bin = (os.path.abspath(b) if os.sep in b else b for b in
                             (shutil.which(args.ref_bin) or args.ref_bin, shutil.which(args.cand_bin) or args.cand_bin))
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
            spawned.start("cand", [cand_bin, "--port", str(cp), "--bind", "127.0.0.1", "--save", "",
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
