"""An SMTP server for tests and benchmarks: aiosmtpd in a thread, on a free port of 127.0.0.1.

It records every message it accepts (Message-ID, envelope recipients, the parsed message) and can
misbehave per recipient: answer a temporary error (421 or 451) a number of times before accepting,
or refuse for good (550). A per-message delay makes it a slow server.

    with SmtpSink(delay=0.02) as sink:
        sink.fail_temporarily("a@example.com", times=2, code=451)
        sink.refuse("b@example.com")
        ...  # send to 127.0.0.1:sink.port
        sink.wait_for(10)
        assert sink.duplicates == 0

A message counts as received only once the server has taken it (just before the final 250): a
client that disconnects during the delay has delivered nothing, like with a real server.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesHeaderParser

from aiosmtpd.controller import Controller

# aiosmtpd logs every SMTP command at INFO; a benchmark sends thousands.
logging.getLogger("mail.log").setLevel(logging.WARNING)

TEMPORARY_REPLIES = {
    421: "421 4.3.2 Service not available, closing transmission channel",
    451: "451 4.3.0 Requested action aborted: try again later",
}
PERMANENT_REPLY = "550 5.1.1 Mailbox unavailable"


@dataclass(frozen=True)
class ReceivedMessage:
    message_id: str
    recipients: tuple[str, ...]
    raw: bytes = field(compare=False, repr=False)

    @property
    def message(self) -> EmailMessage:
        """The whole message, parsed when asked for (a benchmark needs only the Message-ID)."""
        return email.message_from_bytes(self.raw, policy=email.policy.default)


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address: str, rcpt_options) -> str:
        reply = self.sink._reply_for(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        self.sink._record(envelope)
        return "250 Message accepted for delivery"


class _Controller(Controller):
    """Listens on a socket bound before the thread starts, so the port is known and free."""

    def __init__(self, handler: _Handler, sock: socket.socket) -> None:
        self._sock = sock
        super().__init__(handler, hostname="127.0.0.1", port=sock.getsockname()[1], server_hostname="sink.test")

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._sock)


class SmtpSink:
    def __init__(self, *, delay: float = 0.0) -> None:
        self.delay = delay
        self._lock = threading.Lock()
        self._messages: list[ReceivedMessage] = []
        self._temporary: dict[str, list[int]] = {}  # address -> [code, times left]
        self._permanent: dict[str, str] = {}
        self._refusals: Counter[str] = Counter()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        self._controller = _Controller(_Handler(self), self._sock)

    # Lifecycle -------------------------------------------------------------------------------

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop(no_assert=True)
        self._sock.close()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # Misbehaviour ----------------------------------------------------------------------------

    def fail_temporarily(self, address: str, *, times: int = 1, code: int = 451) -> None:
        """Answer RCPT TO:<address> with a 421 or 451 the next ``times`` times, then accept."""
        if code not in TEMPORARY_REPLIES:
            raise ValueError(f"not a temporary reply this sink knows: {code}")
        with self._lock:
            self._temporary[address.lower()] = [code, times]

    def refuse(self, address: str, reply: str = PERMANENT_REPLY) -> None:
        """Answer RCPT TO:<address> with a permanent error, always."""
        with self._lock:
            self._permanent[address.lower()] = reply

    def _reply_for(self, address: str) -> str | None:
        key = address.lower()
        with self._lock:
            if key in self._permanent:
                self._refusals[key] += 1
                return self._permanent[key]
            pending = self._temporary.get(key)
            if pending and pending[1] > 0:
                pending[1] -= 1
                self._refusals[key] += 1
                return TEMPORARY_REPLIES[pending[0]]
        return None

    # Records ---------------------------------------------------------------------------------

    def _record(self, envelope) -> None:
        raw = envelope.original_content or envelope.content
        headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
        received = ReceivedMessage(
            message_id=str(headers.get("Message-ID", "")).strip(), recipients=tuple(envelope.rcpt_tos), raw=raw
        )
        with self._lock:
            self._messages.append(received)

    @property
    def messages(self) -> list[ReceivedMessage]:
        with self._lock:
            return list(self._messages)

    def message_ids(self) -> Counter[str]:
        return Counter(m.message_id for m in self.messages)

    def to(self, address: str) -> list[ReceivedMessage]:
        return [m for m in self.messages if address.lower() in (r.lower() for r in m.recipients)]

    def refusals(self, address: str) -> int:
        with self._lock:
            return self._refusals[address.lower()]

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._messages)

    @property
    def distinct(self) -> int:
        return len(self.message_ids())

    @property
    def duplicates(self) -> int:
        """Messages received more than once, counted by their fixed Message-ID."""
        return self.count - self.distinct

    def wait_for(self, count: int, *, timeout: float = 10.0) -> bool:
        """Wait until at least ``count`` messages have arrived; True if they did in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count >= count:
                return True
            time.sleep(0.01)
        return self.count >= count

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()
            self._refusals.clear()
