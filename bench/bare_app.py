"""A bare Flask app: the HTTP baseline the real app is measured against (bench/http_bench.py).

One POST route that parses the JSON body (Flask's own request.get_json) and answers a small JSON
object; nothing else: no middleware, no metrics, no error handlers, no rulebook. Served by exactly
the gunicorn command and config of `closeness serve` (bench/server.py: BareServer), on its own port.
"""

from flask import Flask, request

PATH = "/bare"

app = Flask(__name__, static_folder=None)  # no static route either


@app.post(PATH)
def bare_post():
    """Parse the JSON body and acknowledge it."""
    body = request.get_json()
    return {"status": "received", "fields": len(body) if isinstance(body, dict) else 0}
