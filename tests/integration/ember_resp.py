"""A tiny, strict RESP2/RESP3 client used for exact-reply assertions.

redis-py post-processes many replies (response callbacks, stripping the
"ERR " prefix from errors, ...).  The tests that need to see exactly what the
server put on the wire use this module instead.

Reply mapping (``RawConn.call``):

* ``+simple``   -> ``str``            (so ``"OK"`` != ``b"OK"``)
* ``$bulk``     -> ``bytes``
* ``:int``      -> ``int``
* ``$-1``/``*-1``/``_`` -> ``None``
* ``*array``    -> ``list``
* ``-error``    -> ``Err`` (returned, not raised; compares equal to the full
  error line, e.g. ``Err("ERR syntax error")``)
* RESP3: ``%map`` -> ``Map`` (a list of (k, v) pairs that also compares
  equal to a dict), ``~set`` -> ``Set`` (list subclass), ``,double`` ->
  ``Double``, ``#bool`` -> ``bool``, ``(bignum`` -> ``BigNum``,
  ``=verbatim`` -> ``Verbatim``, ``>push`` -> ``Push``, ``|attr`` -> ``Attr``.
"""

import socket
import time


class ProtocolViolation(Exception):
    pass


class Err:
    __slots__ = ("msg",)

    def __init__(self, msg):
        if isinstance(msg, bytes):
            msg = msg.decode("utf-8", "replace")
        self.msg = msg

    def __eq__(self, other):
        if isinstance(other, Err):
            return self.msg == other.msg
        return NotImplemented

    def __hash__(self):
        return hash(self.msg)

    def __repr__(self):
        return f"Err({self.msg!r})"

    @property
    def code(self):
        return self.msg.split(" ", 1)[0]


class Map(list):
    """RESP3 map: ordered list of (key, value) pairs."""

    def as_dict(self):
        return dict(self)

    def __getitem__(self, key):
        if isinstance(key, (int, slice)):
            return list.__getitem__(self, key)
        for k, v in self:
            if k == key:
                return v
        raise KeyError(key)

    def __eq__(self, other):
        if isinstance(other, dict):
            return dict(self) == other
        return list.__eq__(self, other)

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = None


class Set(list):
    pass


class Push(list):
    pass


class Double(float):
    pass


class BigNum(int):
    pass


class Verbatim(bytes):
    fmt = b"txt"


class Attr(dict):
    pass


def encode_command(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        elif isinstance(a, float):
            a = repr(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class RawConn:
    def __init__(self, host, port, timeout=5.0):
        self.host = host
        self.port = port
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.closed = False

    # ------------------------------------------------------------ low level
    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def _fill(self, timeout=None):
        self.sock.settimeout(self.timeout if timeout is None else timeout)
        try:
            chunk = self.sock.recv(1 << 16)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.closed = True
            raise ConnectionError("connection closed by server")
        self.buf += chunk

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line = self.buf[:i]
                self.buf = self.buf[i + 2:]
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data = self.buf[:n]
        if self.buf[n:n + 2] != b"\r\n":
            raise ProtocolViolation(f"bulk not terminated by CRLF: {self.buf[:n + 2]!r}")
        self.buf = self.buf[n + 2:]
        return data

    # --------------------------------------------------------------- parser
    def read(self):
        """Read and decode exactly one reply."""
        line = self._line()
        if not line:
            raise ProtocolViolation("empty reply line")
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode("utf-8", "replace")
        if t == b"-":
            return Err(rest)
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n == -1:
                return None
            return self._exact(n)
        if t == b"*":
            n = int(rest)
            if n == -1:
                return None
            return [self.read() for _ in range(n)]
        if t == b"_":
            if rest:
                raise ProtocolViolation(f"bad null {line!r}")
            return None
        if t == b"%":
            n = int(rest)
            return Map((self.read(), self.read()) for _ in range(n))
        if t == b"~":
            return Set(self.read() for _ in range(int(rest)))
        if t == b">":
            return Push(self.read() for _ in range(int(rest)))
        if t == b",":
            return Double(float(rest))
        if t == b"#":
            if rest not in (b"t", b"f"):
                raise ProtocolViolation(f"bad boolean {line!r}")
            return rest == b"t"
        if t == b"(":
            return BigNum(int(rest))
        if t == b"=":
            data = self._exact(int(rest))
            v = Verbatim(data[4:])
            v.fmt = data[:3]
            return v
        if t == b"!":
            return Err(self._exact(int(rest)))
        if t == b"|":
            n = int(rest)
            return Attr((self.read(), self.read()) for _ in range(n))
        raise ProtocolViolation(f"unknown reply type {line!r}")

    def read_raw(self):
        """Read exactly one reply and return its bytes as sent on the wire."""
        # Parse while recording the consumed bytes.
        consumed = bytearray()
        orig_line, orig_exact = self._line, self._exact

        def line():
            v = orig_line()
            consumed.extend(v + b"\r\n")
            return v

        def exact(n):
            v = orig_exact(n)
            consumed.extend(v + b"\r\n")
            return v

        self._line, self._exact = line, exact
        try:
            self.read()
        finally:
            self._line, self._exact = orig_line, orig_exact
        return bytes(consumed)

    # ---------------------------------------------------------- high level
    def call(self, *args):
        self.send(encode_command(*args))
        return self.read()

    def call_raw(self, *args):
        self.send(encode_command(*args))
        return self.read_raw()

    def read_available(self, wait=0.2):
        """Return whatever bytes arrive within `wait` seconds (plus buffer)."""
        deadline = time.monotonic() + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                self._fill(timeout=left)
            except (socket.timeout, TimeoutError):
                break
            except ConnectionError:
                break
        data, self.buf = self.buf, b""
        return data

    def read_until_close(self, timeout=3.0):
        """Read everything until the server closes the connection.

        Returns the bytes received.  Raises AssertionError if the connection
        is still open after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not self.closed:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"server did not close the connection; got {self.buf!r}")
            try:
                self._fill(timeout=left)
            except (socket.timeout, TimeoutError):
                continue
            except ConnectionError:
                break
        data, self.buf = self.buf, b""
        return data

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def redis_py_raw(client, *args):
    """Send a command through a redis-py client, bypassing its response
    callbacks, and return the parser's output (RESP3 maps -> dict, ...)."""
    conn = client.connection_pool.get_connection()
    try:
        conn.send_command(*args)
        return conn.read_response()
    finally:
        client.connection_pool.release(conn)
