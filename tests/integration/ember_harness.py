"""Helpers shared by the integration tests (importable from test modules)."""

import os
import subprocess

import redis

HOST = "127.0.0.1"
REDIS_CLI = os.environ.get("REDIS_CLI_BIN", "redis-cli")


def make_redis(port, host=HOST, protocol=2, **kw):
    """A redis-py client that sends nothing but what the test asks for
    (no CLIENT SETINFO / MAINT_NOTIFICATIONS handshake noise)."""
    from redis.backoff import NoBackoff
    from redis.maint_notifications import MaintNotificationsConfig
    from redis.retry import Retry
    kw.setdefault("socket_timeout", 10)
    # No retries: a failure should surface immediately (and not cost seconds).
    kw.setdefault("retry", Retry(NoBackoff(), 0))
    return redis.Redis(host=host, port=port, protocol=protocol, driver_info=None,
                       maint_notifications_config=MaintNotificationsConfig(enabled=False),
                       **kw)


class Cli:
    def __init__(self, port, host=HOST):
        self.port = port
        self.host = host

    def run(self, *args, input=None, timeout=15):
        if isinstance(input, str):
            input = input.encode()
        return subprocess.run([REDIS_CLI, "-h", self.host, "-p", str(self.port), *map(str, args)],
                              input=input, capture_output=True, timeout=timeout)

    def __call__(self, *args, input=None):
        """Run redis-cli and return its stdout (str)."""
        return self.run(*args, input=input).stdout.decode("utf-8", "surrogateescape")
