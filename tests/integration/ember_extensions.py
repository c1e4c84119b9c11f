"""Where ember-server deliberately answers beyond Redis 7.0, as its issue asks.

* HELLO ends with an ``ember_version`` field (after Redis's seven);
* CLIENT SETINFO exists (Redis 7.2's), and CLIENT INFO/LIST end with ``lib-name`` and
  ``lib-ver`` as in Redis 7.2.

Against ``redis-server`` 7.0 (EMBER_TEST_TARGET=redis) the tests expect exactly Redis.
"""
import re

from conftest import EMBER
from ember_resp import Map

VERSION = re.compile(rb"^\d+\.\d+\.\d+$")


def strip_hello_extension(reply):
    """HELLO's reply without Ember's trailing ``ember_version`` pair, checked to be there."""
    if not EMBER:
        return reply
    if isinstance(reply, Map):
        key, value = reply[-1]
        assert key == b"ember_version" and VERSION.match(value), reply
        return Map(list(reply)[:-1])
    assert reply[-2] == b"ember_version" and VERSION.match(reply[-1]), reply
    return reply[:-2]


def hello3_wire_suffix(version):
    """The bytes Ember appends to a RESP3 HELLO map, and the map's length."""
    if not EMBER:
        return b"", 7
    return b"$13\r\nember_version\r\n$%d\r\n%s\r\n" % (len(version), version), 8


CLIENT_LIB_FIELDS = ["lib-name", "lib-ver"] if EMBER else []
