"""A TCP proxy in front of the test PostgreSQL: counts round trips on the wire, and can go silent."""

from __future__ import annotations

import glob
import os
import socket
import threading
import time
from dataclasses import dataclass, field

from psycopg.conninfo import conninfo_to_dict, make_conninfo


@dataclass
class PgProxy:
    """A TCP proxy to PostgreSQL that counts round trips and can go silent.

    Round trips are the client's Sync and simple Query messages: each is a point where the client waits for
    the server; pipelined statements between two of them share one wait, however many packets they take.
    `freeze()` holds every byte in both directions without closing anything, like a dropped NAT entry.
    """

    upstream: tuple[str, object]  # ("unix", path) or ("tcp", (host, port))
    round_trips: int = 0
    frozen: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    listener: socket.socket = field(default_factory=socket.socket)

    def start(self) -> int:
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()
        return int(self.listener.getsockname()[1])

    def _connect_upstream(self) -> socket.socket:
        kind, address = self.upstream
        if kind == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.connect(address)  # type: ignore[arg-type]
        return sock

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = self._connect_upstream()
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, from_client: bool) -> None:
        buffer, started = b"", False
        try:
            while data := source.recv(65536):
                if from_client:
                    buffer += data
                    buffer, started = self._count_messages(buffer, started)
                while self.frozen.is_set():
                    time.sleep(0.01)
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _count_messages(self, buffer: bytes, started: bool) -> tuple[bytes, bool]:
        """Consume whole frontend messages from the buffer, counting Sync ('S') and Query ('Q')."""
        while True:
            if not started:  # the startup packet has no type byte
                if len(buffer) < 4:
                    return buffer, started
                length = int.from_bytes(buffer[:4], "big")
                if len(buffer) < length:
                    return buffer, started
                buffer, started = buffer[length:], True
                continue
            if len(buffer) < 5:
                return buffer, started
            kind, length = buffer[:1], int.from_bytes(buffer[1:5], "big")
            if len(buffer) < 1 + length:
                return buffer, started
            if kind in (b"S", b"Q"):
                with self.lock:
                    self.round_trips += 1
            buffer = buffer[1 + length :]

    def count(self) -> int:
        with self.lock:
            return self.round_trips

    def freeze(self) -> None:
        self.frozen.set()

    def thaw(self) -> None:
        self.frozen.clear()

    def url_for(self, url: str, port: int) -> str:
        """`url` with its host and port replaced by this proxy's (listening on `port`)."""
        info = conninfo_to_dict(url)
        info.update(host="127.0.0.1", port=str(port), sslmode="disable")
        return "postgresql://?" + "&".join(f"{k}={v}" for k, v in conninfo_to_dict(make_conninfo(**info)).items())

    def stop(self) -> None:
        self.thaw()
        self.listener.close()


def upstream_of(url: str) -> tuple[str, object]:
    info = conninfo_to_dict(url)
    host, port = str(info.get("host") or "localhost"), int(info.get("port") or 5432)
    if host.startswith("/"):
        sockets = [p for p in glob.glob(os.path.join(host, ".s.PGSQL.*")) if not p.endswith(".lock")]
        return ("unix", sockets[0])
    return ("tcp", (host, port))
