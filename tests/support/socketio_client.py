"""A socket.io client that talks to the web chat channel the way the Rasa web chat widget does.

It uses the long-polling transport: python-engineio's WebSocket client needs a newer aiohttp
than Rasa 3.6 allows. The browser tests (tests/web) cover the WebSocket transport.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, List, Optional, Tuple

import socketio

ALLOWED_ORIGIN = "http://localhost:8080"  # the local page: allowed by every test server (tests/support/web_stack.py)
EVENTS = ("session_confirm", "bot_uttered", "message_error")


class ChatClient:
    """One browser tab's connection: `session_confirm`, `bot_uttered` and `message_error` are recorded."""

    def __init__(self, url: str, origin: Optional[str] = ALLOWED_ORIGIN) -> None:
        self.url = url
        self.origin = origin
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: List[Tuple[str, Any]] = []
        self.token: Optional[str] = None
        self._arrived = asyncio.Event()
        for event in EVENTS:
            self.sio.on(event, self._recorder(event))

    def _recorder(self, event: str) -> Any:
        async def record(data: Any = None) -> None:
            self.received.append((event, data))
            self._arrived.set()

        return record

    async def connect(self) -> "ChatClient":
        headers = {"Origin": self.origin} if self.origin else {}
        await self.sio.connect(
            self.url, headers=headers, transports=["polling"], socketio_path="/socket.io", wait_timeout=10
        )
        return self

    async def close(self) -> None:
        if not self.sio.connected:
            return
        try:
            # The goodbye goes out at once; python-engineio's polling client then waits for its
            # last long-poll to time out (30 s), which the test need not sit through.
            await asyncio.wait_for(self.sio.disconnect(), timeout=1)
        except asyncio.TimeoutError:
            if self.sio.eio.http is not None and not self.sio.eio.http.closed:
                await self.sio.eio.http.close()

    async def wait_for(self, event: str, timeout: float = 30, start: int = 0) -> Any:
        """The data of the first `event` recorded at index `start` or later."""
        deadline = time.monotonic() + timeout
        while True:
            for name, data in self.received[start:]:
                if name == event:
                    return data
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {event!r} within {timeout} s; got {self.received[start:]!r}")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def start_session(self, session_id: Any = None) -> str:
        start = len(self.received)
        await self.sio.emit("session_request", {"session_id": session_id})
        self.token = await self.wait_for("session_confirm", timeout=15, start=start)
        return self.token

    async def say(self, message: Any, session_id: Any = None, quiet: float = 1.5, timeout: float = 45) -> List[str]:
        """Send a message (as this session, or naming `session_id`) and return the replies' texts.

        The replies are those that arrive until `quiet` seconds pass without another event.
        """
        start = len(self.received)
        await self.sio.emit("user_uttered", {"message": message, "session_id": session_id or self.token})
        await self.wait_for("bot_uttered", timeout=timeout, start=start)
        count = -1
        while count != len(self.received):
            count = len(self.received)
            await asyncio.sleep(quiet)
        return self.bot_texts(start)

    def bot_texts(self, start: int = 0) -> List[str]:
        return [data.get("text", "") for name, data in self.received[start:] if name == "bot_uttered"]
