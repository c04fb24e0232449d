"""The HTTP connection, with a deadline for the request head: a client that does not send a whole
head within ``header_timeout`` seconds (of connecting, or of the previous answer on a kept-alive
connection) is cut off, so that slow or silent connections are not held forever. (The body has a
deadline of its own, in ``dlint.server.uploads``.)"""

from __future__ import annotations

import asyncio
import functools
import logging

from uvicorn.protocols.http.h11_impl import H11Protocol

from dlint.server.settings import ServerSettings

LOG = logging.getLogger("dlint.server")


@functools.cache
def header_timeout() -> float:
    return ServerSettings.from_environment().header_timeout


class TimedH11Protocol(H11Protocol):
    """The server's HTTP/1.1 protocol, cut off when a request head takes too long."""

    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_head()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_watching()
        super().connection_lost(exc)

    def _watch_head(self) -> None:
        """Run the deadline while a request head is awaited, stop it once one has arrived."""
        awaiting = self.cycle is None or self.cycle.response_complete
        if awaiting and self._head_timer is None and not self.transport.is_closing():
            self._head_timer = self.loop.call_later(header_timeout(), self._cut_off)
        elif not awaiting:
            self._stop_watching()

    def _stop_watching(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _cut_off(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            LOG.info("closed a connection that sent no complete request head within %g s", header_timeout())
            self.transport.close()
