"""Local peers for notice tests: a tiny SMTP sink on asyncio and a webhook receiver (real servers
on loopback, no mocks)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from werkzeug.wrappers import Request, Response

from tests.core.servers import serve_app


class SmtpSink:
    """Accepts every message (HELO/EHLO, MAIL, RCPT, DATA, QUIT) and keeps it."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._session, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self.server = server
        self.ready.set()
        self.loop.run_forever()
        server.close()
        self.loop.run_until_complete(server.wait_closed())

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def say(line: str) -> None:
            writer.write((line + "\r\n").encode())

        say("220 sink ready")
        while True:
            line = (await reader.readline()).decode(errors="replace").strip()
            if not line:
                break
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                say("250-sink")
                say("250 8BITMIME")
            elif verb in ("HELO", "MAIL", "RCPT", "RSET", "NOOP"):
                say("250 ok")
            elif verb == "DATA":
                say("354 go on")
                await writer.drain()
                data = bytearray()
                while True:
                    chunk = await reader.readline()
                    if chunk in (b".\r\n", b".\n", b""):
                        break
                    data.extend(chunk[1:] if chunk.startswith(b"..") else chunk)
                self.messages.append(message_from_bytes(bytes(data), policy=policy.default))
                say("250 queued")
            elif verb == "QUIT":
                say("221 bye")
                await writer.drain()
                break
            else:
                say("502 not implemented")
            await writer.drain()
        writer.close()

    def start(self) -> SmtpSink:
        self.thread.start()
        self.ready.wait(10)
        return self

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@contextmanager
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()


@contextmanager
def webhook_receiver() -> Iterator[tuple[str, list[dict]]]:
    """A webhook endpoint on loopback; yields its URL and the JSON bodies it received."""
    received: list[dict] = []

    @Request.application
    def app(request: Request) -> Response:
        received.append(json.loads(request.get_data()))
        return Response("ok")

    with serve_app(app) as url:
        yield url + "hook", received
