"""Slow clients against the site: what a phone on a bad line (or someone
who means harm) does to gunicorn's sync workers, with and without nginx.

Each slow client opens a connection, sends the headers of a POST that
announces a body of 100 kB, then one byte of it a second, and holds on. Meanwhile
a normal client asks for a page every second and the time of each answer is
printed. tests/test_deploy.py uses this behind nginx; by hand (README,
"Production", has the figures):

    python -m bench.slow_clients http://127.0.0.1:8000/healthz          # gunicorn alone
    python -m bench.slow_clients https://127.0.0.1:8443/healthz --cafile cert.pem
"""

from __future__ import annotations

import argparse
import http.client
import socket
import ssl
import threading
import time
from urllib.parse import urlsplit

BODY_BYTES = 100_000


class SlowClients:
    """``count`` connections that trickle a request body, one byte a second
    each, from a thread of their own until :meth:`stop`."""

    def __init__(
        self,
        host: str,
        port: int,
        count: int,
        context: ssl.SSLContext | None = None,
        source: str = "127.0.0.1",
    ) -> None:
        self.host, self.port, self.count = host, port, count
        self.context, self.source = context, source
        self.sockets: list[socket.socket] = []
        self.dropped = 0  # connections the server closed while we held them
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)

    def start(self) -> None:
        """Open every connection and send its headers (in the background:
        against a full server even the connection may wait)."""
        self._thread.start()

    def _connect(self) -> socket.socket:
        raw = socket.create_connection(
            (self.host, self.port), timeout=60, source_address=(self.source, 0)
        )
        sock = self.context.wrap_socket(raw, server_hostname=self.host) if self.context else raw
        sock.sendall(
            (
                f"POST /api/v1/cases HTTP/1.1\r\nHost: {self.host}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {BODY_BYTES}\r\n\r\n"
            ).encode()
        )
        return sock

    def _trickle(self) -> None:
        for _ in range(self.count):
            if self._stop.is_set():
                return
            try:
                self.sockets.append(self._connect())
            except OSError:
                self.dropped += 1
        while not self._stop.wait(1):
            for sock in list(self.sockets):
                try:
                    sock.sendall(b" ")
                except OSError:
                    self.dropped += 1
                    self.sockets.remove(sock)
                    sock.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=90)
        for sock in self.sockets:
            sock.close()
        self.sockets.clear()


def timed_get(
    host: str,
    port: int,
    path: str,
    context: ssl.SSLContext | None = None,
    source: str = "127.0.0.1",
    timeout: float = 120,
) -> tuple[int, float]:
    """A normal client's GET on a new connection: the status (0 for no
    answer within ``timeout``) and the seconds it took."""
    connection: http.client.HTTPConnection
    if context is not None:
        connection = http.client.HTTPSConnection(
            host, port, context=context, source_address=(source, 0), timeout=timeout
        )
    else:
        connection = http.client.HTTPConnection(
            host, port, source_address=(source, 0), timeout=timeout
        )
    started = time.monotonic()
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        status = response.status
    except (TimeoutError, OSError):
        status = 0
    finally:
        connection.close()
    return status, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the page the normal client asks for")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30, help="how long to hold them")
    parser.add_argument("--cafile", help="the certificate to trust, for https")
    options = parser.parse_args()
    url = urlsplit(options.url)
    host, path = url.hostname or "127.0.0.1", url.path or "/"
    context = ssl.create_default_context(cafile=options.cafile) if url.scheme == "https" else None
    port = url.port or (443 if context else 80)

    wait = options.seconds  # a normal client gives up after this long (status 0)
    status, seconds = timed_get(host, port, path, context, timeout=wait)
    print(f"before:        {status} in {seconds:.3f} s")
    slow = SlowClients(host, port, options.clients, context)
    slow.start()
    time.sleep(2)  # let them connect
    started = time.monotonic()
    times = []
    while time.monotonic() - started < options.seconds:
        status, seconds = timed_get(host, port, path, context, timeout=wait)
        times.append(seconds)
        print(f"{time.monotonic() - started:5.1f} s held:  {status} in {seconds:.3f} s")
        time.sleep(max(0.0, 1 - seconds))
    held = len(slow.sockets)
    slow.stop()
    print(
        f"{options.clients} slow clients ({held} still held at the end): "
        f"{len(times)} normal requests, slowest {max(times):.3f} s, "
        f"median {sorted(times)[len(times) // 2]:.3f} s"
    )


if __name__ == "__main__":
    main()
