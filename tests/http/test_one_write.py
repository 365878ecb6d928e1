"""gunicorn responses leave in one write (service/ops/one_write.py): a worker killed mid-response never
leaves nginx with headers and no body. Driven through gunicorn's own parser and response on a real
socket pair; only the socket's sendall calls are counted on their way through."""

import socket

import pytest
from gunicorn.config import Config
from gunicorn.http import wsgi
from gunicorn.http.parser import RequestParser

from service import create_app
from service.ops.one_write import OneWriteResponse


class _Counted:
    """The real socket, with each sendall call kept."""

    def __init__(self, sock):
        self.sock, self.calls = sock, []

    def sendall(self, data):
        self.calls.append(bytes(data))
        self.sock.sendall(data)

    def __getattr__(self, name):
        return getattr(self.sock, name)


def _serve_one(monkeypatch, app, raw: bytes) -> tuple[list[bytes], bytes]:
    monkeypatch.setattr(wsgi, "Response", OneWriteResponse)
    server, client = socket.socketpair()
    with server, client:
        client.sendall(raw)
        cfg = Config()
        request = next(iter(RequestParser(cfg, server, ("127.0.0.1", 1))))
        counted = _Counted(server)
        response, environ = wsgi.create(request, counted, ("127.0.0.1", 1), ("127.0.0.1", 8000), cfg)
        body = app(environ, response.start_response)
        try:
            for item in body:
                response.write(item)
            response.close()
        finally:
            getattr(body, "close", lambda: None)()
        server.shutdown(socket.SHUT_WR)
        received = b"".join(iter(lambda: client.recv(65536), b""))
    return counted.calls, received


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_response_leaves_in_one_write(monkeypatch, method):
    app = create_app({"TESTING": True})
    calls, received = _serve_one(monkeypatch, app, f"{method} /livez HTTP/1.1\r\nHost: a\r\n\r\n".encode())
    assert len(calls) == 1 and calls[0] == received
    assert received.startswith(b"HTTP/1.1 200") and (b'"live"' in received) == (method == "GET")


def test_a_decision_leaves_in_one_write(monkeypatch, baseline):
    import json

    body = json.dumps(baseline).encode()
    raw = b"POST /v1/assessments HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
    raw += b"Content-Length: %d\r\n\r\n" % len(body) + body
    calls, received = _serve_one(monkeypatch, create_app({"TESTING": True}), raw)
    assert len(calls) == 1 and b'"recommendation": "rebuild"' in received.replace(b'":"', b'": "')
