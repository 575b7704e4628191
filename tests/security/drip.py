"""A local HTTP server that sends its answer one byte at a time (a stalled or hostile repository)."""

from __future__ import annotations

import socket
import threading
import time


class DripServer:
    """Answers every request on 127.0.0.1 by dripping ``body`` (or its headers too) byte by byte.

    ``sent`` counts the body bytes that went out; ``finished`` is set when a whole answer was sent
    (a client bounded by a deadline disconnects long before).
    """

    def __init__(self, body: bytes = b"x" * 600, interval: float = 0.05, drip_headers: bool = False,
                 content_type: str = "text/xml") -> None:
        self.body, self.interval, self.drip_headers = body, interval, drip_headers
        self.content_type = content_type
        self.sent = 0
        self.requests = 0
        self.finished = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/oai"
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                self.requests += 1
                head = (f"HTTP/1.1 200 OK\r\nContent-Type: {self.content_type}\r\n"
                        f"Content-Length: {len(self.body)}\r\n\r\n").encode()
                if self.drip_headers:
                    for byte in head:
                        if self._stop.is_set():
                            return
                        conn.sendall(bytes([byte]))
                        time.sleep(self.interval)
                else:
                    conn.sendall(head)
                for byte in self.body:
                    if self._stop.is_set():
                        return
                    conn.sendall(bytes([byte]))
                    self.sent += 1
                    time.sleep(self.interval)
                self.finished.set()
            except OSError:  # the client gave up: what the deadline is for
                return

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()
