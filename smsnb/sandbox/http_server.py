"""The sandbox's HTTP server: cheroot, hardened. Deadlines instead of per-read timeouts, a cap on
the request head, a strict Content-Length, a bounded chunked reader, and a worker thread only
for a connection whose request head is all here."""
from __future__ import annotations

import re
import socket
import time

from cheroot import errors, wsgi
from cheroot import server as cheroot_server
from cheroot.makefile import MakeFile

# cheroot rather than werkzeug's development server: werkzeug closes every connection, and
# smsnb's client (like Sinch's real service) keeps connections alive; a benchmark of 100
# sends must see them reused.
WORKER_THREADS = 16
LISTEN_BACKLOG = 256  # cheroot listens with 5: 50 clients connecting at once would be reset
MAX_HEAD_BYTES = 16 * 1024  # request line and headers; past it 431 (414 for a request line alone)
ANSWER_SECONDS = 10.0  # to write one answer, from its first byte, to a client that reads slowly
KEPT_ALIVE = 1000  # idle connections waiting in cheroot's selector (its default, 10, ends keep-alive early)
_CONTENT_LENGTH = re.compile(rb"[0-9]{1,19}")


class _Paced:
    """A connection's socket as cheroot's reader and writer see it, with deadlines instead of
    per-call timeouts: reading one request must end by the deadline set for it, and an answer
    has ANSWER_SECONDS from its first byte. A client trickling bytes holds a worker for a bounded
    time, not for a timeout renewed by every byte."""

    def __init__(self, sock: socket.socket):
        self._sock = sock
        self._read_by: float | None = None
        self._write_by: float | None = None

    def read_by(self, deadline: float) -> None:
        self._read_by, self._write_by = deadline, None

    def recv_into(self, buffer, *flags):
        self._write_by = None  # the next write starts a new answer
        self._limit(self._read_by)
        return self._sock.recv_into(buffer, *flags)

    def send(self, data, *flags):
        if self._write_by is None:
            self._write_by = time.monotonic() + ANSWER_SECONDS
        self._limit(self._write_by)
        return self._sock.send(data, *flags)

    def _limit(self, deadline: float | None) -> None:
        left = (deadline - time.monotonic()) if deadline is not None else ANSWER_SECONDS
        if left <= 0:
            raise TimeoutError("timed out")  # socket.timeout, as cheroot expects from a read
        self._sock.settimeout(left)

    def fileno(self) -> int:
        return self._sock.fileno()

    def _decref_socketios(self) -> None:
        pass  # cheroot closes the real socket itself


class _ChunkedBody:
    """A chunked request body. cheroot's own reader takes a chunk-size line of any length into
    memory; this one refuses a line over 1 KiB and holds no more than one read asks for."""

    def __init__(self, rfile):
        self._rfile, self._left, self._done = rfile, 0, False

    def read(self, size: int) -> bytes:
        out = bytearray()
        while len(out) < size and not self._done:
            if self._left == 0:
                self._left = self._chunk_size()
                if self._left == 0:
                    self._skip_trailers()
                    break
            piece = self._rfile.read(min(self._left, size - len(out)))
            if not piece:
                raise ValueError("the chunked body ends early")
            out += piece
            self._left -= len(piece)
            if self._left == 0 and self._rfile.read(2) != b"\r\n":
                raise ValueError("a chunk does not end with CRLF")
        return bytes(out)

    def _line(self) -> bytes:
        line = self._rfile.readline(1024)
        if not line.endswith(b"\n"):
            raise ValueError("a chunk line is too long or cut short")
        return line

    def _chunk_size(self) -> int:
        size = self._line().split(b";", 1)[0].strip()
        if not re.fullmatch(rb"[0-9A-Fa-f]{1,8}", size):
            raise ValueError(f"bad chunk size {size[:20]!r}")
        return int(size, 16)

    def _skip_trailers(self) -> None:
        self._done = True
        for _ in range(64):
            if self._line().strip() == b"":
                return
        raise ValueError("too many trailer lines")


class _Request(cheroot_server.HTTPRequest):
    """cheroot's request, with a 431 for a head over the cap, a strict Content-Length, a bounded
    chunked reader, and every answer cheroot gives on its own journaled."""

    def read_request_headers(self):
        try:
            ok = super().read_request_headers()
        except errors.MaxSizeExceeded:
            self.simple_response("431 Request Header Fields Too Large",
                                 f"The request head is over {MAX_HEAD_BYTES} bytes (16 KiB).")
            return False
        if ok and not _CONTENT_LENGTH.fullmatch(self.inheaders.get(b"Content-Length", b"0")):
            # int() takes "-5", "+5" and "5_0": a negative length would read to the end of the stream
            self.simple_response("400 Bad Request", "Content-Length must be a number of bytes.")
            return False
        return ok

    def respond(self):
        if not self.chunked_read:
            return super().respond()
        self.rfile = _ChunkedBody(self.conn.rfile)  # as cheroot's respond(), with the bounded reader
        self.server.gateway(self).respond()
        self.ready and self.ensure_headers_sent()
        if self.chunked_write:
            self.conn.wfile.write(b"0\r\n\r\n")

    def simple_response(self, status, msg=""):
        try:
            headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self.inheaders.items()]
            self.server.wsgi_app.record_refused(
                (getattr(self, "method", None) or b"").decode("latin-1"),
                (getattr(self, "uri", None) or b"").decode("latin-1"),
                headers, self.conn.remote_port, int(str(status)[:3]), msg or str(status))
        except Exception:
            pass  # journaling must never keep the answer from going out
        super().simple_response(status, msg)


class _Connection(cheroot_server.HTTPConnection):
    """A connection that goes to a worker thread only once its request head is all here (or its
    time is up): an idle or trickling client waits in cheroot's selector and costs no worker."""

    RequestHandlerClass = _Request

    def __init__(self, server, sock, makefile=MakeFile):
        self._paced = _Paced(sock)
        self._first_byte: float | None = None  # when the pending request began to arrive
        super().__init__(server, sock, lambda _sock, mode, size: makefile(self._paced, mode, size))

    def communicate(self):
        if not self._head_ready():
            return True  # back to the selector: cheroot hands it over again when more bytes come
        began, self._first_byte = self._first_byte or time.monotonic(), None
        self._paced.read_by(began + self.server.request_seconds)
        return super().communicate()

    def _head_ready(self) -> bool:
        if self.rfile.has_data():
            return True
        try:
            self.socket.settimeout(0)
            seen = self.socket.recv(MAX_HEAD_BYTES + 1, socket.MSG_PEEK)
        except BlockingIOError:
            return False
        except OSError:
            return True  # the parser meets the same error and deals with it
        now = time.monotonic()
        self._first_byte = self._first_byte or now
        complete = not seen or b"\n\r\n" in seen or b"\n\n" in seen or len(seen) > MAX_HEAD_BYTES
        return complete or now >= self._first_byte + self.server.request_seconds


class _Gateway(wsgi.Gateway_10):
    def start_response(self, status, headers, exc_info=None):
        if any(name.lower() == "connection" and value.lower() == "close" for name, value in headers):
            self.req.close_connection = True  # the app left the body unread: what follows is no request
        return super().start_response(status, headers, exc_info)


class HttpServer(wsgi.Server):
    """Serves ``app`` on 127.0.0.1:``port`` (0: a free one). ``app.record_refused`` journals the
    requests this layer answers on its own."""

    ConnectionClass = _Connection
    expiration_interval = 0.05  # how often the serving loop looks up: stop() waits for it
    max_request_header_size = MAX_HEAD_BYTES
    keep_alive_conn_limit = KEPT_ALIVE

    def __init__(self, port: int, app, request_seconds: float):
        super().__init__(("127.0.0.1", port), app, numthreads=WORKER_THREADS, server_name="smsnb-sandbox",
                         request_queue_size=LISTEN_BACKLOG)
        self.gateway = _Gateway
        self.request_seconds = request_seconds

    def error_log(self, msg="", level=20, traceback=False):
        pass  # the journal records every request; a console log would clutter a notebook
