"""What the Python binding tests share: one event loop for every library call (uniffi runs
the host's async callbacks, such as an async HTTP client, on it), a hardware key wrapper like
a platform key store's, and clocks in Unix seconds."""

import asyncio
import datetime
import hashlib
import os

import khaibao

LOOP = asyncio.new_event_loop()
khaibao.uniffi_set_event_loop(LOOP)


def run(call):
    """Awaits a library call on the shared loop (the synchronous ones, such as the staff
    door log's, pass their result through)."""
    return LOOP.run_until_complete(call) if asyncio.iscoroutine(call) else call


def at(seconds):
    """The instant `seconds` Unix seconds stand for (uniffi's timestamp type)."""
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)


class XorWrapper(khaibao.HardwareKeyWrapper):
    """A hardware key wrapper whose key never leaves it; `lose()` wipes that key, as
    restoring a backup onto a new phone does."""

    def __init__(self):
        self.key = os.urandom(32)
        self.calls = 0

    def lose(self):
        self.key = None

    def _xor(self, data):
        if self.key is None:
            raise khaibao.KeyWrapError.KeyUnavailable()
        self.calls += 1
        return bytes(b ^ self.key[i % 32] for i, b in enumerate(data))

    def _tag(self):
        return hashlib.sha256(self.key).digest()[:8] if self.key else b""

    def wrap(self, secret):
        return b"W" + self._tag() + self._xor(secret)

    def unwrap(self, wrapped):
        if not wrapped.startswith(b"W"):
            raise khaibao.KeyWrapError.Failed("not mine")
        if wrapped[1:9] != self._tag():
            # Wrapped under a key this store does not hold (another phone's, or a lost one).
            raise khaibao.KeyWrapError.KeyUnavailable()
        return self._xor(wrapped[9:])


WRAPPER = XorWrapper()


class TestClock(khaibao.KhaibaoClock):
    """A clock the test sets, in Unix seconds."""

    def __init__(self, now):
        self.now_seconds = now

    def now(self):
        return at(self.now_seconds)


def open_app(config, clock=None, wrapper=WRAPPER):
    if clock is None:
        return run(khaibao.KhaibaoLibrary.open(config, wrapper))
    return run(khaibao.KhaibaoLibrary.open(config, wrapper, clock))
