"""gunicorn responses whose status line, headers and body leave in one write.

gunicorn writes a response's headers and its body with two system calls. A worker killed between
the two leaves nginx holding headers without a body: nginx has already passed the headers on, so it
cannot try the other instance, and the client gets a truncated response. With one write (the
bodies here are small and whole), a worker killed at any moment has sent either nothing, and nginx
tries the other instance, or the whole response.
"""

from gunicorn import util
from gunicorn.http import wsgi


class OneWriteResponse(wsgi.Response):
    """Holds the headers back until the first body bytes, then sends both in one sendall."""

    _held: bytes | None = None

    def send_headers(self):
        if self.headers_sent:
            return
        tosend = self.default_headers()
        tosend.extend(["%s: %s\r\n" % (k, v) for k, v in self.headers])  # noqa: UP031 - as gunicorn does
        self._held = util.to_bytestring("%s\r\n" % "".join(tosend), "latin-1")  # noqa: UP031
        self.headers_sent = True

    def _flush_held(self) -> bytes:
        held, self._held = self._held or b"", None
        return held

    def _emit_body(self, data):
        held = self._flush_held()
        if self.chunked:
            if held:
                self.sock.sendall(held)
            util.write_chunk(self.sock, data)
        else:
            self.sock.sendall(held + data)

    def can_sendfile(self):
        return False  # sendfile would send the body before the held headers

    def close(self):
        if not self.headers_sent:
            self.send_headers()
        held = self._flush_held()  # a response without body bytes (HEAD, 204, 304, an empty body)
        if held:
            self.sock.sendall(held)
        super().close()


def install() -> None:
    """Make gunicorn build every response of this process as a OneWriteResponse."""
    wsgi.Response = OneWriteResponse
